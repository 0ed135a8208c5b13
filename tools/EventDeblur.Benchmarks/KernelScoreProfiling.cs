using System.Globalization;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Metrics;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>kscore RUNS BUNDLE...</c> (an experiment): how well the blurry frame alone tells a right kernel from a wrong one.
/// For every frame and ground-truth tile, the autocorrelation of the blurry luminance's gradients in the tile is compared
/// (normalised correlation over lags up to the kernel's size, the centre left out) with the autocorrelation of each
/// hypothesis (the estimator's kernels with its default options, light paths only, texture only with and without
/// regions and roll), scored over a grid of ~160-px regions with each hypothesis' kernel at the region's centre. Prints
/// each hypothesis' kernel similarity and score per frame, and the mean kernel similarity when the best-scoring one is
/// picked. Measured at stop 38 and not adopted (docs/MEASUREMENTS.md). RUNS is unused but kept for the earlier lines' runs.
/// </summary>
internal static class KernelScoreProfiling
{
    private static readonly EventDeblur.Streaks.StreakOptions NoLights = new(MinAreaPx: 1_000_000, MaxAreaPx: 1_000_001);

    public static int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: kscore RUNS BUNDLE..."); return 2; }
        string runs = args[0];
        var inv = CultureInfo.InvariantCulture;
        var variants = new (string Name, EventKernelEstimator Est)[]
        {
            ("default", new EventKernelEstimator()),
            ("lights", new EventKernelEstimator(new EventKernelOptions { CompareWithTexture = false })),
            ("texture", new EventKernelEstimator(new EventKernelOptions { Streaks = NoLights })),
            ("texture1", new EventKernelEstimator(new EventKernelOptions { Streaks = NoLights, Texture = new ContrastMaximizationOptions { LocalRegions = (1, 1) } })),
            ("texture-noroll", new EventKernelEstimator(new EventKernelOptions { Streaks = NoLights, Texture = new ContrastMaximizationOptions { Rotation = false } })),
        };
        var sumKs = new double[variants.Length + 1];
        int frames = 0;
        foreach (var dir in args[1..])
        {
            var bundle = RecordingBundle.Load(dir);
            if (bundle.Manifest.Rgb == null || bundle.GroundTruthKernelsDir == null) { Console.WriteLine($"{dir}: skipped (APS frames or no ground-truth kernels)"); continue; }
            var windows = bundle.ResolveExposures().Windows;
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
            for (int f = 0; f < windows.Count; f++)
            {
                var w = windows[f];
                string idx = w.Index.ToString("D6", inv);
                string gtPath = Path.Combine(bundle.GroundTruthKernelsDir!, idx + ".csv");
                if (!File.Exists(gtPath)) continue;
                var req = TextureKernelBenchmarks.Load(dir, f);
                var img = req.Blurry;
                var gt = KernelCsv.Read(gtPath);
                var (gx, gy) = Gradients(img, req.SaturationLinear);
                var line = new System.Text.StringBuilder(string.Create(inv, $"{name} #{w.Index}: gt score {FrameScore(gx, gy, img.Width, img.Height, gt):F3} |"));
                double bestScore = double.NegativeInfinity, bestKs = 0;
                for (int v = 0; v < variants.Length; v++)
                {
                    KernelEstimate e;
                    try { e = variants[v].Est.Estimate(req); }
                    catch (InvalidDataException ex) { line.Append($" {variants[v].Name} failed ({ex.Message[..Math.Min(60, ex.Message.Length)]}) |"); continue; }
                    double ks = ImageMetrics.KernelSimilarity(e.Tiles, gt);
                    double sc = FrameScore(gx, gy, img.Width, img.Height, e.Tiles);
                    sumKs[v] += ks;
                    if (v > 0 && sc > bestScore) { bestScore = sc; bestKs = ks; }
                    line.Append(string.Create(inv, $" {variants[v].Name} {e.Source.Replace("events:", "")} KS {ks:F3} s {sc:F3} |"));
                }
                sumKs[^1] += bestKs;
                frames++;
                line.Append(string.Create(inv, $" picked KS {bestKs:F3}"));
                Console.WriteLine(line);
            }
        }
        Console.WriteLine(string.Join("  ", variants.Select((v, i) => string.Create(inv, $"{v.Name} {sumKs[i] / frames:F3}"))) + string.Create(inv, $"  picked-by-score {sumKs[^1] / frames:F3}  ({frames} frames)"));
        return 0;
    }

    /// <summary>Area-weighted match over a grid of ~160-px regions, each with the hypothesis' kernel at its centre.</summary>
    internal static double FrameScore(float[] gx, float[] gy, int width, int height, IReadOnlyList<KernelTile> tiles)
    {
        int cols = Math.Max(1, (int)Math.Round(width / 160.0)), rows = Math.Max(1, (int)Math.Round(height / 160.0));
        double sum = 0, area = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int x0 = c * width / cols, x1 = (c + 1) * width / cols, y0 = r * height / rows, y1 = (r + 1) * height / rows;
                int cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
                var k = tiles.First(t => cx >= t.X0 && cx < t.X1 && cy >= t.Y0 && cy < t.Y1).Kernel;
                int rad = k.Size / 2 + 2;
                var region = new KernelTile(x0, y0, x1, y1, k);
                double a = (double)(x1 - x0) * (y1 - y0);
                sum += a * Match(Autocorrelation(gx, gy, width, region, rad), KernelAuto(k, rad), rad);
                area += a;
            }
        return sum / area;
    }

    /// <summary>Forward differences of the luminance (channel mean, clipped at saturation), zero near clipped pixels.</summary>
    private static (float[] Gx, float[] Gy) Gradients(LinearImage img, double sat)
    {
        int w = img.Width, h = img.Height, n = w * h;
        var y = new float[n];
        var bad = new bool[n];
        for (int c = 0; c < img.Channels; c++)
            for (int i = 0; i < n; i++) { y[i] += (float)Math.Sqrt(Math.Clamp(img.Planes[c][i], 0, sat)) / img.Channels; bad[i] |= img.Saturated[c][i]; }
        var gx = new float[n];
        var gy = new float[n];
        const int grow = 2;
        var near = new bool[n];
        for (int yy = 0; yy < h; yy++)
            for (int xx = 0; xx < w; xx++)
            {
                if (!bad[yy * w + xx]) continue;
                for (int dy = -grow; dy <= grow; dy++)
                    for (int dx = -grow; dx <= grow; dx++)
                    {
                        int qy = yy + dy, qx = xx + dx;
                        if (qy >= 0 && qy < h && qx >= 0 && qx < w) near[qy * w + qx] = true;
                    }
            }
        for (int yy = 0; yy < h; yy++)
            for (int xx = 0; xx < w; xx++)
            {
                int i = yy * w + xx;
                if (near[i]) continue;
                if (xx + 1 < w && !near[i + 1]) gx[i] = y[i + 1] - y[i];
                if (yy + 1 < h && !near[i + w]) gy[i] = y[i + w] - y[i];
            }
        return (gx, gy);
    }

    /// <summary>Σ over both gradients of g(p)·g(p + d) inside the tile, for |dx|, |dy| ≤ r; (2r+1)² values.</summary>
    private static double[] Autocorrelation(float[] gx, float[] gy, int width, KernelTile t, int r)
    {
        int tw = t.X1 - t.X0, th = t.Y1 - t.Y0;
        int fw = Cv2.GetOptimalDFTSize(tw + r), fh = Cv2.GetOptimalDFTSize(th + r);
        var result = new double[(2 * r + 1) * (2 * r + 1)];
        foreach (var g in new[] { gx, gy })
        {
            using var m = new Mat(fh, fw, MatType.CV_32FC1, Scalar.All(0));
            for (int y = 0; y < th; y++)
                for (int x = 0; x < tw; x++) m.Set(y, x, g[(t.Y0 + y) * width + t.X0 + x]);
            using var spec = new Mat();
            Cv2.Dft(m, spec, DftFlags.ComplexOutput);
            using var power = new Mat();
            Cv2.MulSpectrums(spec, spec, power, DftFlags.None, conjB: true);
            using var ac = new Mat();
            Cv2.Idft(power, ac, DftFlags.Scale | DftFlags.RealOutput);
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                    result[(dy + r) * (2 * r + 1) + dx + r] += ac.At<float>((dy + fh) % fh, (dx + fw) % fw);
        }
        return result;
    }

    /// <summary>Autocorrelation of the kernel for |dx|, |dy| ≤ r.</summary>
    private static double[] KernelAuto(BlurKernel k, int r)
    {
        int s = k.Size, side = 2 * r + 1;
        var result = new double[side * side];
        var nz = new List<(int Y, int X, float V)>();
        for (int y = 0; y < s; y++) for (int x = 0; x < s; x++) if (k[y, x] != 0) nz.Add((y, x, k[y, x]));
        foreach (var a in nz)
            foreach (var b in nz)
            {
                int dy = b.Y - a.Y, dx = b.X - a.X;
                if (Math.Abs(dy) > r || Math.Abs(dx) > r) continue;
                result[(dy + r) * side + dx + r] += a.V * b.V;
            }
        return result;
    }

    /// <summary>Normalised correlation of the two autocorrelations, lags with max(|dx|, |dy|) ≤ 1 left out.</summary>
    private static double Match(double[] a, double[] k, int r)
    {
        int side = 2 * r + 1;
        double sa = 0, sk = 0, n = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int dy = i / side - r, dx = i % side - r;
            if (Math.Max(Math.Abs(dx), Math.Abs(dy)) <= 1) continue;
            sa += a[i]; sk += k[i]; n++;
        }
        double ma = sa / n, mk = sk / n, num = 0, da = 0, dk = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int dy = i / side - r, dx = i % side - r;
            if (Math.Max(Math.Abs(dx), Math.Abs(dy)) <= 1) continue;
            double u = a[i] - ma, v = k[i] - mk;
            num += u * v; da += u * u; dk += v * v;
        }
        return da > 0 && dk > 0 ? num / Math.Sqrt(da * dk) : 0;
    }

    private static BlurKernel Rotate90(BlurKernel k)
    {
        int s = k.Size;
        var w = new float[s * s];
        for (int y = 0; y < s; y++) for (int x = 0; x < s; x++) w[x * s + (s - 1 - y)] = k[y, x];
        return new BlurKernel(s, w);
    }

    /// <summary>A straight line between the two non-zero weights farthest apart (a path's ends, for a thin path).</summary>
    private static BlurKernel Chord(BlurKernel k)
    {
        int s = k.Size;
        var nz = new List<(int Y, int X)>();
        for (int y = 0; y < s; y++) for (int x = 0; x < s; x++) if (k[y, x] > 1e-4f) nz.Add((y, x));
        if (nz.Count < 2) return k;
        (int Y, int X) p = nz[0], q = nz[0];
        double best = -1;
        foreach (var a in nz)
            foreach (var b in nz)
            {
                double d = (a.Y - b.Y) * (a.Y - b.Y) + (a.X - b.X) * (a.X - b.X);
                if (d > best) { best = d; p = a; q = b; }
            }
        var w = new float[s * s];
        int steps = (int)Math.Ceiling(Math.Sqrt(best)) * 2 + 1;
        for (int i = 0; i <= steps; i++)
        {
            double f = i / (double)steps;
            int y = (int)Math.Round(p.Y + f * (q.Y - p.Y)), x = (int)Math.Round(p.X + f * (q.X - p.X));
            w[y * s + x] += 1;
        }
        return new BlurKernel(s, w).Normalized();
    }
}
