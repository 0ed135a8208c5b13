using System.Net.Sockets;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Cli;

/// <summary>
/// The CLI's exit-code contract, in one place: the codes, their help text, and the mapping of an exception that ends a
/// command to a code and a one-line message.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>Completed, but the data had problems or some frames failed.</summary>
    public const int DataProblems = 1;

    /// <summary>Unusable input or arguments: nothing (or nothing useful) was done.</summary>
    public const int Usage = 2;

    /// <summary>Internal error (a bug): a one-line message on the console, the details in a log file.</summary>
    public const int Internal = 3;

    /// <summary>Cancelled (Ctrl+C, SIGTERM).</summary>
    public const int Cancelled = 130;

    /// <summary>The table, as the root <c>--help</c> shows it (the README's CLI section has the same).</summary>
    public const string HelpTable =
        "Exit codes: 0 success; 1 completed with data problems or failed frames; 2 unusable input or arguments; " +
        "3 internal error (message + log file under the temp folder); 130 cancelled.";

    /// <summary>
    /// The one line after a command-line error: where the usage of <paramref name="command"/> (the verb the user typed, or
    /// the root command) is, e.g. <c>Run 'eventdeblur replay --help' for usage.</c>
    /// </summary>
    public static string HelpPointer(System.CommandLine.Command command)
    {
        var names = new List<string>();
        for (var c = command; c != null; c = c.Parents.OfType<System.CommandLine.Command>().FirstOrDefault())
            names.Insert(0, c.Name);
        return $"Run '{string.Join(' ', names)} --help' for usage.";
    }

    /// <summary>The exit code of a user-actionable error: 1 when the input's data is at fault, 2 when the input or an argument is unusable.</summary>
    public static int CodeOf(UserInputException e) => e.Kind == UserInputKind.DataProblem ? DataProblems : Usage;

    /// <summary>Reports <paramref name="e"/> on <paramref name="error"/> (standard error) in one line and returns its exit code.</summary>
    /// <param name="e">The exception that ended the command.</param>
    /// <param name="error">Where the line goes.</param>
    /// <param name="logFolder">Where an internal error's log is written (default: the system temp folder).</param>
    public static int Report(Exception e, TextWriter error, string? logFolder = null)
    {
        switch (e)
        {
            case OperationCanceledException:
                error.WriteLine("cancelled");
                return Cancelled;
            case UserInputException u:
                error.WriteLine($"error: {u.Message}");
                return CodeOf(u);
            // Inputs or outputs the user named that cannot be opened, read or written: their messages name the path.
            case UnauthorizedAccessException or IOException or SocketException or InvalidDataException:
                error.WriteLine($"error: {e.Message}");
                return Usage;
            // The library's argument checks (not its subclasses, which are programming errors).
            case ArgumentException when e.GetType() == typeof(ArgumentException):
            case FormatException:
                error.WriteLine($"error: {e.Message}");
                return Usage;
            default:
                string log = WriteLog(e, logFolder ?? Path.GetTempPath());
                error.WriteLine($"internal error: {FirstLine(e.Message)} (details: {log})");
                return Internal;
        }
    }

    /// <summary>
    /// Test hook, not a user option: when this environment variable holds exactly <see cref="FaultHookValue"/>, <c>replay</c>
    /// fails at its start with an internal error, so that a test can check the whole exit-3 path of a real process (message,
    /// log file). Any other value (1, true, empty) does nothing, so it cannot be set by accident.
    /// </summary>
    public const string FaultHookVariable = "EVENTDEBLUR_TEST_HOOK_FAULT";

    /// <summary>The only value of <see cref="FaultHookVariable"/> that injects the fault.</summary>
    public const string FaultHookValue = "inject-internal-error-for-tests";

    /// <summary>Throws an <see cref="InvalidOperationException"/> (an internal error) when the test hook is set; see <see cref="FaultHookVariable"/>.</summary>
    public static void ThrowIfFaultInjected()
    {
        if (Environment.GetEnvironmentVariable(FaultHookVariable) == FaultHookValue)
            throw new InvalidOperationException($"fault injected by the test hook {FaultHookVariable}");
    }

    private static string WriteLog(Exception e, string folder)
    {
        string path = Path.Combine(folder, $"eventdeblur-error-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
        try
        {
            File.WriteAllText(path, $"eventdeblur {RunVersion()} {DateTimeOffset.UtcNow:O}\nargs: {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}\n\n{e}\n");
            return path;
        }
        catch (Exception logError) when (logError is IOException or UnauthorizedAccessException)
        {
            return $"none: the log could not be written to {path} ({logError.Message})";
        }
    }

    private static string RunVersion() => EventDeblur.Pipeline.Output.RunManifest.ToolVersion;

    private static string FirstLine(string s) => s.Split('\n', 2)[0].TrimEnd();
}
