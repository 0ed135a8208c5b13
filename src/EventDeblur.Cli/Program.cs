using System.CommandLine;
using EventDeblur.Cli;

var root = new RootCommand("EventDeblur: event-camera-guided deblurring of low-light photos.");
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(PreviewCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(LiveCommands.Serve());
root.Subcommands.Add(LiveCommands.Live());
return await root.Parse(args).InvokeAsync();
