namespace EventDeblur.Calibration;

/// <summary>Settings of <see cref="RigCalibrator"/>; the defaults suit DAVIS-class event sensors beside a VGA-class RGB camera.</summary>
public sealed record CalibrationOptions
{
    /// <summary>Most frames used (spread evenly over the recording); 1–1000. Default 8.</summary>
    public int MaxFrames { get; init; } = 8;

    /// <summary>Fewest frames whose refinements must agree before a homography is reported; 2–<see cref="MaxFrames"/>. Default 3.</summary>
    public int MinFrames { get; init; } = 3;

    /// <summary>Fewest events inside a frame's exposure window for the frame to be used. Default 2000.</summary>
    public long MinEventsPerFrame { get; init; } = 2000;

    /// <summary>Smallest and largest RGB→event scale searched (event pixels per RGB pixel). Default 0.2–1.5.</summary>
    public (double Min, double Max) Scale { get; init; } = (0.2, 1.5);

    /// <summary>Smallest ECC correlation coefficient (0–1) between a frame's event image and its warped gradient image for the frame to count. Default 0.25.</summary>
    public double MinCorrelation { get; init; } = 0.25;

    /// <summary>Largest ratio (0–1) of the best coarse score of a clearly different scale/rotation to the best one; above it the peak is ambiguous. Default 0.8.</summary>
    public double MaxAmbiguity { get; init; } = 0.8;

    /// <summary>Largest accepted residual (RMS spread of the per-frame estimates around the joint one), event pixels. Default 1.5.</summary>
    public double MaxResidualEventPx { get; init; } = 1.5;

    /// <summary>
    /// The event camera's latency, µs (−10 s..10 s, as replay): each exposure window is shifted by it on the event clock (as
    /// <c>replay --event-latency-us</c>). Default 0.
    /// </summary>
    public long EventLatencyUs { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (MaxFrames is < 1 or > 1000) throw new ArgumentException($"frames {MaxFrames}: expected 1..1000");
        if (MinFrames < 2 || MinFrames > Math.Max(2, MaxFrames)) throw new ArgumentException($"minimum frames {MinFrames}: expected 2..{Math.Max(2, MaxFrames)}");
        if (MinEventsPerFrame < 1) throw new ArgumentException($"minimum events per frame {MinEventsPerFrame}: expected ≥ 1");
        if (!(Scale.Min > 0) || !(Scale.Max > Scale.Min)) throw new ArgumentException($"scale range {Scale.Min}–{Scale.Max}: expected 0 < min < max");
        if (MinCorrelation is < 0 or > 1) throw new ArgumentException($"minimum correlation {MinCorrelation}: expected 0..1");
        if (MaxAmbiguity is <= 0 or > 1) throw new ArgumentException($"maximum ambiguity {MaxAmbiguity}: expected (0, 1]");
        if (EventLatencyUs is < -10_000_000 or > 10_000_000) throw new ArgumentException($"event latency {EventLatencyUs} µs: expected -10000000..10000000 (±10 s, as replay)");
        if (!(MaxResidualEventPx > 0)) throw new ArgumentException($"maximum residual {MaxResidualEventPx}: expected > 0 event px");
    }
}
