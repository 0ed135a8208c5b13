using System.CommandLine;
using System.CommandLine.Help;
using EventDeblur.Cli;
using EventDeblur.Learned;
using EventDeblur.Methods;
using System.Runtime.InteropServices;

// The child process of Hdf5Probe: opens one HDF5 file and exits (a file that ends it is refused by the parent).
if (args.Length == 2 && args[0] == Hdf5Probe.Verb) return Hdf5Probe.RunChild(args[1]);
EventDeblur.Formats.Hdf5.Hdf5EventReader.Preflight = Hdf5Probe.Check;
// OpenCV and FFmpeg keep their own log lines to themselves: the commands report every failure with its file.
NativeLogging.Quiet();
// A plain command named as the user types it (a RootCommand would take the assembly's name, EventDeblur.Cli).
var root = new Command("eventdeblur", "EventDeblur: event-camera-guided deblurring of low-light photos.\n\n" + ExitCodes.HelpTable)
{
    new HelpOption(),
    new VersionOption(),
};
// The one method catalogue of the process, before the commands: their --deconvolver choices are its names.
var learned = new LearnedSetup();
var methods = new MethodCatalogueBuilder().AddLearned(learned.Refiner, learned.FastRefiner).Build();
var replay = ReplayCommand.Create(methods, learned);
var eval = EvalCommand.Create(methods);
var live = LiveCommands.Live(methods);
learned.AddOptions(root, replay, eval, live);
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(BundleCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(PreviewCommand.Create());
root.Subcommands.Add(replay);
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(eval);
root.Subcommands.Add(LiveCommands.Serve());
root.Subcommands.Add(live);
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // A bad command line is a usage error: System.CommandLine prints the errors (and its typo suggestions), then one line
    // points to the verb's help; the whole help text would bury the error.
    if (parse.Action is System.CommandLine.Invocation.ParseErrorAction errorAction) errorAction.ShowHelp = false;
    var errors = new StringWriter();
    // Its typo suggestions go where the errors go (standard error), not to standard output.
    await parse.InvokeAsync(new InvocationConfiguration { Error = errors, Output = errors });
    Console.Error.Write(UsageErrors.Prefixed(UsageErrors.Plain(UsageErrors.WithoutRepeats(UsageErrors.WithoutValueSuggestions(errors.ToString())))));
    Console.Error.WriteLine(ExitCodes.HelpPointer(parse.CommandResult.Command));
    return ExitCodes.Usage;
}
// Ctrl+C / SIGINT and SIGTERM cancel the command's token; the command then abandons the frame in flight (within about a
// second) and writes its final run.json and frames.parquet before it returns 130. (System.CommandLine's own handling
// would end the process 2 s after the signal, whatever it was writing.) A second signal ends the process at once.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext c)
{
    if (cancel.IsCancellationRequested) return; // the second one: default handling, the process ends
    c.Cancel = true;
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
// The one place where an exception that ends a command becomes an exit code (ExitCodes.Report).
try
{
    learned.Configure(parse);
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancel.Token);
}
catch (Exception e)
{
    return ExitCodes.Report(e, Console.Error);
}
