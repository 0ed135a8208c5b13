namespace EventDeblur.Kernels;

/// <summary>What contrast maximisation found for one frame.</summary>
/// <param name="Offsets">Frame-pixel offsets of the sensor centre from its mid-exposure position at equally spaced exposure times; empty when there were too few events (no blur assumed).</param>
/// <param name="EventsUsed">Events of the exposure after noise filtering (before subsampling).</param>
/// <param name="EventsWarped">Events warped at full resolution (the subsample).</param>
/// <param name="ContrastGain">Contrast of the best warp over that of no motion, minus 1 (0 when there were too few events).</param>
/// <param name="Note">One line for the diagnostics.</param>
public sealed record ContrastMaximizationResult((double X, double Y)[] Offsets, int EventsUsed, int EventsWarped, double ContrastGain, string Note)
{
    /// <summary>
    /// The roll + translation motion (frame pixels, <see cref="MotionKind.Rigid"/>, one map per path sample) when the
    /// rotation search ran and stacked the events more sharply than the translation path; otherwise null.
    /// </summary>
    public CameraMotion? RigidMotion { get; init; }

    /// <summary>
    /// Spatially varying paths (regions of the event sensor with paths of their own) when at least one region's own path
    /// stacked its events more sharply than the frame's translation path by the margin; otherwise null.
    /// </summary>
    public LocalPathField? LocalPaths { get; init; }

    /// <summary>
    /// True when no path found — translation or roll — stacks the events more sharply than no motion at all: the paths
    /// are then guesses, not measurements (a still camera). Without traced lights the estimator then assumes no blur.
    /// </summary>
    public bool StillIsBest { get; init; }

    /// <summary>Roll of <see cref="RigidMotion"/> from the start to the end of the exposure, radians (0 without one).</summary>
    public double RollRad { get; init; }
}
