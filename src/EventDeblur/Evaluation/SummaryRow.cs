namespace EventDeblur.Evaluation;

/// <summary>One row of a summary table: a method on a group of bundles.</summary>
/// <param name="Group">Group name (the bundle name without its trailing seed, e.g. <c>night-hard</c>).</param>
/// <param name="Method">Kernel source + deconvolver, e.g. <c>events+hl</c>.</param>
/// <param name="Frames">Frames with ground truth (0: the metrics columns are NaN and the tables say "no ground truth: no metrics").</param>
/// <param name="Psnr">Mean PSNR, dB.</param>
/// <param name="Ssim">Mean SSIM.</param>
/// <param name="PsnrBlurry">Mean PSNR of the blurry input, dB.</param>
/// <param name="SsimBlurry">Mean SSIM of the blurry input.</param>
/// <param name="KernelSimilarity">Mean kernel similarity (null when not measured).</param>
/// <param name="SecondsPerFrame">Mean seconds per frame (all stages).</param>
/// <param name="SecondsDeconvolve">Mean seconds of deconvolution per frame.</param>
/// <param name="SecondsKernels">Mean seconds of kernel estimation per frame.</param>
/// <param name="ErrorRatioMedian">Median error ratio against the same deconvolver with ground-truth kernels (null without that run).</param>
/// <param name="ErrorRatioSuccess">Fraction of frames with error ratio ≤ 2 (null without that run).</param>
/// <param name="BandPsnr">Mean PSNR within 15 px of saturated pixels, dB.</param>
/// <param name="BandPsnrBlurry">The same for the blurry input, dB.</param>
/// <param name="FramesDeblurred">Frames deblurred (status ok), with or without ground truth (null when not counted).</param>
public sealed record SummaryRow(string Group, string Method, int Frames, double Psnr, double Ssim, double PsnrBlurry, double SsimBlurry, double? KernelSimilarity,
    double SecondsPerFrame, double SecondsDeconvolve, double SecondsKernels, double? ErrorRatioMedian = null, double? ErrorRatioSuccess = null,
    double? BandPsnr = null, double? BandPsnrBlurry = null, int? FramesDeblurred = null)
{
    /// <summary>What a summary table says in place of the metrics of a group without ground truth.</summary>
    public const string NoGroundTruth = "no ground truth: no metrics";

    /// <summary>What a summary table says in place of PSNR and SSIM for a group with ground-truth kernels but no ground-truth frames (its kernel similarity is shown).</summary>
    public const string NoGroundTruthFrames = "no ground-truth frames: no PSNR or SSIM";
}
