using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>Returns the blurry input unchanged: the "blurry" reference method of evaluations.</summary>
public sealed class IdentityDeconvolver : IDeconvolver
{
    /// <inheritdoc />
    public string Name => "none";

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context) => (float[])plane.Clone();
}
