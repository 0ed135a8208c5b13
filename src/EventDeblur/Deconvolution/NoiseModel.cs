namespace EventDeblur.Deconvolution;

/// <summary>
/// Signal-dependent (Poisson–Gaussian) noise of one linear channel: the variance of a pixel whose noise-free
/// value is <c>s</c> (normalised linear radiance, 1 = white level) is <c>A·max(s, 0) + B</c>. <c>A</c> is the
/// shot-noise gain (normalised radiance per photo-electron), <c>B</c> the signal-independent (read-out)
/// variance, in normalised radiance².
/// </summary>
/// <param name="A">Shot-noise gain: variance per unit of signal, normalised radiance.</param>
/// <param name="B">Signal-independent variance, normalised radiance².</param>
/// <param name="Samples">Number of flat-region pixels the fit used (0 for a model that was not estimated).</param>
public sealed record NoiseModel(double A, double B, int Samples = 0)
{
    /// <summary>The smallest variance the model returns, normalised radiance² (a 16-bit quantisation step).</summary>
    public const double MinVariance = 1e-10;

    /// <summary>
    /// True when the frame showed the seams of block-transform compression (JPEG's 8×8 blocks) and the model was raised to
    /// the compression error measured at them (<see cref="NoiseModelEstimator.BlockCompressionFloor"/>).
    /// </summary>
    public bool BlockCompressed { get; init; }

    /// <summary>Noise variance at noise-free value <paramref name="signal"/> (normalised linear radiance), radiance².</summary>
    public double Variance(double signal)
    {
        double v = A * Math.Max(signal, 0) + B;
        return v >= MinVariance ? v : MinVariance; // NaN too
    }

    /// <summary>Noise standard deviation at <paramref name="signal"/>, normalised linear radiance.</summary>
    public double Sigma(double signal) => Math.Sqrt(Variance(signal));
}
