using System.Text.Json.Nodes;
using EventDeblur.Cli;
using EventDeblur.Evaluation;
using EventDeblur.Kernels;
using EventDeblur.Pipeline.Output;
using Parquet;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// <c>--window-check on|off</c> on replay, and eval's <c>--blur-check</c> / <c>--window-check</c> (stop 52's note: the window
/// check had no switch, and eval could set neither check): the sample with its frame table's windows made twice the exposure.
/// </summary>
public class WindowCheckOptionTests
{
    private static JsonObject Options(string outDir) => JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")))!["options"]!.AsObject();

    private static bool Narrowed(FrameResult f) => f.Diagnostics.Any(d => d.Text.Contains(EventKernelEstimator.NarrowedNote, StringComparison.Ordinal));

    [Fact]
    public async Task OffKeepsTheFrameTablesWindowsOnNarrowsThemAndRunJsonAndResumeSayWhich()
    {
        string bundle = TestPaths.CopyOfSampleWithExposures((start, end) => (start, end + (end - start))), root = TestPaths.NewTempDir();
        string on = Path.Combine(root, "on"), off = Path.Combine(root, "off");
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", on, "--deconvolver", "none", "--event-latency-us", "0");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("exposure windows: 3 frame(s)", r.Out);
        Assert.Contains("--window-check off keeps the windows", r.Out);
        Assert.True(Options(on)["window_check"]!.GetValue<bool>());
        Assert.All(await FramesParquet.ReadAsync(Path.Combine(on, "frames.parquet")), f => Assert.True(Narrowed(f)));

        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", off, "--deconvolver", "none", "--event-latency-us", "0", "--window-check", "off");
        Assert.True(r.Code == 0, r.Err);
        Assert.DoesNotContain("exposure windows:", r.Out);
        Assert.False(Options(off)["window_check"]!.GetValue<bool>());
        // The blur check is a separate switch: still on.
        Assert.True(Options(off)["blur_check"]!.GetValue<bool>());
        var rows = await FramesParquet.ReadAsync(Path.Combine(off, "frames.parquet"));
        Assert.Equal(3, rows.Count);
        Assert.All(rows, f => Assert.False(Narrowed(f)));
        // The whole window's kernels are further from the truth (stop 52: 0.74 / 0.69 / 0.59 against 0.86 / 0.88 / 0.93).
        var onRows = await FramesParquet.ReadAsync(Path.Combine(on, "frames.parquet"));
        for (int i = 0; i < 3; i++)
            Assert.True(onRows[i].KernelSimilarity > rows[i].KernelSimilarity + 0.05, $"frame {i}: {onRows[i].KernelSimilarity} narrowed, {rows[i].KernelSimilarity} as given");

        // --resume compares it: the printed command asks for it, and a resume without it is refused naming it.
        Assert.Contains("--window-check off", ResumeCommand.For("B", "O", Options(off)));
        Assert.DoesNotContain("--window-check", ResumeCommand.For("B", "O", Options(on)));
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", off, "--deconvolver", "none", "--event-latency-us", "0", "--resume");
        Assert.Equal(2, r.Code);
        Assert.Contains("window_check false, now true", r.Err);

        // report keeps the two apart, a row each named by the check (review53: they were averaged into one row, exit 0).
        r = CliTests.RunWithin(TimeSpan.FromMinutes(2), "report", on, off);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("note: runs of events+none were made with different options: one row per option set (window check on; window check off)", r.Err);
        Assert.Matches(@"\| events\+none \(window check on\) \| 3 \|", r.Out);
        Assert.Matches(@"\| events\+none \(window check off\) \| 3 \|", r.Out);

        // A run made before window_check was recorded (stop 52, when the check was already on) resumes under the default,
        // and report takes it and a run of this build for one measurement (review53: counted twice).
        string old = Path.Combine(root, "old");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(on, old);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(old, "run.json")))!.AsObject();
        json["options"]!.AsObject().Remove("window_check");
        File.WriteAllText(Path.Combine(old, "run.json"), json.ToJsonString());
        r = CliTests.RunWithin(TimeSpan.FromMinutes(2), "report", on, old);
        Assert.Equal(1, r.Code);
        Assert.Contains($"WARNING: {old} repeats {on} (the same input, method and options)", r.Err);
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", old, "--deconvolver", "none", "--event-latency-us", "0", "--resume");
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public async Task EvalTakesBothChecksPassesThemToItsRunsAndRecordsThemInItsShard()
    {
        string bundle = TestPaths.CopyOfSampleWithExposures((start, end) => (start, end + (end - start)));
        string dir = Path.Combine(TestPaths.NewTempDir(), "eval");
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(4), "eval", bundle, "--out", dir, "--methods", "events+none", "--blur-check", "off", "--window-check", "off");
        Assert.True(r.Code == 0, r.Err);
        string run = Path.Combine(dir, "runs", "events+none", Path.GetFileName(bundle));
        Assert.False(Options(run)["blur_check"]!.GetValue<bool>());
        Assert.False(Options(run)["window_check"]!.GetValue<bool>());
        Assert.All(await FramesParquet.ReadAsync(Path.Combine(run, "frames.parquet")), f => Assert.False(Narrowed(f)));
        await using (var reader = await ParquetReader.CreateAsync(Path.Combine(dir, "results-shard-1-of-1.parquet")))
            Assert.Equal("blur_check off, window_check off", reader.CustomMetadata[Evaluator.KernelChecksKey]);

        // The same folder under the default checks: its run is of other options, refused naming them (not mixed in).
        r = CliTests.RunWithin(TimeSpan.FromMinutes(2), "eval", bundle, "--out", dir, "--methods", "events+none");
        Assert.Equal(2, r.Code);
        Assert.Contains("holds a run of this pair with other options", r.Err);
        Assert.Contains("window_check false, now true", r.Err);

        // Under the default, the windows are narrowed and the shard says both checks ran.
        string dir2 = Path.Combine(TestPaths.NewTempDir(), "eval");
        r = CliTests.RunWithin(TimeSpan.FromMinutes(4), "eval", bundle, "--out", dir2, "--methods", "events+none");
        Assert.True(r.Code == 0, r.Err);
        Assert.All(await FramesParquet.ReadAsync(Path.Combine(dir2, "runs", "events+none", Path.GetFileName(bundle), "frames.parquet")), f => Assert.True(Narrowed(f)));
        await using (var reader = await ParquetReader.CreateAsync(Path.Combine(dir2, "results-shard-1-of-1.parquet")))
            Assert.Equal(Evaluator.KernelChecks(new EventKernelOptions()), reader.CustomMetadata[Evaluator.KernelChecksKey]);

        // report of the two folders says they ran under different checks (review53: merged silently, exit 0).
        r = CliTests.RunWithin(TimeSpan.FromMinutes(2), "report", dir, dir2);
        Assert.Equal(1, r.Code);
        Assert.Contains($"the evaluation folders ran with different checks of kernels from events ({dir}: blur_check off, window_check off; {dir2}: blur_check on, window_check on)", r.Err);

        // Shards whose methods take no kernels from events record no checks, so shards of one split run with different
        // switches are one setting (review53: a false "different settings" warning, exit 1).
        string gt = Path.Combine(TestPaths.NewTempDir(), "gt");
        Assert.Equal(0, CliTests.RunWithin(TimeSpan.FromMinutes(2), "eval", bundle, "--out", gt, "--methods", "gt+none,blurry", "--shard", "1/2").Code);
        Assert.Equal(0, CliTests.RunWithin(TimeSpan.FromMinutes(2), "eval", bundle, "--out", gt, "--methods", "gt+none,blurry", "--shard", "2/2", "--window-check", "off").Code);
        await using (var reader = await ParquetReader.CreateAsync(Path.Combine(gt, "results-shard-2-of-2.parquet")))
            Assert.False(reader.CustomMetadata.ContainsKey(Evaluator.KernelChecksKey));
        r = CliTests.RunWithin(TimeSpan.FromMinutes(2), "report", gt);
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public void AValueOtherThanOnOrOffIsAUsageErrorAndWithoutKernelsFromEventsItIsSaidToChangeNothing()
    {
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(1), "replay", TestPaths.CopyOfSample(), "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--window-check", "sometimes");
        Assert.Equal(2, r.Code);
        Assert.Contains("--window-check", r.Err);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "gt");
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", TestPaths.CopyOfSample(), "--out", outDir, "--deconvolver", "none", "--kernels", "gt", "--window-check", "off");
        Assert.Equal(0, r.Code);
        Assert.Contains("note: --window-check off changes nothing with kernels gt", r.Err);
        Assert.Null(Options(outDir)["window_check"]);
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "eval", TestPaths.CopyOfSample(), "--out", Path.Combine(TestPaths.NewTempDir(), "e"), "--methods", "blurry,gt+none", "--blur-check", "off");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("note: --blur-check off changes nothing with kernels none (blurry, edi), gt", r.Err);
    }
}
