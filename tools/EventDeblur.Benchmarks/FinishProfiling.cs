using System.Diagnostics;
using System.Globalization;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Metrics;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Visualization;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>finish [--reps N] BUNDLE...</c>: the last stage of replay (<c>FrameFinisher</c>) step by step on each RGB bundle's
/// first frame, its ground truth standing in for the deblurred result: reading the ground truth, converting to the
/// metric's domain, PSNR / SSIM against it, the saturation band, the PNG as written, the PNG, kernels and hashes
/// (<see cref="RunWriter.WriteImages"/>), and the two preview JPEGs. Prints the median wall milliseconds of each step
/// over N repetitions (default 5), into a scratch folder that is removed afterwards.
/// </summary>
public static class FinishProfiling
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        int reps = 5;
        var bundles = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps") reps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else bundles.Add(args[i]);
        }
        string scratch = Path.Combine(Path.GetTempPath(), $"eventdeblur-finish-{Environment.ProcessId}");
        try
        {
            foreach (var dir in bundles)
            {
                var b = RecordingBundle.Load(dir);
                var rgb = b.Manifest.Rgb ?? throw new ArgumentException($"{dir}: an APS bundle; this command takes RGB bundles");
                var row = b.Frames[0];
                var gtFile = b.GroundTruthFrames?.First(f => f.Index == row.Index).File ?? throw new ArgumentException($"{dir}: no ground-truth frames");
                var blurry = LinearImage.Read(row.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, out int depth);
                var enc = new LinearImage.Encoding(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, depth);
                var kernels = KernelCsv.Read(Path.Combine(b.GroundTruthKernelsDir!, $"{row.Index:D6}.csv"));
                var steps = new Dictionary<string, List<double>>();
                void Time(string name, Action a)
                {
                    var sw = Stopwatch.StartNew();
                    a();
                    (steps.TryGetValue(name, out var l) ? l : steps[name] = []).Add(sw.Elapsed.TotalMilliseconds);
                }
                var writer = new RunWriter(scratch);
                Directory.CreateDirectory(Path.Combine(scratch, "frames"));
                Directory.CreateDirectory(Path.Combine(scratch, "kernels"));
                for (int r = 0; r < reps + 1; r++)
                {
                    LinearImage truth = null!, sharp = null!;
                    MetricImage t = null!, s = null!, bl = null!;
                    ImageMetrics.QualityReference reference = null!;
                    Time("read ground truth", () => truth = LinearImage.Read(gtFile, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel));
                    Time("result as written (AsWritten)", () => sharp = truth.AsWritten(enc));
                    Time("to metric images (x3)", () => { t = truth.ToMetricImage(); s = sharp.ToMetricImage(); bl = blurry.ToMetricImage(); });
                    Time("quality reference", () => reference = new ImageMetrics.QualityReference(t));
                    Time("PSNR + SSIM (x2)", () => { reference.Score(s); reference.Score(bl); });
                    Time("saturation band (x2)", () =>
                    {
                        var sat = new bool[blurry.Width * blurry.Height];
                        foreach (var plane in blurry.Saturated) for (int i = 0; i < sat.Length; i++) sat[i] |= plane[i];
                        ImageMetrics.SaturationBandPsnr(s, t, sat);
                        ImageMetrics.SaturationBandPsnr(bl, t, sat);
                    });
                    Time("PNG, kernels, hashes (WriteImages)", () => writer.WriteImages(row.Index, sharp, enc, kernels));
                    Time("preview JPEGs (WriteFrame)", () => PreviewWriter.WriteFrame(scratch, row.Index, blurry, sharp, truth));
                    if (r == 0) foreach (var l in steps.Values) l.Clear();   // the first repetition includes the JIT
                }
                Console.WriteLine($"{Path.GetFileName(dir.TrimEnd('/'))} #{row.Index} ({blurry.Width}×{blurry.Height}), median of {reps}:");
                double total = 0;
                foreach (var (name, l) in steps)
                {
                    double med = l.Order().ElementAt(l.Count / 2);
                    total += med;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-38} {med,8:F1} ms"));
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"total",-38} {total,8:F1} ms"));
            }
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
        return 0;
    }
}
