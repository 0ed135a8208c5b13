using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventDeblur.Evaluation;
using EventDeblur.Pipeline.Output;
using EventDeblur.Tests.Cli;

namespace EventDeblur.Tests.Evaluation;

public class HtmlReportTests
{
    /// <summary>The DOM of <paramref name="html"/> after Chromium has loaded it (scripts run).</summary>
    internal static string DumpDom(string html)
    {
        var psi = new ProcessStartInfo("chromium") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + html }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(90_000), "chromium did not finish");
        Assert.True(stdout.Result.Length > 0, "chromium printed no DOM (is Debian's chromium installed? ./test.sh installs it as root)");
        return stdout.Result;
    }

    /// <summary>A live run folder as LivePipeline writes it (its own writers: run.json and frames.parquet), without a rig.</summary>
    private static async Task<string> LiveRunFolder()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "live");
        Directory.CreateDirectory(dir);
        var frames = Enumerable.Range(0, 6).Select(i => new FrameResult
        {
            Index = i, Status = i == 4 ? "failed" : "ok", Error = i == 4 ? "writing outputs: disk full" : null,
            ExposureStartUs = 1_000_000 + i * 100_000, ExposureEndUs = 1_040_000 + i * 100_000,
            KernelSource = "events:streaks", LatencySeconds = 0.2 + 0.05 * i, BacklogFrames = i % 3, SecondsTotal = 0.4,
        }).ToList();
        var manifest = new RunManifest
        {
            Mode = "live", Status = "completed", Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch.AddSeconds(3),
            Options = new JsonObject { ["events"] = "tcp://127.0.0.1:7777", ["triggers"] = "tcp://127.0.0.1:7778", ["deconvolver"] = "robust", ["kernels"] = "events" },
            Extra = [new("events_received", 12345), new("dropped_frames", 1), new("problems", new JsonArray("exposure [1, 2) µs has no RGB frame (dropped frame?)"))],
        };
        await FramesParquet.WriteAsync(Path.Combine(dir, "frames.parquet"), frames, FramesParquet.RunMetadata(manifest, null, "tcp://127.0.0.1:7777"));
        manifest.Write(dir);
        return dir;
    }

    [Fact]
    public async Task ReportOnALiveFolderSummarisesLatencyAndPlotsItOverTime()
    {
        string dir = await LiveRunFolder();
        string html = Path.Combine(TestPaths.NewTempDir(), "live.html");
        var (code, stdout, err) = CliTests.Run("report", dir, "--html", html);
        Assert.True(code == 0, err);
        Assert.Contains("5 frames ok, 1 failed, latency median 0.35 s, max 0.45 s, backlog max 2", stdout);
        string page = File.ReadAllText(html);
        Assert.Contains("<h1>EventDeblur live run report</h1>", page);
        Assert.Contains("alt=\"latency and backlog over time\"", page);
        Assert.Contains("<th>latency s</th><th>backlog</th>", page);
        Assert.Contains("writing outputs: disk full", page);
        Assert.Contains("has no RGB frame", page);
        Assert.Contains("1 of 6 frames failed", page);
        Assert.Equal(6, Regex.Matches(page, "<section class=\"frame\" id=\"run-0-frame-").Count);
        var plot = ReportPlots.LiveTimeline(await FramesParquet.ReadAsync(Path.Combine(dir, "frames.parquet")));
        Assert.NotNull(plot);
        using var img = OpenCvSharp.Cv2.ImDecode(plot, OpenCvSharp.ImreadModes.Grayscale);
        OpenCvSharp.Cv2.MeanStdDev(img, out _, out var std);
        Assert.True(std.Val0 > 10, "the timeline is blank");
    }

    [Fact]
    public async Task TheFrameTableSortsByAClickedColumnInChromium()
    {
        string dir = await LiveRunFolder();
        string html = Path.Combine(TestPaths.NewTempDir(), "live.html");
        await HtmlReport.WriteRunsAsync(html, [dir]);
        // Click "latency s" twice (descending) from a script appended for the test, then read the order Chromium shows.
        string page = File.ReadAllText(html);
        string clicked = Path.Combine(Path.GetDirectoryName(html)!, "clicked.html");
        File.WriteAllText(clicked, page.Replace("</body>", "<script>var th = Array.from(document.querySelectorAll('#run-0-frames th')).find(t => t.textContent === 'latency s'); th.click(); th.click();</script></body>"));
        string dom = DumpDom(clicked);
        var table = Regex.Match(dom, "<table class=\"frames sortable\" id=\"run-0-frames\">(.*?)</table>", RegexOptions.Singleline).Groups[1].Value;
        var order = Regex.Matches(table, "href=\"#run-0-frame-(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal([5, 4, 3, 2, 1, 0], order);
    }
}
