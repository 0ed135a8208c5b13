using System.Text.Json.Nodes;
using EventDeblur.Evaluation;
using EventDeblur.Pipeline.Output;
using EventDeblur.Tests.Cli;

namespace EventDeblur.Tests.Evaluation;

/// <summary>A replay of a recording without ground truth (e.g. a DAVIS file's APS frames): the report says there are no metrics instead of NaN.</summary>
public class NoGroundTruthReportTests
{
    /// <summary>A replay run folder as ReplayPipeline writes it for an input without ground truth: three ok frames, no PSNR / SSIM / kernel similarity.</summary>
    private static async Task<string> ReplayRunWithoutGroundTruth()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "davis-no-gt");
        Directory.CreateDirectory(dir);
        var frames = Enumerable.Range(0, 3).Select(i => new FrameResult
        {
            Index = i, Status = "ok", ExposureStartUs = 1_000_000 + i * 50_000, ExposureEndUs = 1_020_000 + i * 50_000,
            KernelSource = "events:texture", KernelConfidence = 0.4, Kernels = 1, EventsUsed = 4000 + i, EventsInWindow = 17000 + i,
            SecondsKernels = 0.5, SecondsDeconvolve = 1.0, SecondsTotal = 1.6,
        }).ToList();
        var manifest = new RunManifest
        {
            Status = "completed", InputBundle = "/data/recordings/davis346_frames.aedat4", Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch.AddSeconds(5),
            Options = new JsonObject { ["deconvolver"] = "robust", ["kernels"] = "events" },
        };
        await FramesParquet.WriteAsync(Path.Combine(dir, "frames.parquet"), frames, FramesParquet.RunMetadata(manifest, null, manifest.InputBundle));
        manifest.Write(dir);
        return dir;
    }

    [Fact]
    public async Task TheSummaryRowSaysNoGroundTruthInsteadOfNaN()
    {
        string dir = await ReplayRunWithoutGroundTruth();
        var rows = await RunSummary.SummariseAsync([dir]);
        var row = Assert.Single(rows);
        Assert.Equal(0, row.Frames);
        Assert.Equal(3, row.FramesDeblurred);
        string md = RunSummary.Markdown(rows);
        Assert.DoesNotContain("NaN", md);
        Assert.Contains("| davis346_frames.aedat4 | events+robust | 0 of 3 with ground truth | no ground truth: no metrics | – | – | – | – | – | – | 1.60 (0.50, 1.00) |", md);

        var evalRows = (await RunSummary.ReadAsEvalRowsAsync([dir])).Rows;
        string evalMd = Evaluator.SummaryMarkdown(evalRows);
        Assert.DoesNotContain("NaN", evalMd);
        Assert.Contains("| davis346_frames.aedat4 | events+robust | 3 | no ground truth: no metrics | – | – | – | – |", evalMd);
    }

    [Fact]
    public async Task ReportSaysNoGroundTruthInTheTerminalAndTheHtml()
    {
        string dir = await ReplayRunWithoutGroundTruth();
        string html = Path.Combine(TestPaths.NewTempDir(), "report.html");
        var (code, stdout, err) = CliTests.Run("report", dir, "--html", html);
        Assert.True(code == 0, err);
        Assert.DoesNotContain("NaN", stdout);
        Assert.Contains("no ground truth: no metrics", stdout);
        string page = File.ReadAllText(html);
        Assert.DoesNotContain(">NaN<", page); // a cell (the sorting script has isNaN)
        // In the summary table, in the PSNR section and in the run's metadata.
        Assert.Contains("<td>0 of 3 with ground truth</td><td>no ground truth: no metrics</td>", page);
        Assert.Contains("<p class=\"no-metrics\">no ground truth: no metrics", page);
        Assert.Contains("<tr><td>metrics</td><td>no ground truth: no metrics</td></tr>", page);
        Assert.Contains("bundle(s). No ground truth: no metrics.", page);
        // The input is gone (or an event file with no bundle folder): no empty crops heading.
        Assert.DoesNotContain("First frame of each bundle", page);
    }
}
