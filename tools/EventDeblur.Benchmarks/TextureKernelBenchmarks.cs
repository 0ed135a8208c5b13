using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Sync;

namespace EventDeblur.Benchmarks;

/// <summary>
/// Texture kernels (no light streaks, issue 12: ≤ 0.35 s per 640×480 frame): seconds per frame of the contrast
/// maximisation search, of the background-activity filter it starts with, and of the whole event kernel estimator
/// on a texture-only frame; the baseline is the search as it was before issue 12 (<see cref="LegacyTextureSearch"/>),
/// timed in the same run. The frame: a simulated 640×480 `b-no-streaks` frame (seed 8401, a tuning seed; domain B's
/// event sensor is 213×160) and a 640×480 `no-streaks` frame (seed 5401, domain A: DAVIS346 at ≈ 0.5×).
/// </summary>
[Config(typeof(Config))]
public class TextureKernelBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(7).WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1));
    }

    private KernelRequest _request = null!;
    private List<int> _exposureEvents = [];
    private readonly EventKernelEstimator _estimator = new();
    private readonly ContrastMaximizer _cm = new();

    /// <summary>The simulator preset of the frame.</summary>
    [Params("b-no-streaks", "no-streaks")]
    public string Preset { get; set; } = "b-no-streaks";

    /// <summary>Simulates the frame once (640×480) and loads it with the events of its exposure ± 10 ms.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int seed = Preset == "b-no-streaks" ? 8401 : 5401;
        string dir = Path.Combine(BenchData.Dir, $"texture-{Preset}-{seed}");
        if (!File.Exists(Path.Combine(dir, "recording.json")))
            HybridRigSimulator.Simulate(SimulationPresets.Get(Preset) with { Frames = 1, RgbWidth = 640, RgbHeight = 480 }, seed, dir);
        _request = Load(dir);
        var ex = _request.Exposure!.Value;
        for (int i = 0; i < _request.Events.Count; i++)
            if (ex.Contains(_request.Events.T[i])) _exposureEvents.Add(i);
    }

    /// <summary>Frame 0 of the bundle at <paramref name="bundleDir"/> with the events of its exposure ± 10 ms.</summary>
    internal static KernelRequest Load(string bundleDir, int frame = 0)
    {
        var bundle = RecordingBundle.Load(bundleDir);
        var w = bundle.ResolveExposures().Windows[frame];
        var rgb = bundle.Manifest.Rgb!;
        var window = w.Exposure!.Value.Expand(10_000);
        var t = new List<long>(); var x = new List<short>(); var y = new List<short>(); var p = new List<bool>();
        using (var r = AedatReader.Open(bundle.EventsPath))
            while (r.TryRead(out var pk))
                if (pk is EventsPacket ep)
                    using (var b = ep.Events)
                        for (int i = 0; i < b.Count; i++)
                            if (window.Contains(b.Timestamps[i])) { t.Add(b.Timestamps[i]); x.Add(b.Xs[i]); y.Add(b.Ys[i]); p.Add(b.Polarities[i]); }
        return new KernelRequest
        {
            Index = w.Index,
            Exposure = w.Exposure,
            FrameToEvents = Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography),
            EventSensorSize = bundle.EventSensorSize,
            Events = new EventSlice(t.ToArray(), x.ToArray(), y.ToArray(), p.ToArray()),
            Blurry = LinearImage.Read(w.Row!.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel),
            SaturationLinear = new LinearImage.Encoding(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, 16).SaturationLinear,
        };
    }

    /// <summary>The search before issue 12 (dictionary filter, full-resolution grid, MathNet Nelder–Mead): the baseline.</summary>
    [Benchmark(Baseline = true)]
    public double LegacyContrastMaximisation() =>
        LegacyTextureSearch.Estimate(_request.Events, _request.EventSensorSize, _request.Exposure!.Value, 30, 2500).Gain;

    /// <summary>The contrast maximisation search alone (filter included), as the estimator calls it.</summary>
    [Benchmark]
    public double ContrastMaximisation()
    {
        var r = _cm.Estimate(_request.Events, _request.EventSensorSize, _request.FrameToEvents.Inverse(), _request.Exposure!.Value, 200);
        return r.ContrastGain;
    }

    /// <summary>The background-activity filter over the exposure's events (2.5 ms support, as contrast maximisation uses it).</summary>
    [Benchmark]
    public int BackgroundActivityFilter() => new BackgroundActivityFilter(2500).Filter(_request.Events, _exposureEvents).Count;

    /// <summary>The whole event kernel estimator on the frame (streak detection finds none, so it ends in contrast maximisation).</summary>
    [Benchmark]
    public double EventKernelEstimator() => _estimator.Estimate(_request).Confidence;
}

/// <summary>
/// The kernel stage per frame (the whole event kernel estimator: streaks, tracing, consensus, texture hypotheses,
/// scoring) as main had it — every frame with lights also searched and scored the texture's translation — against
/// this branch: the confidence gate (confident lights skip the texture search) and the roll + translation texture
/// hypothesis. The baseline is main's algorithm through its options (gate off, roll search off: the same code path and
/// results as main). Frames: frame 0 of simulated 640×480 bundles of the tuning seeds night 6101 (domain A: the gate
/// skips), b-night 8101 and b-rotation 8301 (domain B: the gate does not skip, the roll search runs).
/// </summary>
[Config(typeof(Config))]
public class KernelStageBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1));
    }

    private KernelRequest _request = null!;
    private readonly EventKernelEstimator _main = new(new EventKernelOptions { SkipTextureAboveGain = double.PositiveInfinity, Texture = new ContrastMaximizationOptions { Rotation = false } });
    private readonly EventKernelEstimator _gated = new();

    /// <summary>The simulator preset of the frame.</summary>
    [Params("night", "b-night", "b-rotation")]
    public string Preset { get; set; } = "night";

    /// <summary>Simulates the frame once (640×480) and loads it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int seed = Preset switch { "night" => 6101, "b-night" => 8101, _ => 8301 };
        string dir = Path.Combine(BenchData.Dir, $"kernel-{Preset}-{seed}");
        if (!File.Exists(Path.Combine(dir, "recording.json")))
            HybridRigSimulator.Simulate(SimulationPresets.Get(Preset) with { Frames = 1, RgbWidth = 640, RgbHeight = 480 }, seed, dir);
        _request = TextureKernelBenchmarks.Load(dir);
    }

    /// <summary>Main's estimator: the texture searched and scored on every frame with lights, translation only.</summary>
    [Benchmark(Baseline = true)]
    public double MainEstimator() => _main.Estimate(_request).Confidence;

    /// <summary>This branch's estimator: confidence gate and roll hypothesis (the defaults).</summary>
    [Benchmark]
    public double GatedEstimator() => _gated.Estimate(_request).Confidence;
}

/// <summary>
/// The contrast maximisation search as it was before issue 12 (EventKernelEstimator.FromTexture at commit 7f65f4c, with
/// the dictionary-based background-activity filter of that commit), kept here only as the benchmark's baseline.
/// </summary>
internal static class LegacyTextureSearch
{
    public static (double[] Path, double Gain) Estimate(EventSlice ev, (int Width, int Height) sensor, TimeRangeUs exposure, double range, long supportUs)
    {
        int lo = LowerBound(ev.T, exposure.StartUs), hi = LowerBound(ev.T, exposure.EndUs);
        var all = Filter(ev, Enumerable.Range(lo, hi - lo).ToList(), supportUs);
        int stride = Math.Max(1, all.Count / 60_000);
        var pick = all.Where((_, i) => i % stride == 0).ToArray();
        var (ew, eh) = sensor;
        var tau = pick.Select(i => (ev.T[i] - exposure.StartUs) / (double)exposure.DurationUs - 0.5).ToArray();
        var ex = pick.Select(i => (double)ev.X[i]).ToArray();
        var ey = pick.Select(i => (double)ev.Y[i]).ToArray();
        var iwe = new float[ew * eh];
        double Contrast(double[] c)
        {
            Array.Clear(iwe);
            for (int i = 0; i < tau.Length; i++)
            {
                double t = tau[i], t2 = t * t, t3 = t2 * t;
                double x = ex[i] - (c[0] * t + c[1] * t2 + c[2] * t3), y = ey[i] - (c[3] * t + c[4] * t2 + c[5] * t3);
                int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
                if (x0 < 0 || y0 < 0 || x0 >= ew - 1 || y0 >= eh - 1) continue;
                float ax = (float)(x - x0), ay = (float)(y - y0);
                int k = y0 * ew + x0;
                iwe[k] += (1 - ax) * (1 - ay); iwe[k + 1] += ax * (1 - ay); iwe[k + ew] += (1 - ax) * ay; iwe[k + ew + 1] += ax * ay;
            }
            double sum = 0, sum2 = 0;
            foreach (float v in iwe) { sum += v; sum2 += (double)v * v; }
            double mean = sum / iwe.Length;
            return sum2 / iwe.Length - mean * mean;
        }
        double best = double.NegativeInfinity;
        double[] bestC = new double[6];
        void Grid(double x0, double y0, double halfWidth, double step)
        {
            for (double vx = x0 - halfWidth; vx <= x0 + halfWidth + 1e-9; vx += step)
                for (double vy = y0 - halfWidth; vy <= y0 + halfWidth + 1e-9; vy += step)
                {
                    if (vx * vx + vy * vy > range * range) continue;
                    var c = new[] { vx, 0, 0, vy, 0, 0 };
                    double v = Contrast(c);
                    if (v > best) { best = v; bestC = c; }
                }
        }
        Grid(0, 0, range, 2);
        Grid(bestC[0], bestC[3], 2, 1);
        double zero = Contrast(new double[6]);
        try
        {
            var obj = MathNet.Numerics.Optimization.ObjectiveFunction.Value(v => -Contrast(v.ToArray()));
            var res = MathNet.Numerics.Optimization.NelderMeadSimplex.Minimum(obj, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(bestC),
                MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray([1.0, 2, 4, 1, 2, 4]), 1e-6, 600);
            if (-res.FunctionInfoAtMinimum.Value > best) { best = -res.FunctionInfoAtMinimum.Value; bestC = res.MinimizingPoint.ToArray(); }
        }
        catch (MathNet.Numerics.Optimization.MaximumIterationsException) { }
        return (bestC, zero > 0 ? best / zero - 1 : 0);
    }

    private static List<int> Filter(EventSlice ev, IReadOnlyList<int> idx, long window)
    {
        var byPixel = new Dictionary<int, List<long>>();
        foreach (int i in idx)
        {
            int key = ev.Y[i] * 65536 + ev.X[i];
            if (!byPixel.TryGetValue(key, out var l)) byPixel[key] = l = [];
            l.Add(ev.T[i]);
        }
        var keep = new List<int>(idx.Count);
        foreach (int i in idx)
        {
            bool ok = false;
            for (int dy = -1; dy <= 1 && !ok; dy++)
                for (int dx = -1; dx <= 1 && !ok; dx++)
                {
                    if (!byPixel.TryGetValue((ev.Y[i] + dy) * 65536 + ev.X[i] + dx, out var l)) continue;
                    int j = LowerBound(l, ev.T[i] - window);
                    for (; j < l.Count && l[j] <= ev.T[i] + window; j++)
                        if (dx != 0 || dy != 0 || l[j] != ev.T[i]) { ok = true; break; }
                }
            if (ok) keep.Add(i);
        }
        return keep;
    }

    private static int LowerBound(IReadOnlyList<long> t, long v)
    {
        int lo = 0, hi = t.Count;
        while (lo < hi) { int mid = (lo + hi) >> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
