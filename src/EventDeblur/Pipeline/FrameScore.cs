namespace EventDeblur.Pipeline;

/// <summary>A frame's quality against ground truth (METRICS.md); each value null when its ground truth is missing.</summary>
/// <param name="Psnr">PSNR of the deblurred frame, dB.</param>
/// <param name="Ssim">SSIM of the deblurred frame.</param>
/// <param name="PsnrBlurry">PSNR of the blurry input, dB.</param>
/// <param name="SsimBlurry">SSIM of the blurry input.</param>
/// <param name="PsnrSaturationBand">PSNR within 15 px of saturated pixels, dB.</param>
/// <param name="PsnrSaturationBandBlurry">The same band PSNR of the blurry input, dB.</param>
/// <param name="KernelSimilarity">Area-weighted similarity of the kernels used to the ground-truth kernels.</param>
public sealed record FrameScore(double? Psnr, double? Ssim, double? PsnrBlurry, double? SsimBlurry, double? PsnrSaturationBand, double? PsnrSaturationBandBlurry, double? KernelSimilarity)
{
    /// <summary>No ground truth: nothing scored.</summary>
    public static FrameScore None { get; } = new(null, null, null, null, null, null, null);
}
