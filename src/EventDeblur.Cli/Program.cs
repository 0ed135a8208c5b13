using System.CommandLine;
using EventDeblur.Cli;

var root = new RootCommand("EventDeblur: event-camera-guided deblurring of low-light photos.");
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
return await root.Parse(args).InvokeAsync();
