using System.CommandLine;
using EventDeblur.Cli;

var root = new RootCommand("EventDeblur: event-camera-guided deblurring of low-light photos.");
// Before the commands: their --deconvolver choices are the registry's names.
var learned = new LearnedSetup();
learned.Register(root);
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(PreviewCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(LiveCommands.Serve());
root.Subcommands.Add(LiveCommands.Live());
var parse = root.Parse(args);
learned.Configure(parse);
return await parse.InvokeAsync();
