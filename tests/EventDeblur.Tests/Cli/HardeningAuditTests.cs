using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// Defects found by the hostile / new-user audit of the CLI (issue 15, second pass), each reproduced on a copy of the
/// shipped <c>recordings/sample-night</c> (3 frames, 400×300) as a child process: what the user sees (exit code, the
/// message naming file and what was expected) and what is left on disk.
/// </summary>
public partial class HardeningAuditTests
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static string Sample => Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var r = CliTests.RunWithin(TimeSpan.FromSeconds(120), args);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Unhandled exception", r.Err);
        Assert.DoesNotContain("internal error", r.Err);
        return r;
    }

    private static void Expect(int expected, (int Code, string Out, string Err) r) =>
        Assert.True(r.Code == expected, $"exit {r.Code}, expected {expected}; stdout: {r.Out}; stderr: {r.Err}");

    private static string CopyOfSample() => TestPaths.CopyOfSample();

    private static void EditManifest(string bundle, Action<JsonObject> edit)
    {
        string path = Path.Combine(bundle, "recording.json");
        var m = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(m);
        File.WriteAllText(path, m.ToJsonString());
    }

    private static string NewOut() => Path.Combine(TestPaths.NewTempDir(), "out");

    /// <summary>Writes <c>DIR/times.csv</c>, the exposure CSV of <paramref name="bundle"/>'s frames as <c>bundle --exposure-csv</c> reads it, and returns its path.</summary>
    private static string ExposureCsv(string dir, EventDeblur.Recording.RecordingBundle bundle)
    {
        string csv = Path.Combine(dir, "times.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", .. bundle.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        return csv;
    }

    /// <summary>
    /// A forgotten clock offset (0 instead of the sample's 1 234 567 µs) puts every exposure 0.7–1.2 s before the first
    /// event. Before: inspect exit 0 ("problems: none"); replay wrote every frame "ok" with 0 events, the output equal to
    /// the blurry input, exit 0. Now: inspect names each frame and the offset (exit 1); replay with kernels from events
    /// fails those frames and leaves no frame file (exit 1); with ground-truth kernels the frames still deblur.
    /// </summary>
    [Fact]
    public void ExposuresOutsideTheEventsAreAProblemNotASilentNoOp()
    {
        string bundle = CopyOfSample();
        EditManifest(bundle, m => m["sync"]!["clock_offset_us"] = 0);

        var inspect = Run("inspect", bundle);
        Expect(1, inspect);
        for (int i = 0; i < 3; i++) Assert.Contains($"frame {i}: exposure", inspect.Out);
        Assert.Contains("before the first event (at 1699999999990017 µs)", inspect.Out);
        Assert.Contains("sync.clock_offset_us", inspect.Out);

        string outDir = NewOut();
        var replay = Run("replay", bundle, "--out", outDir, "--deconvolver", "none");
        Expect(1, replay);
        Assert.Contains("0 frames deblurred, 3 failed", replay.Out);
        Assert.Contains("sync.clock_offset_us", replay.Out);
        Assert.Contains("no frame was deblurred", replay.Out);
        Assert.Empty(Directory.GetFiles(Path.Combine(outDir, "frames")));

        var gt = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none", "--kernels", "gt");
        Expect(0, gt);
        Assert.Contains("3 frames deblurred, 0 failed", gt.Out);

        // An absurd offset (−2^63 µs: no overflow in the sum, but the gap to the first event overflows a long) is
        // reported with a positive gap of ≈ 9.2e12 s.
        string absurd = CopyOfSample();
        EditManifest(absurd, m => m["sync"]!["clock_offset_us"] = long.MinValue);
        var far = Run("inspect", absurd);
        Expect(1, far);
        Assert.Contains("frame 0: exposure [-9221672036856010375, -9221672036855902575) µs on the event clock ends 9223372036855.8", far.Out);
        Assert.DoesNotContain(" ends -", far.Out);

        // The shipped sample itself stays clean.
        Expect(0, Run("inspect", Sample));

        // bundle checks as inspect does: the same mistake made on its command line (before: exit 0).
        string expo = Path.Combine(TestPaths.NewTempDir(), "exposures.csv");
        File.WriteAllLines(expo, ["exposure_start_us,exposure_end_us", .. File.ReadAllLines(Path.Combine(Sample, "rgb", "frames.csv")).Skip(1).Select(l => string.Join(',', l.Split(',')[2..]))]);
        string[] make = ["bundle", "--events", Path.Combine(Sample, "events.aedat4"), "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", expo];
        var wrong = Run([.. make, "--clock-offset-us", "0", "--out", NewOut()]);
        Expect(1, wrong);
        Assert.Contains("frame 2: exposure", wrong.Out);
        Assert.Contains("before the first event", wrong.Out);
        Expect(0, Run([.. make, "--clock-offset-us", "1234567", "--out", NewOut()]));
    }

    /// <summary>
    /// A singular homography (all zeros) was accepted by inspect (exit 0); replay then failed every frame with
    /// "homography is singular". Now the manifest is refused where it is read (exit 2, the field and what is expected).
    /// </summary>
    [Fact]
    public void ASingularHomographyIsRefusedWhenTheManifestIsRead()
    {
        string bundle = CopyOfSample();
        EditManifest(bundle, m => m["calibration"]!["rgb_to_events_homography"] = new JsonArray(new JsonArray(0, 0, 0), new JsonArray(0, 0, 0), new JsonArray(0, 0, 0)));
        var inspect = Run("inspect", bundle);
        Expect(2, inspect);
        Assert.Contains("recording.json: calibration.rgb_to_events_homography is singular", inspect.Err);
        string outDir = NewOut();
        var replay = Run("replay", bundle, "--out", outDir, "--deconvolver", "none");
        Expect(2, replay);
        Assert.Contains("singular", replay.Err);
        Assert.False(File.Exists(Path.Combine(outDir, "run.json")));
    }

    /// <summary>
    /// When the first frame fails (here: a bit flipped in its pixel data, which the chunk check finds when the frame is
    /// decoded; a file that is no image at all is left out by the bundle check since stop 32), <c>preview/</c> does not exist yet, and removing the
    /// frame's earlier outputs used to add "(and its earlier outputs cannot be removed: Could not find a part of the
    /// path …/preview/000000.jpg)" to the frame's error: a missing folder is nothing to remove.
    /// </summary>
    [Fact]
    public void AFailedFirstFrameIsReportedWithoutASpuriousCleanupError()
    {
        string bundle = CopyOfSample();
        string frame = Path.Combine(bundle, "rgb", "000000.png");
        byte[] png = File.ReadAllBytes(frame);
        png[FirstIdat(png) + 8 + 200] ^= 0xFF;
        File.WriteAllBytes(frame, png);
        string outDir = NewOut();
        var replay = Run("replay", bundle, "--out", outDir, "--deconvolver", "none");
        Expect(1, replay);
        Assert.Contains("index 0: failed (", replay.Out);
        Assert.Contains("000000.png: byte ", replay.Out);
        Assert.Contains("chunk IDAT", replay.Out);
        Assert.DoesNotContain("cannot be removed", replay.Out);
        Assert.Contains("2 frames deblurred, 1 failed", replay.Out);
    }

    /// <summary>
    /// <c>--event-latency-us</c> beyond the estimator's ±10 s ended replay as an internal error (exit 3, "details: LOG");
    /// it is a bad option value: exit 2 naming the option and its range, nothing written.
    /// </summary>
    [Fact]
    public void AnOutOfRangeEventLatencyIsABadOptionValue()
    {
        string outDir = NewOut();
        var r = Run("replay", Sample, "--out", outDir, "--deconvolver", "none", "--event-latency-us", "9223372036854775807");
        Expect(2, r);
        Assert.Contains("--event-latency-us 9223372036854775807: expected -10000000..10000000", r.Err);
        Assert.False(Directory.Exists(outDir));
        var live = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", "x.avi", "--rig", "x.json",
            "--out", NewOut(), "--event-latency-us", "-20000000");
        Expect(2, live);
        Assert.Contains("--event-latency-us -20000000", live.Err);
    }

    /// <summary>
    /// A truncated PNG and a PNG of the wrong size passed inspect (exit 0, "problems: none") and failed only in replay.
    /// Now both are found from the file's header and tail: inspect and replay report the file, what was expected and
    /// found, and exit 1; replay deblurs the other frames.
    /// </summary>
    [Fact]
    public void TruncatedAndWrongSizeFramesAreFoundByInspect()
    {
        string bundle = CopyOfSample();
        string f1 = Path.Combine(bundle, "rgb", "000001.png");
        File.WriteAllBytes(f1, File.ReadAllBytes(f1)[..3000]);
        string gt2 = Path.Combine(bundle, "gt", "000002.png");
        using (var small = new OpenCvSharp.Mat(30, 100, OpenCvSharp.MatType.CV_16UC3, OpenCvSharp.Scalar.All(20000)))
            OpenCvSharp.Cv2.ImWrite(gt2, small);

        var inspect = Run("inspect", bundle);
        Expect(1, inspect);
        Assert.Contains($"{f1}: frame 1: a PNG cut short: its 3000 bytes end without the closing IEND chunk", inspect.Out);
        Assert.Contains($"{gt2}: frame 2: a 100×30 PNG, expected 400×300", inspect.Out);
        Assert.Contains($"(listed in {Path.Combine(bundle, "gt", "frames.csv")}); ground-truth frame skipped (the frame is still deblurred; it gets no metrics)", inspect.Out);

        var replay = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none");
        Expect(1, replay);
        Assert.Contains("cut short", replay.Err);
        Assert.Contains("index 0: ok", replay.Out);
        Assert.Contains("index 2: ok", replay.Out);
    }

    /// <summary>
    /// <c>simulate --out</c> wrote a bundle into any folder: the user's files stayed mixed with it and an existing
    /// recording.json (a real recording's) was overwritten, exit 0. Now a non-empty folder that is not a simulated bundle
    /// is refused (exit 2, saying what it holds) unless <c>--force</c>; a simulated bundle is regenerated in place.
    /// </summary>
    [Fact]
    public void SimulateRefusesToWriteIntoAFolderThatIsNotOneOfItsBundles()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "real");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "recording.json"), "{\"precious\": true}");
        string[] args = ["simulate", "--preset", "night", "--seed", "1", "--frames", "1", "--rgb-size", "64x48", "--out", dir];
        var r = Run(args);
        Expect(2, r);
        Assert.Contains($"--out {dir}: not empty and not a simulated bundle (it holds recording.json)", r.Err);
        Assert.Equal("{\"precious\": true}", File.ReadAllText(Path.Combine(dir, "recording.json")));
        Assert.False(Directory.Exists(Path.Combine(dir, "rgb")));

        Expect(0, Run([.. args, "--force"]));
        Assert.Contains("eventdeblur-recording/1", File.ReadAllText(Path.Combine(dir, "recording.json")));
        Expect(0, Run(args)); // now a simulated bundle: a rerun regenerates it
    }

    /// <summary>
    /// <c>eval DATASET --out X</c> with X the bundle itself or the dataset folder filled the input with <c>runs/</c> and a
    /// result shard, exit 0. Now refused (exit 2, what X is), the input untouched; a folder holding a script's log is fine.
    /// </summary>
    [Fact]
    public void EvalRefusesToWriteIntoABundleOrTheDataset()
    {
        string bundle = CopyOfSample();
        var r = Run("eval", bundle, "--out", bundle, "--methods", "blurry");
        Expect(2, r);
        Assert.Contains($"--out {bundle}: is a recording bundle (recording.json)", r.Err);
        Assert.False(Directory.Exists(Path.Combine(bundle, "runs")));
        Assert.Empty(Directory.GetFiles(bundle, "results-shard-*"));

        string dataset = Path.GetDirectoryName(bundle)!;
        var d = Run("eval", dataset, "--out", dataset, "--methods", "blurry");
        Expect(2, d);
        Assert.Contains("is a folder of bundles (bundle/recording.json", d.Err);

        string outDir = NewOut();
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "blurry.log"), "eval a blurry\n");
        Expect(0, Run("eval", bundle, "--out", outDir, "--methods", "blurry"));
        Assert.True(File.Exists(Path.Combine(outDir, "results-shard-1-of-1.parquet")));
    }

    /// <summary>
    /// SIGTERM (as Ctrl+C: the CLI turns both into its cancellation) during <c>simulate</c> was ignored: the simulation
    /// ran to its end and exited 0. Now it stops before its next frame, removes the partial bundle it was writing into a
    /// new folder, and exits 130.
    /// </summary>
    [Fact]
    public async Task SimulateStopsOnASignalAndLeavesNoPartialBundle()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "sim");
        var (code, log) = await RunUntilLineThenSigterm("frame 1/6", "simulate", "--preset", "night", "--seed", "3", "--frames", "6", "--rgb-size", "64x48", "--out", dir);
        Assert.True(code == 130, $"exit {code}; {log}");
        Assert.DoesNotContain("frame 6/6", log);
        Assert.Contains($"the partial bundle {dir} was removed", log);
        Assert.False(Directory.Exists(dir), log);
    }

    /// <summary>
    /// <c>calibrate --write</c> ignored SIGTERM / Ctrl+C: it finished the estimate (≈ 10 s on the sample) and then wrote
    /// recording.json, exit 0, although the user had stopped it. Now it stops (exit 130) and the manifest is untouched.
    /// </summary>
    [Fact]
    public async Task CalibrateWriteStoppedBySignalLeavesTheManifestUntouched()
    {
        string bundle = CopyOfSample();
        string manifest = Path.Combine(bundle, "recording.json");
        byte[] before = File.ReadAllBytes(manifest);
        var (code, log) = await RunUntilLineThenSigterm("read ", "calibrate", bundle, "--write");
        Assert.True(code == 130, $"exit {code}; {log}");
        Assert.DoesNotContain("wrote the homography", log);
        Assert.Equal(before, File.ReadAllBytes(manifest));
    }

    /// <summary>Runs the CLI, sends SIGTERM once a stdout line starts with <paramref name="line"/>, and returns its exit code and output.</summary>
    private static async Task<(int Code, string Log)> RunUntilLineThenSigterm(string line, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = new Process { StartInfo = psi };
        var output = new System.Text.StringBuilder();
        var firstFrame = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith(line, StringComparison.Ordinal)) firstFrame.TrySetResult();
        };
        var errors = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (errors) errors.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var exited = p.WaitForExitAsync();
        Assert.True(await Task.WhenAny(firstFrame.Task, exited, Task.Delay(TimeSpan.FromMinutes(2))) == firstFrame.Task, $"no line '{line}': {output} {errors}");
        Assert.Equal(0, Kill(p.Id, 15));
        if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(2))) != exited) p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
        string log;
        lock (output) lock (errors) log = $"stdout: {output}; stderr: {errors}";
        Assert.DoesNotContain("   at ", log);
        return (p.ExitCode, log);
    }

    /// <summary>
    /// <c>report</c> on a run stopped by Ctrl+C summarised its few frames as if they were the recording, exit 0. Now it
    /// warns (the folder, the status, how to finish it) and exits 1, as for a missing eval shard.
    /// </summary>
    [Fact]
    public void ReportWarnsAboutARunThatDidNotComplete()
    {
        string outDir = NewOut();
        Expect(0, Run("replay", Sample, "--out", outDir, "--deconvolver", "none", "--kernels", "gt"));
        Expect(0, Run("report", outDir));
        string runJson = Path.Combine(outDir, "run.json");
        var m = JsonNode.Parse(File.ReadAllText(runJson))!.AsObject();
        m["status"] = "cancelled";
        File.WriteAllText(runJson, m.ToJsonString());
        var r = Run("report", outDir);
        Expect(1, r);
        Assert.Contains($"WARNING: {outDir}: the run is 'cancelled', not completed", r.Err);
        Assert.Contains("--resume", r.Err);
        Assert.Contains("| sample-night |", r.Out);
    }
}
