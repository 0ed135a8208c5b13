using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Metrics;

namespace EventDeblur.Pipeline;

/// <summary>Scores a deblurred frame with <see cref="ImageMetrics"/> against the bundle's ground-truth image and kernels (each read once per frame).</summary>
public static class FrameScorer
{
    /// <summary>
    /// The frame's ground-truth image in its encoding (APS frames: 16-bit DN × 257, RECORDING_FORMAT.md), or
    /// <c>null</c> when the bundle has none for it. Read once; the scores and the preview share it.
    /// </summary>
    /// <exception cref="IOException">The ground-truth image cannot be decoded.</exception>
    public static LinearImage? ReadGroundTruth(FrameWork f)
    {
        if (f.GroundTruthPath == null || !File.Exists(f.GroundTruthPath)) return null;
        var enc = f.Encoding!;
        return f.ApsFrame != null
            ? LinearImage.Read(f.GroundTruthPath, PixelEncoding.Linear, 0, 65535, 65536)
            : LinearImage.Read(f.GroundTruthPath, enc.Curve, enc.BlackLevel, enc.WhiteLevel, enc.SaturationLevel);
    }

    /// <summary>Smallest frame side, pixels, that METRICS.md's scores are defined for: 16 px cropped from each side, then SSIM's 11-px window.</summary>
    public const int MinScoredSidePx = 2 * 16 + 11;

    /// <summary>How the diagnostic of a frame too small to score starts (replay's summary looks for it).</summary>
    public const string NotScored = "metrics: not scored";

    /// <summary>The scores of <paramref name="f"/> (needs its blurry and sharp images and kernels) against <paramref name="groundTruth"/> (<see cref="ReadGroundTruth"/>).</summary>
    public static FrameScore Score(FrameWork f, LinearImage? groundTruth)
    {
        double? psnr = null, ssim = null, psnrBlurry = null, ssimBlurry = null, ks = null, band = null, bandBlurry = null;
        var blurry = f.Blurry!;
        // Scored as the written PNG holds it (rounded to its depth), so that the numbers are those of the file a reader
        // checks (stop 39's contract trial: 8-bit outputs were 0.03 dB / 0.003 SSIM off, from the unrounded result).
        var sharp = groundTruth != null && f.Encoding != null ? f.Sharp!.AsWritten(f.Encoding) : f.Sharp!;
        // METRICS.md crops 16 px from every side and SSIM needs an 11×11 window: a smaller frame has no scores, which is
        // no reason to fail it (stop 44's trial: frames of 32–42 px were deblurred, then failed and their outputs removed).
        bool scorable = blurry.Width >= MinScoredSidePx && blurry.Height >= MinScoredSidePx;
        if (groundTruth != null && !scorable)
            f.Diagnostics.Add($"{NotScored}: the frame is {blurry.Width}×{blurry.Height} px, and METRICS.md's PSNR and SSIM need at least {MinScoredSidePx}×{MinScoredSidePx} (a 16-px border cropped on every side, then an 11×11 window)");
        if (groundTruth != null && scorable)
        {
            var truth = groundTruth.ToMetricImage();
            var sharpMetric = sharp.ToMetricImage();
            var blurryMetric = blurry.ToMetricImage();
            var reference = new ImageMetrics.QualityReference(truth);
            (psnr, ssim) = reference.Score(sharpMetric);
            (psnrBlurry, ssimBlurry) = reference.Score(blurryMetric);
            var sat = new bool[blurry.Width * blurry.Height];
            foreach (var plane in blurry.Saturated) for (int i = 0; i < sat.Length; i++) sat[i] |= plane[i];
            band = ImageMetrics.SaturationBandPsnr(sharpMetric, truth, sat);
            bandBlurry = ImageMetrics.SaturationBandPsnr(blurryMetric, truth, sat);
        }
        if (f.KernelsAreGroundTruth) ks = 1;
        // The delta kernels of the blurry and edi methods estimate nothing: no similarity (as eval and report leave it).
        else if (f.KernelSource == Methods.MethodCatalogue.IdentityKernels) ks = null;
        else if (f.GroundTruthKernelsPath != null && File.Exists(f.GroundTruthKernelsPath))
        {
            // Ground-truth tiles that do not cover the frame exactly once (inspect's error) cannot score the kernels: a
            // half-covered file scored 0.997 against the half it had. Not scored, and said in the frame's diagnostics.
            // A malformed file (an even size, weights that do not sum to 1) likewise: it only scores the kernels, so the
            // frame keeps its result (stop 48's contract audit: such a file failed the frame and removed its PNG).
            IReadOnlyList<KernelTile>? truthKernels = null;
            try { truthKernels = KernelCsv.Read(f.GroundTruthKernelsPath); }
            catch (FormatException e) { f.Diagnostics.Add($"ground truth: rejected: kernel similarity not scored: {e.Message}"); }
            if (truthKernels == null) { }
            else if (KernelCsv.CoverageProblem(truthKernels, blurry.Width, blurry.Height) is { } wrong)
                f.Diagnostics.Add($"ground truth: rejected: kernel similarity not scored: {f.GroundTruthKernelsPath}: {wrong}");
            else ks = ImageMetrics.KernelSimilarity(f.Kernels!, truthKernels);
        }
        return new FrameScore(psnr, ssim, psnrBlurry, ssimBlurry, band, bandBlurry, ks);
    }
}
