using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="EventKernelEstimator"/>.</summary>
public sealed record EventKernelOptions
{
    /// <summary>Streak detection.</summary>
    public StreakOptions Streaks { get; init; } = new();

    /// <summary>Time slices over the exposure for the trajectory centroids.</summary>
    public int TimeSlices { get; init; } = 24;

    /// <summary>Margin around a streak's bounding box when selecting its events, frame pixels.</summary>
    public double RegionMarginPx { get; init; } = 8;

    /// <summary>Background-activity filter: an event needs a neighbour event within this time, µs.</summary>
    public long SupportWindowUs { get; init; } = 5000;

    /// <summary>Fewest filtered events for a streak's trajectory to count.</summary>
    public int MinEventsPerStreak { get; init; } = 40;

    /// <summary>At most this many streaks are traced (best first).</summary>
    public int MaxStreaks { get; init; } = 16;

    /// <summary>Tile size for spatially varying kernels, frame pixels.</summary>
    public int TileSizePx { get; init; } = 160;

    /// <summary>Rotation is modelled when it moves frame corners by more than this, pixels (and explains the paths better than translation).</summary>
    public double RotationThresholdPx { get; init; } = 2.0;

    /// <summary>Streak paths whose slice centroids stray from the smooth path by more than this (RMS, event pixels) are set aside, unless the best one does too.</summary>
    public double MaxPathRmsEventPx { get; init; } = 0.6;

    /// <summary>
    /// Event latency, µs: events are timestamped this long after the light change that caused them (the photoreceptor
    /// low-pass, slower in the dark), so the events of the exposure are those of [start + latency, end + latency).
    /// A property of the event camera and its bias settings; 0 when unknown.
    /// </summary>
    public long EventLatencyUs { get; init; }

    /// <summary>Largest blur considered by the texture (contrast maximisation) search, event pixels.</summary>
    public double MaxTextureBlurEventPx { get; init; } = 30;
}
