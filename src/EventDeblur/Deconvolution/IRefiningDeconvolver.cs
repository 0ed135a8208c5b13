using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// A staged deconvolver whose second stage refines a whole frame at once: the first stage (a classical deconvolution)
/// depends on the kernel, the second (a network) only on what the first gave, the blurry plane and its noise. On a
/// frame whose blur varies across kernel tiles, <see cref="TiledDeblurrer"/> runs the first stage per tile region,
/// assembles it, and refines the assembled frame once instead of every overlapping region on its own (a 640×480 frame
/// in 70 tiles is 1.9 MP of regions: six times the frame).
/// </summary>
public interface IRefiningDeconvolver : IStagedDeconvolver
{
    /// <summary>
    /// True when <see cref="Refine"/> can run on a frame assembled from regions (its noise input is a per-pixel σ map,
    /// which regions can share); false when it needs one noise level per call (then tiles are deconvolved region by region).
    /// </summary>
    bool RefinesFrames { get; }

    /// <summary>The first stage of <see cref="IStagedDeconvolver.DeconvolveStaged"/>: the intermediate result (linear normalised radiance, same size).</summary>
    float[] FirstStage(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model);

    /// <summary>
    /// The second stage: the final result from <paramref name="intermediate"/>, the blurry <paramref name="plane"/> and
    /// its per-pixel noise σ <paramref name="noiseSigma"/> (normalised linear units, as
    /// <see cref="NoiseModelEstimator.SigmaMap"/> gives), all Width × Height. For one region
    /// <c>Refine(FirstStage(…), plane, …, SigmaMap(plane, …, model, …))</c> equals <see cref="IStagedDeconvolver.DeconvolveStaged"/>'s result.
    /// </summary>
    float[] Refine(float[] intermediate, float[] plane, int width, int height, ChannelContext context, float[] noiseSigma);
}
