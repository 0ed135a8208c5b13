using System.Text.Json.Nodes;
using EventDeblur.Evaluation;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Evaluation;

/// <summary>
/// The error ratio of `report` on replay folders (a README headline): MSE with the estimated kernels over
/// MSE with the ground-truth kernels, same deconvolver and frame, i.e. 10^((PSNR_gt − PSNR_est)/10);
/// its median and the fraction of frames at ≤ 2. Checked on hand-made run folders with known PSNRs.
/// </summary>
public class ErrorRatioTests
{
    private static async Task<string> RunFolder(string root, string bundle, string kernels, string deconvolver, double?[] psnr, string[]? status = null)
    {
        string dir = Path.Combine(root, $"{kernels}-{deconvolver}-{bundle}");
        Directory.CreateDirectory(dir);
        var frames = psnr.Select((p, i) => new FrameResult
        {
            Index = i, Status = status?[i] ?? "ok", Psnr = p, Ssim = p is null ? null : 0.9, PsnrBlurry = 20, SsimBlurry = 0.5, SecondsTotal = 1,
        }).ToList();
        var manifest = new RunManifest
        {
            Mode = "replay", Status = "completed", InputBundle = $"/data/{bundle}", Started = DateTimeOffset.UnixEpoch,
            Finished = DateTimeOffset.UnixEpoch.AddSeconds(1),
            Options = new JsonObject { ["kernels"] = kernels, ["deconvolver"] = deconvolver },
        };
        await FramesParquet.WriteAsync(Path.Combine(dir, "frames.parquet"), frames, FramesParquet.RunMetadata(manifest, null, null));
        manifest.Write(dir);
        return dir;
    }

    [Fact]
    public async Task ErrorRatioIsTheMseRatioAgainstTheSameDeconvolverWithTrueKernels()
    {
        string root = TestPaths.NewTempDir();
        // Bundle night-001, robust: PSNR gaps gt − est of 0, 3, 10 and −1 dB → ratios 1, 10^0.3 = 1.995, 10, 10^−0.1 = 0.794.
        // Frame 4 failed with events (no ratio); frame 5 has no gt counterpart (gt failed) → no ratio.
        var dirs = new List<string>
        {
            await RunFolder(root, "night-001", "events", "robust", [30, 27, 20, 31, 25, 28], ["ok", "ok", "ok", "ok", "failed", "ok"]),
            await RunFolder(root, "night-001", "gt", "robust", [30, 30, 30, 30, 30, 30], ["ok", "ok", "ok", "ok", "ok", "failed"]),
            // The hl runs must be paired with gt+hl only, never with gt+robust: PSNR gaps 6 dB → ratio 3.98 each.
            await RunFolder(root, "night-001", "events", "hl", [24, 24]),
            await RunFolder(root, "night-001", "gt", "hl", [30, 30]),
            // Another bundle of the same group, frames with the same indices: paired per bundle, not across.
            await RunFolder(root, "night-002", "events", "robust", [40]),
            await RunFolder(root, "night-002", "gt", "robust", [40.5]),
        };
        var rows = await RunSummary.SummariseAsync(dirs);

        var robust = rows.Single(r => r.Group == "night" && r.Method == "events+robust");
        // Ratios: 1, 1.995, 10, 0.794 (night-001) and 10^0.05 = 1.122 (night-002); sorted 0.794, 1, 1.122, 1.995, 10 → median 1.122.
        Assert.Equal(Math.Pow(10, 0.05), robust.ErrorRatioMedian!.Value, 9);
        Assert.Equal(4 / 5.0, robust.ErrorRatioSuccess!.Value, 12);

        var hl = rows.Single(r => r.Method == "events+hl");
        Assert.Equal(Math.Pow(10, 0.6), hl.ErrorRatioMedian!.Value, 9);
        Assert.Equal(0.0, hl.ErrorRatioSuccess!.Value, 12);

        // The ground-truth runs themselves have no error ratio.
        Assert.All(rows.Where(r => r.Method.StartsWith("gt+", StringComparison.Ordinal)), r => Assert.Null(r.ErrorRatioMedian));
        // And the table prints it as "median, share ≤ 2".
        string md = RunSummary.Markdown(rows);
        Assert.Contains($"| {Math.Pow(10, 0.05):F2}, {0.8:P0} |", md);
    }
}
