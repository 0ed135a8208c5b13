using EventDeblur.Events;
using EventDeblur.Imaging;

namespace EventDeblur.Kernels;

/// <summary>What a kernel estimator gets for one frame: plain values, no pipeline state.</summary>
public sealed record KernelRequest
{
    /// <summary>Frame index (for messages).</summary>
    public required long Index { get; init; }

    /// <summary>The blurry frame in normalised linear radiance.</summary>
    public required LinearImage Blurry { get; init; }

    /// <summary>The saturation level in the frame's normalised linear units.</summary>
    public required double SaturationLinear { get; init; }

    /// <summary>Exposure window on the event clock, µs (end-exclusive), or null when unknown.</summary>
    public TimeRangeUs? Exposure { get; init; }

    /// <summary>Events of the exposure window plus margins, time-ordered.</summary>
    public EventSlice Events { get; init; } = EventSlice.Empty;

    /// <summary>Map from frame pixels to event pixels; identity for APS frames.</summary>
    public Homography FrameToEvents { get; init; } = Homography.Identity;

    /// <summary>Event sensor size, event pixels.</summary>
    public (int Width, int Height) EventSensorSize { get; init; }

    /// <summary>The frame's ground-truth kernel CSV (KERNEL CSV of RECORDING_FORMAT.md), or null when the bundle has none.</summary>
    public string? GroundTruthKernelsPath { get; init; }

    /// <summary>
    /// Cancels the estimation: checked between streaks and between motion hypotheses, so an abandoned frame stops
    /// within one streak trace or one hypothesis (<see cref="OperationCanceledException"/>). None by default.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}
