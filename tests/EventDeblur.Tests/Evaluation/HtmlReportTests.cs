using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventDeblur.Evaluation;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Methods;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Simulation;
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

    [Fact]
    public async Task EveryFrameSectionShowsItsCropAndTheExposuresEventsOfThatRegionFromOnePassPerBundle()
    {
        string data = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 200, RgbHeight = 150, PointLights = 2 }, 71, Path.Combine(data, "night-071"));
        var catalogue = new MethodCatalogueBuilder().Build();
        string bundleDir = Assert.Single(Evaluator.FindBundles([data]));
        string outDir = TestPaths.NewTempDir();
        await Evaluator.RunAsync(catalogue, [bundleDir], new[] { "blurry", "gt+wiener" }.Select(catalogue.ParseMethod).ToList(), outDir, 1, 1);
        var runDirs = Directory.GetDirectories(Path.Combine(outDir, "runs")).SelectMany(Directory.GetDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, runDirs.Count);
        var runs = new List<ReportRun>();
        foreach (var d in runDirs) runs.Add(await ReportRun.ReadAsync(d));

        // Two methods of one bundle: its event file is walked once, holding one exposure's counts at a time.
        var collected = ReportFrames.Build(runs);
        Assert.Equal(1, collected.EventFilePasses);
        Assert.Equal(1, collected.MaxOpenWindows);

        string html = Path.Combine(TestPaths.NewTempDir(), "report.html");
        await HtmlReport.WriteRunsAsync(html, runDirs);
        string page = File.ReadAllText(html);
        var sections = Regex.Matches(page, "<section class=\"frame\" id=\"run-(\\d+)-frame-(\\d+)\">(.*?)</section>", RegexOptions.Singleline);
        Assert.Equal(2 * 3, sections.Count);

        // Every event of the file, to count each figure's window and box independently of the report's pass.
        var events = new List<(long T, int X, int Y, bool On)>();
        var bundle = RecordingBundle.Load(bundleDir);
        using (var reader = AedatReader.Open(bundle.EventsPath))
            while (reader.TryRead(out var packet))
                if (packet is EventsPacket ep)
                    using (var b = ep.Events)
                        for (int i = 0; i < b.Count; i++) events.Add((b.Timestamps[i], b.Xs[i], b.Ys[i], b.Polarities[i]));
        var toEvents = Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography);

        foreach (Match section in sections)
        {
            int k = int.Parse(section.Groups[1].Value), index = int.Parse(section.Groups[2].Value);
            string body = section.Groups[3].Value, where = $"run {k} frame {index}";
            var frame = runs[k].Frames.Single(f => f.Index == index);
            // The crop marked on each panel of blurry | deblurred | ground truth, and shown at 2×.
            var boxes = Regex.Matches(body, "<span class=\"crop\" style=\"left:([\\d.]+)%;top:([\\d.]+)%;width:([\\d.]+)%;height:([\\d.]+)%\">");
            Assert.True(boxes.Count == 3, $"{where}: {boxes.Count} crop boxes");
            Assert.Contains("<img class=\"crops\"", body);
            var crop = Regex.Match(body, "the crop below \\((\\d+)×(\\d+) px at x (\\d+), y (\\d+)\\)");
            Assert.True(crop.Success, $"{where}: no crop position");
            var (cw, ch, cx, cy) = (int.Parse(crop.Groups[1].Value), int.Parse(crop.Groups[2].Value), int.Parse(crop.Groups[3].Value), int.Parse(crop.Groups[4].Value));
            Assert.Equal((160, 120), (cw, ch));
            Assert.Equal(100.0 * cx / (3 * 200), double.Parse(boxes[0].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 2);

            var fig = Regex.Match(body, "<figure class=\"events\" data-frame=\"(\\d+)\" data-window=\"(\\d+),(\\d+)\" data-box=\"(\\d+),(\\d+),(\\d+),(\\d+)\" data-on=\"(\\d+)\" data-off=\"(\\d+)\"><img class=\"events\"[^>]*src=\"data:image/png;base64,([^\"]+)\"");
            Assert.True(fig.Success, $"{where}: no events image");
            long V(int g) => long.Parse(fig.Groups[g].Value);
            Assert.Equal(index, V(1));
            Assert.Equal((frame.ExposureStartUs, frame.ExposureEndUs), ((long?)V(2), (long?)V(3)));
            var box = new OpenCvSharp.Rect((int)V(4), (int)V(5), (int)V(6), (int)V(7));
            var (mx, my) = toEvents.Apply(cx + cw / 2.0, cy + ch / 2.0);
            Assert.True(box.Contains(new OpenCvSharp.Point((int)mx, (int)my)), $"{where}: the crop's centre maps to ({mx:F1}, {my:F1}), outside the box {box}");
            Assert.True(box.Width is > 20 and < 160 && box.Height is > 20 and < 120, $"{where}: box {box}");
            long on = events.LongCount(e => e.On && e.T >= V(2) && e.T < V(3) && box.Contains(e.X, e.Y));
            long off = events.LongCount(e => !e.On && e.T >= V(2) && e.T < V(3) && box.Contains(e.X, e.Y));
            Assert.True(on + off > 100, $"{where}: only {on + off} events");
            Assert.Equal((on, off), (V(8), V(9)));
            using var img = OpenCvSharp.Cv2.ImDecode(Convert.FromBase64String(fig.Groups[10].Value), OpenCvSharp.ImreadModes.Color);
            Assert.Equal((box.Width, box.Height), (img.Cols, img.Rows));
            using var gray = img.CvtColor(OpenCvSharp.ColorConversionCodes.BGR2GRAY);
            Assert.True(OpenCvSharp.Cv2.CountNonZero(gray.LessThan(250)) > 20, $"{where}: the events image is blank");
        }

        // The bundle moved away: the crops stay (they come from the runs' previews), each frame says why it has no events.
        Directory.Move(bundleDir, bundleDir + "-moved");
        await HtmlReport.WriteRunsAsync(html, runDirs);
        page = File.ReadAllText(html);
        Assert.Equal(6, Regex.Matches(page, "<img class=\"crops\"").Count);
        Assert.DoesNotContain("<figure class=\"events\"", page);
        for (int index = 0; index < 3; index++)
            Assert.Equal(2, Regex.Matches(page, $"<p class=\"no-events\">events of frame {index}: the input {Regex.Escape(bundleDir)} is gone</p>").Count);
    }

    [Fact]
    public void TheCropIsAroundTheBrightestSpotOfTheBlurryPanelNotItsLabel()
    {
        // A dark frame with one small light at (150, 100): the comparison's white label text is brighter on average
        // over a σ = 4 px blur than the light, so the label must be left out for the crop to find the light.
        const int w = 200, h = 150;
        var plane = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if ((x - 150) * (x - 150) + (y - 100) * (y - 100) <= 2) plane[y * w + x] = 0.5f;
        var frame = new LinearImage(w, h, [plane, (float[])plane.Clone(), (float[])plane.Clone()]);
        string run = TestPaths.NewTempDir();
        PreviewWriter.WriteFrame(run, 7, frame, frame, new LinearImage.Encoding(PixelEncoding.Linear, 0, 65535, 65535, 16), null, false);
        var crop = ReportFrames.ChooseCrop(run, 7);
        Assert.NotNull(crop);
        Assert.Equal((w, h), (crop.FrameWidth, crop.FrameHeight));
        Assert.Equal(new OpenCvSharp.Rect(40, 30, 160, 120), crop.Rect); // centred on the light, clamped to the frame
        Assert.Null(ReportFrames.ChooseCrop(run, 8));
    }
}
