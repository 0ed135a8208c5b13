using System.Globalization;
using EventDeblur.Evaluation;
using EventDeblur.Metrics;

namespace EventDeblur.Tests.Metrics;

/// <summary>The reference vectors of ../shared/METRICS.md.</summary>
public class ImageMetricsTests
{
    private const int H = 64, W = 80;

    private static MetricImage A()
    {
        var d = new double[H * W];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                d[y * W + x] = 0.5 + 0.3 * Math.Sin(2 * Math.PI * x / 17) * Math.Cos(2 * Math.PI * y / 23) + 0.1 * Math.Sin(2 * Math.PI * (x + 2 * y) / 7);
        return new MetricImage(W, H, 1, d);
    }

    private static MetricImage B()
    {
        var a = A();
        var d = new double[H * W];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                d[y * W + x] = Math.Clamp(a.Data[y * W + x] + 0.05 * Math.Sin(0.9 * x) * Math.Sin(0.7 * y), 0, 1);
        return new MetricImage(W, H, 1, d);
    }

    internal static double[,] Levin(int k)
    {
        TestPaths.RequireShared();
        var rows = File.ReadAllLines(Path.Combine(TestPaths.SharedDir, "data", "kernels", "levin09_csv", $"levin09_k{k}.csv"))
            .Where(l => l.Trim().Length > 0).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var r = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < rows[i].Length; j++) r[i, j] = rows[i][j];
        return r;
    }

    [Fact]
    public void PsnrAndSsimMatchTheReferenceVector()
    {
        Assert.Equal(32.11112322966726, ImageMetrics.Psnr(A(), B()), 10);
        Assert.Equal(32.12662403976863, ImageMetrics.Psnr(A().Crop(8), B().Crop(8)), 10);
        Assert.Equal(0.9779412890295459, ImageMetrics.Ssim(A(), B()), 12);
        Assert.Equal(100, ImageMetrics.Psnr(A(), A()));
        Assert.Equal(1.0, ImageMetrics.Ssim(A(), A()), 12);
    }

    /// <summary>
    /// SSIM's vectorised Gaussian filter gives the scalar definition's values bit for bit: a scalar SSIM written out
    /// here (the same sums in the same order) against <see cref="ImageMetrics.Ssim"/> on random images of widths that
    /// leave 0 to 7 outputs per row to the scalar tail.
    /// </summary>
    [Theory]
    [InlineData(11, 11)]
    [InlineData(12, 13)]
    [InlineData(37, 19)]
    [InlineData(80, 64)]
    [InlineData(131, 41)]
    public void SsimEqualsTheScalarDefinitionBitForBit(int w, int h)
    {
        var rng = new Random(w * 1000 + h);
        var a = new double[w * h];
        var b = new double[w * h];
        for (int i = 0; i < a.Length; i++) { a[i] = rng.NextDouble(); b[i] = Math.Clamp(a[i] + 0.2 * (rng.NextDouble() - 0.5), 0, 1); }
        double expected = ScalarSsim(a, b, w, h);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ImageMetrics.Ssim(new MetricImage(w, h, 1, a), new MetricImage(w, h, 1, b))));
    }

    private static double ScalarSsim(double[] a, double[] b, int w, int h)
    {
        var g = new double[11];
        double gs = 0;
        for (int i = 0; i < 11; i++) { g[i] = Math.Exp(-((i - 5) * (i - 5)) / (2 * 1.5 * 1.5)); gs += g[i]; }
        for (int i = 0; i < 11; i++) g[i] /= gs;
        int ow = w - 10, oh = h - 10;
        double[] Filter(double[] v)
        {
            var tmp = new double[h * ow];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < ow; x++)
                {
                    double s = 0;
                    for (int k = 0; k < 11; k++) s += g[k] * v[y * w + x + k];
                    tmp[y * ow + x] = s;
                }
            var res = new double[oh * ow];
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                {
                    double s = 0;
                    for (int k = 0; k < 11; k++) s += g[k] * tmp[(y + k) * ow + x];
                    res[y * ow + x] = s;
                }
            return res;
        }
        var mx = Filter(a); var mxx = Filter(a.Select(v => v * v).ToArray());
        var my = Filter(b); var myy = Filter(b.Select(v => v * v).ToArray());
        var mxy = Filter(a.Zip(b, (p, q) => p * q).ToArray());
        double total = 0;
        for (int i = 0; i < mx.Length; i++)
        {
            double vx = mxx[i] - mx[i] * mx[i], vy = myy[i] - my[i] * my[i], cxy = mxy[i] - mx[i] * my[i];
            total += (2 * mx[i] * my[i] + 0.01 * 0.01) * (2 * cxy + 0.03 * 0.03) / ((mx[i] * mx[i] + my[i] * my[i] + 0.01 * 0.01) * (vx + vy + 0.03 * 0.03));
        }
        return total / mx.Length;
    }

    [SkippableFact]
    public void CircularConvolutionWithLevinK1MatchesTheReferenceVector()
    {
        var k = Levin(1);
        var a = A();
        var c = new double[H * W];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double s = 0;
                for (int i = 0; i < 19; i++)
                    for (int j = 0; j < 19; j++)
                        s += k[i, j] * a.Data[((y - (i - 9)) % H + H) % H * W + ((x - (j - 9)) % W + W) % W];
                c[y * W + x] = s;
            }
        var blurred = new MetricImage(W, H, 1, c);
        Assert.Equal(0.4584988662416168, blurred[0, 0], 12);
        Assert.Equal(0.39726268849342633, blurred[20, 10], 12);
        Assert.Equal(19.199227194360486, ImageMetrics.Psnr(a, blurred), 9);
    }

    [SkippableFact]
    public void KernelSimilarityMatchesTheReferenceValues()
    {
        var k1 = Levin(1);
        var padded = new double[25, 25];
        for (int i = 0; i < 19; i++) for (int j = 0; j < 19; j++) padded[i + 2, j + 5] = k1[i, j];
        Assert.Equal(1.0, ImageMetrics.KernelSimilarity(k1, padded), 12);

        // k1 convolved (full) with a 3×3 box.
        var boxed = new double[21, 21];
        for (int i = 0; i < 19; i++)
            for (int j = 0; j < 19; j++)
                for (int di = 0; di < 3; di++)
                    for (int dj = 0; dj < 3; dj++)
                        boxed[i + di, j + dj] += k1[i, j] / 9;
        Assert.Equal(0.6526408000924924, ImageMetrics.KernelSimilarity(k1, boxed), 10);
        Assert.Equal(0.560403357888987, ImageMetrics.KernelSimilarity(k1, Levin(2)), 10);
        Assert.Equal(0.6045045875611081, ImageMetrics.KernelSimilarity(Levin(7), Levin(8)), 10);
    }

    /// <summary>Inverse of the sRGB curve of METRICS.md step 2, written out here (not the product's).</summary>
    private static double SrgbDecode(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    /// <summary>
    /// The frame metric against METRICS.md's reference values, computed independently: linear RGB frames
    /// whose sRGB encodings are A (truth) and B (estimate) inside a 16-px border of junk, with per-channel
    /// offsets that cancel in the luminance 0.2126 R + 0.7152 G + 0.0722 B but not in any other weighting.
    /// PSNR over the three channels is then PSNR(A, B) and SSIM on the luminance is SSIM(A, B) — so a wrong
    /// transfer curve, crop, luminance weighting or channel layout moves one of them off the reference.
    /// </summary>
    [Fact]
    public void FrameQualityMatchesTheReferenceVectorThroughEncodingCropAndLuminance()
    {
        const int crop = 16, fw = W + 2 * crop, fh = H + 2 * crop;
        var a = A();
        var b = B();
        var truth = new double[fw * fh * 3];
        var estimate = new double[fw * fh * 3];
        var junk = new Random(7);
        for (int y = 0; y < fh; y++)
            for (int x = 0; x < fw; x++)
            {
                int ix = x - crop, iy = y - crop;
                bool inside = ix >= 0 && ix < W && iy >= 0 && iy < H;
                // R and B up by δ, G down so that the luminance is unchanged: 0.2126 δ + 0.7152 δg + 0.0722 δ = 0.
                double d = inside ? 0.04 * Math.Sin(1.3 * ix + 0.4 * iy) : 0;
                double[] off = [d, -d * (0.2126 + 0.0722) / 0.7152, d];
                for (int ch = 0; ch < 3; ch++)
                {
                    int i = 3 * (y * fw + x) + ch;
                    truth[i] = inside ? SrgbDecode(a.Data[iy * W + ix] + off[ch]) : junk.NextDouble();
                    estimate[i] = inside ? SrgbDecode(b.Data[iy * W + ix] + off[ch]) : junk.NextDouble();
                }
            }
        var (psnr, ssim) = ImageMetrics.FrameQuality(new MetricImage(fw, fh, 3, estimate), new MetricImage(fw, fh, 3, truth));
        Assert.Equal(32.11112322966726, psnr, 9);
        Assert.Equal(0.9779412890295459, ssim, 10);
    }

    [Fact]
    public void FrameQualityEncodesCropsAndUsesLuminance()
    {
        var rng = new Random(1);
        var truth = new MetricImage(64, 48, 3, Enumerable.Range(0, 64 * 48 * 3).Select(_ => rng.NextDouble()).ToArray());
        var same = ImageMetrics.FrameQuality(truth, truth);
        Assert.Equal(100, same.Psnr);
        Assert.Equal(1.0, same.Ssim, 12);
        // Values beyond [0, 1] are clipped before encoding.
        var over = truth with { Data = truth.Data.Select(v => v > 0.5 ? v + 5 : v).ToArray() };
        var clipped = truth with { Data = truth.Data.Select(v => v > 0.5 ? 1.0 : v).ToArray() };
        Assert.Equal(ImageMetrics.FrameQuality(clipped, truth).Psnr, ImageMetrics.FrameQuality(over, truth).Psnr, 12);
    }

    [Fact]
    public void OneQualityReferenceScoresSeveralEstimatesAsTheDefinitionDoes()
    {
        // Ground truth prepared once (the replay scores the deblurred and the blurry frame against it): the values are
        // those of the definition — encode, crop, PSNR over channels, SSIM of the luminances — bit for bit.
        var rng = new Random(3);
        MetricImage Noise(double scale) => new(70, 52, 3, Enumerable.Range(0, 70 * 52 * 3).Select(_ => scale * rng.NextDouble()).ToArray());
        var truth = Noise(1.2);
        var reference = new ImageMetrics.QualityReference(truth, 5);
        foreach (var estimate in new[] { Noise(1), Noise(0.5), truth })
        {
            var e = estimate.SrgbEncoded().Crop(5);
            var t = truth.SrgbEncoded().Crop(5);
            var expected = (ImageMetrics.Psnr(e, t), ImageMetrics.Ssim(e.Luminance(), t.Luminance()));
            Assert.Equal(expected, reference.Score(estimate));
            Assert.Equal(expected, ImageMetrics.FrameQuality(estimate, truth, 5));
        }
    }

    [Fact]
    public void KernelSimilarityEqualsTheDenseCorrelationBitForBit()
    {
        // The metric accumulates only non-zero products; METRICS.md defines it over every shift of the dense
        // correlation. Thin curves, dense blobs, different sizes and a kernel with a single entry.
        var rng = new Random(11);
        double[,] Random(int h, int w, double fill)
        {
            var k = new double[h, w];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (rng.NextDouble() < fill) k[y, x] = rng.NextDouble();
            return k;
        }
        var cases = new[] { (Random(61, 61, 0.04), Random(61, 61, 0.03)), (Random(15, 21, 1), Random(9, 9, 0.5)), (Random(5, 5, 0.2), Random(31, 17, 0.1)) };
        var single = new double[3, 3];
        single[1, 2] = 0.7;
        foreach (var (a, b) in cases.Append((single, Random(7, 7, 0.3))))
        {
            Assert.Equal(DenseSimilarity(a, b), ImageMetrics.KernelSimilarity(a, b));
            Assert.Equal(DenseSimilarity(b, a), ImageMetrics.KernelSimilarity(b, a));
        }
    }

    private static double DenseSimilarity(double[,] a, double[,] b)
    {
        int ha = a.GetLength(0), wa = a.GetLength(1), hb = b.GetLength(0), wb = b.GetLength(1);
        double na = 0, nb = 0;
        foreach (double v in a) na += v * v;
        foreach (double v in b) nb += v * v;
        double best = double.NegativeInfinity;
        for (int dy = -(hb - 1); dy < ha; dy++)
            for (int dx = -(wb - 1); dx < wa; dx++)
            {
                double s = 0;
                for (int y = Math.Max(0, dy); y < Math.Min(ha, hb + dy); y++)
                    for (int x = Math.Max(0, dx); x < Math.Min(wa, wb + dx); x++)
                        s += a[y, x] * b[y - dy, x - dx];
                best = Math.Max(best, s);
            }
        return best / Math.Sqrt(na * nb);
    }
}
