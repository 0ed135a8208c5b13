using EventDeblur.IO;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.Tests.Formats.Aedat;

namespace EventDeblur.Tests.Recording;

public class BundleTests
{
    internal static string MakeBundle(string sync = "table", long offset = 0, IEnumerable<TriggerEvent>? triggers = null,
        string? manifestOverride = null, string[]? csvRows = null, bool writeImages = true)
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(2000, 1, frames: 0, triggers: 0, imu: 0);
        using (var w = Aedat4Writer.Create(Path.Combine(dir, "events.aedat4"), new Aedat4WriterOptions { Width = 346, Height = 260 }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            if (triggers != null) w.WriteTriggers(triggers.ToArray());
            w.Complete();
        }
        Directory.CreateDirectory(Path.Combine(dir, "rgb"));
        csvRows ??= ["0,000000.png,1000000,1040000", "1,000001.png,1100000,1140000", "2,000002.png,1200000,1240000"];
        File.WriteAllLines(Path.Combine(dir, "rgb", "frames.csv"), [FrameTable.Header, .. csvRows]);
        if (writeImages)
        {
            foreach (var row in csvRows)
            {
                string name = row.Split(',')[1];
                using var img = new OpenCvSharp.Mat(8, 8, OpenCvSharp.MatType.CV_16UC3, new OpenCvSharp.Scalar(1000, 2000, 3000));
                OpenCvSharp.Cv2.ImWrite(Path.Combine(dir, "rgb", name), img);
            }
        }
        File.WriteAllText(Path.Combine(dir, "recording.json"), manifestOverride ?? $$"""
        {
          "format": "eventdeblur-recording/1",
          "events": { "file": "events.aedat4", "width": 346, "height": 260, "camera": "DAVIS346" },
          "rgb": { "frames": "rgb/frames.csv", "width": 8, "height": 8, "encoding": "linear",
                   "black_level": 0.0, "white_level": 65535.0, "saturation_level": 65000.0 },
          "sync": { "source": "{{sync}}", "clock_offset_us": {{offset}} },
          "calibration": { "rgb_to_events_homography": [[0.27,0,0],[0,0.27,0],[0,0,1]] }
        }
        """);
        return dir;
    }

    [Fact]
    public void TableSyncAddsTheClockOffset()
    {
        var b = RecordingBundle.Load(MakeBundle(offset: 500));
        Assert.Empty(b.Problems);
        Assert.Equal((346, 260), b.EventSensorSize);
        Assert.Equal(0.27, b.Manifest.RgbToEventsHomography[0]);
        var m = b.ResolveExposures();
        Assert.Empty(m.Problems);
        Assert.Equal([new TimeRangeUs(1000500, 1040500), new TimeRangeUs(1100500, 1140500), new TimeRangeUs(1200500, 1240500)], m.Windows.Select(w => w.Exposure!.Value));
    }

    /// <summary>
    /// A recording.json with a comment or a trailing comma is read, with a note (stop 42: accepted in silence, though a
    /// strict JSON reader — another tool reading the bundle — refuses it).
    /// </summary>
    [Fact]
    public void AManifestThatIsNotStrictJsonIsReadWithANote()
    {
        string dir = MakeBundle();
        string path = Path.Combine(dir, "recording.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"camera\": \"DAVIS346\" },", "\"camera\": \"DAVIS346\", }, // the DAVIS"));
        var b = RecordingBundle.Load(dir);
        var note = Assert.Single(b.Problems);
        Assert.Equal(ProblemSeverity.Note, note.Severity);
        Assert.Contains("not strict JSON (line 3, byte ", note.Message);
        Assert.Contains("a strict JSON reader (another tool reading RECORDING_FORMAT.md bundles) refuses it", note.Message);
        Assert.Empty(RecordingBundle.Load(MakeBundle()).Problems);
    }

    /// <summary>Ground truth for a frame the RGB table does not list gets a note (stop 42: a dropped RGB row went unsaid).</summary>
    [Fact]
    public void GroundTruthForAFrameTheRgbTableDoesNotListIsNoted()
    {
        string sample = Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), dir = TestPaths.NewTempDir();
        foreach (string f in Directory.GetFiles(sample, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(dir, Path.GetRelativePath(sample, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
        Assert.DoesNotContain(RecordingBundle.Load(dir).Problems, p => p.Message.Contains("ground truth for frame"));
        string csv = Path.Combine(dir, "rgb", "frames.csv");
        File.WriteAllLines(csv, File.ReadAllLines(csv).Where(l => !l.StartsWith("1,", StringComparison.Ordinal)));
        var note = Assert.Single(RecordingBundle.Load(dir).Problems, p => p.Message.Contains("ground truth for frame"));
        Assert.Equal(ProblemSeverity.Note, note.Severity);
        Assert.Equal("ground truth for frame 1, which has no accepted row in rgb/frames.csv (a row missing, or rejected above?): not used", note.Message);
    }

    [Fact]
    public void TriggerSyncPairsRowsWithEdgesAndFindsADroppedFrame()
    {
        // Four exposures on the event clock (period 100 ms); frames.csv (RGB clock) lacks the second one.
        var triggers = new List<TriggerEvent>();
        for (int k = 0; k < 4; k++)
        {
            triggers.Add(new TriggerEvent(5_000_000 + k * 100_000, TriggerType.ExternalSignalRisingEdge));
            triggers.Add(new TriggerEvent(5_000_000 + k * 100_000 + 40_000, TriggerType.ExternalSignalFallingEdge));
            triggers.Add(new TriggerEvent(5_000_000 + k * 100_000 + 1, TriggerType.ApsExposureStart)); // never an RGB exposure
        }
        string dir = MakeBundle("triggers", triggers: triggers, csvRows: ["10,a.png,1000,41000", "12,b.png,201000,241000", "13,c.png,301000,341000"]);
        var m = RecordingBundle.Load(dir).ResolveExposures();
        Assert.Equal(new TimeRangeUs(5_000_000, 5_040_000), m.Windows[0].Exposure);
        Assert.Equal(new TimeRangeUs(5_200_000, 5_240_000), m.Windows[1].Exposure);
        Assert.Equal(new TimeRangeUs(5_300_000, 5_340_000), m.Windows[2].Exposure);
        Assert.Single(m.Problems);
        Assert.Contains("[5100000, 5140000)", m.Problems[0].ToString());
    }

    [Fact]
    public void RowWithoutExposureIsReportedNotMispaired()
    {
        var exposures = new[] { new TimeRangeUs(0, 10), new TimeRangeUs(100, 110) };
        var rows = new[] { new FrameRow(0, "a", 0, 10), new FrameRow(1, "b", 50, 60), new FrameRow(2, "c", 100, 110) };
        var m = EventDeblur.Sync.TriggerMatcher.MatchExposures(rows, exposures);
        Assert.Equal(exposures[0], m.Windows[0].Exposure);
        Assert.Null(m.Windows[1].Exposure);
        Assert.Equal(exposures[1], m.Windows[2].Exposure);
        Assert.Contains(m.Problems, p => p.ToString().StartsWith("frame 1:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../outside.aedat4", "escapes the bundle")]
    [InlineData("/etc/passwd", "must be relative")]
    public void PathsThatEscapeTheBundleAreErrors(string file, string message)
    {
        string manifest = $$"""{ "format": "eventdeblur-recording/1", "events": { "file": "{{file}}", "width": 346, "height": 260 } }""";
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(MakeBundle(manifestOverride: manifest)));
        Assert.Contains(message, e.Message);
        Assert.Contains("recording.json", e.Message);
    }

    [Fact]
    public void WrongFormatTagAndBadJsonAreErrorsNamingTheFile()
    {
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(MakeBundle(manifestOverride: """{ "format": "other/2" }""")));
        Assert.Contains("expected 'eventdeblur-recording/1'", e.Message);
        var j = Assert.Throws<BundleException>(() => RecordingBundle.Load(MakeBundle(manifestOverride: "{ \"format\": ")));
        Assert.Contains("not valid JSON", j.Message);
    }

    [Fact]
    public void BadRowsAndMissingFramesAreReportedWithLineNumbers()
    {
        string dir = MakeBundle(csvRows: ["0,000000.png,1000,2000", "0,dup.png,3000,4000", "2,bad.png,5000,4000", "3,x.png,abc,1", "4,../../e.png,1,2", "5,000005.png,7000,8000"], writeImages: false);
        var b = RecordingBundle.Load(dir);
        Assert.Equal(new long[] { 0, 5 }, b.Frames.Select(f => f.Index));
        Assert.Contains(b.Problems, p => p.ToString().Contains("line 3") && p.ToString().Contains("greater than the previous"));
        Assert.Contains(b.Problems, p => p.ToString().Contains("line 4") && p.ToString().Contains("must exceed"));
        Assert.Contains(b.Problems, p => p.ToString().Contains("line 5") && p.ToString().Contains("integer times"));
        Assert.Contains(b.Problems, p => p.ToString().Contains("line 6") && p.ToString().Contains("escapes the bundle"));
        Assert.Contains(b.Problems, p => p.ToString().Contains("line 2") && p.ToString().Contains("missing"));
    }

    [Fact]
    public void EventFileSizeWinsOverTheManifest()
    {
        string manifest = """{ "format": "eventdeblur-recording/1", "events": { "file": "events.aedat4", "width": 640, "height": 480 }, "rgb": { "frames": "rgb/frames.csv", "width": 8, "height": 8 } }""";
        var b = RecordingBundle.Load(MakeBundle(manifestOverride: manifest));
        Assert.Equal((346, 260), b.EventSensorSize);
        Assert.Contains(b.Problems, p => p.ToString().Contains("the file wins"));
    }

    [SkippableFact]
    public void ApsBundleTakesExposuresFromTheFramesInTheEventFile()
    {
        TestPaths.RequireShared();
        string dir = TestPaths.NewTempDir();
        File.Copy(Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4"), Path.Combine(dir, "events.aedat4"));
        File.WriteAllText(Path.Combine(dir, "recording.json"), """{ "format": "eventdeblur-recording/1", "events": { "file": "events.aedat4", "width": 346, "height": 260 }, "aps": { "first_index": 15 } }""");
        var b = RecordingBundle.Load(dir);
        Assert.True(b.IsApsBundle);
        var m = b.ResolveExposures();
        Assert.Equal(new long[] { 15, 16, 17 }, m.Windows.Select(w => w.Index));
        Assert.Equal(new TimeRangeUs(1633953690976518, 1633953690981291), m.Windows[0].Exposure);
    }

    [Fact]
    public void EncodingsRoundTrip()
    {
        foreach (var name in new[] { "linear", "srgb", "gamma:2.2" })
        {
            var e = PixelEncoding.Parse(name);
            foreach (double v in new[] { 0.0, 0.001, 0.2, 0.5, 1.0 })
                Assert.Equal(v, e.ToLinear(e.FromLinear(v)), 12);
        }
        Assert.Throws<FormatException>(() => PixelEncoding.Parse("gamma:-1"));
    }
}
