using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>dftsize [--reps N] WxH...</c>: one OpenCV real DFT and its inverse (as the deconvolvers run them: packed real
/// spectrum, scaled real inverse) on each W×H float plane, best of N rounds of 20 pairs, in ms per transform and ms per
/// megapixel. Shows which grid sizes OpenCV transforms fast (odd widths: about half speed).
/// </summary>
internal static class DftSizeProfiling
{
    public static int Run(string[] args)
    {
        int reps = 3;
        var sizes = new List<(int W, int H)>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps") { reps = int.Parse(args[++i], CultureInfo.InvariantCulture); continue; }
            var p = args[i].Split('x');
            if (p.Length != 2) { Console.Error.WriteLine($"dftsize: '{args[i]}' is not WxH"); return 2; }
            sizes.Add((int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture)));
        }
        if (sizes.Count == 0) sizes.AddRange([(675, 576), (720, 576), (729, 576), (750, 576), (720, 625), (768, 640)]);
        foreach (var (w, h) in sizes)
        {
            using var plane = new Mat(h, w, MatType.CV_32FC1);
            Cv2.Randu(plane, 0, 1);
            using var spec = new Mat();
            using var back = new Mat(h, w, MatType.CV_32FC1);
            for (int i = 0; i < 5; i++) { Cv2.Dft(plane, spec); Cv2.Idft(spec, back, DftFlags.Scale | DftFlags.RealOutput); }
            double best = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < 20; i++) { Cv2.Dft(plane, spec); Cv2.Idft(spec, back, DftFlags.Scale | DftFlags.RealOutput); }
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds / 40);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w}x{h}: {best:F3} ms per transform, {best / (w * h / 1e6):F2} ms/MP"));
        }
        return 0;
    }
}
