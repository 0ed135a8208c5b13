using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>A non-blind deconvolver of one linear-radiance channel with a uniform kernel.</summary>
public interface IDeconvolver
{
    /// <summary>Name used on the command line (<c>wiener</c>, <c>rl</c>, <c>hl</c>, …).</summary>
    string Name { get; }

    /// <summary>
    /// Returns the sharp channel (same size, linear normalised radiance, may exceed 1 where lights were clipped)
    /// from the blurry <paramref name="plane"/> (<paramref name="width"/>×<paramref name="height"/>) and kernel.
    /// </summary>
    float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context);
}

/// <summary>
/// A deconvolver whose RGB results want their chroma median-filtered once the frame is assembled
/// (<see cref="Imaging.ChromaMedian"/>): one that works on each channel alone and may sharpen the channels of an edge
/// differently, leaving colour fringes. <see cref="TiledDeblurrer"/> applies it to 3-channel frames.
/// </summary>
public interface IChromaSmoothing : IDeconvolver
{
    /// <summary>Side of the chroma median window, pixels: 0 (none), 3 or 5.</summary>
    int ChromaMedianPx { get; }
}

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
