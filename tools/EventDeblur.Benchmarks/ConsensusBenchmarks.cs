using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EventDeblur.Kernels;

namespace EventDeblur.Benchmarks;

/// <summary>
/// The camera-motion consensus on a crowded frame's light paths: <see cref="MotionConsensus.Fit"/> on
/// <see cref="EventKernelOptions.MaxStreaks"/> (24) paths of 200 samples in a 640×480 frame — 20 following one rolling
/// camera motion with 0.3 px of jitter, 4 following a moving car — so that every translation, every well-separated pair
/// and 400 triplets are hypotheses (about 700, as on the foreign hard-2006 bundle's first frame).
/// </summary>
[Config(typeof(Config))]
public class ConsensusBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(15).WithLaunchCount(1));
    }

    private List<StreakTrajectory> _paths = [];

    /// <summary>Draws the paths (seed 3).</summary>
    [GlobalSetup]
    public void Setup()
    {
        const int samples = 200;
        var rng = new Random(3);
        for (int i = 0; i < 24; i++)
        {
            double x = 20 + 600 * rng.NextDouble(), y = 20 + 440 * rng.NextDouble();
            bool car = i >= 20;
            var offsets = new (double X, double Y)[samples];
            for (int k = 0; k < samples; k++)
            {
                double t = k / (samples - 1.0) - 0.5;
                double angle = 0.02 * t, tx = 18 * t + 4 * t * t, ty = -9 * t;
                double ox = car ? 30 * t : Math.Cos(angle) * (x - 320) - Math.Sin(angle) * (y - 240) + 320 + tx - x;
                double oy = car ? 2 * t : Math.Sin(angle) * (x - 320) + Math.Cos(angle) * (y - 240) + 240 + ty - y;
                offsets[k] = (ox + 0.3 * (rng.NextDouble() - 0.5), oy + 0.3 * (rng.NextDouble() - 0.5));
            }
            _paths.Add(new StreakTrajectory((x, y), offsets, 400, 0.3));
        }
    }

    /// <summary>One consensus fit over the 24 paths.</summary>
    [Benchmark]
    public MotionKind Fit() => MotionConsensus.Fit(_paths, 640, 480).Motion.Kind;
}
