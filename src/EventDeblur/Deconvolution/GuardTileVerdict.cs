namespace EventDeblur.Deconvolution;

/// <summary>The guard's verdict on one tile.</summary>
/// <param name="X0">First column, pixels (of the plane the deconvolver was given).</param>
/// <param name="Y0">First row, pixels.</param>
/// <param name="X1">End column (exclusive), pixels.</param>
/// <param name="Y1">End row (exclusive), pixels.</param>
/// <param name="Level">What the tile got.</param>
/// <param name="Weight">Share of the deconvolver's result in the tile's output: 1 (kept) to 0.</param>
/// <param name="GentleWeight">Share of the gentler variant in the rest (the input takes what is left): 0 to 1; 0 without a variant or when it was not needed.</param>
/// <param name="Consistency">Re-blur inconsistency of the deconvolver's result (see <see cref="GuardOptions.MaxConsistency"/>); NaN when the tile had no usable pixels.</param>
/// <param name="NoiseGain">Noise/ringing gain of the deconvolver's result (see <see cref="GuardOptions.MaxNoiseGain"/>); NaN when unmeasurable.</param>
public sealed record GuardTileVerdict(int X0, int Y0, int X1, int Y1, FallbackLevel Level, double Weight, double GentleWeight, double Consistency, double NoiseGain);
