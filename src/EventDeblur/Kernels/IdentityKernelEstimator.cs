namespace EventDeblur.Kernels;

/// <summary>No blur assumed (a 1×1 kernel): pairs with the <c>none</c> deconvolver for the blurry reference.</summary>
public sealed class IdentityKernelEstimator : IKernelEstimator
{
    /// <inheritdoc />
    public string Name => "identity";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request) =>
        new([new KernelTile(0, 0, request.Blurry.Width, request.Blurry.Height, BlurKernel.Delta)], "identity", 0, 0, 0, []);
}
