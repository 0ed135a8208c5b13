namespace EventDeblur.Deconvolution;

/// <summary>Per-channel inputs a deconvolver needs besides the blurry plane.</summary>
/// <param name="Saturated">True where the raw value was clipped (unknown radiance).</param>
/// <param name="SaturationLinear">Normalised linear value of the saturation level.</param>
/// <param name="NoiseSigma">Noise standard deviation in normalised linear units (estimated when null).</param>
public sealed record ChannelContext(bool[] Saturated, double SaturationLinear, double? NoiseSigma)
{
    /// <summary>Cancels the deconvolution: iterative deconvolvers check it between iterations and throw <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// A floor under the noise model estimated from the plane (variance, normalised radiance²): the compression error of
    /// the whole frame (<see cref="NoiseModelEstimator.BlockCompressionFloor"/>, set by <see cref="TiledDeblurrer"/>), which
    /// removed the pixel noise the estimate measures; null when none is known.
    /// </summary>
    public NoiseModel? NoiseFloor { get; init; }

    /// <summary>
    /// Where the plane holds its own measurements (a demosaiced colour mosaic's sites of this colour, as the plane's own
    /// (0, 0) sees them); null, or <see cref="Imaging.SampleSites.All"/>, when every pixel does. The noise model is
    /// measured on the sites alone; unless <see cref="Imaging.SampleSites.InterpolatedAsData"/>, the other pixels are no
    /// data either: <see cref="RobustDeconvolver"/> and the do-no-harm guard fit and judge the blurry plane at the sites only.
    /// </summary>
    public Imaging.SampleSites? Sites { get; init; }

    /// <summary>The sites when the other pixels are no data (for the data term and its checks); null when every pixel is data.</summary>
    internal Imaging.SampleSites? DataSites => Sites is { IsAll: false, InterpolatedAsData: false } s ? s : null;
}
