using System.Text.RegularExpressions;

namespace EventDeblur.Cli;

/// <summary>Command-line parse errors in a user's words rather than .NET's.</summary>
internal static partial class UsageErrors
{
    /// <summary>
    /// Replaces the .NET type names System.CommandLine puts in its messages ("as expected type 'System.Int64'") with
    /// what the option takes ("a whole number"); everything else is kept as it is.
    /// </summary>
    public static string Plain(string message) => TypeName().Replace(message, m => "as " + m.Groups[1].Value switch
    {
        "System.Int16" or "System.Int32" or "System.Int64" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "a whole number",
        "System.Single" or "System.Double" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        "System.IO.FileInfo" => "a file path",
        "System.IO.DirectoryInfo" => "a folder path",
        "System.TimeSpan" => "a duration",
        _ => "a value of the expected kind",
    });

    /// <summary>
    /// Puts <c>error: </c> before each error line of the parser's, as the program's own refusals have it (stop 43's README
    /// audit: "--frames 2: expected 3..1000" came with it, "--event-latency-us 20000000: expected …" without); the
    /// suggestions listed under "Did you mean" (a bare option or verb each) and blank lines stay as they are.
    /// </summary>
    public static string Prefixed(string message) =>
        string.Join('\n', message.Split('\n').Select(l => l.Trim().Length == 0 || !l.Contains(' ') || l.StartsWith("error: ", StringComparison.Ordinal) ? l : "error: " + l));

    /// <summary>
    /// Drops a line that repeats an earlier error line: an option added to the root and to a verb (<c>--device</c>,
    /// <c>--model</c>) is validated once for each, and printed its refusal twice (stop 43's README audit).
    /// </summary>
    public static string WithoutRepeats(string message)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = message.Split('\n');
        return string.Join('\n', lines.Where(l => l.Trim().Length == 0 || (l.StartsWith('-') && !l.Contains(' ')) || l.StartsWith(' ') || seen.Add(l)));
    }

    /// <summary>
    /// Drops System.CommandLine's "Did you mean" block for a token that is not an option (the value of a mistyped
    /// option, e.g. <c>gt</c> after <c>--kernel</c>, for which it suggested <c>-h</c>) when all it suggests are options;
    /// the suggestions for the mistyped option itself, and a mistyped verb's (<c>replya</c>: <c>replay</c>), stay.
    /// </summary>
    public static string WithoutValueSuggestions(string message) => ValueSuggestion().Replace(message, "");

    [GeneratedRegex(@"^'[^'\-][^']*' was not matched\. Did you mean one of the following\?\r?\n(?:-[^\r\n]*\r?\n)+", RegexOptions.Multiline)]
    private static partial Regex ValueSuggestion();

    [GeneratedRegex(@"as expected type '([A-Za-z0-9_.`\[\]]+)'")]
    private static partial Regex TypeName();
}
