using System.Numerics;
using System.Runtime.CompilerServices;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        return SsimAgainst(SsimStats.Of(b), a);
    }

    /// <summary>
    /// The Gaussian-window statistics of one image for <see cref="Ssim"/>: its local means and local means of squares
    /// ('valid' windows), kept so that several images can be compared with one reference without filtering it again.
    /// </summary>
    private sealed class SsimStats
    {
        public const int Window = 11;
        public static readonly double[] Gauss = MakeGauss();
        public required MetricImage Image { get; init; }
        public required double[] Mean { get; init; }
        public required double[] MeanOfSquares { get; init; }

        public static SsimStats Of(MetricImage img)
        {
            if (img.Channels != 1) throw new ArgumentException("SSIM takes single-channel images (use Luminance())");
            if (img.Width < Window || img.Height < Window) throw new ArgumentException($"image {img.Width}×{img.Height} is smaller than the 11×11 window");
            var d = img.Data;
            var sq = new double[d.Length];
            for (int i = 0; i < d.Length; i++) sq[i] = d[i] * d[i];
            return new SsimStats { Image = img, Mean = Filter(d, img.Width, img.Height), MeanOfSquares = Filter(sq, img.Width, img.Height) };
        }

        private static double[] MakeGauss()
        {
            var g = new double[Window];
            double gs = 0;
            for (int i = 0; i < Window; i++) { g[i] = Math.Exp(-((i - 5) * (i - 5)) / (2 * 1.5 * 1.5)); gs += g[i]; }
            for (int i = 0; i < Window; i++) g[i] /= gs;
            return g;
        }

        /// <summary>
        /// Separable Gaussian filtering with 'valid' output. Each output is the same sum, in the same order, as the
        /// scalar definition (tap 0 to 10, one product and one addition each, no fused multiply–add), computed for
        /// <see cref="Vector{T}.Count"/> neighbouring outputs at a time: the values are bit for bit those of the scalar loop.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static double[] Filter(double[] v, int w, int h)
        {
            var g = Gauss;
            const int n = Window;
            int ow = w - n + 1, oh = h - n + 1;
            int lanes = Vector<double>.Count;
            var tmp = new double[h * ow];
            for (int y = 0; y < h; y++)
            {
                int x = 0;
                for (; x + lanes <= ow; x += lanes)
                {
                    var s = Vector<double>.Zero;
                    int o = y * w + x;
                    for (int k = 0; k < n; k++) s += new Vector<double>(g[k]) * new Vector<double>(v, o + k);
                    s.CopyTo(tmp, y * ow + x);
                }
                for (; x < ow; x++)
                {
                    double s = 0;
                    int o = y * w + x;
                    for (int k = 0; k < n; k++) s += g[k] * v[o + k];
                    tmp[y * ow + x] = s;
                }
            }
            var res = new double[oh * ow];
            for (int y = 0; y < oh; y++)
            {
                int x = 0;
                for (; x + lanes <= ow; x += lanes)
                {
                    var s = Vector<double>.Zero;
                    for (int k = 0; k < n; k++) s += new Vector<double>(g[k]) * new Vector<double>(tmp, (y + k) * ow + x);
                    s.CopyTo(res, y * ow + x);
                }
                for (; x < ow; x++)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++) s += g[k] * tmp[(y + k) * ow + x];
                    res[y * ow + x] = s;
                }
            }
            return res;
        }
    }

    private static double SsimAgainst(SsimStats reference, MetricImage a)
    {
        var x = SsimStats.Of(a);
        var A = a.Data; var B = reference.Image.Data;
        var prod = new double[A.Length];
        for (int i = 0; i < A.Length; i++) prod[i] = A[i] * B[i];
        var mx = x.Mean; var mxx = x.MeanOfSquares;
        var my = reference.Mean; var myy = reference.MeanOfSquares;
        var mxy = SsimStats.Filter(prod, a.Width, a.Height);
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
    public static (double Psnr, double Ssim) FrameQuality(MetricImage estimateLinear, MetricImage truthLinear, int crop = 16) =>
        new QualityReference(truthLinear, crop).Score(estimateLinear);

    /// <summary>
    /// A ground-truth image prepared once (encoded, cropped, its SSIM statistics filtered) for
    /// <see cref="FrameQuality"/> of several estimates against it: the same values as <see cref="FrameQuality"/>, bit for bit.
    /// </summary>
    public sealed class QualityReference
    {
        private readonly MetricImage _encoded;
        private readonly SsimStats _luminance;
        private readonly int _crop;

        /// <summary>Prepares <paramref name="truthLinear"/> (linear [0, 1], clipped) with <paramref name="crop"/> pixels removed on every side.</summary>
        public QualityReference(MetricImage truthLinear, int crop = 16)
        {
            _crop = crop;
            _encoded = truthLinear.Crop(crop).SrgbEncoded();
            _luminance = SsimStats.Of(_encoded.Luminance());
        }

        /// <summary>PSNR (dB) over all channels and SSIM on luminance of <paramref name="estimateLinear"/> against the reference.</summary>
        public (double Psnr, double Ssim) Score(MetricImage estimateLinear)
        {
            var e = estimateLinear.Crop(_crop).SrgbEncoded();
            Check(e, _encoded);
            var lum = e.Luminance();
            return (Psnr(e, _encoded), SsimAgainst(_luminance, lum));
        }
    }

    /// <summary>
    /// PSNR (dB, METRICS.md encoding and crop) over the pixels within <paramref name="bandPx"/> of a
    /// saturated pixel but not saturated themselves: where deconvolution rings around clipped lights.
    /// Null when the band is empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        // The correlation at every shift, accumulated over the non-zero entries only (kernels are thin curves: a few
        // hundred of 61×61). For each shift the products are added in a's row-major order, as a dense loop over the
        // overlap would add them (the skipped terms are exact zeros), so the result is the dense sum bit for bit.
        var nzA = NonZero(a);
        var nzB = NonZero(b);
        int cw = wa + wb - 1;
        var corr = new double[(ha + hb - 1) * cw];
        foreach (var (ya, xa, va) in nzA)
            foreach (var (yb, xb, vb) in nzB)
            {
                // a[ya, xa] meets b[yb, xb] at shift (dy, dx) = (ya − yb, xa − xb), offset by (hb − 1, wb − 1).
                int k = (ya - yb + hb - 1) * cw + xa - xb + wb - 1;
                corr[k] += va * vb;
            }
        // Shifts where no non-zero entries meet keep 0, the dense loop's value there.
        double best = double.NegativeInfinity;
        foreach (double c in corr) best = Math.Max(best, c);
        return best / Math.Sqrt(na * nb);
    }

    private static List<(int Y, int X, double V)> NonZero(double[,] k)
    {
        var r = new List<(int, int, double)>();
        for (int y = 0; y < k.GetLength(0); y++)
            for (int x = 0; x < k.GetLength(1); x++)
                if (k[y, x] != 0) r.Add((y, x, k[y, x]));
        return r;
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
