using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>
/// Naive baseline without events: the kernel is the shape of the best light streak in the blurry
/// frame (background-subtracted luminance around it, normalised), centred on the streak's centroid.
/// It cannot know where the light was at mid-exposure, nor how long it dwelt where the streak is
/// clipped — the information the events add.
/// </summary>
public sealed class StreakShapeKernelEstimator(StreakOptions? options = null) : IKernelEstimator
{
    /// <inheritdoc />
    public string Name => "streak";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        var img = request.Blurry;
        var det = StreakDetector.Detect(img, request.SaturationLinear, options);
        // A streak kept among overlapping neighbours (StreakOptions.SeparateAtGapPx) is not used: its window holds them too.
        var streaks = det.Streaks.Where(s => s.Ownership == null).ToList();
        if (streaks.Count == 0)
            return new KernelEstimate([new KernelTile(0, 0, img.Width, img.Height, BlurKernel.Delta)], "streak-shape", 0, 0, 0, ["no streak: identity kernel"]);
        var s = streaks[0];
        int half = (int)Math.Ceiling(Math.Max(s.Width, s.Height) / 2.0) + 2;
        int cx = (int)Math.Round(s.CentroidX), cy = (int)Math.Round(s.CentroidY);
        int size = 2 * half + 1;
        var lum = new double[size * size];
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
            {
                int x = Math.Clamp(cx + j - half, 0, img.Width - 1), y = Math.Clamp(cy + i - half, 0, img.Height - 1);
                double v = 0;
                for (int c = 0; c < img.Channels; c++) v += img.Planes[c][y * img.Width + x];
                lum[i * size + j] = v / img.Channels;
            }
        var sorted = lum.OrderBy(v => v).ToArray();
        double background = sorted[sorted.Length / 2];
        var w = lum.Select(v => (float)Math.Max(0, v - background)).ToArray();
        float sum = w.Sum();
        var k = sum > 0 ? new BlurKernel(size, w).Normalized() : BlurKernel.Delta;
        return new KernelEstimate([new KernelTile(0, 0, img.Width, img.Height, k)], "streak-shape", s.Score, 1, 0, []);
    }
}
