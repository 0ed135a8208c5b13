using System.Text.Json.Nodes;

namespace EventDeblur.IO;

/// <summary>
/// A problem found in an input, precise enough to act on: which source (a file, a stream), where in it (byte offset,
/// line or frame), how serious, and what was expected and found. The one record every layer reports problems with —
/// readers, bundle checks, synchronisation, the pipeline and the live rig — so tools can list, count and filter them
/// alike (<c>inspect --json</c> prints them as objects).
/// </summary>
/// <param name="Source">The file (path as given) or stream the problem is in.</param>
/// <param name="Location">Where in <paramref name="Source"/>.</param>
/// <param name="Severity">Note or error.</param>
/// <param name="Message">What was expected and what was found.</param>
public sealed record Problem(string Source, ProblemLocation Location, ProblemSeverity Severity, string Message)
{
    /// <summary>A problem at a byte offset of a binary file (<paramref name="byteOffset"/> &lt; 0: not tied to one place).</summary>
    public Problem(string source, long byteOffset, ProblemSeverity severity, string message)
        : this(source, ProblemLocation.AtByte(byteOffset), severity, message) { }

    /// <summary>An error in <paramref name="source"/> at <paramref name="location"/>.</summary>
    public static Problem Error(string source, ProblemLocation location, string message) => new(source, location, ProblemSeverity.Error, message);

    /// <summary>An error in <paramref name="source"/> not tied to one place.</summary>
    public static Problem Error(string source, string message) => new(source, ProblemLocation.None, ProblemSeverity.Error, message);

    /// <summary>A note in <paramref name="source"/> at <paramref name="location"/>.</summary>
    public static Problem Note(string source, ProblemLocation location, string message) => new(source, location, ProblemSeverity.Note, message);

    /// <summary>
    /// An error from a message that already names its source, e.g. an exception's <c>"PATH: line 7: …"</c>: a leading
    /// <paramref name="source"/> and a following <c>byte N</c>, <c>line N</c> or <c>frame N</c> become the problem's source
    /// and location, so its text is unchanged; any other message is kept whole under <paramref name="source"/>.
    /// </summary>
    public static Problem FromMessage(string source, string message)
    {
        string prefix = source + ": ";
        if (!message.StartsWith(prefix, StringComparison.Ordinal)) return Error(source, message);
        string rest = message[prefix.Length..];
        foreach (var (word, kind) in new[] { ("byte ", ProblemLocationKind.Byte), ("line ", ProblemLocationKind.Line), ("frame ", ProblemLocationKind.Frame) })
        {
            if (!rest.StartsWith(word, StringComparison.Ordinal)) continue;
            int colon = rest.IndexOf(": ", word.Length, StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(rest.AsSpan(word.Length, colon - word.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value))
                return Error(source, new ProblemLocation(kind, value), rest[(colon + 2)..]);
        }
        return Error(source, rest);
    }

    /// <summary>
    /// This problem as a JSON record, as <c>inspect --json</c> and <c>run.json</c> list them: <c>source</c> (null for a
    /// problem of the recording as a whole, e.g. a frame's exposure), <c>location_kind</c> (<c>byte</c>, <c>line</c>,
    /// <c>frame</c> or null), <c>location</c> (the byte offset, line or 0-based frame index, or null), <c>severity</c>
    /// (<c>error</c> or <c>note</c>) and <c>message</c>.
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["source"] = Source.Length == 0 ? null : Source,
        ["location_kind"] = Location.Kind == ProblemLocationKind.None ? null : Location.Kind.ToString().ToLowerInvariant(),
        ["location"] = Location.Kind == ProblemLocationKind.None ? null : Location.Value,
        ["severity"] = Severity.ToString().ToLowerInvariant(),
        ["message"] = Message,
    };

    /// <summary>The problems as JSON records (<see cref="ToJson()"/>), in order.</summary>
    public static JsonArray ToJsonArray(IEnumerable<Problem> problems) => new(problems.Select(p => (JsonNode?)p.ToJson()).ToArray());

    /// <summary>The source, for problems in files (the same as <see cref="Source"/>).</summary>
    public string FilePath => Source;

    /// <summary>The byte offset when <see cref="Location"/> is one, else −1.</summary>
    public long ByteOffset => Location.Kind == ProblemLocationKind.Byte ? Location.Value : -1;

    /// <summary>Source, location and message as <see cref="ToString"/> gives them, without the "note: " of a note (for lines that name the severity first).</summary>
    /// <remarks>Control characters (from a damaged or hostile header) are written as <c>\xNN</c> (<see cref="TerminalText"/>).</remarks>
    public string Plain => TerminalText.Safe($"{(Source.Length == 0 ? "" : $"{Source}: ")}{(Location.Kind == ProblemLocationKind.None ? "" : $"{Location}: ")}{Message}");

    /// <summary>
    /// <c>SOURCE: LOCATION: MESSAGE</c> (no source part when <see cref="Source"/> is empty, e.g. a frame of the recording
    /// as a whole; no location part when there is none); notes are marked <c>note:</c>, errors are not.
    /// </summary>
    public override string ToString() =>
        TerminalText.Safe($"{(Source.Length == 0 ? "" : $"{Source}: ")}{(Location.Kind == ProblemLocationKind.None ? "" : $"{Location}: ")}{(Severity == ProblemSeverity.Note ? "note: " : "")}{Message}");
}
