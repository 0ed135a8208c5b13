using EventDeblur.Recording;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// The findings stop 32's bad-input trial left open, each reproduced on a copy of the shipped sample as a child process:
/// a refused choice that did not name its option, a bundle with no frame that passed <c>inspect</c> (exit 0), a bundle
/// folder given to <c>report</c> and silently left out, JSON errors stating two different line numbers, a large but
/// valid translation refused as "singular", and <c>preview</c> stopping half-way (exit 2) at a malformed kernel file.
/// </summary>
public partial class HardeningAuditTests
{
    [Theory]
    [InlineData("replay", "--quality", "fast, balanced, best")]
    [InlineData("replay", "--deconvolver", "wiener, rl, hl")]
    [InlineData("replay", "--kernels", "events")]
    [InlineData("replay", "--device", "auto, cpu, cuda")]
    public void ARefusedChoiceNamesItsOptionAndTheChoices(string command, string option, string listed)
    {
        string output = NewOut();
        var r = Run(command, Sample, "--out", output, option, "junk");
        Expect(2, r);
        Assert.Contains($"{option} 'junk' is not one of: ", r.Err);
        Assert.Contains(listed, r.Err);
        Assert.DoesNotContain("Argument 'junk' not recognized", r.Err);
        Assert.False(Directory.Exists(output), "nothing is made for a refused command line");
    }

    [Fact]
    public void AChoiceOptionStillAcceptsItsValuesAndListsThemInHelp()
    {
        var help = Run("replay", "--help");
        Expect(0, help);
        Assert.Contains("--quality <balanced|best|fast>", help.Out);
        var convert = Run("convert", "--help");
        Assert.Contains("--compression <lz4|lz4-high|none|zstd|zstd-high>", convert.Out);
        var ok = Run("replay", Sample, "--out", NewOut(), "--deconvolver", "none", "--quality", "fast", "--kernels", "gt");
        Expect(0, ok);
    }

    [Fact]
    public void ABundleWithNoFrameIsAProblemForInspect()
    {
        string bundle = CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        File.WriteAllLines(csv, [File.ReadLines(csv).First()]);
        var r = Run("inspect", bundle);
        Expect(1, r);
        Assert.Contains("recording.json: no frame to deblur: rgb/frames.csv has no usable row", r.Out);

        // No 'rgb': the frames would be the event file's APS frames, and the sample's file holds none.
        string aps = CopyOfSample();
        EditManifest(aps, m => m.Remove("rgb"));
        r = Run("inspect", aps);
        Expect(1, r);
        Assert.Contains("no frame to deblur: 'rgb' is absent, so the frames are the event file's APS frames, and it holds none", r.Out);
        // The shipped sample still passes.
        Expect(0, Run("inspect", Sample));
    }

    [Fact]
    public void ReportRefusesAFolderThatHoldsNoRunInsteadOfLeavingItOut()
    {
        string run = NewOut();
        Expect(0, Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt"));
        Expect(0, Run("report", run));

        var withBundle = Run("report", run, Sample);
        Expect(2, withBundle);
        Assert.Contains($"{Sample}: a recording bundle (recording.json); report reads the output folders", withBundle.Err);

        string empty = TestPaths.NewTempDir();
        var withEmpty = Run("report", run, empty);
        Expect(2, withEmpty);
        Assert.Contains($"{empty}: no replay, eval or live output in it", withEmpty.Err);
    }

    [Fact]
    public void MalformedJsonStatesOneLineAndByte()
    {
        string bundle = CopyOfSample();
        string path = Path.Combine(bundle, "recording.json");
        // The sample's manifest is indented, one field per line: drop the comma after events.width (line 5).
        var lines = File.ReadAllLines(path);
        int at = Array.FindIndex(lines, l => l.Contains("\"width\": 346,"));
        Assert.True(at >= 0, "the sample states events.width 346");
        lines[at] = lines[at].Replace("346,", "346");
        File.WriteAllLines(path, lines);
        var r = Run("inspect", bundle);
        Expect(2, r);
        Assert.Contains($"recording.json: not valid JSON: line {at + 2}, byte 5: ", r.Err);
        Assert.DoesNotContain("LineNumber", r.Err);
        Assert.DoesNotContain("BytePositionInLine", r.Err);
    }

    [Fact]
    public void ALargeTranslationIsNotCalledSingularButParallelRowsAre()
    {
        RecordingManifest.CheckHomography([1, 0, 10000, 0, 1, -5000, 0, 0, 1], "h", "fix");
        RecordingManifest.CheckHomography([0.27, 0, 0, 0, 0.27, 0, 0, 0, 1], "h", "fix");
        var parallel = Assert.Throws<BundleException>(() => RecordingManifest.CheckHomography([1, 2, 3, 2, 4, 6, 0, 0, 1], "h", "fix"));
        Assert.Contains("h is singular or too badly scaled to invert", parallel.Message);
        var zeroRow = Assert.Throws<BundleException>(() => RecordingManifest.CheckHomography([1, 0, 0, 0, 0, 0, 0, 0, 1], "h", "fix"));
        Assert.Contains("is singular", zeroRow.Message);

        // Off the sensor altogether: inspect loads the bundle and says how much of the frame lands on the sensor.
        string bundle = CopyOfSample();
        EditManifest(bundle, m => m["calibration"]!["rgb_to_events_homography"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonArray(1, 0, 10000), new System.Text.Json.Nodes.JsonArray(0, 1, 0), new System.Text.Json.Nodes.JsonArray(0, 0, 1)));
        var r = Run("inspect", bundle);
        Expect(0, r);
        Assert.Contains("the calibration maps only 0 % of the RGB frame onto the 346×260 event sensor", r.Out);
    }

    [Fact]
    public void PreviewDrawsEverythingElseWhenAKernelFileIsMalformed()
    {
        string bundle = CopyOfSample();
        string kernel = Path.Combine(bundle, "gt", "kernels", "000000.csv");
        File.WriteAllText(kernel, "garbage,,x\n");
        string output = NewOut();
        var r = Run("preview", bundle, "--frames", "all", "--out", output);
        Expect(1, r);
        Assert.Contains($"problem: {kernel}: frame 0: ground-truth kernel not drawn: line 1: 3 value(s); expected tile_x0,tile_y0,tile_x1,tile_y1,size", r.Err);
        foreach (string stem in new[] { "000000", "000001", "000002" })
        {
            Assert.True(File.Exists(Path.Combine(output, stem + "-blurry.png")), stem);
            Assert.True(File.Exists(Path.Combine(output, stem + "-events.png")), stem);
        }
        Assert.False(File.Exists(Path.Combine(output, "000000-kernel.png")));
        Assert.True(File.Exists(Path.Combine(output, "000001-kernel.png")));

        File.WriteAllText(kernel, "");
        r = Run("preview", bundle, "--frame", "0", "--out", NewOut());
        Expect(1, r);
        Assert.Contains("ground-truth kernel not drawn: the file holds no kernel row", r.Err);
    }

    /// <summary>
    /// A workflow trial: <c>report</c> printed the table of a replay with a failed frame, and of an evaluation in which a
    /// method failed on every frame (the method simply missing from the table), with exit 0 and no word; only the HTML page
    /// warned. Now each is a WARNING on stderr naming the frames and why, and exit 1.
    /// </summary>
    [Fact]
    public void ReportWarnsAboutFailedFramesLeftOutOfTheTable()
    {
        string bundle = CopyOfSample();
        string kernel = Path.Combine(bundle, "gt", "kernels", "000001.csv");
        File.WriteAllText(kernel, "garbage,,x\n");
        string run = NewOut();
        Expect(1, Run("replay", bundle, "--out", run, "--kernels", "gt", "--deconvolver", "none"));
        var r = Run("report", run);
        Expect(1, r);
        Assert.Contains("| gt+none | 2 |", r.Out);
        Assert.Contains($"WARNING: {run}: 1 of 3 frame(s) failed and are left out of the table's means: index 1: {kernel}: line 1: 3 value(s)", r.Err);

        string eval = NewOut();
        Expect(1, Run("eval", bundle, "--out", eval, "--methods", "blurry,gt+wiener"));
        var e = Run("report", eval);
        Expect(1, e);
        Assert.Contains($"WARNING: gt+wiener on {Path.GetFileName(bundle)}: 1 of 3 frame(s) failed: left out of the table's means (indices 1;", e.Err);
    }

    /// <summary>
    /// A workflow trial: <c>eval</c> of a lab's own bundle (no ground truth) ran the <c>gt+*</c> methods — five of the nine
    /// defaults — and failed every one of their frames with an internal exception's name. Those pairs are now skipped with
    /// one line each, and the rest is evaluated.
    /// </summary>
    [Fact]
    public void EvalSkipsGroundTruthMethodsOnABundleWithoutGroundTruth()
    {
        string bundle = CopyOfSample();
        EditManifest(bundle, m => m.Remove("ground_truth"));
        string eval = NewOut();
        var r = Run("eval", bundle, "--out", eval, "--methods", "blurry,gt+wiener");
        Expect(0, r);
        Assert.Contains($"{Path.GetFileName(bundle)} gt+wiener: skipped: the bundle has no ground-truth kernels", r.Out + r.Err);
        Assert.DoesNotContain("InvalidOperationException", r.Out + r.Err);
        Assert.False(Directory.Exists(Path.Combine(eval, "runs", "gt+wiener")));
        Assert.True(Directory.Exists(Path.Combine(eval, "runs", "blurry")));
    }

    /// <summary>A workflow trial: a plain rerun into a run folder removed the earlier frames and kernels but left its preview pictures.</summary>
    [Fact]
    public void APlainRerunRemovesTheEarlierRunsPreviews()
    {
        string run = NewOut();
        Expect(0, Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt"));
        Assert.True(File.Exists(Path.Combine(run, "preview", "000002.jpg")));
        string stale = Path.Combine(run, "preview", "000007-compare.jpg");
        File.Copy(Path.Combine(run, "preview", "000002-compare.jpg"), stale);
        string mine = Path.Combine(run, "preview", "notes.txt");
        File.WriteAllText(mine, "a user's file");
        Expect(0, Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt"));
        Assert.False(File.Exists(stale), "the earlier run's picture of a frame this run does not have is gone");
        Assert.True(File.Exists(Path.Combine(run, "preview", "000002.jpg")));
        Assert.True(File.Exists(mine), "files not named like a run's outputs are left alone");
    }

    /// <summary>
    /// A workflow trial: <c>bundle</c> without <c>--homography</c> printed only "wrote …" (exit 0) where <c>inspect</c> of the
    /// same bundle notes that the identity maps a third of the frame onto the sensor; and it assumed sRGB levels without
    /// saying so, and took a clock offset that <c>--sync triggers</c> never uses. It now shows the pixel levels and the
    /// calibration as inspect does, with its notes and the next command, and refuses the unused offset.
    /// </summary>
    [Fact]
    public void BundleShowsItsLevelsAndCalibrationAndTheNextStep()
    {
        var original = EventDeblur.Recording.RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = ExposureCsv(dir, original);
        string target = Path.Combine(dir, "b");
        var r = Run("bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--clock-offset-us", "1234567", "--out", target);
        Expect(0, r);
        Assert.Contains("pixel values: encoding srgb, black 0, white 65535, saturation 65535 (the defaults: --encoding, --black, --white and --saturation state the camera's own)", r.Out);
        Assert.Contains("calibration: 1.000 event px per RGB px at the centre; 75 % of the RGB frame lands on the event sensor", r.Out);
        Assert.Contains($"next: 'eventdeblur calibrate {target} --write'", r.Out);

        // A homography that shifts most of the frame off the 346×260 sensor gets inspect's note, and stated levels are not called defaults.
        var off = Run("bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--clock-offset-us", "1234567",
            "--encoding", "linear", "--black", "1024", "--saturation", "65000", "--homography", "0.5,0,300,0,0.5,0,0,0,1", "--out", Path.Combine(dir, "off"));
        // A note is printed as one ("  note: …"), not as "problem: …: note: …" (stop 34).
        Assert.Matches(@"(?m)^  note: .*the calibration maps only", off.Out);
        Assert.DoesNotContain("problem:", off.Out);
        Assert.DoesNotContain("(the defaults:", off.Out);
        Assert.Contains("next: 'eventdeblur replay ", off.Out);

        var unused = Run("bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--sync", "triggers", "--clock-offset-us", "5", "--out", Path.Combine(dir, "t"));
        Expect(2, unused);
        Assert.Contains("--clock-offset-us 5 applies to --sync table only", unused.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "t")));
    }

    /// <summary>
    /// A workflow trial: the video <c>serve --video</c> writes could not be made back into a bundle with <c>--sync triggers</c>
    /// (every row "no trigger exposure matches"): it was written at a fixed 10 frames/s, so its timestamps were 0 / 100 /
    /// 200 ms for frames 250 ms apart. It now states the bundle's own rate, and the round trip pairs every frame.
    /// </summary>
    [Fact]
    public void AServedVideoBundlesBackWithTriggerSync()
    {
        var sample = EventDeblur.Recording.RecordingBundle.Load(Sample);
        Assert.Equal(4.0, EventDeblur.Live.RigVideo.FrameRate(sample), 6);
        string dir = TestPaths.NewTempDir(), video = Path.Combine(dir, "v.avi");
        Assert.Equal(3, EventDeblur.Live.RigVideo.Write(sample, video, Path.Combine(dir, "v.rig.json")));
        string h = string.Join(",", sample.Manifest.RgbToEventsHomography.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var r = Run("bundle", "--events", sample.EventsPath, "--rgb", video, "--sync", "triggers", "--encoding", "srgb", "--saturation", "254", "--homography", h, "--out", Path.Combine(dir, "b"));
        Expect(0, r);
        Assert.Contains("3 RGB frames (triggers sync), 3 with exposure windows on the event clock", r.Out);
    }

    /// <summary>
    /// A workflow trial: re-running <c>eval</c> into its folder with fewer methods or bundles wrote the results table anew
    /// from that call alone, silently dropping the others from <c>report</c>. It is now refused (exit 2, naming what would
    /// leave the table) unless the whole list is given again (done runs are reused) or <c>--force</c>.
    /// </summary>
    [Fact]
    public void ReRunningEvalWithFewerMethodsDoesNotSilentlyShrinkItsTable()
    {
        string eval = NewOut();
        Expect(0, Run("eval", Sample, "--out", eval, "--methods", "blurry,gt+wiener"));
        var fewer = Run("eval", Sample, "--out", eval, "--methods", "gt+wiener");
        Expect(2, fewer);
        Assert.Contains("results-shard-1-of-1.parquet also holds method(s) blurry, which this call does not list", fewer.Err);
        var report = Run("report", eval);
        Assert.Contains("| blurry |", report.Out);

        // The whole list again, plus one more method: the earlier pairs' runs are reused and the table keeps them.
        Expect(0, Run("eval", Sample, "--out", eval, "--methods", "blurry,gt+wiener,gt+rl"));
        report = Run("report", eval);
        foreach (string method in new[] { "| blurry |", "| gt+wiener |", "| gt+rl |" }) Assert.Contains(method, report.Out);

        Expect(0, Run("eval", Sample, "--out", eval, "--methods", "gt+wiener", "--force"));
        report = Run("report", eval);
        Assert.DoesNotContain("| blurry |", report.Out);
        Assert.Contains("| gt+wiener |", report.Out);
    }

    /// <summary>A workflow trial: <c>calibrate</c> without <c>--write</c> printed its estimate without saying that nothing was stored, or how to store it.</summary>
    [Fact]
    public void CalibrateSaysWhenItDidNotWriteTheEstimate()
    {
        string bundle = CopyOfSample();
        var r = Run("calibrate", bundle);
        Expect(0, r);
        Assert.Contains($"not written: run again with --write to store it in {Path.Combine(bundle, "recording.json")}", r.Out);
        var w = Run("calibrate", bundle, "--write");
        Expect(0, w);
        Assert.DoesNotContain("not written", w.Out);
        Assert.Contains("wrote the homography into", w.Out);
    }

    /// <summary>
    /// A workflow trial: <c>replay --deconvolver robust</c> printed 3–10 lines of the do-no-harm guard per frame, burying the
    /// progress lines. They are now printed with <c>--verbose</c>; the summary line counts the fallbacks either way.
    /// </summary>
    [Fact]
    public void TheGuardsLinesComeWithVerbose()
    {
        string bundle = CopyOfSample();
        // A long horizontal kernel for every frame, where the truth is short: the guard falls back.
        var weights = new double[15 * 15];
        for (int j = 0; j < 15; j++) weights[7 * 15 + j] = 1.0 / 15;
        string row = "0,0,400,300,15," + string.Join(",", weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        foreach (string f in Directory.GetFiles(Path.Combine(bundle, "gt", "kernels"), "*.csv")) File.WriteAllText(f, row + "\n");
        var quiet = Run("replay", bundle, "--out", NewOut(), "--kernels", "gt", "--deconvolver", "robust", "--quality", "fast");
        Expect(0, quiet);
        Assert.DoesNotContain("robust on a 400×300 plane", quiet.Out + quiet.Err);
        Assert.Matches(@"guard: fell back on [1-9][0-9]* of [0-9]+ tiles", quiet.Out);
        var verbose = Run("replay", bundle, "--out", NewOut(), "--kernels", "gt", "--deconvolver", "robust", "--quality", "fast", "--verbose");
        Expect(0, verbose);
        // Each line names its frame (stop 43: they named none, and came before the frame's kernel diagnostics).
        Assert.Contains("guard: index 0: robust on a 400×300 plane", verbose.Out + verbose.Err);
        Assert.All((verbose.Out + verbose.Err).Split('\n').Where(l => l.Contains(" on a 400×300 plane", StringComparison.Ordinal)),
            l => Assert.Matches(@"^guard: index [0-2]: robust on a 400×300 plane", l));
    }

    /// <summary>A workflow trial: a resumed replay counted its frames from 1 again ("frame 1/5 index 2" with two kept), while the total counted them all.</summary>
    [Fact]
    public void AResumedReplayCountsTheFramesItKeeps()
    {
        string run = NewOut();
        Expect(0, Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt"));
        // As if killed after the first frame: the last two have no progress record.
        File.Delete(Path.Combine(run, ".progress", "000001.json"));
        File.Delete(Path.Combine(run, ".progress", "000002.json"));
        var r = Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt", "--resume");
        Expect(0, r);
        Assert.Contains("frame 2/3 index 1: ok", r.Out);
        Assert.Contains("frame 3/3 index 2: ok", r.Out);
        Assert.Contains("(1 of them kept from the earlier run, 2 worked on now)", r.Out);
    }
}
