namespace EventDeblur.Deconvolution;

/// <summary>Options of <see cref="TiledDeblurrer"/>.</summary>
/// <param name="OverlapPx">How far each tile's deconvolution region reaches into its neighbours, RGB pixels (at least the tile's kernel size is used); blending ramps over half of it. Default <see cref="DefaultOverlapPx"/>.</param>
/// <param name="MaxDegreeOfParallelism">Channels and tiles processed at once (a frame with one kernel runs all its channels at once, at least).</param>
/// <param name="MergeSameKernels">Whether neighbouring tiles whose kernels are the same blur are deconvolved as one region (<see cref="KernelTileMerger"/>); default true.</param>
public sealed record DeblurOptions(int OverlapPx = DeblurOptions.DefaultOverlapPx, int MaxDegreeOfParallelism = 2, bool MergeSameKernels = true)
{
    /// <summary>Tile overlap of the <c>balanced</c> and <c>best</c> rungs, pixels.</summary>
    public const int DefaultOverlapPx = 48;

    /// <summary>
    /// Tile overlap of the <c>fast</c> rung, pixels. Where blur varies across the frame, every kernel tile is deconvolved
    /// over its region (the tile plus the overlap on each side), so a 640×480 frame of twelve 160-px tiles is deconvolved
    /// over about three times its area; 32 px instead of 48 took 10–29 % less time on the tuning seeds' multi-tile kinds
    /// for 0.004–0.11 dB (docs/MEASUREMENTS.md, stop 31), a trade for the rung that a live rig uses when it falls behind.
    /// </summary>
    public const int FastOverlapPx = 32;

    /// <summary>
    /// The options of a quality rung: <see cref="FastOverlapPx"/> at <see cref="DeconvolutionQuality.Fast"/>, else the
    /// defaults. Replay, eval and live apply it only to deconvolvers with rungs (<c>robust</c>, <c>learned</c>); the others
    /// tile as at <see cref="DeconvolutionQuality.Balanced"/> whatever <c>--quality</c> says.
    /// </summary>
    public static DeblurOptions ForQuality(DeconvolutionQuality quality) =>
        quality == DeconvolutionQuality.Fast ? new DeblurOptions(OverlapPx: FastOverlapPx) : new DeblurOptions();
}
