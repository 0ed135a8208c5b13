using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// An APS frame the reader found but could not decode (its size or pixel data damaged; the problem is reported as
/// well): it keeps the frame's place, so that the frames after it keep their indices (an implied APS bundle numbers
/// frames in file order, and its ground truth is matched by index). Readers that cannot place a damaged frame emit none.
/// </summary>
public sealed record SkippedFramePacket : AedatPacket
{
    /// <summary>The frame's exposure window on the event clock, µs, as its header states it (it may be damaged too).</summary>
    public required TimeRangeUs Exposure { get; init; }

    /// <summary>Why the frame was skipped (the reader's problem message).</summary>
    public required string Reason { get; init; }
}
