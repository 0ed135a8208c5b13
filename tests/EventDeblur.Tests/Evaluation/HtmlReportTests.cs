using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventDeblur.Evaluation;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Live;
using EventDeblur.Metrics;
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
            Quality = i == 4 ? null : i % 3 > 0 ? "fast" : "balanced",
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
        // The run recorded an error (an exposure without its frame): warned about, exit 1, as replay runs (stop 37).
        Assert.True(code == 1, err);
        Assert.Contains("the live run recorded 1 error(s) (run.json): exposure [1, 2) µs has no RGB frame", err);
        Assert.Contains("5 frames ok, 1 failed, 0 dropped, latency median 0.35 s, max 0.45 s, backlog max 2", stdout);
        string page = File.ReadAllText(html);
        Assert.Contains("<h1>EventDeblur live run report</h1>", page);
        Assert.Contains("alt=\"latency and backlog over time\"", page);
        Assert.Contains("<th>latency s</th><th>backlog</th><th>rung</th>", page);
        Assert.Contains("<td>fast</td>", page); // the rung --quality auto chose for the frame
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
        var collected = await ReportFrames.BuildAsync(runs);
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
            // The blurry method deconvolves with no kernel: its grid shows the identity kernel with no similarity, as its
            // table row and frames.parquet (stop 44's trial: it was captioned "similarity 0.554"); gt+wiener's shows 1.
            var grid = Grid(body, "estimated") ?? throw new Xunit.Sdk.XunitException($"{where}: no grid of the kernels used");
            if (runs[k].Manifest.IdentityKernels)
            {
                Assert.Null(frame.KernelSimilarity);
                Assert.All(grid.Tiles, t => Assert.Null(t.Similarity));
                Assert.DoesNotContain("similarity", grid.Caption);
            }
            else Assert.All(grid.Tiles, t => Assert.Equal(1.0, t.Similarity!.Value, 9));
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

    /// <summary>A kernel grid of a frame section: its zoom and, per tile in page order, where it is and what it shows.</summary>
    private sealed record GridTile(int Col0, int Col1, int Row0, int Row1, KernelTile Where, double? Similarity, int ShownPx, OpenCvSharp.Mat Png);

    private static (int Zoom, List<GridTile> Tiles, string Caption)? Grid(string section, string kind)
    {
        var fig = Regex.Match(section, $"<figure class=\"kernels {kind}\" data-tiles=\"(\\d+)\" data-zoom=\"(\\d+)\">(.*?)<figcaption>(.*?)</figcaption></figure>", RegexOptions.Singleline);
        if (!fig.Success) return null;
        var tiles = Regex.Matches(fig.Groups[3].Value,
                "<div class=\"ktile\" style=\"grid-column:(\\d+)/(\\d+);grid-row:(\\d+)/(\\d+)\" data-tile=\"(\\d+),(\\d+),(\\d+),(\\d+)\" data-size=\"(\\d+)\"(?: data-similarity=\"([^\"]+)\")?[^>]*>"
                + "<img class=\"kernel\" style=\"width:(\\d+)px\"[^>]*src=\"data:image/png;base64,([^\"]+)\">")
            .Select(m =>
            {
                int G(int g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
                int size = G(9);
                return new GridTile(G(1), G(2), G(3), G(4), new KernelTile(G(5), G(6), G(7), G(8), new BlurKernel(size, new float[size * size])),
                    m.Groups[10].Success ? double.Parse(m.Groups[10].Value, CultureInfo.InvariantCulture) : null, G(11),
                    OpenCvSharp.Cv2.ImDecode(Convert.FromBase64String(m.Groups[12].Value), OpenCvSharp.ImreadModes.Unchanged));
            }).ToList();
        Assert.Equal(int.Parse(fig.Groups[1].Value), tiles.Count);
        Assert.Equal(tiles.Count, Regex.Matches(fig.Groups[3].Value, "<img ").Count); // one picture per tile, nothing else
        return (int.Parse(fig.Groups[2].Value), tiles, WebUtility.HtmlDecode(fig.Groups[4].Value));
    }

    /// <summary>A grid shows exactly <paramref name="csv"/>'s tiles, in its order, each at its own size and the grid's zoom, laid out as the tiles lie over the frame.</summary>
    private static void GridShows(IReadOnlyList<KernelTile> csv, int zoom, List<GridTile> grid, string what)
    {
        Assert.Equal(csv.Select(t => (t.X0, t.Y0, t.X1, t.Y1, t.Kernel.Size)), grid.Select(g => (g.Where.X0, g.Where.Y0, g.Where.X1, g.Where.Y1, g.Where.Kernel.Size)));
        foreach (var (t, g) in csv.Zip(grid))
        {
            Assert.Equal(t.Kernel.Size * zoom, g.ShownPx);
            // One image pixel per kernel pixel, 8-bit grey, the kernel's maximum white and its zeros black.
            Assert.Equal((t.Kernel.Size, t.Kernel.Size, 1), (g.Png.Cols, g.Png.Rows, g.Png.Channels()));
            float max = t.Kernel.Weights.Max();
            for (int i = 0; i < t.Kernel.Size; i++)
                for (int j = 0; j < t.Kernel.Size; j++)
                    Assert.True(Math.Abs(g.Png.At<byte>(i, j) - 255.0 * t.Kernel[i, j] / max) <= 0.51, $"{what}: tile {g.Where} pixel ({j}, {i}) is {g.Png.At<byte>(i, j)}, kernel {t.Kernel[i, j] / max:F4} of its maximum");
        }
        // Grid lines in the order of the tiles' edges: a tile's columns and rows follow its place in the frame.
        foreach (var a in grid)
            foreach (var b in grid)
            {
                Assert.True(Math.Sign(a.Where.X0 - b.Where.X0) == Math.Sign(a.Col0 - b.Col0) && Math.Sign(a.Where.X1 - b.Where.X1) == Math.Sign(a.Col1 - b.Col1), $"{what}: columns of {a.Where} and {b.Where}");
                Assert.True(Math.Sign(a.Where.Y0 - b.Where.Y0) == Math.Sign(a.Row0 - b.Row0) && Math.Sign(a.Where.Y1 - b.Where.Y1) == Math.Sign(a.Row1 - b.Row1), $"{what}: rows of {a.Where} and {b.Where}");
                Assert.True(a.Where.X1 != b.Where.X0 || a.Col1 == b.Col0, $"{what}: {a.Where} and {b.Where} touch in the frame but not in the grid");
                Assert.True(a.Where.Y1 != b.Where.Y0 || a.Row1 == b.Row0, $"{what}: {a.Where} and {b.Where} touch in the frame but not in the grid");
            }
        Assert.Equal(1, grid.Min(g => g.Col0));
        Assert.Equal(1, grid.Min(g => g.Row0));
    }

    [Fact]
    public async Task AMultiTileFrameShowsEveryKernelTileLaidOutLikeTheTilesWithItsSimilarityBesideTheGroundTruthGrid()
    {
        // In-plane rotation at 640×480 (as `simulate --preset b-rotation --seed 8301 --frames 1`): spatially varying blur, ground truth
        // per 128-px tile, kernels estimated per tile.
        string data = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("b-rotation") with { Frames = 1 }, 8301, Path.Combine(data, "b-rotation-8301"));
        var catalogue = new MethodCatalogueBuilder().Build();
        string bundleDir = Assert.Single(Evaluator.FindBundles([data]));
        string outDir = TestPaths.NewTempDir();
        await Evaluator.RunAsync(catalogue, [bundleDir], [catalogue.ParseMethod("events+wiener")], outDir, 1, 1);
        string runDir = Directory.GetDirectories(Path.Combine(outDir, "runs")).SelectMany(Directory.GetDirectories).Single();
        var frame = (await FramesParquet.ReadAsync(Path.Combine(runDir, "frames.parquet"))).Single();
        Assert.Equal("ok", frame.Status);
        var estimated = KernelCsv.Read(Path.Combine(runDir, "kernels", "000000.csv"));
        var truth = KernelCsv.Read(Path.Combine(RecordingBundle.Load(bundleDir).GroundTruthKernelsDir!, "000000.csv"));
        Assert.True(estimated.Count > 1 && truth.Count > 1, $"{estimated.Count} estimated and {truth.Count} ground-truth tiles: not a multi-tile frame");

        string html = Path.Combine(TestPaths.NewTempDir(), "report.html");
        await HtmlReport.WriteRunsAsync(html, [runDir]);
        string section = Regex.Match(File.ReadAllText(html), "<section class=\"frame\" id=\"run-0-frame-0\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.NotEmpty(section);
        var (zoom, est, estCaption) = Grid(section, "estimated") ?? throw new Xunit.Sdk.XunitException("no grid of the estimated kernels");
        var (gtZoom, gt, gtCaption) = Grid(section, "truth") ?? throw new Xunit.Sdk.XunitException("no grid of the ground-truth kernels");
        Assert.Equal(zoom, gtZoom); // one scale for both, so their sizes compare
        Assert.Contains($"1 kernel px = {zoom} screen px", estCaption);
        Assert.Contains($"1 kernel px = {zoom} screen px", gtCaption);
        GridShows(estimated, zoom, est, "estimated");
        // The truth has 32-px tiles (300 in the frame since stop 55): drawn at the estimate's layout, each estimated tile
        // with the truth tile under its centre (every truth tile at zoom 1 had made the page 40 % larger and unreadable).
        Assert.True(truth.Count > Math.Max(64, estimated.Count), $"{truth.Count} truth tiles");
        var underCentres = estimated.Select(e =>
        {
            int cx = (e.X0 + e.X1 - 1) / 2, cy = (e.Y0 + e.Y1 - 1) / 2;
            return e with { Kernel = truth.Single(t => t.X0 <= cx && cx < t.X1 && t.Y0 <= cy && cy < t.Y1).Kernel };
        }).ToList();
        GridShows(underCentres, zoom, gt, "ground truth");
        Assert.Contains($"ground-truth kernels under the centre of each estimated tile ({truth.Count} truth tiles in the frame; the truth varies within a tile)", gtCaption);

        // Each estimated tile's similarity: METRICS.md's, against the ground-truth tiles over the same pixels (area-weighted);
        // their area-weighted mean is the frame's kernel_similarity the run wrote.
        Assert.All(gt, g => Assert.Null(g.Similarity));
        double sum = 0, area = 0;
        foreach (var (e, g) in estimated.Zip(est))
        {
            double s = 0, a = 0;
            foreach (var t in truth)
            {
                int w = Math.Min(e.X1, t.X1) - Math.Max(e.X0, t.X0), h = Math.Min(e.Y1, t.Y1) - Math.Max(e.Y0, t.Y0);
                if (w <= 0 || h <= 0) continue;
                s += (double)w * h * ImageMetrics.KernelSimilarity(e.Kernel, t.Kernel);
                a += (double)w * h;
            }
            Assert.NotNull(g.Similarity);
            Assert.Equal(s / a, g.Similarity.Value, 12);
            Assert.Contains($"<span>{g.Similarity.Value.ToString("F2", CultureInfo.InvariantCulture)}</span>", section);
            sum += g.Similarity.Value * e.Area;
            area += e.Area;
        }
        Assert.Equal(frame.KernelSimilarity!.Value, sum / area, 9);
        Assert.Contains($"frame {frame.KernelSimilarity.Value.ToString("F3", CultureInfo.InvariantCulture)}", estCaption);
        Assert.Contains(est, g => g.Similarity < 0.99); // the estimate is not the truth: the values come from the kernels, not a constant

        // As Chromium lays the page out: every tile's box where its tile lies (left of, above, level with its neighbours
        // as in the frame), no two overlapping, each large enough for its kernel at the stated zoom.
        string measured = Path.Combine(Path.GetDirectoryName(html)!, "measured.html");
        File.WriteAllText(measured, File.ReadAllText(html).Replace("</body>",
            "<script>document.querySelectorAll('div.ktile').forEach(function (d) { var r = d.getBoundingClientRect(); d.setAttribute('data-rect', [r.left, r.top, r.width, r.height].map(Math.round).join(',')); });</script></body>"));
        string dom = DumpDom(measured);
        var boxes = Regex.Matches(dom, "<div class=\"ktile\"[^>]*data-tile=\"(\\d+),(\\d+),(\\d+),(\\d+)\" data-size=\"(\\d+)\"[^>]*data-rect=\"(-?\\d+),(-?\\d+),(\\d+),(\\d+)\"")
            .Select(m => m.Groups.Values.Skip(1).Select(g => int.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(estimated.Count + underCentres.Count, boxes.Count);
        foreach (var grid in new[] { boxes.Take(estimated.Count).ToList(), boxes.Skip(estimated.Count).ToList() })
            foreach (var a in grid)
            {
                Assert.True(a[7] >= a[4] * zoom && a[8] >= a[4] * zoom, $"tile {a[0]},{a[1]}: a {a[7]}×{a[8]} box for a {a[4] * zoom}-px kernel");
                foreach (var b in grid)
                {
                    Assert.Equal(Math.Sign(a[0] - b[0]), Math.Sign(a[5] - b[5]));
                    Assert.Equal(Math.Sign(a[1] - b[1]), Math.Sign(a[6] - b[6]));
                    bool overlap = a != b && Math.Max(a[5], b[5]) < Math.Min(a[5] + a[7], b[5] + b[7]) && Math.Max(a[6], b[6]) < Math.Min(a[6] + a[8], b[6] + b[8]);
                    Assert.False(overlap, $"tiles {a[0]},{a[1]} and {b[0]},{b[1]} overlap on the page");
                }
            }
    }

    [Fact]
    public async Task ALiveRunsFramesShowTheirCropAndTheExposuresEventsOfThatRegionInChromium()
    {
        // A real live run: a simulated rig served on 127.0.0.1 (events, triggers) and its RGB frames as a video.
        var o = SimulationPresets.Get("night-hard") with { Frames = 2, RgbWidth = 256, RgbHeight = 192, PointLights = 3, FramePeriodUs = 150_000, ExposureUs = (40_000, 60_000) };
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(o, 41, Path.Combine(dir, "bundle"));
        var bundle = RecordingBundle.Load(Path.Combine(dir, "bundle"));
        string video = Path.Combine(dir, "rgb.avi"), rig = Path.Combine(dir, "rig.json");
        Assert.Equal(2, RigVideo.Write(bundle, video, rig));
        await using var server = new DvStreamServer(bundle.EventsPath, IPAddress.Loopback, 0, 0);
        server.Start();
        var options = new LiveOptions
        {
            EventsUri = $"tcp://127.0.0.1:{server.EventsPort}", TriggersUri = $"tcp://127.0.0.1:{server.TriggersPort}", RgbSource = video, RigPath = rig,
            OutDir = Path.Combine(TestPaths.NewTempDir(), "live"), Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener", StreamEndGraceS = 1.5, DurationS = 60,
        };
        var live = LivePipeline.RunAsync(options, new EventDeblur.Kernels.EventKernelEstimator());
        await server.PlayAsync(4);
        var summary = await live;
        Assert.Equal(2, summary.Results.Count(r => r.Status == "ok"));
        // What a live folder keeps of its events: each processed frame's exposure window, never the stream.
        Assert.Empty(Directory.GetFiles(options.OutDir, "*.aedat4", SearchOption.AllDirectories));
        Assert.Equal(["000000.parquet", "000001.parquet"], Directory.GetFiles(Path.Combine(options.OutDir, "events")).Select(Path.GetFileName).Order());

        string html = Path.Combine(TestPaths.NewTempDir(), "live.html");
        var (code, _, err) = CliTests.Run("report", options.OutDir, "--html", html);
        Assert.True(code == 0, err);
        // As Chromium built the page.
        string page = DumpDom(html);
        Assert.DoesNotContain("<p class=\"no-events\"", page);

        // Every event of the recording, to count each figure's window and box independently of the run and the report.
        var events = new List<(long T, int X, int Y, bool On)>();
        using (var reader = AedatReader.Open(bundle.EventsPath))
            while (reader.TryRead(out var packet))
                if (packet is EventsPacket ep)
                    using (var b = ep.Events)
                        for (int i = 0; i < b.Count; i++) events.Add((b.Timestamps[i], b.Xs[i], b.Ys[i], b.Polarities[i]));
        var toEvents = Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography);
        var rows = await FramesParquet.ReadAsync(Path.Combine(options.OutDir, "frames.parquet"));
        Assert.Equal(2, rows.Count);
        foreach (var f in rows)
        {
            string section = Regex.Match(page, $"<section class=\"frame\" id=\"run-0-frame-{f.Index}\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
            Assert.NotEmpty(section);
            // The crop, chosen from the run's own previews, marked on blurry | deblurred and shown at 2×.
            Assert.Equal(2, Regex.Matches(section, "<span class=\"crop\"").Count);
            Assert.Contains("<img class=\"crops\"", section);
            var crop = Regex.Match(section, "the crop below \\((\\d+)×(\\d+) px at x (\\d+), y (\\d+)\\)");
            Assert.True(crop.Success, $"frame {f.Index}: no crop position");
            var (cw, ch, cx, cy) = (int.Parse(crop.Groups[1].Value), int.Parse(crop.Groups[2].Value), int.Parse(crop.Groups[3].Value), int.Parse(crop.Groups[4].Value));

            // The events of the exposure in the crop's region, from the run's events file: the counts are the recording's.
            var fig = Regex.Match(section, "<figure class=\"events\" data-frame=\"(\\d+)\" data-window=\"(\\d+),(\\d+)\" data-box=\"(\\d+),(\\d+),(\\d+),(\\d+)\" data-on=\"(\\d+)\" data-off=\"(\\d+)\"><img class=\"events\"[^>]*src=\"data:image/png;base64,([^\"]+)\"[^>]*><figcaption>(.*?)</figcaption>");
            Assert.True(fig.Success, $"frame {f.Index}: no events image");
            long V(int g) => long.Parse(fig.Groups[g].Value);
            Assert.Equal(f.Index, V(1));
            Assert.Equal((f.ExposureStartUs, f.ExposureEndUs), ((long?)V(2), (long?)V(3)));
            var box = new OpenCvSharp.Rect((int)V(4), (int)V(5), (int)V(6), (int)V(7));
            var (mx, my) = toEvents.Apply(cx + cw / 2.0, cy + ch / 2.0);
            Assert.True(box.Contains(new OpenCvSharp.Point((int)mx, (int)my)), $"frame {f.Index}: the crop's centre maps to ({mx:F1}, {my:F1}), outside the box {box}");
            long on = events.LongCount(e => e.On && e.T >= V(2) && e.T < V(3) && box.Contains(e.X, e.Y));
            long off = events.LongCount(e => !e.On && e.T >= V(2) && e.T < V(3) && box.Contains(e.X, e.Y));
            Assert.True(on + off > 100, $"frame {f.Index}: only {on + off} events");
            Assert.Equal((on, off), (V(8), V(9)));
            Assert.EndsWith($"from events/{f.Index:D6}.parquet", WebUtility.HtmlDecode(fig.Groups[11].Value));
            using var img = OpenCvSharp.Cv2.ImDecode(Convert.FromBase64String(fig.Groups[10].Value), OpenCvSharp.ImreadModes.Color);
            Assert.Equal((box.Width, box.Height), (img.Cols, img.Rows));
            using var gray = img.CvtColor(OpenCvSharp.ColorConversionCodes.BGR2GRAY);
            Assert.True(OpenCvSharp.Cv2.CountNonZero(gray.LessThan(250)) > 20, $"frame {f.Index}: the events image is blank");

            // Its kernels, as used (no ground truth on a rig: no truth grid, no similarity).
            var (zoom, tiles, _) = Grid(section, "estimated") ?? throw new Xunit.Sdk.XunitException($"frame {f.Index}: no kernels");
            GridShows(KernelCsv.Read(Path.Combine(options.OutDir, "kernels", $"{f.Index:D6}.csv")), zoom, tiles, $"frame {f.Index}");
            Assert.All(tiles, t => Assert.Null(t.Similarity));
            Assert.Null(Grid(section, "truth"));
        }

        // Without its events file a frame says why it has no events (here: removed, as by a run made before they were kept).
        File.Delete(Path.Combine(options.OutDir, "events", "000001.parquet"));
        await HtmlReport.WriteRunsAsync(html, [options.OutDir]);
        string again = File.ReadAllText(html);
        Assert.Single(Regex.Matches(again, "<figure class=\"events\" data-frame=\"0\""));
        Assert.Single(Regex.Matches(again, "<figure class=\"events\""));
        var why = Regex.Match(again, "<p class=\"no-events\">(.*?)</p>");
        Assert.True(why.Success);
        var f1 = rows.Single(r => r.Index == 1);
        Assert.Equal($"events of frame 1: not kept — the run wrote no events/000001.parquet; a live run receives its events from {options.EventsUri} and keeps only the exposure windows of the frames it processes (events/NNNNNN.parquet), "
                     + $"so the events of the exposure [{f1.ExposureStartUs}, {f1.ExposureEndUs}) µs cannot be shown ({f1.EventsInWindow.ToString("N0", CultureInfo.InvariantCulture)} events were received for this frame's exposure and margins)",
            WebUtility.HtmlDecode(why.Groups[1].Value));
    }

    [Fact]
    public async Task ALiveFrameWhoseEventsWereCappedShowsTheKeptSubsampleAndSaysSo()
    {
        // A live folder (no previews, so no crops: the whole sensor is shown) whose frame 2 kept 1 event in 3 of its window.
        string dir = await LiveRunFolder();
        var rows = await FramesParquet.ReadAsync(Path.Combine(dir, "frames.parquet"));
        var f = rows.Single(r => r.Index == 2);
        var window = new EventDeblur.Events.TimeRangeUs(f.ExposureStartUs!.Value, f.ExposureEndUs!.Value);
        int n = 9_000; // 4.44 µs apart over the 40 ms window, on a 346×260 sensor
        var events = new EventDeblur.Events.EventSlice(
            Enumerable.Range(0, n).Select(i => window.StartUs + i * window.DurationUs / n).ToArray(),
            Enumerable.Range(0, n).Select(i => (short)(i * 7 % 346)).ToArray(), Enumerable.Range(0, n).Select(i => (short)(i * 13 % 260)).ToArray(),
            Enumerable.Range(0, n).Select(i => i % 4 != 0).ToArray());
        var meta = new Dictionary<string, string> { ["sensor_width"] = "346", ["sensor_height"] = "260" };
        var kept = await FrameEventsFile.WriteAsync(dir, 2, events, window, Homography.Identity, 3_000, meta);
        Assert.Equal(3, kept.Stride);

        string html = Path.Combine(TestPaths.NewTempDir(), "live.html");
        await HtmlReport.WriteRunsAsync(html, [dir]);
        string section = Regex.Match(File.ReadAllText(html), "<section class=\"frame\" id=\"run-0-frame-2\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        var fig = Regex.Match(section, "<figure class=\"events\" data-frame=\"2\" data-window=\"(\\d+),(\\d+)\" data-box=\"0,0,346,260\" data-on=\"(\\d+)\" data-off=\"(\\d+)\" data-stride=\"3\">.*?<figcaption>(.*?)</figcaption>");
        Assert.True(fig.Success, "no events figure of the whole sensor with its stride: " + section);
        Assert.Equal((window.StartUs, window.EndUs), (long.Parse(fig.Groups[1].Value), long.Parse(fig.Groups[2].Value)));
        // What the file holds: every 3rd event of the window.
        long on = Enumerable.Range(0, n).Where(i => i % 3 == 0).LongCount(i => events.P[i]), off = Enumerable.Range(0, n).Where(i => i % 3 == 0).LongCount(i => !events.P[i]);
        Assert.Equal((on, off), (long.Parse(fig.Groups[3].Value), long.Parse(fig.Groups[4].Value)));
        Assert.Contains("1 in 3 events of the window, as the run kept them (9,000 received on the whole sensor)", WebUtility.HtmlDecode(fig.Groups[5].Value));
        // The other frames have no file: each says so.
        Assert.Equal(5, Regex.Matches(File.ReadAllText(html), "<p class=\"no-events\">events of frame \\d+: not kept — ").Count);
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
        PreviewWriter.WriteFrame(run, 7, frame, frame, null);
        var crop = ReportFrames.ChooseCrop(run, 7);
        Assert.NotNull(crop);
        Assert.Equal((w, h), (crop.FrameWidth, crop.FrameHeight));
        Assert.Equal(new OpenCvSharp.Rect(40, 30, 160, 120), crop.Rect); // centred on the light, clamped to the frame
        Assert.Null(ReportFrames.ChooseCrop(run, 8));
    }

    /// <summary>report counted a live run's dropped frames as failed ("0 frames ok, 3 failed" where live said "0 failed, 3 dropped").</summary>
    [Fact]
    public void LiveLineCountsDroppedFramesApart()
    {
        var frames = new[] { "ok", "dropped", "failed", "dropped" }
            .Select((s, i) => new FrameResult { Index = i, Status = s == "ok" ? "ok" : "failed", Dropped = s == "dropped" }).ToList();
        Assert.StartsWith("live run x: 1 frames ok, 1 failed, 2 dropped", EventDeblur.Evaluation.RunSummary.LiveLine("x", frames));
    }
}
