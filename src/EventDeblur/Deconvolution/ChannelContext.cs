namespace EventDeblur.Deconvolution;

/// <summary>Per-channel inputs a deconvolver needs besides the blurry plane.</summary>
/// <param name="Saturated">True where the raw value was clipped (unknown radiance).</param>
/// <param name="SaturationLinear">Normalised linear value of the saturation level.</param>
/// <param name="NoiseSigma">Noise standard deviation in normalised linear units (estimated when null).</param>
public sealed record ChannelContext(bool[] Saturated, double SaturationLinear, double? NoiseSigma)
{
    /// <summary>Cancels the deconvolution: iterative deconvolvers check it between iterations and throw <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; init; }
}
