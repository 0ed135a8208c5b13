using EventDeblur.Pipeline.Output;
using EventDeblur.IO;

namespace EventDeblur.Pipeline;

/// <summary>What a replay did.</summary>
/// <param name="Results">One row per frame, in index order.</param>
/// <param name="Status"><c>completed</c>, <c>cancelled</c> or <c>failed</c>.</param>
/// <param name="Problems">Input problems found on the way (bundle, events, sync).</param>
public sealed record ReplaySummary(IReadOnlyList<FrameResult> Results, string Status, IReadOnlyList<Problem> Problems)
{
    /// <summary>Frames this run worked on (deblurred or failed); with <c>--resume</c> the others of <see cref="Results"/> were kept from the earlier run.</summary>
    public int ProcessedThisRun { get; init; } = Results.Count;

    /// <summary>Frames a run that ended early never reached: each has a failed row saying so (<c>--resume</c> does them).</summary>
    public int NotReached { get; init; }
}
