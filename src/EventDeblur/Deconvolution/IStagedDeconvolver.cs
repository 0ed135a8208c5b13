using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// A deconvolver whose result refines an intermediate deconvolution of its own (e.g. a network over a classical
/// result). <see cref="GuardedDeconvolver"/> falls back to that intermediate result before the input, judged by the same
/// rule, without computing anything again.
/// </summary>
public interface IStagedDeconvolver : IDeconvolver
{
    /// <summary>
    /// Like <see cref="IDeconvolver.Deconvolve"/>, given the plane's noise model (estimated once by the caller), and also
    /// returning the intermediate result the final one was made from (both linear normalised radiance, same size).
    /// </summary>
    (float[] Result, float[] Intermediate) DeconvolveStaged(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model);
}
