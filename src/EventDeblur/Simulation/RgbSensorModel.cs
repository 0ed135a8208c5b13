namespace EventDeblur.Simulation;

/// <summary>
/// The RGB camera's sensor: photo-electrons are Poisson (shot noise), read noise is Gaussian,
/// the full well clips, then a gain, black level and 16-bit quantisation give raw values.
/// </summary>
/// <param name="FullWellE">Full-well capacity, electrons (≥ 100).</param>
/// <param name="ReadNoiseE">Read noise standard deviation, electrons.</param>
/// <param name="BlackLevel">Raw value of zero signal.</param>
/// <param name="WhiteLevel">Raw full scale (the manifest's white level).</param>
/// <param name="SaturationLevel">Raw value the full well maps to; values at or above it are clipped.</param>
public sealed record RgbSensorModel(double FullWellE = 6000, double ReadNoiseE = 3, double BlackLevel = 1024, double WhiteLevel = 65535, double SaturationLevel = 65000)
{
    /// <summary>Raw DN per electron.</summary>
    public double GainDnPerE => (SaturationLevel - BlackLevel) / FullWellE;
}
