using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// One note of the kernel estimator about a frame, as a record (an element of <c>frames.parquet</c>'s
/// <c>diagnostics</c> list): which candidate (a light streak at a position, the camera motion, the texture
/// fallback), the verdict on it, why, and its fit. <see cref="Text"/> keeps the full line as written.
/// </summary>
public sealed record FrameDiagnostic
{
    /// <summary>An empty note (for readers of frames.parquet and progress records).</summary>
    public FrameDiagnostic() { }

    /// <summary>A note with its parts.</summary>
    public FrameDiagnostic(string candidate, string verdict, string? reason, string? fit, string text) =>
        (Candidate, Verdict, Reason, Fit, Text) = (candidate, verdict, reason, fit, text);

    /// <summary>What the note is about, e.g. <c>streak at (120,88) 3×40</c>, <c>camera motion</c>, <c>tiles</c>, <c>texture</c>; empty when unknown.</summary>
    [JsonPropertyName("candidate")] public string Candidate { get; init; } = "";

    /// <summary>
    /// <c>rejected</c> (not a usable light), <c>not_traced</c> (no path from its events), <c>traced</c> (a path was fitted),
    /// <c>outlier</c> (set aside by the motion consensus), <c>model</c> (the motion model chosen), <c>used</c>
    /// (the texture fallback produced the kernel), <c>fallback</c> (the deconvolver's guard fell back), or <c>note</c>.
    /// </summary>
    [JsonPropertyName("verdict")] public string Verdict { get; init; } = "";

    /// <summary>Why (rejections, outliers, notes); null when there is nothing to explain.</summary>
    [JsonPropertyName("reason")] public string? Reason { get; init; }

    /// <summary>The fit's numbers as text (events, path RMS, offsets; agreement of the motion model); null when none.</summary>
    [JsonPropertyName("fit")] public string? Fit { get; init; }

    /// <summary>The note as the estimator wrote it.</summary>
    [JsonPropertyName("text")] public string Text { get; init; } = "";

    private static readonly (Regex Pattern, string Verdict, bool IsFit)[] Rules =
    [
        (new(@"^(?<c>streak at \([^)]*\)(?: \d+×\d+)?) rejected: (?<r>.*)$", RegexOptions.Singleline), "rejected", false),
        (new(@"^(?<c>streak at \([^)]*\)) not traced: (?<r>.*)$", RegexOptions.Singleline), "not_traced", false),
        (new(@"^(?<c>streak at \([^)]*\)) set aside by the consensus: (?<r>.*)$", RegexOptions.Singleline), "outlier", false),
        (new(@"^(?<c>streak at \([^)]*\)): (?<r>.*)$", RegexOptions.Singleline), "traced", true),
        (new(@"^(?<c>camera motion): (?<r>.*)$", RegexOptions.Singleline), "model", true),
        (new(@"^\w+ motion modelled: (?<r>.*)$", RegexOptions.Singleline), "model", true),
        (new(@"^(?<c>texture): (?<r>only .*no blur assumed.*)$", RegexOptions.Singleline), "rejected", false),
        (new(@"^(?<c>texture): (?<r>.*)$", RegexOptions.Singleline), "used", true),
        (new(@"^(?<c>guard): (?<r>.*)$", RegexOptions.Singleline), "fallback", false),
    ];

    /// <summary>Reads one note into its parts; a note of an unknown shape becomes verdict <c>note</c> with its text as the reason.</summary>
    public static FrameDiagnostic Parse(string text)
    {
        foreach (var (pattern, verdict, isFit) in Rules)
        {
            var m = pattern.Match(text);
            if (!m.Success) continue;
            string candidate = m.Groups["c"].Success ? m.Groups["c"].Value : "tiles";
            string rest = m.Groups["r"].Value;
            return new FrameDiagnostic(candidate, verdict, isFit ? null : rest, isFit ? rest : null, text);
        }
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0
            ? new FrameDiagnostic(text[..colon], "note", text[(colon + 2)..], null, text)
            : new FrameDiagnostic("", "note", text, null, text);
    }

    /// <summary>The notes of a <see cref="FrameResult.Diagnostics"/> value (one note per line); empty for null.</summary>
    public static IReadOnlyList<FrameDiagnostic> ParseAll(string? diagnostics) =>
        diagnostics == null ? [] : diagnostics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
}
