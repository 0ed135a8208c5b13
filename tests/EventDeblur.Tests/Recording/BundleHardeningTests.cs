using EventDeblur.IO;
using EventDeblur.Recording;
using OpenCvSharp;

namespace EventDeblur.Tests.Recording;

/// <summary>Reproducers of issue 15's bundle findings (items 6 and 9); each failed before its fix.</summary>
public class BundleHardeningTests
{
    private static void WritePng(string path, MatType type, Scalar value)
    {
        using var img = new Mat(8, 8, type, value);
        Cv2.ImWrite(path, img);
    }

    /// <summary>
    /// RECORDING_FORMAT.md: where the event file states its own size, the file wins and a mismatch is reported. Stop 48's
    /// contract audit: with events.width / height left out, the size read as 0×0 was reported as a mismatch, an error
    /// (exit 1 from inspect and replay).
    /// </summary>
    [Fact]
    public void AnEventSizeLeftOutOfTheManifestIsTheFilesWithoutAnError()
    {
        string dir = TestPaths.CopyOfSample();
        string path = Path.Combine(dir, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        var events = json["events"]!.AsObject();
        var (w, h) = ((int)events["width"]!, (int)events["height"]!);
        events.Remove("width");
        events.Remove("height");
        File.WriteAllText(path, json.ToJsonString());
        var b = RecordingBundle.Load(dir);
        Assert.DoesNotContain(b.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains(b.Problems, p => p.Message == $"events.width / events.height not given: the event file's {w}×{h} is used");
        Assert.Equal((w, h), b.EventSensorSize);
        // A size that is given and wrong is still an error.
        events["width"] = w + 1;
        events["height"] = h;
        File.WriteAllText(path, json.ToJsonString());
        Assert.Contains(RecordingBundle.Load(dir).Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("disagrees with the event file's"));
    }

    [Fact]
    public void EightBitAndRgbaFramesInASixteenBitBundleArePerFrameProblems()
    {
        string dir = BundleTests.MakeBundle();
        WritePng(Path.Combine(dir, "rgb", "000001.png"), MatType.CV_8UC3, new Scalar(10, 20, 30));
        WritePng(Path.Combine(dir, "rgb", "000002.png"), MatType.CV_16UC4, new Scalar(1000, 2000, 3000, 65535));

        var bundle = RecordingBundle.Load(dir);

        Assert.Equal([0L], bundle.Frames.Select(f => f.Index));
        Assert.Contains(bundle.Problems, p => p.ToString().Contains("000001.png", StringComparison.Ordinal) && p.ToString().Contains("8-bit", StringComparison.Ordinal) && p.ToString().Contains("expected 16-bit", StringComparison.Ordinal));
        Assert.Contains(bundle.Problems, p => p.ToString().Contains("000002.png", StringComparison.Ordinal) && p.ToString().Contains("alpha", StringComparison.Ordinal));
    }

    [Fact]
    public void GreyFrameInAColourBundleIsAPerFrameProblem()
    {
        string dir = BundleTests.MakeBundle();
        WritePng(Path.Combine(dir, "rgb", "000002.png"), MatType.CV_16UC1, new Scalar(1000));

        var bundle = RecordingBundle.Load(dir);

        Assert.Equal([0L, 1L], bundle.Frames.Select(f => f.Index));
        Assert.Contains(bundle.Problems, p => p.ToString().Contains("000002.png", StringComparison.Ordinal) && p.ToString().Contains("1-channel", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 1_100_000)] // only the last frame's exposure end (1 140 000 µs) overflows
    public void ClockOffsetThatOverflowsIsAManifestError(long offset)
    {
        string dir = BundleTests.MakeBundle(offset: offset);

        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));

        Assert.Contains("recording.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("clock_offset_us", e.Message, StringComparison.Ordinal);
        Assert.Contains("overflows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClockOffsetBeyondSixtyFourBitsIsAManifestError()
    {
        string dir = BundleTests.MakeBundle();
        string manifest = Path.Combine(dir, "recording.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"clock_offset_us\": 0", "\"clock_offset_us\": 9223372036854775808"));

        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));

        Assert.Contains("clock_offset_us", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LargeButSafeClockOffsetStillLoads()
    {
        string dir = BundleTests.MakeBundle(offset: long.MaxValue - 2_000_000);
        var bundle = RecordingBundle.Load(dir);
        Assert.Equal(3, bundle.Frames.Count);
    }

    private static string Outside(string name, string text)
    {
        string p = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void EventsFileLinkedOutsideTheBundleIsRefusedWithoutShowingItsBytes()
    {
        string dir = BundleTests.MakeBundle();
        string secret = Outside("passwd", "root:SECRET-LINE:0:0:root:/root:/bin/bash\n");
        File.Delete(Path.Combine(dir, "events.aedat4"));
        File.CreateSymbolicLink(Path.Combine(dir, "events.aedat4"), secret);

        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));

        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Contains("events.aedat4", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FrameLinkedOutsideTheBundleIsAPerFrameProblem()
    {
        string dir = BundleTests.MakeBundle();
        string foreign = Path.Combine(TestPaths.NewTempDir(), "foreign.png");
        WritePng(foreign, MatType.CV_16UC3, new Scalar(1, 2, 3));
        File.Delete(Path.Combine(dir, "rgb", "000001.png"));
        File.CreateSymbolicLink(Path.Combine(dir, "rgb", "000001.png"), foreign);

        var bundle = RecordingBundle.Load(dir);

        Assert.Equal([0L, 2L], bundle.Frames.Select(f => f.Index));
        Assert.Contains(bundle.Problems, p => p.ToString().Contains("000001.png", StringComparison.Ordinal) && p.ToString().Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public void RgbFolderLinkedOutsideTheBundleIsRefused()
    {
        string dir = BundleTests.MakeBundle();
        string foreign = Path.Combine(TestPaths.NewTempDir(), "rgb");
        Directory.Move(Path.Combine(dir, "rgb"), foreign);
        Directory.CreateSymbolicLink(Path.Combine(dir, "rgb"), foreign);

        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));

        Assert.Contains("rgb/frames.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LinksThatStayInsideTheBundleAreFollowed()
    {
        string dir = BundleTests.MakeBundle();
        Directory.Move(Path.Combine(dir, "rgb"), Path.Combine(dir, "rgb-real"));
        Directory.CreateSymbolicLink(Path.Combine(dir, "rgb"), "rgb-real");
        File.Move(Path.Combine(dir, "events.aedat4"), Path.Combine(dir, "events-real.aedat4"));
        File.CreateSymbolicLink(Path.Combine(dir, "events.aedat4"), Path.Combine(dir, "events-real.aedat4"));

        var bundle = RecordingBundle.Load(dir);

        Assert.Equal(3, bundle.Frames.Count);
        Assert.Empty(bundle.Problems);
    }

    // Found by scripts/fuzz.sh (bundle target): a NUL in a frames.csv file name threw ArgumentException from Path.GetFullPath.
    [Fact]
    public void ControlCharacterInAFrameFileNameIsARowProblem()
    {
        string dir = BundleTests.MakeBundle();
        File.WriteAllLines(Path.Combine(dir, "rgb", "frames.csv"),
            [FrameTable.Header, "0,000000.png,1000000,1040000", "1,000\0\u0001.png,1100000,1140000", "2,000002.png,1200000,1240000"]);

        var bundle = RecordingBundle.Load(dir);

        Assert.Equal([0L, 2L], bundle.Frames.Select(f => f.Index));
        var problem = Assert.Single(bundle.Problems);
        Assert.Equal(ProblemLocation.AtLine(3), problem.Location);
        string p = problem.ToString();
        Assert.Contains("line 3", p, StringComparison.Ordinal);
        Assert.Contains("control character", p, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', p);
    }

    [Fact]
    public void ControlCharacterInTheEventsFileNameIsAManifestError()
    {
        string dir = BundleTests.MakeBundle();
        string manifest = Path.Combine(dir, "recording.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"file\": \"events.aedat4\"", "\"file\": \"events\\u0000.aedat4\""));

        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));

        Assert.Contains("events?.aedat4", e.Message, StringComparison.Ordinal);
    }

    // Found by scripts/fuzz.sh (bundle target): a manifest whose top level (or a section) is not an
    // object threw InvalidOperationException from System.Text.Json.
    [Theory]
    [InlineData("42", "top level")]
    [InlineData("[1, 2]", "top level")]
    [InlineData("{\"format\": \"eventdeblur-recording/1\", \"events\": {\"file\": \"events.aedat4\"}, \"sync\": 7}", "'sync'")]
    [InlineData("{\"format\": \"eventdeblur-recording/1\", \"events\": {\"file\": \"events.aedat4\"}, \"rgb\": \"x\"}", "'rgb'")]
    [InlineData("{\"format\": \"eventdeblur-recording/1\", \"events\": {\"file\": \"events.aedat4\"}, \"calibration\": [1]}", "'calibration'")]
    public void ManifestPartsThatAreNotObjectsAreManifestErrors(string json, string where)
    {
        string dir = BundleTests.MakeBundle();
        File.WriteAllText(Path.Combine(dir, "recording.json"), json);

        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));

        Assert.Contains("recording.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
    }
}
