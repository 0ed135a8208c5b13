using EventDeblur.Events;
using EventDeblur.Kernels;
using EventDeblur.Simulation;
using EventDeblur.Sync;
using EventDeblur.Tests.Formats.Aedat;
using OpenCvSharp;

namespace EventDeblur.Tests.Simulation;

/// <summary>
/// <c>simulate --flicker-hz</c> (stop 54): point lights whose radiance swings as 1 + depth·cos(2π·f·t + φ), seen by the
/// event sensor step by step and integrated by the RGB exposure (beaded streaks), the ground truth the steady scene.
/// </summary>
public class FlickerSimulationTests
{
    private static SimulationOptions Rig(double? hz, long exposureUs = 80_000) => new()
    {
        RgbWidth = 320, RgbHeight = 240, Frames = 1, PointLights = 0, ExtendedLights = 0,
        ExposureUs = (exposureUs, exposureUs), FramePeriodUs = 200_000, HomographyScale = (0.5, 0.5), HomographyRotationDeg = 0,
        Davis = new DavisModel(ShotNoiseMaxHz: 0, HotPixelFraction: 0, LeakHz: 0), FlickerHz = hz,
    };

    [Fact]
    public void AFlickeringLightKeepsItsMeanAndBeadsItsStreak()
    {
        // 60 ms at 50 Hz: three whole periods, over which the swing averages to zero.
        var options = Rig(50) with { ExposureUs = (60_000, 60_000) };
        using var scene = NightScene.Uniform(160, 120, 40, 0);
        var light = new PointLight(80, 60, 0.8, 1e5, 1e5, 1e5);
        scene.AddPointLight(light);
        long start = options.StartUs, end = start + 60_000;
        var path = MotionPath.Linear(start, end, 60, 0);
        int samples = path.SampleCount(400);
        using var lum = scene.Luminance();
        using var flicker = LightFlicker.Create(options, scene, lum, 0);
        Assert.NotNull(flicker);

        using var steady = RgbSensor.IntegrateExposure(scene, path, samples);
        using var beaded = steady.Clone();
        flicker.AddToExposure(beaded, scene, path, start, 60_000, samples);
        double sumSteady = Cv2.Sum(steady).Val1, sumBeaded = Cv2.Sum(beaded).Val1;
        Assert.True(Math.Abs(sumBeaded - sumSteady) < 1e-3 * sumSteady, $"the light's energy over whole periods: {sumBeaded:E4} flickering, {sumSteady:E4} steady");

        // Along the streak (60 px in 60 ms: 20 px per period) the flickering light leaves beads: bright where it shone,
        // dark between; the steady one an even line. Radiance ratio flickering / steady along the middle 40 px.
        var ratios = new List<double>();
        for (int x = 60; x <= 100; x++)
        {
            double s = steady.At<Vec3f>(60, x).Item1, b = beaded.At<Vec3f>(60, x).Item1;
            Assert.True(s > 0, $"no streak at x = {x}");
            ratios.Add(b / s);
        }
        Assert.True(ratios.Max() > 1.8 && ratios.Min() < 0.2, $"flickering / steady along the streak: {ratios.Min():F2} .. {ratios.Max():F2}");

        // The event sensor's source: the light at full swing (2×) and dark (0×) half a period apart, the steady scene restored on demand.
        float before = lum.At<float>(60 + scene.Margin, 80 + scene.Margin);
        // Light 0 takes phase 0: its peaks at start + k·20 ms, dark 10 ms later.
        Assert.Equal(2, flicker.Modulation(0, start), 9);
        Assert.Equal(0, flicker.Modulation(0, start + 10_000), 9);
        flicker.Apply(lum, start);
        Assert.Equal(2 * before, lum.At<float>(60 + scene.Margin, 80 + scene.Margin), 2 * before * 1e-5);
        flicker.Apply(lum, start + 10_000);
        Assert.Equal(0, lum.At<float>(60 + scene.Margin, 80 + scene.Margin), before * 1e-5);
        // Averaged over a whole period (an APS sample that long), the steady light.
        flicker.Apply(lum, start + 10_000, 20_000);
        Assert.Equal(before, lum.At<float>(60 + scene.Margin, 80 + scene.Margin), before * 1e-5);
    }

    /// <summary>
    /// The light's energy in the exposure is exact at any frequency (each sample takes the swing's mean over its share of
    /// the exposure; one instant per sample kept 0.3 % of it at 800 Hz over 80 ms, review54 H1), and the ground truth
    /// shows the light at the same mean brightness, also over a part period.
    /// </summary>
    [Theory]
    [InlineData(800.0, 80_000L)]
    [InlineData(1000.0, 64_000L)]
    [InlineData(100.0, 65_000L)]
    [InlineData(50.0, 30_000L)]
    public void TheExposureAndTheGroundTruthHoldTheLightsMeanEnergyAtAnyFrequency(double hz, long exposureUs)
    {
        var options = Rig(hz) with { ExposureUs = (exposureUs, exposureUs) };
        using var scene = NightScene.Uniform(160, 120, 40, 0);
        scene.AddPointLight(new PointLight(80, 60, 0.8, 1e5, 1e5, 1e5));
        long start = options.StartUs;
        var path = MotionPath.Linear(start, start + exposureUs, 40, 0.3);
        int samples = path.SampleCount(64);
        using var lum = scene.Luminance();
        using var flicker = LightFlicker.Create(options, scene, lum, 0)!;
        using var steady = RgbSensor.IntegrateExposure(scene, path, samples);
        using var beaded = steady.Clone();
        flicker.AddToExposure(beaded, scene, path, start, exposureUs, samples);
        using var sharp = RgbSensor.SharpRadiance(scene);
        double sharpSteady = Cv2.Sum(sharp).Val1;
        flicker.AddMeanToSharp(sharp, scene, start, exposureUs);
        // The exact mean of 1 + cos(2π·f·t) over the exposure (light 0: phase 0).
        double w = 2 * Math.PI * hz * exposureUs / 1e6, mean = 1 + Math.Sin(w) / w;
        Assert.Equal(mean, Cv2.Sum(beaded).Val1 / Cv2.Sum(steady).Val1, 1e-3);
        Assert.Equal(mean, Cv2.Sum(sharp).Val1 / sharpSteady, 1e-4);
    }

    /// <summary>
    /// Through the whole simulator: the RGB frame of a light flickering at 50 Hz (light 0, phase 0: bright at the
    /// exposure's start and every 20 ms, dark 10 ms later) moving 60 px in 60 ms is beaded in phase with its flicker
    /// against the same bundle with a steady light; the DAVIS-alone preset's APS frames change near the lights only.
    /// </summary>
    [Fact]
    public void TheSimulatorsFramesAreBeadedInPhaseWithTheFlicker()
    {
        float[] Green(string dir, SimulationResult res, Func<double, (double X, double Y)> at, double[] taus)
        {
            using var png = Cv2.ImRead(Path.Combine(dir, "rgb", "000000.png"), ImreadModes.Unchanged);
            return [.. taus.Select(tau => { var p = at(tau); return (float)(png.At<Vec3w>((int)Math.Round(p.Y), (int)Math.Round(p.X)).Item1 - 1024); })];
        }
        double[] taus = [1 / 6.0, 1 / 3.0, 0.5, 2 / 3.0, 5 / 6.0];
        var values = new Dictionary<bool, float[]>();
        foreach (bool flickering in new[] { false, true })
        {
            using var scene = NightScene.Uniform(320, 240, 280, 100);
            scene.AddPointLight(new PointLight(160, 120, 1.2, 5e5, 5e5, 5e5));
            string dir = TestPaths.NewTempDir();
            var res = HybridRigSimulator.Simulate(Rig(flickering ? 50 : null) with { ExposureUs = (60_000, 60_000) }, 7, dir, scene, (k, s, e) => MotionPath.Linear(s, e, 60, 0));
            var path = res.Frames[0].Path;
            values[flickering] = Green(dir, res, tau => path.Apply(160, 120, tau), taus);
        }
        var ratio = values[true].Zip(values[false], (f, s) => f / s).ToArray();
        string all = string.Join(", ", ratio.Select(r => r.ToString("F2")));
        // τ = 1/6, 1/2, 5/6: 10, 30, 50 ms, dark; τ = 1/3, 2/3: 20, 40 ms, at full swing (twice the steady light).
        Assert.True(ratio[0] < 0.5 && ratio[2] < 0.5 && ratio[4] < 0.5, $"flickering / steady at 10, 30, 50 ms: {all}");
        Assert.True(ratio[1] > 1.5 && ratio[3] > 1.5, $"flickering / steady at 20, 40 ms: {all}");

        var aps = new Dictionary<bool, byte[]>();
        foreach (bool flickering in new[] { false, true })
        {
            string dir = TestPaths.NewTempDir();
            HybridRigSimulator.Simulate(SimulationPresets.Get("aps") with { Frames = 1, FlickerHz = flickering ? 100 : null }, 3, dir);
            aps[flickering] = Drained.FromFile(Path.Combine(dir, "events.aedat4")).Frames[0].Pixels;
        }
        int changed = aps[true].Zip(aps[false]).Count(p => p.First != p.Second);
        Assert.True(changed > 20 && changed < aps[true].Length / 10, $"{changed} of {aps[true].Length} APS pixels changed by the lights' flicker");
    }

    /// <summary>
    /// Share of the signed event rate's energy (ON minus OFF per 1-ms bin, mean removed) at <paramref name="hz"/> over
    /// <paramref name="exposure"/>, of the events in the box [x0, x1] × [y0, y1] (event px).
    /// </summary>
    private static double SignedRateShare(Drained d, TimeRangeUs exposure, double x0, double y0, double x1, double y1, double hz)
    {
        int bins = (int)(exposure.DurationUs / 1000);
        var rate = new double[bins];
        for (int i = 0; i < d.T.Count; i++)
        {
            if (!exposure.Contains(d.T[i]) || d.X[i] < x0 || d.X[i] > x1 || d.Y[i] < y0 || d.Y[i] > y1) continue;
            long b = (d.T[i] - exposure.StartUs) / 1000;
            if (b < bins) rate[b] += d.P[i] ? 1 : -1;
        }
        double mean = rate.Average(), energy = 0, re = 0, im = 0;
        for (int b = 0; b < bins; b++)
        {
            double v = rate[b] - mean, phase = 2 * Math.PI * hz * (b + 0.5) / 1000;
            energy += v * v;
            re += v * Math.Cos(phase);
            im -= v * Math.Sin(phase);
        }
        return energy > 0 ? 2 * (re * re + im * im) / (bins * energy) : 0;
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(60.0)]
    [InlineData(100.0)]
    [InlineData(120.0)]
    public void ASimulatedFlickerSwingsTheLightsSignedEventRateAtItsFrequency(double hz)
    {
        foreach (double? flicker in new double?[] { hz, null })
        {
            using var scene = NightScene.Uniform(320, 240, 280, 300);
            scene.AddPointLight(new PointLight(160, 120, 1.2, 3e5, 3e5, 3e5));
            string dir = TestPaths.NewTempDir();
            var result = HybridRigSimulator.Simulate(Rig(flicker), 5, dir, scene, (k, s, e) => MotionPath.Linear(s, e, 30, 0.4));
            var truth = result.Frames[0];
            var h = result.Homography;
            var d = Drained.FromFile(Path.Combine(dir, "events.aedat4"));
            // The light's box on the event sensor: its path's ends through the homography, 4 event px around.
            var ends = new[] { 0.0, 1.0 }.Select(tau => truth.Path.Apply(160, 120, tau)).Select(p => (U: h[0] * p.X + h[1] * p.Y + h[2], V: h[3] * p.X + h[4] * p.Y + h[5])).ToList();
            double x0 = ends.Min(e => e.U) - 4, y0 = ends.Min(e => e.V) - 4, x1 = ends.Max(e => e.U) + 4, y1 = ends.Max(e => e.V) + 4;
            double share = SignedRateShare(d, truth.Exposure, x0, y0, x1, y1, hz);
            double off = new[] { 0.7 * hz, 1.5 * hz }.Max(f => SignedRateShare(d, truth.Exposure, x0, y0, x1, y1, f));
            if (flicker == null)
                Assert.True(share < 0.3, $"steady light: share {share:F2} at {hz} Hz");
            else
            {
                Assert.True(share > 0.5 && share > 5 * off, $"light flickering at {hz} Hz: share {share:F2} there, {off:F2} at 0.7× and 1.5×");
                Assert.Contains($"The point lights flicker at {hz} Hz, depth 1", File.ReadAllText(Path.Combine(dir, "README.md")), StringComparison.Ordinal);
                // Flicker at 100 and 120 Hz is what the kernels look for (FlickerDetector).
                if (hz >= 100)
                    Assert.Equal(hz, FlickerDetector.Detect(new EventSlice([.. d.T], [.. d.X], [.. d.Y], [.. d.P]), (346, 260), x0, y0, x1, y1, truth.Exposure)?.FrequencyHz);
            }
        }
    }

    [Fact]
    public void FlickerOptionsOutsideTheirRangesOrDomainAreRefused()
    {
        Assert.Contains("1 .. 1000 Hz", Assert.Throws<ArgumentException>(() => Rig(0).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("1 .. 1000 Hz", Assert.Throws<ArgumentException>(() => Rig(double.NaN).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("depth must be 0 .. 1", Assert.Throws<ArgumentException>(() => (Rig(100) with { FlickerDepth = 1.5 }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("domain A", Assert.Throws<ArgumentException>(() => (SimulationPresets.Get("b-night") with { FlickerHz = 100 }).Validate()).Message, StringComparison.Ordinal);
        Rig(100).Validate();
    }
}
