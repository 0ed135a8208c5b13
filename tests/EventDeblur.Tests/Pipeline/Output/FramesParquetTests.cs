using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Pipeline.Output;

/// <summary>frames.parquet is written and read with the same record: what a run writes is what reports read.</summary>
public class FramesParquetTests
{
    [Fact]
    public async Task EveryFieldOfEveryRowSurvivesTheRoundTrip()
    {
        var rows = new List<FrameResult>
        {
            new()
            {
                Index = 0, Status = "ok", SecondsIngest = 0.125, SecondsKernels = 1.5, SecondsDeconvolve = 2.25, SecondsWrite = 0.0625, SecondsTotal = 3.9375,
                Streaks = 3, Kernels = 12, EventsUsed = 4567, EventsInWindow = 89012, Diagnostics = "streak at (1,2): 40 events; rotation modelled",
                KernelSource = "events:streaks", KernelConfidence = 0.875, Psnr = 33.3, Ssim = 0.97, PsnrBlurry = 25.9, SsimBlurry = 0.9,
                KernelSimilarity = 0.947, PsnrSaturationBand = 28.1, PsnrSaturationBandBlurry = 22.4,
            },
            new() { Index = 7, Status = "failed", Error = "frame 7: no exposure window", KernelSource = "" },
            new() { Index = 8, Status = "ok", KernelSource = "gt", KernelConfidence = 1, KernelSimilarity = 1, LatencySeconds = 0.42, BacklogFrames = 2 },
        };
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        await FramesParquet.WriteAsync(path, rows);
        var back = await FramesParquet.ReadAsync(path);
        Assert.Equal(rows, back);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.partial"));
    }

    [Fact]
    public async Task AnEmptyRunWritesAReadableEmptyTable()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        await FramesParquet.WriteAsync(path, []);
        Assert.Empty(await FramesParquet.ReadAsync(path));
    }
}
