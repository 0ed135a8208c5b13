namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="StreakTracer"/> (validated by <see cref="Validate"/>, once, when a tracer is made).</summary>
public sealed record StreakTracerOptions
{
    /// <summary>Time slices over the exposure for the trajectory centroids; in [4, 1000].</summary>
    public int TimeSlices { get; init; } = 24;

    /// <summary>Margin around a streak's bounding box when selecting its events, frame pixels; in [0, 1000].</summary>
    public double RegionMarginPx { get; init; } = 8;

    /// <summary>Background-activity filter: an event needs a neighbour event within this time, µs; in [1, 10⁷].</summary>
    public long SupportWindowUs { get; init; } = 5000;

    /// <summary>Fewest filtered events for a streak's trajectory to count; in [1, 10⁸].</summary>
    public int MinEventsPerStreak { get; init; } = 40;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its range.</summary>
    public void Validate()
    {
        OptionRange.Check(nameof(TimeSlices), TimeSlices, 4, 1000);
        OptionRange.Check(nameof(RegionMarginPx), RegionMarginPx, 0, 1000);
        OptionRange.Check(nameof(SupportWindowUs), SupportWindowUs, 1, 1e7);
        OptionRange.Check(nameof(MinEventsPerStreak), MinEventsPerStreak, 1, 1e8);
    }
}
