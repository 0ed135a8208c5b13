using EventDeblur.Kernels;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>texture [--reps N] BUNDLE...</c>: where the texture kernel's time goes, per bundle (frame 0 with the events of its
/// exposure ± 10 ms): the background-activity filter, contrast maximisation without and with its roll search, streak
/// detection, the warped-event scorer and the whole event kernel estimator; wall time and the calling thread's CPU time (work handed to other threads not
/// included), median of N repetitions after one warm-up. A quick look between BenchmarkDotNet runs of <see cref="TextureKernelBenchmarks"/>.
/// </summary>
internal static class TextureProfiling
{
    public static int Run(string[] args)
    {
        int reps = 5;
        var bundles = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps" && i + 1 < args.Length) reps = int.Parse(args[++i]);
            else bundles.Add(args[i]);
        }
        if (bundles.Count == 0 || reps < 1) { Console.Error.WriteLine("usage: texture [--reps N ≥ 1] BUNDLE..."); return 2; }
        var translation = new ContrastMaximizer(new ContrastMaximizationOptions { Rotation = false });
        var withRoll = new ContrastMaximizer();
        var estimator = new EventKernelEstimator();
        foreach (var dir in bundles)
        {
            var req = TextureKernelBenchmarks.Load(dir);
            var ex = req.Exposure!.Value;
            var inExposure = new List<int>();
            for (int i = 0; i < req.Events.Count; i++) if (ex.Contains(req.Events.T[i])) inExposure.Add(i);
            var hInv = req.FrameToEvents.Inverse();
            var scorer = new EventWarpScorer();
            // No motion, as the estimator's confidence gate scores it.
            var still = new CameraMotion(MotionKind.Translation, [AffineSample.Shift(0, 0), AffineSample.Shift(0, 0)]);
            string note = "", source = "";
            var parts = new (string Name, Action Run)[]
            {
                ("background-activity filter", () => new BackgroundActivityFilter(new ContrastMaximizationOptions().SupportWindowUs).Filter(req.Events, inExposure)),
                ("contrast maximisation, translation", () => translation.Estimate(req.Events, req.EventSensorSize, hInv, ex, 200)),
                ("contrast maximisation + roll", () => note = withRoll.Estimate(req.Events, req.EventSensorSize, hInv, ex, 200).Note),
                ("streak detection (light candidates)", () => EventDeblur.Streaks.StreakDetector.Detect(req.Blurry, req.SaturationLinear, new EventKernelOptions().Streaks)),
                ("warped-event scorer, 2 hypotheses", () => scorer.Score(req.Events, req.EventSensorSize, req.FrameToEvents, ex, [still, still])),
                ("event kernel estimator, whole", () => source = estimator.Estimate(req).Source),
            };
            var cpu = parts.Select(_ => new List<double>()).ToArray();
            var wall = parts.Select(_ => new List<double>()).ToArray();
            for (int rep = 0; rep <= reps; rep++)
                for (int p = 0; p < parts.Length; p++)
                {
                    double c0 = ThreadCpu.Seconds();
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    parts[p].Run();
                    if (rep > 0) { cpu[p].Add(ThreadCpu.Seconds() - c0); wall[p].Add(sw.Elapsed.TotalSeconds); }
                }
            Console.WriteLine($"{dir}: {inExposure.Count:N0} events in the exposure; {note}; estimator's kernel: {source}");
            for (int p = 0; p < parts.Length; p++)
            {
                cpu[p].Sort();
                wall[p].Sort();
                Console.WriteLine($"  {parts[p].Name,-36} wall median {wall[p][wall[p].Count / 2] * 1e3,8:F1} ms (best {wall[p][0] * 1e3:F1}); calling thread's CPU median {cpu[p][cpu[p].Count / 2] * 1e3,8:F1} ms");
            }
        }
        return 0;
    }
}
