using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Metrics;

/// <summary>
/// PSNR, SSIM and kernel similarity exactly as docs/METRICS.md (a copy of ../shared/METRICS.md) defines them (float64 throughout).
/// </summary>
public static class ImageMetrics
{
    /// <summary>The PSNR reported for identical images, dB.</summary>
    public const double IdenticalPsnr = 100;

    /// <summary>PSNR in dB for data range 1: 10·log10(1 / MSE) over all values; 100 dB when identical.</summary>
    public static double Psnr(MetricImage a, MetricImage b)
    {
        Check(a, b);
        double sum = 0;
        for (int i = 0; i < a.Data.Length; i++) { double d = a.Data[i] - b.Data[i]; sum += d * d; }
        double mse = sum / a.Data.Length;
        return mse == 0 ? IdenticalPsnr : 10 * Math.Log10(1 / mse);
    }

    /// <summary>
    /// SSIM (Wang et al. 2004) of two single-channel images: 11×11 Gaussian window (σ = 1.5,
    /// normalised), population covariance, C1 = 0.01², C2 = 0.03², valid windows only, mean of the map.
    /// </summary>
    public static double Ssim(MetricImage a, MetricImage b)
    {
        Check(a, b);
        if (a.Channels != 1) throw new ArgumentException("SSIM takes single-channel images (use Luminance())");
        const int n = 11;
        var g = new double[n];
        double gs = 0;
        for (int i = 0; i < n; i++) { g[i] = Math.Exp(-((i - 5) * (i - 5)) / (2 * 1.5 * 1.5)); gs += g[i]; }
        for (int i = 0; i < n; i++) g[i] /= gs;
        int w = a.Width, h = a.Height;
        int ow = w - n + 1, oh = h - n + 1;
        if (ow <= 0 || oh <= 0) throw new ArgumentException($"image {w}×{h} is smaller than the 11×11 window");
        // Separable filtering of x, y, x², y², xy with 'valid' output.
        double[] Filter(Func<int, double> f)
        {
            var tmp = new double[h * ow];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < ow; x++)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++) s += g[k] * f(y * w + x + k);
                    tmp[y * ow + x] = s;
                }
            var res = new double[oh * ow];
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++) s += g[k] * tmp[(y + k) * ow + x];
                    res[y * ow + x] = s;
                }
            return res;
        }
        var A = a.Data; var B = b.Data;
        var mx = Filter(i => A[i]);
        var my = Filter(i => B[i]);
        var mxx = Filter(i => A[i] * A[i]);
        var myy = Filter(i => B[i] * B[i]);
        var mxy = Filter(i => A[i] * B[i]);
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        double total = 0;
        for (int i = 0; i < mx.Length; i++)
        {
            double vx = mxx[i] - mx[i] * mx[i], vy = myy[i] - my[i] * my[i], cxy = mxy[i] - mx[i] * my[i];
            total += (2 * mx[i] * my[i] + c1) * (2 * cxy + c2) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
        }
        return total / mx.Length;
    }

    /// <summary>
    /// Frame quality per METRICS.md: both images already in linear [0, 1] (clipped here), sRGB-encoded,
    /// <paramref name="crop"/> pixels removed on every side; PSNR over all channels, SSIM on luminance.
    /// </summary>
    public static (double Psnr, double Ssim) FrameQuality(MetricImage estimateLinear, MetricImage truthLinear, int crop = 16)
    {
        var e = estimateLinear.SrgbEncoded().Crop(crop);
        var t = truthLinear.SrgbEncoded().Crop(crop);
        return (Psnr(e, t), Ssim(e.Luminance(), t.Luminance()));
    }

    /// <summary>
    /// PSNR (dB, METRICS.md encoding and crop) over the pixels within <paramref name="bandPx"/> of a
    /// saturated pixel but not saturated themselves: where deconvolution rings around clipped lights.
    /// Null when the band is empty.
    /// </summary>
    public static double? SaturationBandPsnr(MetricImage estimateLinear, MetricImage truthLinear, bool[] saturated, int bandPx = 15, int crop = 16)
    {
        int w = truthLinear.Width, h = truthLinear.Height, c = truthLinear.Channels;
        // Distance band by two passes of a separable max filter (a square of side 2·bandPx + 1).
        var near = new bool[w * h];
        var row = new bool[w * h];
        for (int y = 0; y < h; y++)
        {
            int last = int.MinValue / 2;
            for (int x = 0; x < w; x++) { if (saturated[y * w + x]) last = x; row[y * w + x] = x - last <= bandPx; }
            last = int.MaxValue / 2;
            for (int x = w - 1; x >= 0; x--) { if (saturated[y * w + x]) last = x; row[y * w + x] |= last - x <= bandPx; }
        }
        for (int x = 0; x < w; x++)
        {
            int last = int.MinValue / 2;
            for (int y = 0; y < h; y++) { if (row[y * w + x]) last = y; near[y * w + x] = y - last <= bandPx; }
            last = int.MaxValue / 2;
            for (int y = h - 1; y >= 0; y--) { if (row[y * w + x]) last = y; near[y * w + x] |= last - y <= bandPx; }
        }
        double se = 0;
        long n = 0;
        for (int y = crop; y < h - crop; y++)
            for (int x = crop; x < w - crop; x++)
            {
                int i = y * w + x;
                if (!near[i] || saturated[i]) continue;
                for (int ch = 0; ch < c; ch++)
                {
                    double d = TransferCurve.SrgbEncode(Math.Clamp(estimateLinear.Data[i * c + ch], 0, 1)) - TransferCurve.SrgbEncode(Math.Clamp(truthLinear.Data[i * c + ch], 0, 1));
                    se += d * d;
                    n++;
                }
            }
        if (n == 0) return null;
        double mse = se / n;
        return mse == 0 ? IdenticalPsnr : 10 * Math.Log10(1 / mse);
    }

    /// <summary>
    /// Kernel similarity (Hu &amp; Yang 2012): the maximum over all shifts of the zero-padded 2-D
    /// cross-correlation of the kernels divided by the product of their L2 norms; in [0, 1].
    /// </summary>
    public static double KernelSimilarity(double[,] a, double[,] b)
    {
        int ha = a.GetLength(0), wa = a.GetLength(1), hb = b.GetLength(0), wb = b.GetLength(1);
        double na = 0, nb = 0;
        foreach (double v in a) na += v * v;
        foreach (double v in b) nb += v * v;
        if (na == 0 || nb == 0) return 0;
        double best = double.NegativeInfinity;
        for (int dy = -(hb - 1); dy < ha; dy++)
            for (int dx = -(wb - 1); dx < wa; dx++)
            {
                double s = 0;
                int y0 = Math.Max(0, dy), y1 = Math.Min(ha, hb + dy);
                int x0 = Math.Max(0, dx), x1 = Math.Min(wa, wb + dx);
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++)
                        s += a[y, x] * b[y - dy, x - dx];
                if (s > best) best = s;
            }
        return best / Math.Sqrt(na * nb);
    }

    /// <summary>Kernel similarity of two <see cref="BlurKernel"/>s.</summary>
    public static double KernelSimilarity(BlurKernel a, BlurKernel b) => KernelSimilarity(ToArray(a), ToArray(b));

    /// <summary>
    /// Area-weighted mean kernel similarity over a frame: every estimated tile is compared, pixel by
    /// pixel, with the ground-truth tile covering the same pixels.
    /// </summary>
    public static double KernelSimilarity(IReadOnlyList<KernelTile> estimated, IReadOnlyList<KernelTile> truth)
    {
        double weighted = 0;
        long area = 0;
        var cache = new Dictionary<(KernelTile, KernelTile), double>();
        foreach (var e in estimated)
            foreach (var t in truth)
            {
                int x0 = Math.Max(e.X0, t.X0), x1 = Math.Min(e.X1, t.X1), y0 = Math.Max(e.Y0, t.Y0), y1 = Math.Min(e.Y1, t.Y1);
                if (x1 <= x0 || y1 <= y0) continue;
                long a = (long)(x1 - x0) * (y1 - y0);
                if (!cache.TryGetValue((e, t), out double s)) cache[(e, t)] = s = KernelSimilarity(e.Kernel, t.Kernel);
                weighted += s * a;
                area += a;
            }
        return area == 0 ? 0 : weighted / area;
    }

    /// <summary>Error ratio (Levin et al. 2009): ‖x̂(k̂) − x‖² / ‖x̂(k) − x‖².</summary>
    public static double ErrorRatio(MetricImage withEstimatedKernel, MetricImage withTrueKernel, MetricImage truth)
    {
        Check(withEstimatedKernel, truth);
        Check(withTrueKernel, truth);
        double se = 0, st = 0;
        for (int i = 0; i < truth.Data.Length; i++)
        {
            double a = withEstimatedKernel.Data[i] - truth.Data[i], b = withTrueKernel.Data[i] - truth.Data[i];
            se += a * a;
            st += b * b;
        }
        return st == 0 ? (se == 0 ? 1 : double.PositiveInfinity) : se / st;
    }

    /// <summary>A kernel as a 2-D array [row, column].</summary>
    public static double[,] ToArray(BlurKernel k)
    {
        var r = new double[k.Size, k.Size];
        for (int i = 0; i < k.Size; i++) for (int j = 0; j < k.Size; j++) r[i, j] = k[i, j];
        return r;
    }

    private static void Check(MetricImage a, MetricImage b)
    {
        if (a.Width != b.Width || a.Height != b.Height || a.Channels != b.Channels)
            throw new ArgumentException($"images differ in shape: {a.Width}×{a.Height}×{a.Channels} vs {b.Width}×{b.Height}×{b.Channels}");
    }
}
