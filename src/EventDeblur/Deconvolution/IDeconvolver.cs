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
