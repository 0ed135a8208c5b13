using EventDeblur.Events;

namespace EventDeblur.Kernels;

/// <summary>
/// The events that contrast maximisation and the warp scorer both use: those inside the exposure, background
/// activity removed, then every <c>Stride</c>-th of them (⌊n / <see cref="ContrastMaximizationOptions.MaxEvents"/>⌋, at least 1),
/// so that fewer than twice that many remain.
/// </summary>
internal static class ExposureEventSample
{
    /// <summary>Indices into <paramref name="events"/> (time-ordered) after filtering, the stride, and the number of events the stride keeps.</summary>
    public static (List<int> Filtered, int Stride, int Count) Of(EventSlice events, TimeRangeUs exposure, ContrastMaximizationOptions options)
    {
        int lo = EventTime.LowerBound(events.T, exposure.StartUs), hi = EventTime.LowerBound(events.T, exposure.EndUs);
        var all = new List<int>(hi - lo);
        for (int i = lo; i < hi; i++) all.Add(i);
        all = new BackgroundActivityFilter(options.SupportWindowUs).Filter(events, all);
        int stride = Math.Max(1, all.Count / options.MaxEvents);
        return (all, stride, (all.Count + stride - 1) / stride);
    }
}
