using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>A deconvolver that can take all channels of a frame (or of one tile of it) in one call.</summary>
public interface IMultiChannelDeconvolver : IDeconvolver
{
    /// <summary>
    /// True when the channels' results depend on each other (then <see cref="TiledDeblurrer"/> hands each tile's channels
    /// over together); false when <see cref="DeconvolveChannels"/> is just <see cref="IDeconvolver.Deconvolve"/> per channel.
    /// </summary>
    bool JointChannels { get; }

    /// <summary>
    /// Like <see cref="IDeconvolver.Deconvolve"/> for each of <paramref name="planes"/> (all Width × Height, linear
    /// normalised radiance) with the same kernel, each with its own <paramref name="contexts"/> entry; returns one
    /// result per plane, in order.
    /// </summary>
    float[][] DeconvolveChannels(IReadOnlyList<float[]> planes, int width, int height, BlurKernel kernel, IReadOnlyList<ChannelContext> contexts);
}
