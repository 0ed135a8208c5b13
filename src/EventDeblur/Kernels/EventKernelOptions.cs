using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="EventKernelEstimator"/>.</summary>
public sealed record EventKernelOptions
{
    /// <summary>
    /// Which bright components become candidate light paths. Thick lights (lamp globes, halos: their edges move with
    /// the camera) and clustered lights (their mixed events still move together) are traced too; the camera-motion
    /// consensus, not their shape, decides which paths to trust.
    /// </summary>
    public StreakOptions Streaks { get; init; } = new(MaxWidthPx: 20, IsolationPx: 0);

    /// <summary>Time slices over the exposure for the trajectory centroids.</summary>
    public int TimeSlices { get; init; } = 24;

    /// <summary>Margin around a streak's bounding box when selecting its events, frame pixels.</summary>
    public double RegionMarginPx { get; init; } = 8;

    /// <summary>Background-activity filter: an event needs a neighbour event within this time, µs.</summary>
    public long SupportWindowUs { get; init; } = 5000;

    /// <summary>Fewest filtered events for a streak's trajectory to count.</summary>
    public int MinEventsPerStreak { get; init; } = 40;

    /// <summary>At most this many streaks are traced (best first).</summary>
    public int MaxStreaks { get; init; } = 24;

    /// <summary>Largest tile for spatially varying kernels, frame pixels.</summary>
    public int TileSizePx { get; init; } = 160;

    /// <summary>Smallest tile for spatially varying kernels, frame pixels.</summary>
    public int MinTileSizePx { get; init; } = 64;

    /// <summary>Tiles shrink until the kernel changes by at most this much between neighbouring tiles, frame pixels.</summary>
    public double MaxTileChangePx { get; init; } = 1.5;

    /// <summary>
    /// Event latency, µs: events are timestamped this long after the light change that caused them (the photoreceptor
    /// low-pass, slower in the dark), so the events of the exposure are those of [start + latency, end + latency).
    /// A property of the event camera and its bias settings; 0 when unknown.
    /// </summary>
    public long EventLatencyUs { get; init; }

    /// <summary>The camera-motion consensus over all traced candidate paths.</summary>
    public MotionConsensusOptions Consensus { get; init; } = new();

    /// <summary>Largest blur considered by the texture (contrast maximisation) search, event pixels.</summary>
    public double MaxTextureBlurEventPx { get; init; } = 30;
}
