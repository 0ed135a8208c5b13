using System.Globalization;
using EventDeblur.Kernels;
using EventDeblur.Metrics;
using EventDeblur.Recording;
using EventDeblur.Streaks;
using EventDeblur.Sync;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>lightks BUNDLE...</c> (an experiment, stop 42): how well each traced light's own path matches the ground-truth
/// kernel where it is (against the shipped estimate's kernel there), and what a field of local light paths
/// (Gaussian-weighted means of the traced paths around each 80-px tile, σ 60 / 100 / 160 px / one mean) scores against
/// the shipped estimate. Environment: <c>MARGIN=px</c> the tracer's region margin, <c>BRIGHT=f</c> the detector's
/// brightness fraction, <c>DUMP=1</c> prints the first lights' kernels (ground truth | light path | shipped) and the
/// blurry frame around them as text. Measured at stop 42 on domain B's tuning seeds and not adopted (docs/MEASUREMENTS.md).
/// </summary>
internal static class LightFieldProbe
{
    public static int Run(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var o = new EventKernelOptions();
        if (Environment.GetEnvironmentVariable("MARGIN") is { } mg) o = o with { Tracing = o.Tracing with { RegionMarginPx = double.Parse(mg, inv) } };
        if (Environment.GetEnvironmentVariable("BRIGHT") is { } bf) o = o with { Streaks = o.Streaks with { BrightFraction = double.Parse(bf, inv) } };
        var tracer = new StreakTracer(o.Tracing);
        var est = new EventKernelEstimator();
        double[] sigmas = [60, 100, 160, 1e9];
        var sums = new double[2 + sigmas.Length];
        int frames = 0;
        double lightKs = 0, defAtLight = 0; int lights = 0;
        foreach (var dir in args)
        {
            var bundle = RecordingBundle.Load(dir);
            if (bundle.GroundTruthKernelsDir == null) continue;
            var windows = bundle.ResolveExposures().Windows;
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
            for (int f = 0; f < windows.Count; f++)
            {
                var w = windows[f];
                string gtPath = Path.Combine(bundle.GroundTruthKernelsDir!, w.Index.ToString("D6", inv) + ".csv");
                if (!File.Exists(gtPath)) continue;
                var req = TextureKernelBenchmarks.Load(dir, f);
                var img = req.Blurry;
                var gt = KernelCsv.Read(gtPath);
                var e = est.Estimate(req);
                double ksDef = ImageMetrics.KernelSimilarity(e.Tiles, gt);
                var h = req.FrameToEvents; var hInv = h.Inverse();
                var exposure = req.Exposure!.Value;
                var det = StreakDetector.Detect(img, req.SaturationLinear, o.Streaks);
                var paths = new List<StreakTrajectory>();
                foreach (var s in det.Streaks.Take(o.MaxStreaks))
                    if (tracer.Trace(req.Events, s, h, hInv, exposure, o.PathSamples).Path is { } t) paths.Add(t);
                var line = new System.Text.StringBuilder(string.Create(inv, $"{name} #{w.Index} {e.Source} KS {ksDef:F3} paths {paths.Count}"));
                foreach (var t in paths)
                {
                    var gk = gt.First(g => t.Mid.X >= g.X0 && t.Mid.X < g.X1 && t.Mid.Y >= g.Y0 && t.Mid.Y < g.Y1).Kernel;
                    var dk = e.Tiles.First(g => t.Mid.X >= g.X0 && t.Mid.X < g.X1 && t.Mid.Y >= g.Y0 && t.Mid.Y < g.Y1).Kernel;
                    var lk = KernelRaster.FromOffsets(t.Offsets);
                    double lks = ImageMetrics.KernelSimilarity(lk, gk);
                    lightKs += lks;
                    if (Environment.GetEnvironmentVariable("DUMP") == "1" && lights < 6)
                    {
                        Console.WriteLine(string.Create(inv, $"light at ({t.Mid.X:F0},{t.Mid.Y:F0}) rms {t.RmsResidualPx:F2} ev {t.Events}: KS {lks:F3}, default there {ImageMetrics.KernelSimilarity(dk, gk):F3}"));
                        Dump(gk, lk, dk);
                        int cx = (int)t.Mid.X, cy = (int)t.Mid.Y;
                        for (int yy = Math.Max(0, cy - 20); yy < Math.Min(img.Height, cy + 20); yy++)
                        {
                            var sb = new System.Text.StringBuilder();
                            for (int xx = Math.Max(0, cx - 30); xx < Math.Min(img.Width, cx + 30); xx++)
                            {
                                double v = (img.Planes[0][yy * img.Width + xx] + img.Planes[1][yy * img.Width + xx] + img.Planes[2][yy * img.Width + xx]) / 3 / req.SaturationLinear;
                                sb.Append(v >= 0.9 ? '#' : v >= 0.5 ? '+' : v >= 0.2 ? '-' : v >= 0.08 ? ',' : '.');
                            }
                            Console.WriteLine(sb);
                        }
                    }
                    defAtLight += ImageMetrics.KernelSimilarity(dk, gk);
                    lights++;
                }
                sums[0] += ksDef;
                if (paths.Count == 0) { sums[1] += ksDef; for (int k = 0; k < sigmas.Length; k++) sums[2 + k] += ksDef; frames++; Console.WriteLine(line); continue; }
                var robust = paths.Where(p => p.RmsResidualPx < 1.0).ToList();
                if (robust.Count == 0) robust = paths;
                for (int k = 0; k < sigmas.Length; k++)
                {
                    var tiles = Field(robust, img.Width, img.Height, 80, sigmas[k], o.PathSamples);
                    double ks = ImageMetrics.KernelSimilarity(tiles, gt);
                    sums[2 + k] += ks;
                    line.Append(string.Create(inv, $" | σ{sigmas[k]:F0} {ks:F3}"));
                }
                frames++;
                Console.WriteLine(line);
            }
        }
        Console.WriteLine(string.Create(inv, $"frames {frames}: default {sums[0] / frames:F3}; ") + string.Join(" ", sigmas.Select((s, k) => string.Create(inv, $"σ{s:F0} {sums[2 + k] / frames:F3}"))));
        Console.WriteLine(string.Create(inv, $"lights {lights}: own path vs gt {lightKs / lights:F3}, default's kernel there {defAtLight / lights:F3}"));
        return 0;
    }

    private static void Dump(params BlurKernel[] ks)
    {
        int size = ks.Max(k => k.Size);
        var rows = new string[size];
        for (int y = 0; y < size; y++)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var k in ks)
            {
                int off = (size - k.Size) / 2;
                float mx = 0; for (int i = 0; i < k.Size; i++) for (int j = 0; j < k.Size; j++) mx = Math.Max(mx, k[i, j]);
                for (int x = 0; x < size; x++)
                {
                    int ky = y - off, kx = x - off;
                    float v = ky >= 0 && ky < k.Size && kx >= 0 && kx < k.Size ? k[ky, kx] / mx : 0;
                    sb.Append(v <= 0.05f ? '.' : v < 0.3f ? '-' : v < 0.6f ? '+' : '#');
                }
                sb.Append("   ");
            }
            rows[y] = sb.ToString();
        }
        foreach (var r in rows) Console.WriteLine(r);
    }

    private static List<KernelTile> Field(List<StreakTrajectory> paths, int width, int height, int tilePx, double sigma, int samples)
    {
        var tiles = new List<KernelTile>();
        for (int y0 = 0; y0 < height; y0 += tilePx)
            for (int x0 = 0; x0 < width; x0 += tilePx)
            {
                int x1 = Math.Min(width, x0 + tilePx), y1 = Math.Min(height, y0 + tilePx);
                double cx = (x0 + x1 - 1) / 2.0, cy = (y0 + y1 - 1) / 2.0;
                var off = new (double X, double Y)[samples];
                double wsum = 0;
                foreach (var p in paths)
                {
                    double d2 = (p.Mid.X - cx) * (p.Mid.X - cx) + (p.Mid.Y - cy) * (p.Mid.Y - cy);
                    double wt = Math.Exp(-d2 / (2 * sigma * sigma)) + 1e-12;
                    wsum += wt;
                    for (int i = 0; i < samples; i++) off[i] = (off[i].X + wt * p.Offsets[i].X, off[i].Y + wt * p.Offsets[i].Y);
                }
                for (int i = 0; i < samples; i++) off[i] = (off[i].X / wsum, off[i].Y / wsum);
                tiles.Add(new KernelTile(x0, y0, x1, y1, KernelRaster.FromOffsets(off)));
            }
        return tiles;
    }
}
