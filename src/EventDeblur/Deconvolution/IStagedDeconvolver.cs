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

/// <summary>
/// A staged deconvolver whose second stage needs no kernel and works on any part of a frame (a network over the
/// classical result, say), so that a frame deblurred tile by tile with spatially varying kernels runs the first stage
/// per kernel tile and the second stage once over the assembled frame (<see cref="TiledDeblurrer"/>): each tile's
/// deconvolution region reaches into its neighbours, so per tile the second stage would pay for every overlap again
/// (with 70 kernel tiles on a 640×480 frame, about 6× the frame's area).
/// </summary>
public interface IFrameStagedDeconvolver : IStagedDeconvolver
{
    /// <summary>
    /// The first stage on <paramref name="plane"/> (a whole frame or one tile's region; linear normalised radiance) with
    /// its <paramref name="kernel"/> and noise <paramref name="model"/>: the intermediate result and the per-pixel side
    /// plane the second stage also takes (for the learned deconvolver, its noise plane), both
    /// <paramref name="width"/>×<paramref name="height"/>. Assembled from tiles like results, both must blend linearly.
    /// </summary>
    (float[] Intermediate, float[] Side) FirstStage(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model);

    /// <summary>
    /// The second stage on a whole plane: the blurry <paramref name="plane"/>, the assembled <paramref name="intermediate"/>
    /// and <paramref name="side"/> planes (all <paramref name="width"/>×<paramref name="height"/>), and the plane's
    /// <paramref name="context"/> (saturation mask of the whole plane); returns the final result, linear normalised radiance.
    /// </summary>
    float[] SecondStage(float[] plane, float[] intermediate, float[] side, int width, int height, ChannelContext context);
}
