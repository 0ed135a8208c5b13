using EventDeblur.Pipeline.Output;
using EventDeblur.IO;

namespace EventDeblur.Live;

/// <summary>What a live run did.</summary>
/// <param name="Results">Per-frame rows.</param>
/// <param name="EventsReceived">Events received over all connections.</param>
/// <param name="TriggersReceived">Trigger events received.</param>
/// <param name="DroppedFrames">Frames dropped because the pipeline fell behind.</param>
/// <param name="DroppedEvents">Events dropped from the buffer because it was full.</param>
/// <param name="Gaps">Stream interruptions and what was lost.</param>
/// <param name="Problems">Unmatched frames or exposures and other findings.</param>
public sealed record LiveSummary(IReadOnlyList<FrameResult> Results, long EventsReceived, long TriggersReceived, long DroppedFrames, long DroppedEvents,
    IReadOnlyList<StreamGap> Gaps, IReadOnlyList<Problem> Problems)
{
    /// <summary>
    /// Exposures from the trigger stream that got no RGB frame although the streams ended by themselves (not by
    /// <c>--duration-s</c> or a signal): the RGB source delivered fewer frames than the rig exposed, so the in-order
    /// pairing of the frames after the missing one is suspect.
    /// </summary>
    public int UnpairedExposures { get; init; }

    /// <summary>
    /// Exposures that got no RGB frame while frames were paired by their timestamps (<see cref="PairedByTimestamps"/>):
    /// the source dropped their frames (its stamps skipped them), or they came after its last frame. Each is in
    /// <see cref="Problems"/>; the frames around them kept their own exposures.
    /// </summary>
    public int FramelessExposures { get; init; }

    /// <summary>Whether the RGB source stamped its frames and the pairing followed the stamps to the end of the run (see <see cref="FrameExposurePairer"/>).</summary>
    public bool PairedByTimestamps { get; init; }

    /// <summary>
    /// The streams (<c>events</c>, <c>triggers</c>) that never connected during the run, each as its URI: a wrong host or
    /// port, or a server that was not running. Each is also the first entry of <see cref="Problems"/>.
    /// </summary>
    public IReadOnlyList<string> NeverConnected { get; init; } = [];

    /// <summary>
    /// The streams (<c>events</c>, <c>triggers</c>), each as its URI, that connected but sent no packet during the run: a
    /// peer that is not a DV server (nothing, or bytes that are not a DV stream), or a DV server with nothing linked to its
    /// output. Each is also among the first entries of <see cref="Problems"/>, saying which of these it was.
    /// </summary>
    public IReadOnlyList<string> Silent { get; init; } = [];

    /// <summary>
    /// The streams, each as its URI, that sent only packets of the other kind (trigger packets on <c>--events</c>, event
    /// packets on <c>--triggers</c>): the run stopped when both ports were swapped, or when one had sent several packets of
    /// the other kind and none of its own for a second, since no data of the right kind would come. Empty when the run did
    /// not stop for that.
    /// </summary>
    public IReadOnlyList<string> WrongKind { get; init; } = [];
}
