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
}
