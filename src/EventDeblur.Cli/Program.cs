using System.CommandLine;
using System.CommandLine.Help;
using EventDeblur.Cli;

// A plain command named as the user types it (a RootCommand would take the assembly's name, EventDeblur.Cli).
var root = new Command("eventdeblur", "EventDeblur: event-camera-guided deblurring of low-light photos.\n\n" + ExitCodes.HelpTable)
{
    new HelpOption(),
    new VersionOption(),
};
// Before the commands: their --deconvolver choices are the registry's names.
var learned = new LearnedSetup();
learned.Register(root);
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(BundleCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(PreviewCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(LiveCommands.Serve());
root.Subcommands.Add(LiveCommands.Live());
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // System.CommandLine prints the errors (and help); a bad command line is a usage error.
    await parse.InvokeAsync();
    return ExitCodes.Usage;
}
// The one place where an exception that ends a command becomes an exit code (ExitCodes.Report).
try
{
    learned.Configure(parse);
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    return ExitCodes.Report(e, Console.Error);
}
