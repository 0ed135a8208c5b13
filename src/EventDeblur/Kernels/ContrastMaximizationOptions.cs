namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="ContrastMaximizer"/> (validated by <see cref="Validate"/>, once, when a maximiser is made).</summary>
public sealed record ContrastMaximizationOptions
{
    /// <summary>Largest blur considered, event pixels (the velocity search covers a disc of this radius); in (0, 500].</summary>
    public double MaxBlurEventPx { get; init; } = 30;

    /// <summary>Background-activity filter: an event needs a neighbour event within this time, µs; in [1, 10⁷].</summary>
    public long SupportWindowUs { get; init; } = 2500;

    /// <summary>
    /// Cap on the events warped: with more filtered events than this, every ⌊n / MaxEvents⌋-th is kept, so between
    /// MaxEvents and 2 × MaxEvents remain (a true cap, every ⌈n / MaxEvents⌉-th, was measured at stop 24 and costs one
    /// tuning frame 0.10 of kernel similarity); in [100, 10⁸].
    /// </summary>
    public int MaxEvents { get; init; } = 60_000;

    /// <summary>Fewer events than this (after subsampling) give no blur; in [1, 10⁸].</summary>
    public int MinEvents { get; init; } = 500;

    /// <summary>
    /// Whether a roll about the optical axis (rotation about the sensor centre, linear and quadratic in time) is searched
    /// too, starting from the translation path: <see cref="ContrastMaximizationResult.RigidMotion"/>.
    /// </summary>
    public bool Rotation { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its range.</summary>
    public void Validate()
    {
        OptionRange.CheckAboveMin(nameof(MaxBlurEventPx), MaxBlurEventPx, 0, 500);
        OptionRange.Check(nameof(SupportWindowUs), SupportWindowUs, 1, 1e7);
        OptionRange.Check(nameof(MaxEvents), MaxEvents, 100, 1e8);
        OptionRange.Check(nameof(MinEvents), MinEvents, 1, 1e8);
    }
}
