namespace EventDeblur.Deconvolution;

/// <summary>Options of <see cref="NoiseModelEstimator"/>.</summary>
/// <param name="Bins">Intensity bins (equal pixel counts) the variance is measured in.</param>
/// <param name="FlatFraction">Share of each bin's pixels, the flattest, that measure the noise (the rest may hold texture or edges).</param>
/// <param name="MeanRadiusPx">Half-size of the box that estimates the local signal, pixels.</param>
public sealed record NoiseModelOptions(int Bins = 16, double FlatFraction = 0.5, int MeanRadiusPx = 2)
{
    /// <summary>Throws when a value is out of range.</summary>
    public NoiseModelOptions Validated()
    {
        if (Bins < 2) throw new ArgumentOutOfRangeException(nameof(Bins), Bins, "at least 2 bins");
        if (!(FlatFraction > 0 && FlatFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(FlatFraction), FlatFraction, "in (0, 1]");
        if (MeanRadiusPx < 1) throw new ArgumentOutOfRangeException(nameof(MeanRadiusPx), MeanRadiusPx, "at least 1 px");
        return this;
    }
}
