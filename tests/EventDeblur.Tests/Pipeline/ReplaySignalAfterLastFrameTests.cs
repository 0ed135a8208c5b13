using System.Text.Json;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using EventDeblur.Pipeline;

namespace EventDeblur.Tests.Pipeline;

/// <summary>
/// Stop 43's README audit: a Ctrl+C that came after replay had written its last frame (while its stages were closing)
/// recorded the run as "cancelled" (exit 130), and <c>report</c> then warned that frames were missing and sent the user to
/// <c>--resume</c>. A run whose every frame was written is complete whatever came after.
/// </summary>
public class ReplaySignalAfterLastFrameTests
{
    [Fact]
    public async Task ASignalAfterTheLastFrameLeavesTheRunCompleted()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        using var cts = new CancellationTokenSource();
        // The signal as the last frame's row is written: the writer stage is still reading its channel.
        var summary = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" },
            new GroundTruthKernelEstimator(), p => { if (p.Done == p.Total) cts.Cancel(); }, cts.Token);
        Assert.True(cts.IsCancellationRequested);
        Assert.Equal("completed", summary.Status);
        Assert.Equal(2, summary.Results.Count(r => r.Status == "ok"));
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")));
        Assert.Equal("completed", run.RootElement.GetProperty("status").GetString());
    }
    /// <summary>
    /// Its review: a signal before the frames were listed (an empty list passed "every frame written"), and a cancelled
    /// --resume over an earlier cancelled run (its "not processed" rows counted as written), were both called completed.
    /// Neither is now.
    /// </summary>
    [Fact]
    public async Task ARunStoppedBeforeItsFramesWereDoneStaysCancelled()
    {
        ReplayOptions Options(bool resume = false) => new() { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener", Resume = resume };
        string bundle = ReplayTests.SmallBundle(frames: 8);
        using (var before = new CancellationTokenSource())
        {
            before.Cancel();
            var s = await ReplayPipeline.RunAsync(bundle, Path.Combine(TestPaths.NewTempDir(), "out"), Options(), new GroundTruthKernelEstimator(), null, before.Token);
            Assert.Equal("cancelled", s.Status);
        }
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        using (var first = new CancellationTokenSource())
        {
            var s = await ReplayPipeline.RunAsync(bundle, outDir, Options(), new GroundTruthKernelEstimator(), _ => first.Cancel(), first.Token);
            Assert.Equal("cancelled", s.Status);
            Assert.True(s.Results.Count(r => r.Status == "ok") < 8, "the first run deblurred every frame");
        }
        using (var second = new CancellationTokenSource())
        {
            var s = await ReplayPipeline.RunAsync(bundle, outDir, Options(resume: true), new GroundTruthKernelEstimator(), _ => second.Cancel(), second.Token);
            Assert.True(s.Results.Count(r => r.Status == "ok") < 8, "the resumed run deblurred every frame");
            Assert.Equal("cancelled", s.Status);
        }
    }
}
