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
}
