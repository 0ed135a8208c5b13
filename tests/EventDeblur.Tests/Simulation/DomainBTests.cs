using EventDeblur.Metrics;
using EventDeblur.Sync;
using EventDeblur.Evaluation;
using EventDeblur.Formats.Aedat;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Tests.Cli;
using EventDeblur.Tests.Formats.Aedat;
using OpenCvSharp;

namespace EventDeblur.Tests.Simulation;

/// <summary>Domain B's physics, measured from what the simulator produces (scene radiance, events, kernels, bundles).</summary>
public class DomainBTests
{
    private static readonly SimulationOptions BNight = SimulationPresets.Get("b-night");

    /// <summary>The preset's event pixel without noise sources, so only brightness changes make events.</summary>
    private static DavisModel Quiet => BNight.Davis with { LeakHz = 0, ShotNoiseMaxHz = 0, HotPixelFraction = 0 };

    private static List<(long T, int X, int Y, bool On)> RunDavis(DavisModel model, Func<long, Mat> irradiance, long durationUs, long stepUs, int w, int h, out EventStats stats)
    {
        var sensor = new DavisSensor(model, w, h, 5);
        var list = new List<(long, int, int, bool)>();
        stats = sensor.Simulate(0, durationUs, stepUs, irradiance, 6, b =>
        {
            using (b) for (int i = 0; i < b.Count; i++) list.Add((b.Timestamps[i], b.Xs[i], b.Ys[i], b.Polarities[i]));
        });
        return list;
    }

    private static Func<long, Mat> Uniform(int w, int h, Func<long, double> level) => t => new Mat(h, w, MatType.CV_32FC1, Scalar.All(level(t)));

    [Fact]
    public void ContrastThresholdsMeasuredFromTheEventsAre0Point3WithAThreePercentSpread()
    {
        // A bright log-linear ramp up, then down, at s = 3 log units per second (the 30 Hz photoreceptor only delays
        // it by a constant): a pixel's events are then one threshold apart in log intensity, so its ON threshold is
        // s × its mean ON interval on the way up, and its OFF threshold the same on the way down.
        const int w = 32, h = 32;
        const double slope = 3, i0 = 1e7;
        const long half = 6_000_000;
        double LogAt(long t) => slope * 1e-6 * (t < half ? t : 2 * half - t);
        var events = RunDavis(Quiet, Uniform(w, h, t => i0 * Math.Exp(LogAt(t))), 2 * half, 1000, w, h, out _);
        double PixelThreshold(IEnumerable<long> times)
        {
            var t = times.OrderBy(x => x).ToList();
            Assert.True(t.Count > 40, $"a pixel fired only {t.Count} times over an 18-log-unit ramp");
            return slope * 1e-6 * (t[^1] - t[0]) / (t.Count - 1);
        }
        var byPixel = events.GroupBy(e => (e.X, e.Y)).ToList();
        Assert.Equal(w * h, byPixel.Count);
        // Skip the first and last 0.3 s of each ramp (the filter's settling after the start and the turn).
        var thOn = byPixel.Select(g => PixelThreshold(g.Where(e => e.On && e.T is > 300_000 and < half - 300_000).Select(e => e.T))).ToArray();
        var thOff = byPixel.Select(g => PixelThreshold(g.Where(e => !e.On && e.T > half + 300_000 && e.T < 2 * half - 300_000).Select(e => e.T))).ToArray();
        static (double Mean, double Sd) Stats(double[] a) { double m = a.Average(); return (m, Math.Sqrt(a.Sum(x => (x - m) * (x - m)) / a.Length)); }
        var (mOn, sOn) = Stats(thOn);
        var (mOff, sOff) = Stats(thOff);
        Assert.True(Math.Abs(mOn - 0.3) < 0.005 && Math.Abs(mOff - 0.3) < 0.005, $"mean thresholds ON {mOn:F4}, OFF {mOff:F4}; expected 0.300 ± 0.005");
        Assert.True(sOn is > 0.025 and < 0.035 && sOff is > 0.025 and < 0.035, $"per-pixel spread ON {sOn:F4}, OFF {sOff:F4}; expected 0.030 ± 0.005");
    }

    [Fact]
    public void ThePhotoreceptorLowPassMakesEventsLagInTheDark()
    {
        // A step of +1 log unit at 10 ms; the first ON event of each pixel after it, bright vs dark.
        const int w = 24, h = 24;
        const long stepAt = 10_000;
        double MedianLagMs(double level)
        {
            var ev = RunDavis(Quiet, Uniform(w, h, t => t < stepAt ? level : level * Math.E), 400_000, 100, w, h, out _);
            var lags = ev.Where(e => e.On && e.T >= stepAt).GroupBy(e => (e.X, e.Y)).Select(g => (g.Min(e => e.T) - stepAt) / 1000.0).OrderBy(x => x).ToList();
            Assert.True(lags.Count > w * h * 0.9, $"only {lags.Count} of {w * h} pixels answered a step at {level} e⁻/s");
            return lags[lags.Count / 2];
        }
        double bright = MedianLagMs(1e6), dark = MedianLagMs(400);
        // 30 Hz in bright light: τ = 1/(2π·30 Hz) ≈ 5.3 ms, the first crossing a fraction of τ later.
        Assert.True(bright is > 0.3 and < 6, $"bright lag {bright:F2} ms; a 30 Hz photoreceptor answers within a few ms");
        Assert.True(dark > 5 * bright, $"dark lag {dark:F2} ms should far exceed the bright lag {bright:F2} ms");
    }

    [Fact]
    public void LeakEventsFireAtATenthOfAHertzPerPixel()
    {
        const int w = 40, h = 40;
        var model = BNight.Davis with { ShotNoiseMaxHz = 0, HotPixelFraction = 0 };
        var events = RunDavis(model, Uniform(w, h, _ => 2e5), 60_000_000, 10_000, w, h, out var stats);
        Assert.All(events, e => Assert.True(e.On, "a static scene's leak events are ON events"));
        Assert.Equal(0, stats.SignalOff);
        // Rate from each pixel's own interval span (independent of the random initial state): within 2 %.
        long intervals = 0;
        double spanS = 0;
        foreach (var g in events.GroupBy(e => (e.X, e.Y)))
        {
            intervals += g.Count() - 1;
            spanS += (g.Max(e => e.T) - g.Min(e => e.T)) * 1e-6;
        }
        double rate = intervals / spanS;
        Assert.True(Math.Abs(rate - 0.1) < 0.002, $"leak rate {rate:F4} Hz per pixel; expected 0.1 ± 0.002");
        // And the plain count over the window: 60 s × 0.1 Hz per pixel, ± one event per pixel from the initial state.
        Assert.InRange(events.Count, w * h * 5, w * h * 7);
    }

    [Fact]
    public void ShotNoiseEventsAppearInTheDark()
    {
        const int w = 40, h = 40;
        var model = BNight.Davis with { LeakHz = 0, HotPixelFraction = 0 };
        RunDavis(model, Uniform(w, h, _ => 100), 2_000_000, 1000, w, h, out var dark);
        RunDavis(model, Uniform(w, h, _ => 1e7), 2_000_000, 1000, w, h, out var bright);
        Assert.True(dark.ShotNoise > 0.5 * w * h * 2 * model.ShotNoiseMaxHz * 0.5, $"dark: {dark}");
        Assert.True(dark.ShotNoise > 20 * Math.Max(1, bright.ShotNoise), $"dark {dark} vs bright {bright}");
    }

    [Fact]
    public void LampRadianceExceedsTheClipLevelBy1Point25To2Point5()
    {
        var o = BNight with { RgbWidth = 320, RgbHeight = 240 };
        double clip = DomainBScene.ClipRadiance(o);
        int above = 0;
        double lo = double.MaxValue, hi = 0;
        for (int seed = 1; seed <= 3; seed++)
        {
            using var scene = DomainBScene.Generate(o, new Random(seed), 40);
            var v = scene.Radiance.AsSpan<float>();
            for (int i = 0; i < v.Length / 3; i++)
            {
                double m = Math.Max(v[3 * i], Math.Max(v[3 * i + 1], v[3 * i + 2]));
                if (m <= clip * 1.0001) continue;
                above++;
                lo = Math.Min(lo, m / clip);
                hi = Math.Max(hi, m / clip);
            }
        }
        Assert.True(above > 300, $"only {above} pixels above the clip level");
        Assert.True(lo >= 1.25 - 1e-4 && hi <= 2.5 + 1e-4, $"ratios over the clip level span {lo:F3}–{hi:F3}; expected within 1.25–2.5");
        Assert.True(lo < 1.5 && hi > 2.2, $"ratios {lo:F3}–{hi:F3} should cover the range, not one value");
    }

    [Fact]
    public void LampSizesAndClusterCountsStayInTheirRangesAndSomeLampsStayBelowTheClip()
    {
        var b = BNight.DomainB!;
        int lamps = 0, unclipped = 0;
        var counts = new List<int>();
        for (int seed = 1; seed <= 5; seed++)
        {
            using var scene = DomainBScene.Generate(BNight with { RgbWidth = 320, RgbHeight = 240 }, new Random(seed), 40);
            Assert.InRange(scene.Lamps.Count, b.Lamps.Min, b.Lamps.Max);
            Assert.InRange(scene.Lamps.Select(l => l.Cluster).Distinct().Count(), b.LampClusters.Min, b.LampClusters.Max);
            Assert.All(scene.Lamps, l => Assert.InRange(l.DiameterPx, b.LampDiameterPx.Min, b.LampDiameterPx.Max));
            Assert.All(scene.Lamps, l => Assert.True(l.HdrScale == 1 || (l.HdrScale >= b.HdrScale.Min && l.HdrScale <= b.HdrScale.Max), $"HDR scale {l.HdrScale}"));
            counts.Add(scene.Lamps.Count);
            lamps += scene.Lamps.Count;
            unclipped += scene.Lamps.Count(l => l.HdrScale == 1);
            // Sizes spread over the range: small points and large globes both occur.
            Assert.Contains(scene.Lamps, l => l.DiameterPx < 3);
            Assert.Contains(scene.Lamps, l => l.DiameterPx > 8);
        }
        Assert.True(counts.Distinct().Count() > 1, "the lamp count is drawn per scene");
        Assert.InRange(unclipped / (double)lamps, 0.15, 0.35);
    }

    [Fact]
    public void PatchWiseTrajectoriesGiveDifferentKernelsPerTileAndAStreakEqualsItsLocalKernel()
    {
        var o = BNight with { Frames = 1, RgbWidth = 384, RgbHeight = 384, KernelLengthPx = (16, 16), ExposureUs = (60_000, 60_000) };
        string dir = TestPaths.NewTempDir();
        var result = HybridRigSimulator.Simulate(o, 31, dir);
        var tiles = KernelCsv.Read(Path.Combine(dir, "gt", "kernels", "000000.csv"));
        Assert.Equal(12 * 12, tiles.Count); // 32-px tiles
        Assert.Equal(384L * 384, tiles.Sum(t => t.Area));
        double minSim = 1;
        for (int j = 1; j < tiles.Count; j++)
            minSim = Math.Min(minSim, ImageMetrics.KernelSimilarity(tiles[0].Kernel, tiles[j].Kernel));
        Assert.True(minSim < 0.9, $"the most different tiles still have kernel similarity {minSim:F3}: blur is not spatially varying");

        // In the corner patch (up to its node centre, 63.5 px here) the field is that node's path alone, so a point
        // light's streak is exactly the spot convolved with the kernel the simulator reports there.
        var field = result.Frames[0].Field!;
        using var scene = NightScene.Uniform(384, 384, 80, 0);
        var light = new PointLight(25.3, 25.6, 0.4, 4e5, 4e5, 4e5);
        scene.AddPointLight(light);
        int samples = field.SampleCount(543);
        var k = field.KernelAt(light.X, light.Y, samples);
        using var blurred = field.IntegrateExposure(scene, samples);
        using var sharp = RgbSensor.SharpRadiance(scene);
        using var km = Mat.FromPixelData(k.Size, k.Size, MatType.CV_32FC1, k.Weights);
        using var flipped = new Mat();
        Cv2.Flip(km, flipped, FlipMode.XY);
        using var expected = new Mat();
        Cv2.Filter2D(sharp, expected, MatType.CV_32F, flipped, new Point(k.Center, k.Center), 0, BorderTypes.Constant);
        double maxAbs = 0, peak = 0, sumB = 0, sumE = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
            {
                double b = blurred.At<Vec3f>(y, x).Item1, e = expected.At<Vec3f>(y, x).Item1;
                maxAbs = Math.Max(maxAbs, Math.Abs(b - e));
                peak = Math.Max(peak, e);
                sumB += b;
                sumE += e;
            }
        Assert.True(maxAbs < 0.01 * peak, $"streak differs from K ⊛ spot by {maxAbs / peak:P3} of its peak");
        Assert.Equal(sumE, sumB, sumE * 1e-3);
    }

    [Fact]
    public void SensorNoiseIsPoissonGaussianPerChannelAndTheCornersAreVignetted()
    {
        var o = BNight;
        var b = o.DomainB!;
        using var radiance = new Mat(200, 200, MatType.CV_32FC3, new Scalar(20_000, 20_000, 20_000));
        using var raw = RgbSensor.ExposeDomainB(radiance, 0.02, o.Rgb, b, 8);
        using var clean = RgbSensor.ExposeDomainB(radiance, 0.02, o.Rgb, b, null);
        double gain = o.Rgb.GainDnPerE;
        double[] qe = [b.ChannelQe.R, b.ChannelQe.G, b.ChannelQe.B], read = [b.ReadNoiseE.R, b.ReadNoiseE.G, b.ReadNoiseE.B];
        var v = raw.AsSpan<ushort>().ToArray();
        // The centre 40×40, where the vignetting is flat to < 1 %: variance (e⁻²) = QE·signal + read².
        for (int c = 0; c < 3; c++)
        {
            var xs = new List<double>();
            for (int y = 80; y < 120; y++)
                for (int x = 80; x < 120; x++) xs.Add((v[(y * 200 + x) * 3 + c] - o.Rgb.BlackLevel) / gain);
            double m = xs.Average(), var = xs.Sum(e => (e - m) * (e - m)) / xs.Count;
            double expectMean = 20_000 * 0.02 * qe[c];
            Assert.Equal(expectMean, m, expectMean * 0.03);
            double expectVar = expectMean + read[c] * read[c];
            Assert.True(Math.Abs(var - expectVar) < 0.12 * expectVar, $"channel {c}: variance {var:F0} e⁻², expected {expectVar:F0}");
        }
        var cv = clean.AsSpan<ushort>();
        double centre = cv[(100 * 200 + 100) * 3 + 1] - o.Rgb.BlackLevel, corner = cv[1] - o.Rgb.BlackLevel;
        Assert.Equal(b.VignetteCorner, corner / centre, 0.02);
    }

    [Theory]
    [InlineData("b-night")]
    [InlineData("b-night-hard")]
    [InlineData("b-rotation")]
    [InlineData("b-no-streaks")]
    [InlineData("b-aps")]
    public void EveryDomainBPresetWritesABundleThatInspectsClean(string preset)
    {
        var options = SimulationPresets.Get(preset) with { Frames = 2 };
        if (!options.ApsOnly) options = options with { RgbWidth = 288, RgbHeight = 192 };
        string dir = TestPaths.NewTempDir();
        var result = HybridRigSimulator.Simulate(options, 23, dir);

        var bundle = RecordingBundle.Load(dir);
        Assert.Empty(bundle.Problems);
        var m = bundle.ResolveExposures();
        Assert.Empty(m.Problems);
        for (int k = 0; k < 2; k++) Assert.Equal(result.Frames[k].Exposure, m.Windows[k].Exposure);
        Assert.Equal(options.ApsOnly ? (346, 260) : (96, 64), (bundle.Manifest.Events.Width, bundle.Manifest.Events.Height));
        var summary = AedatSummary.Compute(bundle.EventsPath);
        Assert.False(summary.HasErrors, string.Join("\n", summary.Problems));
        Assert.Equal(result.Events, summary.EventCount);
        Assert.True(summary.EventCount > 100, $"{summary.EventCount} events");
        foreach (var gt in bundle.GroundTruthFrames!)
        {
            using var img = Cv2.ImRead(gt.File, ImreadModes.Unchanged);
            var tiles = KernelCsv.Read(Path.Combine(bundle.GroundTruthKernelsDir!, $"{gt.Index:D6}.csv"));
            Assert.True(tiles.Count > 1, "domain B's blur is spatially varying: kernels per tile");
            Assert.All(tiles, t => Assert.Equal(1.0, t.Kernel.Weights.Sum(w => (double)w), 4));
            Assert.Equal(img.Cols * (long)img.Rows, tiles.Sum(t => t.Area));
        }
        var (code, stdout, stderr) = CliTests.Run("inspect", dir);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("problems:  none", stdout);
    }

    [Fact]
    public void DomainAStillWritesTheShippedSampleByteForByte()
    {
        // recordings/sample-night is preset night, seed 7, 400×300: frame 0 regenerated must equal the shipped one.
        string shipped = Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night");
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 1, RgbWidth = 400, RgbHeight = 300 }, 7, dir);
        foreach (var f in new[] { "rgb/000000.png", "gt/000000.png", "gt/kernels/000000.csv", "recording.json" })
            Assert.True(File.ReadAllBytes(Path.Combine(shipped, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, f))), $"{f} differs from the shipped sample");
    }
}
