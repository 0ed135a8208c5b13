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

    /// <summary>
    /// Grid of regions over the event sensor (columns, rows) in which the translation path is refined on each region's
    /// own events, for blur that varies across the frame; (1, 1) turns it off. Each of 1..8.
    /// </summary>
    public (int Columns, int Rows) LocalRegions { get; init; } = (3, 3);

    /// <summary>
    /// A region's own path replaces the frame's only when it stacks the region's events more sharply by this fraction
    /// (fewer events fit noise: a margin keeps uniform blur uniform); in [0, 10]. Chosen on the tuning seeds of both
    /// domains (0, 0.02, 0.05, 0.15 tried: mean kernel similarity within 0.01 for 0–0.05, lower at 0.15).
    /// </summary>
    public double LocalMinGain { get; init; } = 0.02;

    /// <summary>
    /// Threads the search may use (the velocity grid's warps, and the local regions beside the roll search); in [1, 64].
    /// The result does not depend on it: every warp is computed as on one thread and compared in the same order.
    /// </summary>
    public int Threads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its range.</summary>
    public void Validate()
    {
        OptionRange.CheckAboveMin(nameof(MaxBlurEventPx), MaxBlurEventPx, 0, 500);
        OptionRange.Check(nameof(SupportWindowUs), SupportWindowUs, 1, 1e7);
        OptionRange.Check(nameof(MaxEvents), MaxEvents, 100, 1e8);
        OptionRange.Check(nameof(MinEvents), MinEvents, 1, 1e8);
        OptionRange.Check(nameof(LocalMinGain), LocalMinGain, 0, 10);
        OptionRange.Check(nameof(Threads), Threads, 1, 64);
        if (LocalRegions.Columns is < 1 or > 8 || LocalRegions.Rows is < 1 or > 8)
            throw new ArgumentOutOfRangeException(nameof(LocalRegions), LocalRegions, "LocalRegions must be 1..8 columns and 1..8 rows");
    }
}
