using System.Diagnostics;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// Stop 32's bad-input trial: a zero-byte or non-image frame file passed the bundle check (inspect exit 0, "problems:
/// none"), failed in replay with "Empty span (Parameter 'span')" naming no file, and crashed <c>preview</c> (exit 3,
/// "internal error: !_img.empty()"); a FIFO in its place made <c>inspect</c> block for ever in open(2). Such a frame is
/// now a per-frame problem of the bundle check, never opened when it reads as 0 bytes; <c>preview</c> names the bundle's
/// problems and exits 1 as <c>inspect</c> does, and refuses a tone-mapping gain that is not a positive finite number.
/// </summary>
public partial class HardeningAuditTests
{
    [Fact]
    public void AnEmptyOrNonImageFrameFileIsAProblemOfTheBundleForInspectPreviewAndReplay()
    {
        string bundle = CopyOfSample();
        string frame = Path.Combine(bundle, "rgb", "000001.png");
        File.WriteAllBytes(frame, []);
        var inspect = Run("inspect", bundle);
        Assert.Equal(1, inspect.Code);
        Assert.Contains($"{frame}: frame 1: reads as 0 bytes (an empty file, or a FIFO or device, which is not opened), not an image", inspect.Out);

        var preview = Run("preview", bundle, "--frames", "all", "--out", NewOut());
        Assert.Equal(1, preview.Code);
        Assert.Contains($"problem: {frame}: frame 1: reads as 0 bytes", preview.Err);
        Assert.DoesNotContain("internal error", preview.Out + preview.Err);

        File.WriteAllText(frame, "not an image, just text\n");
        inspect = Run("inspect", bundle);
        Assert.Equal(1, inspect.Code);
        Assert.Contains($"{frame}: frame 1: not an image: neither a PNG nor a format OpenCV decodes", inspect.Out);
        var replay = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none");
        Assert.Equal(1, replay.Code);
        Assert.Contains("not an image: neither a PNG", replay.Err);
        // Since stop 34 the frame the bundle check left out has its own failed row (one row per frame of frames.csv).
        Assert.Contains("2 frames deblurred, 1 failed", replay.Out + replay.Err);
        Assert.DoesNotContain("Empty span", replay.Out + replay.Err);
    }

    [Fact]
    public void AFifoInPlaceOfAFrameIsReportedWithoutBeingOpened()
    {
        string bundle = CopyOfSample();
        string frame = Path.Combine(bundle, "rgb", "000001.png");
        File.Delete(frame);
        using (var mk = Process.Start(new ProcessStartInfo("mkfifo", [frame]))!) mk.WaitForExit();
        Assert.True(File.Exists(frame), "mkfifo made the FIFO");
        // Before: open(2) of the FIFO blocked until a writer came, and SIGTERM could not stop it.
        var inspect = CliTests.RunWithin(TimeSpan.FromSeconds(120), "inspect", bundle);
        Assert.Equal(1, inspect.Code);
        Assert.Contains($"{frame}: frame 1: reads as 0 bytes (an empty file, or a FIFO or device, which is not opened)", inspect.Out);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void PreviewRefusesAGainThatIsNotAPositiveFiniteNumber(string gain)
    {
        var r = Run("preview", CopyOfSample(), "--gain", gain, "--out", NewOut());
        Assert.Equal(2, r.Code);
        Assert.Contains($"--gain {gain.Replace("Infinity", "∞")}", r.Err.Replace("Infinity", "∞"));
        Assert.Contains("expected a linear multiplier above 0", r.Err);
    }

    [Fact]
    public void ReportOnARunKilledBeforeItWroteFramesParquetWarnsInsteadOfFailing()
    {
        // A replay killed by SIGKILL during its first frames leaves run.json saying "running" and no frames.parquet:
        // report used to stop with exit 2, "frames.parquet: missing", instead of its warning about an unfinished run.
        string outDir = NewOut();
        Assert.Equal(0, Run("replay", CopyOfSample(), "--out", outDir, "--deconvolver", "none").Code);
        File.Delete(Path.Combine(outDir, "frames.parquet"));
        // Killed after two frames: the third has no progress record.
        File.Delete(Path.Combine(outDir, ".progress", "000002.json"));
        string runJson = Path.Combine(outDir, "run.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson))!;
        json["status"] = "running";
        File.WriteAllText(runJson, json.ToJsonString());

        var report = Run("report", outDir);
        Assert.Equal(1, report.Code);
        // Stop 33: the frames it finished are read from their progress records (the table showed none).
        Assert.Contains("the run is 'running', not completed (2 frame(s) recorded)", report.Err);
        Assert.Matches(@"\| [^|]+ \| [^|]+ \| 2 \|", report.Out);
        Assert.DoesNotContain("missing", report.Err);

        // A run that says it completed but lost its table is still an error naming the file.
        json["status"] = "completed";
        File.WriteAllText(runJson, json.ToJsonString());
        report = Run("report", outDir);
        Assert.Equal(2, report.Code);
        Assert.Contains("frames.parquet: missing", report.Err);
    }

    [Fact]
    public void ContradictoryOrEmptyOutputOptionsAreRefusedBeforeAnythingIsMade()
    {
        // --resume with --force used to be refused only after OUT had been created (an empty folder left behind).
        string outDir = NewOut();
        var both = Run("replay", CopyOfSample(), "--out", outDir, "--deconvolver", "none", "--resume", "--force");
        Assert.Equal(2, both.Code);
        Assert.Contains("--resume and --force together", both.Err);
        Assert.False(Directory.Exists(outDir));

        // An empty --out named no option: "The value cannot be an empty string. (Parameter 'path')".
        var empty = Run("replay", CopyOfSample(), "--out", "", "--deconvolver", "none");
        Assert.Equal(2, empty.Code);
        Assert.Contains("--out is empty", empty.Err);
        Assert.DoesNotContain("Parameter", empty.Err);

        // bundle --out naming an existing file said "Could not find a part of the path '…/afile.txt/rgb'".
        var original = EventDeblur.Recording.RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string afile = Path.Combine(dir, "afile.txt");
        File.WriteAllText(afile, "mine");
        var bundle = Run("bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", ExposureCsv(dir, original), "--out", afile);
        Assert.Equal(2, bundle.Code);
        Assert.Contains($"--out {afile}: a file of that name exists", bundle.Err);
        Assert.Equal("mine", File.ReadAllText(afile));
    }

    [Fact]
    public void ReplayChecksTheEventFilesIndexAsInspectDoes()
    {
        // A damaged FileDataTable made inspect exit 1 while replay of the same bundle exited 0 listing no problem,
        // although replay promises "exit 1, as inspect".
        string bundle = CopyOfSample();
        string events = Path.Combine(bundle, "events.aedat4");
        byte[] bytes = File.ReadAllBytes(events);
        File.WriteAllBytes(events, bytes.AsSpan(0, bytes.Length - 60).ToArray());
        var inspect = Run("inspect", bundle);
        Assert.Equal(1, inspect.Code);
        Assert.Contains("FileDataTable is unreadable", inspect.Out);
        var replay = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none");
        Assert.Equal(1, replay.Code);
        Assert.Contains("FileDataTable is unreadable", replay.Err);
        Assert.Contains("3 frames deblurred, 0 failed", replay.Out + replay.Err);
    }

    [Fact]
    public void AFrameAfterTheEndOfATruncatedEventFileNamesTheDamageNotOnlyTheClock()
    {
        // A truncated event file failed its last frames with "check sync.clock_offset_us" alone; the truncation was
        // listed only after the run, as a problem of the input.
        string bundle = CopyOfSample();
        string events = Path.Combine(bundle, "events.aedat4");
        byte[] bytes = File.ReadAllBytes(events);
        File.WriteAllBytes(events, bytes.AsSpan(0, 1_500_000).ToArray());
        var replay = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none");
        Assert.Equal(1, replay.Code);
        Assert.Contains("index 2: failed (", replay.Out);
        Assert.Contains("but the event file is damaged and its events may stop early: ", replay.Out);
        Assert.Contains("(truncated)", replay.Out);
    }
}
