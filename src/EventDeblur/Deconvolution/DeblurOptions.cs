namespace EventDeblur.Deconvolution;

/// <summary>Options of <see cref="TiledDeblurrer"/>.</summary>
/// <param name="OverlapPx">How far each tile's deconvolution region reaches into its neighbours, RGB pixels; blending ramps over it.</param>
/// <param name="MaxDegreeOfParallelism">Channels and tiles processed at once (a frame with one kernel runs all its channels at once, at least).</param>
public sealed record DeblurOptions(int OverlapPx = 48, int MaxDegreeOfParallelism = 2);
