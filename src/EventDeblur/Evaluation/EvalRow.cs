namespace EventDeblur.Evaluation;

/// <summary>One row of an evaluation's results: a frame under a method.</summary>
/// <param name="Bundle">Bundle folder name.</param>
/// <param name="Group">Bundle group (name without trailing <c>-NNN</c>, e.g. the preset).</param>
/// <param name="Method">Method name.</param>
/// <param name="Index">Frame index.</param>
/// <param name="Status"><c>ok</c> or <c>failed</c>.</param>
/// <param name="Psnr">PSNR, dB (METRICS.md); null without ground truth.</param>
/// <param name="Ssim">SSIM; null without ground truth.</param>
/// <param name="KernelSimilarity">Kernel similarity; null without ground-truth kernels.</param>
/// <param name="SecondsTotal">Seconds for the frame, all stages.</param>
public sealed record EvalRow(string Bundle, string Group, string Method, long Index, string Status, double? Psnr, double? Ssim, double? KernelSimilarity, double SecondsTotal);
