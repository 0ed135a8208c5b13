namespace EventDeblur.IO;

/// <summary>
/// How a user runs this tool, for the commands that messages suggest ("next: ./eventdeblur replay …"): the launcher as it
/// was typed (<c>./eventdeblur</c>, exported by that script as <c>EVENTDEBLUR_COMMAND</c>), else <c>eventdeblur</c>.
/// </summary>
public static class ToolCommand
{
    /// <summary>The environment variable the <c>eventdeblur</c> launcher sets to its own path as typed (<c>$0</c>).</summary>
    public const string EnvironmentVariable = "EVENTDEBLUR_COMMAND";

    /// <summary>The command word to print before a subcommand, shell-quoted when it needs quoting.</summary>
    public static string Name => Environment.GetEnvironmentVariable(EnvironmentVariable) is { } typed && !string.IsNullOrWhiteSpace(typed) ? Word(typed) : "eventdeblur";

    /// <summary>
    /// <paramref name="word"/> (a path, typically) as one POSIX shell word for the commands messages suggest: as it is when
    /// it holds only letters, digits and <c>_ . / - + : = , %</c> (an image sequence's %06d); else in double quotes when it holds nothing they expand
    /// or end (<c>" $ ` \ !</c>); else in single quotes, each ' written '\''. The one quoting of every suggested command
    /// (stop 43: three helpers differed, and one put <c>$</c> inside double quotes, where the shell expands it).
    /// </summary>
    public static string Word(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-' or '+' or ':' or '=' or ',' or '%') ? word
        : word.IndexOfAny(['"', '$', '`', '\\', '!']) < 0 ? "\"" + word + "\""
        : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
