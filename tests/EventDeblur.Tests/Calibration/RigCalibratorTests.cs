using EventDeblur.Calibration;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Recording;
using EventDeblur.Simulation;

namespace EventDeblur.Tests.Calibration;

/// <summary>
/// The homography estimated from a simulated rig's own frames and events, against the true one the simulator wrote.
/// Measure: the mean distance, in event pixels, between the two maps' images of a 32 × 24 grid spanning the RGB frame
/// (points the true map puts on the event sensor), <see cref="HomographyGrid.MeanDistanceEventPx"/>.
/// </summary>
public class RigCalibratorTests
{
    private static (RecordingBundle Bundle, Homography Truth) Simulate(string preset, int seed, int frames, int width = 640, int height = 480)
    {
        string dir = TestPaths.NewTempDir();
        var result = HybridRigSimulator.Simulate(SimulationPresets.Get(preset) with { Frames = frames, RgbWidth = width, RgbHeight = height }, seed, dir);
        return (RecordingBundle.Load(dir), Homography.FromRowMajor(result.Homography));
    }

    private static double MappingError(RecordingBundle bundle, Homography estimate, Homography truth) =>
        HomographyGrid.MeanDistanceEventPx(estimate, truth, bundle.Manifest.Rgb!.Width, bundle.Manifest.Rgb.Height, bundle.EventSensorSize.Width, bundle.EventSensorSize.Height);

    [Fact]
    public void RecoversTheSimulatedNightRigWithinAThirdOfAnEventPixel()
    {
        // Measured when written: 0.232 event px (residual 0.171, 4 of 4 frames).
        var (bundle, truth) = Simulate("night", 5, 4);
        var result = RigCalibrator.Estimate(bundle);
        double error = MappingError(bundle, result.RgbToEvents, truth);
        Assert.True(error <= 0.3, $"mean mapping error {error:F3} event px > 0.3 (residual {result.ResidualEventPx:F3})");
        Assert.Equal(4, result.FramesUsed);
        Assert.InRange(result.ResidualEventPx, 0, 1.0);
        Assert.InRange(result.Confidence, 0.2, 1.0);
    }

    [Fact]
    public void RecoversTheDomainBRigWithinItsMeasuredBound()
    {
        // Domain B (a third of the RGB resolution, 30 Hz photoreceptor cut-off) is harder: measured 0.684 event px on
        // this bundle when written — above the 0.3 (open); this bound keeps it from getting worse and the
        // coarse search (scale 0.33, not the DAVIS rig's 0.47) from failing.
        var (bundle, truth) = Simulate("b-night", 5, 4);
        var result = RigCalibrator.Estimate(bundle);
        double error = MappingError(bundle, result.RgbToEvents, truth);
        Assert.True(error <= 0.8, $"mean mapping error {error:F3} event px > 0.8 (residual {result.ResidualEventPx:F3})");
    }

    /// <summary>
    /// A beam-splitter rig: one camera sees the scene mirrored (stop 44's trial: refused as "ambiguous", the search held
    /// rotations only). The night rig with every RGB frame flipped left to right: the mirrored search finds it, and the
    /// homography is the true one composed with the flip.
    /// </summary>
    [Fact]
    public void RecoversAMirroredRig()
    {
        var (bundle, truth) = Simulate("night", 5, 4);
        int w = bundle.Manifest.Rgb!.Width;
        foreach (var file in Directory.GetFiles(Path.Combine(bundle.Root, "rgb"), "*.png"))
        {
            using var img = OpenCvSharp.Cv2.ImRead(file, OpenCvSharp.ImreadModes.Unchanged);
            using var flipped = new OpenCvSharp.Mat();
            OpenCvSharp.Cv2.Flip(img, flipped, OpenCvSharp.FlipMode.Y);
            OpenCvSharp.Cv2.ImWrite(file, flipped);
        }
        var t = truth.ToRowMajor();
        // RGB x' of the flipped frame is x = (w − 1) − x' of the one the truth maps: truth · [−1 0 w−1; 0 1 0; 0 0 1].
        var mirroredTruth = Homography.FromRowMajor([-t[0], t[1], t[0] * (w - 1) + t[2], -t[3], t[4], t[3] * (w - 1) + t[5], -t[6], t[7], t[6] * (w - 1) + t[8]]);
        var lines = new List<string>();
        var result = RigCalibrator.Estimate(RecordingBundle.Load(bundle.Root), log: lines.Add);
        Assert.True(result.Mirrored, string.Join("\n", lines));
        double error = MappingError(bundle, result.RgbToEvents, mirroredTruth);
        Assert.True(error <= 0.3, $"mean mapping error {error:F3} event px > 0.3 (residual {result.ResidualEventPx:F3})");
        Assert.Contains(lines, l => l.StartsWith("mirrored: fine:", StringComparison.Ordinal));
    }

    [Fact]
    public void EventsReplacedByNoiseAreRefused()
    {
        var (bundle, _) = Simulate("night", 6, 3, 320, 240);
        // Same count, time range and sensor, but uniformly random pixels: nothing of the scene left in the events.
        var t = new List<long>();
        using (var r = AedatReader.Open(bundle.EventsPath))
            while (r.TryRead(out var p))
                if (p is EventsPacket ep)
                    using (var b = ep.Events)
                        t.AddRange(b.Timestamps.ToArray());
        var rng = new Random(1);
        var (w, h) = bundle.EventSensorSize;
        using (var writer = Aedat4Writer.Create(bundle.EventsPath, new Aedat4WriterOptions { Width = w, Height = h }))
        {
            writer.WriteEvents(t.ToArray(), t.Select(_ => (short)rng.Next(w)).ToArray(), t.Select(_ => (short)rng.Next(h)).ToArray(), t.Select(_ => rng.Next(2) == 1).ToArray());
            writer.Complete();
        }
        var e = Assert.Throws<CalibrationRefusedException>(() => RigCalibrator.Estimate(RecordingBundle.Load(bundle.Root)));
        Assert.Contains(bundle.Root, e.Message);
        Assert.Matches("ambiguous|disagree|aligned", e.Message);
    }

    [Fact]
    public void TooFewFramesAreRefusedWithTheCount()
    {
        var (bundle, _) = Simulate("night", 7, 2, 160, 120);
        var e = Assert.Throws<CalibrationRefusedException>(() => RigCalibrator.Estimate(bundle));
        Assert.Contains("2 frame(s) with an exposure window", e.Message);
        Assert.Contains("at least 3", e.Message);
    }

    [Fact]
    public void GridDistanceOfAShiftIsTheShift()
    {
        var a = Homography.FromRowMajor([0.5, 0, 10, 0, 0.5, 5, 0, 0, 1]);
        var b = Homography.FromRowMajor([0.5, 0, 10.3, 0, 0.5, 5.4, 0, 0, 1]);
        Assert.Equal(0.5, HomographyGrid.MeanDistanceEventPx(b, a, 640, 480, 346, 260), 9);
        Assert.Equal(0.0, HomographyGrid.MeanDistanceEventPx(a, a, 640, 480, 346, 260), 12);
        // Only points on the sensor count: a map that puts the whole frame off the sensor has none.
        var off = Homography.FromRowMajor([0.5, 0, 1000, 0, 0.5, 0, 0, 0, 1]);
        Assert.True(double.IsNaN(HomographyGrid.MeanDistanceEventPx(a, off, 640, 480, 346, 260)));
    }

    [Fact]
    public void WritingKeepsTheRestOfTheManifest()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "recording.json");
        File.WriteAllText(path, """
            {"format":"eventdeblur-recording/1","events":{"file":"events.aedat4","width":346,"height":260,"camera":"DAVIS346"},
             "rgb":{"frames":"rgb/frames.csv","width":640,"height":480,"encoding":"srgb","black_level":0,"white_level":255,"saturation_level":250},
             "sync":{"source":"table","clock_offset_us":42},
             "calibration":{"rgb_to_events_homography":[[1,0,0],[0,1,0],[0,0,1]]}}
            """);
        CalibrationWriter.Write(path, Homography.FromRowMajor([0.96, 0.02, 160, -0.02, 0.96, 104, 0, 0, 2]));
        var m = RecordingManifest.Parse(File.ReadAllText(path), path);
        Assert.Equal([0.48, 0.01, 80, -0.01, 0.48, 52, 0, 0, 1], m.RgbToEventsHomography);
        Assert.Equal(42, m.Sync.ClockOffsetUs);
        Assert.Equal(250, m.Rgb!.SaturationLevel);
        Assert.Equal("DAVIS346", m.Events.Camera);
        Assert.Equal([path], Directory.GetFiles(dir)); // no temporary file left behind
    }
}
