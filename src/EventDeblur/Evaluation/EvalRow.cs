namespace EventDeblur.Evaluation;

/// <summary>One row of an evaluation's results: a frame under a method.</summary>
/// <param name="Bundle">Bundle folder name.</param>
/// <param name="Group">Bundle group (name without trailing <c>-NNN</c>, e.g. the preset).</param>
/// <param name="Method">Method name.</param>
/// <param name="Index">Frame index.</param>
/// <param name="Status"><c>ok</c> or <c>failed</c>.</param>
/// <param name="Psnr">PSNR, dB (METRICS.md); null without ground truth.</param>
/// <param name="Ssim">SSIM, 0–1; null without ground truth.</param>
/// <param name="KernelSimilarity">Kernel similarity, 0–1; null without ground-truth kernels.</param>
/// <param name="SecondsTotal">Seconds for the frame, all stages.</param>
/// <param name="PsnrBlurry">PSNR of the same frame's blurry input, dB; null without ground truth (or in shards written before this column).</param>
/// <param name="SsimBlurry">SSIM of the blurry input, 0–1; null as <paramref name="PsnrBlurry"/>.</param>
/// <param name="PsnrSatBand">PSNR within 15 px of saturated pixels (frames.parquet <c>psnr_sat_band</c>), dB; for <c>blurry</c> the input's; null without ground truth or without saturated pixels.</param>
/// <param name="PsnrSatBandBlurry">The same band's PSNR of the blurry input (<c>psnr_sat_band_blurry</c>), dB; null as <paramref name="PsnrSatBand"/>.</param>
public sealed record EvalRow(string Bundle, string Group, string Method, long Index, string Status, double? Psnr, double? Ssim, double? KernelSimilarity, double SecondsTotal,
    double? PsnrBlurry = null, double? SsimBlurry = null, double? PsnrSatBand = null, double? PsnrSatBandBlurry = null);
