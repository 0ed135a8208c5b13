using EventDeblur.Events;
using EventDeblur.Recording;

namespace EventDeblur.Sync;

/// <summary>A frame and its exposure window on the event clock (null when it could not be matched).</summary>
/// <param name="Index">Frame index.</param>
/// <param name="Row">The frames.csv row (null for APS frames).</param>
/// <param name="Exposure">Exposure window <c>[start, end)</c> in event-clock µs, or null.</param>
public sealed record FrameWindow(long Index, FrameRow? Row, TimeRangeUs? Exposure);
