using EventDeblur.Events;
using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>The events of a frame's crop region during its exposure, as the report shows them.</summary>
/// <param name="Window">The exposure window on the event clock (shifted by the run's <c>event_latency_us</c>), µs, end-exclusive.</param>
/// <param name="Box">The event pixels counted: the crop's corners mapped by the bundle's RGB → event homography, their bounding box clipped to the sensor; the whole sensor when <paramref name="WholeSensor"/>.</param>
/// <param name="WholeSensor">True when the frame had no crop (no comparison image to choose one from).</param>
/// <param name="On">ON events counted.</param>
/// <param name="Off">OFF events counted.</param>
/// <param name="Png">The picture (white background, ON red, OFF blue), one pixel per event pixel.</param>
internal sealed record RegionEvents(TimeRangeUs Window, Rect Box, bool WholeSensor, long On, long Off, byte[] Png)
{
    /// <summary>k when only every k-th event of the window was kept (a live run's cap per frame); 1 when all were counted.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Events of the whole sensor in the window as the run received them (live runs, from their events file); null when not known.</summary>
    public long? InWindow { get; init; }
}
