using System.Globalization;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Streaks;
using EventDeblur.Sync;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>regprobe BUNDLE...</c> (an experiment, stop 49): per frame, how far each traced light's time-averaged event path
/// (mid-exposure position plus its mean offset, frame px) lies from its streak's centroid in the blurry frame; the median
/// and the median absolute deviation over the frame's lights. A wrong calibration or exposure window moves every light's
/// path off its streak alike.
/// </summary>
internal static class RegistrationProbe
{
    public static int Run(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var o = new EventKernelOptions();
        var tracer = new StreakTracer(o.Tracing);
        foreach (var dir in args)
        {
            var bundle = RecordingBundle.Load(dir);
            var windows = bundle.ResolveExposures().Windows;
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
            var all = new List<(double X, double Y)>();
            for (int f = 0; f < windows.Count; f++)
            {
                var req = TextureKernelBenchmarks.Load(dir, f);
                var h = req.FrameToEvents; var hInv = h.Inverse();
                var det = StreakDetector.Detect(req.Blurry, req.SaturationLinear, o.Streaks);
                var d = new List<(double X, double Y)>();
                foreach (var s in det.Streaks.Take(o.MaxStreaks))
                    if (tracer.Trace(req.Events, s, h, hInv, req.Exposure!.Value, o.PathSamples).Path is { } t)
                        d.Add((t.Mid.X + t.Offsets.Average(q => q.X) - s.CentroidX, t.Mid.Y + t.Offsets.Average(q => q.Y) - s.CentroidY));
                all.AddRange(d);
                if (d.Count == 0) { Console.WriteLine($"{name} #{f}: no traced light"); continue; }
                double mx = Median(d.Select(v => v.X)), my = Median(d.Select(v => v.Y));
                double mad = Median(d.Select(v => Math.Sqrt((v.X - mx) * (v.X - mx) + (v.Y - my) * (v.Y - my))));
                Console.WriteLine(string.Create(inv, $"{name} #{f}: {d.Count} lights, median offset ({mx:F2}, {my:F2}) px, MAD {mad:F2}"));
            }
            if (all.Count > 0)
            {
                double mx = Median(all.Select(v => v.X)), my = Median(all.Select(v => v.Y));
                double mad = Median(all.Select(v => Math.Sqrt((v.X - mx) * (v.X - mx) + (v.Y - my) * (v.Y - my))));
                Console.WriteLine(string.Create(inv, $"{name} ALL: {all.Count} lights, median offset ({mx:F2}, {my:F2}) = {Math.Sqrt(mx * mx + my * my):F2} px, MAD {mad:F2}"));
            }
        }
        return 0;
    }

    private static double Median(IEnumerable<double> v)
    {
        var a = v.OrderBy(x => x).ToArray();
        return a.Length == 0 ? double.NaN : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
