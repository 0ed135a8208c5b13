using System.Diagnostics;
using System.Text.Json;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Simulation;
using OpenCvSharp;
using Parquet;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Pipeline;

public class ReplayTests
{
    internal static string SmallBundle(string preset = "night", int frames = 2)
    {
        var o = SimulationPresets.Get(preset) with { Frames = frames };
        if (!o.ApsOnly) o = o with { RgbWidth = 256, RgbHeight = 192, PointLights = 3 };
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(o, 31, dir);
        return dir;
    }

    /// <summary>
    /// While a replay works its folder holds a frames.parquet of the frames finished so far, run.json saying "running", so
    /// that a run killed part-way (SIGKILL, out of memory) leaves them readable (stop 48's contract audit: a killed replay
    /// had every frame written and no frames.parquet). At its end both say what the run did.
    /// </summary>
    [Fact]
    public async Task AWorkingReplaysFolderHoldsTheFramesFinishedSoFar()
    {
        string bundle = SmallBundle(frames: 3);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var seen = new List<(int Done, int Rows, string Status)>();
        void Look(ReplayProgress p)
        {
            var rows = EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet")).GetAwaiter().GetResult();
            seen.Add((p.Done, rows.Count, EventDeblur.Pipeline.Output.RunManifest.Read(outDir).Status));
        }
        var summary = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener", CheckpointSeconds = 0 },
            new GroundTruthKernelEstimator(), Look);
        Assert.Equal([(1, 1, "running"), (2, 2, "running"), (3, 3, "running")], seen);
        Assert.Equal("completed", EventDeblur.Pipeline.Output.RunManifest.Read(outDir).Status);
        Assert.Equal(3, (await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"))).Count);
        Assert.Equal("completed", summary.Status);
    }

    [Fact]
    public async Task ReplayWritesTheContractLayout()
    {
        string bundle = SmallBundle();
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var reports = new List<ReplayProgress>();
        var summary = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator(), reports.Add);
        Assert.Equal("completed", summary.Status);
        Assert.Equal(2, summary.Results.Count);
        Assert.All(summary.Results, r => Assert.Equal("ok", r.Status));
        // One progress report per frame: counts, events ingested (every window has events), throughput, ETA reaching 0.
        Assert.Equal([1, 2], reports.Select(p => p.Done));
        Assert.All(reports, p => Assert.Equal(2, p.Total));
        Assert.All(summary.Results, r => Assert.True(r.EventsInWindow > 0));
        Assert.Equal(summary.Results.Sum(r => r.EventsInWindow), reports[^1].EventsIngested);
        Assert.True(reports[^1].EventsPerSecond > 0);
        Assert.Equal(0, reports[^1].EtaSeconds);
        Assert.Contains("k events/s", reports[0].ToString());

        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement;
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("0.1.0", run.GetProperty("version").GetString());
        Assert.Equal("wiener", run.GetProperty("options").GetProperty("deconvolver").GetString());
        Assert.NotNull(run.GetProperty("finished").GetString());

        for (int k = 0; k < 2; k++)
        {
            using var input = Cv2.ImRead(Path.Combine(bundle, "rgb", $"{k:D6}.png"), ImreadModes.Unchanged);
            using var output = Cv2.ImRead(Path.Combine(outDir, "frames", $"{k:D6}.png"), ImreadModes.Unchanged);
            Assert.Equal(input.Size(), output.Size());
            Assert.Equal(input.Type(), output.Type());
            Assert.Equal(File.ReadAllText(Path.Combine(bundle, "gt", "kernels", $"{k:D6}.csv")), File.ReadAllText(Path.Combine(outDir, "kernels", $"{k:D6}.csv")));
        }
        await using var pq = await ParquetReader.CreateAsync(Path.Combine(outDir, "frames.parquet"));
        var names = pq.Schema.Fields.Select(f => f.Name).ToList();
        foreach (var col in new[] { "index", "status", "error", "seconds_ingest", "seconds_kernels", "seconds_deconvolve", "seconds_write", "seconds_total", "streaks", "kernels", "events_used", "events_window", "diagnostics", "psnr", "ssim", "kernel_similarity" })
            Assert.Contains(col, names);
        Assert.Equal(2, pq.RowGroups.Sum(g => g.RowCount));
        Assert.All(summary.Results, r => Assert.NotNull(r.Psnr));
        Assert.Empty(Directory.GetFiles(outDir, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TheKernelEstimatorsDiagnosticsReachFramesParquet()
    {
        string bundle = SmallBundle();
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var summary = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "none" }, new EventDeblur.Kernels.EventKernelEstimator());
        Assert.All(summary.Results, r => Assert.Contains(r.Diagnostics, d => d.Text.Contains("streak at")));
        // In frames.parquet each note is a record (candidate, verdict, reason, fit); every frame has a traced streak with its fit.
        var back = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"));
        Assert.All(back, r => Assert.Contains(r.Diagnostics,
            d => d.Verdict == "traced" && d.Candidate.StartsWith("streak at (", StringComparison.Ordinal) && d.Fit!.Contains("events, path RMS")));
    }

    [Fact]
    public async Task AMissingFrameFailsAloneAndResumeRedoesOnlyWhatIsMissing()
    {
        string bundle = SmallBundle(frames: 3);
        File.Delete(Path.Combine(bundle, "rgb", "000001.png"));
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var first = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator());
        Assert.Equal(new[] { "ok", "failed", "ok" }, first.Results.Select(r => r.Status));
        Assert.Contains("000001.png", first.Results[1].Error);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", "000000.png"));

        File.Delete(Path.Combine(outDir, "frames", "000002.png"));
        var redone = new List<long>();
        var second = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener", Resume = true }, new GroundTruthKernelEstimator(), p => redone.Add(p.Last.Index));
        // The failed frame is retried (and fails again: its PNG is still missing), the incomplete one redone, the complete one kept.
        Assert.Equal([1L, 2L], redone.Order());
        Assert.Equal(["ok", "failed", "ok"], second.Results.Select(r => r.Status));
        Assert.Contains("000001.png", second.Results[1].Error);
        Assert.False(File.Exists(Path.Combine(outDir, "frames", "000001.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "frames", "000002.png")));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", "000000.png")));
    }

    [Fact]
    public async Task ApsBundlesGiveEightBitGrayFrames()
    {
        string bundle = SmallBundle("aps", 1);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var s = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator());
        var r = Assert.Single(s.Results);
        Assert.Equal("ok", r.Status);
        using var img = Cv2.ImRead(Path.Combine(outDir, "frames", "000000.png"), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_8UC1, img.Type());
        Assert.Equal(new Size(346, 260), img.Size());
        Assert.NotNull(r.Psnr);
    }

    [Fact]
    public void AKilledRunResumedGivesTheSameOutputsAsAnUninterruptedRun()
    {
        string bundle = SmallBundle(frames: 4);
        string cli = Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll");
        string whole = Path.Combine(TestPaths.NewTempDir(), "whole"), killed = Path.Combine(TestPaths.NewTempDir(), "killed");
        Assert.Equal(0, Cli.CliTests.Run("replay", bundle, "--out", whole, "--kernels", "gt", "--deconvolver", "rl").Code);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "replay", bundle, "--out", killed, "--kernels", "gt", "--deconvolver", "rl" }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!p.HasExited && DateTime.UtcNow < deadline && !File.Exists(Path.Combine(killed, ".progress", "000000.json"))) Thread.Sleep(20);
            Assert.False(p.HasExited, $"the run ended (exit {(p.HasExited ? p.ExitCode : 0)}) before it could be killed");
            p.Kill(entireProcessTree: true); // SIGKILL
            p.WaitForExit();
        }
        // Really interrupted: run.json still says running, no frames.parquet, and not every frame is complete.
        Assert.Equal("running", JsonDocument.Parse(File.ReadAllText(Path.Combine(killed, "run.json"))).RootElement.GetProperty("status").GetString());
        Assert.False(File.Exists(Path.Combine(killed, "frames.parquet")));
        Assert.InRange(Directory.GetFiles(Path.Combine(killed, ".progress"), "*.json").Length, 1, 3);
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(killed, "frames"), "*.png"), f => new FileInfo(f).Length == 0);
        Assert.Equal(0, Cli.CliTests.Run("replay", bundle, "--out", killed, "--kernels", "gt", "--deconvolver", "rl", "--resume").Code);
        foreach (var sub in new[] { "frames", "kernels" })
        {
            var a = Directory.GetFiles(Path.Combine(whole, sub)).Select(Path.GetFileName).Order().ToList();
            var b = Directory.GetFiles(Path.Combine(killed, sub)).Where(f => !Path.GetFileName(f).StartsWith('.')).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(a, b);
            foreach (var f in a) Assert.Equal(File.ReadAllBytes(Path.Combine(whole, sub, f!)), File.ReadAllBytes(Path.Combine(killed, sub, f!)));
        }
    }
}
