using System.Diagnostics;
using System.Text.RegularExpressions;
using EventDeblur.Evaluation;
using EventDeblur.Methods;
using EventDeblur.Simulation;
using OpenCvSharp;

namespace EventDeblur.Tests.Evaluation;

public class EvaluatorTests
{
    private static readonly MethodCatalogue Catalogue = new MethodCatalogueBuilder().Build();

    private static string Dataset()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 200, RgbHeight = 150, PointLights = 2 }, 51, Path.Combine(dir, "night-051"));
        HybridRigSimulator.Simulate(SimulationPresets.Get("aps") with { Frames = 1 }, 52, Path.Combine(dir, "aps-052"));
        return dir;
    }

    [Fact]
    public async Task TwoShardsMergedEqualTheUnshardedRunAndRerunningIsIdempotent()
    {
        string data = Dataset();
        var bundles = Evaluator.FindBundles([data]);
        var methods = new[] { "blurry", "gt+wiener", "events+wiener" }.Select(Catalogue.ParseMethod).ToList();
        string whole = TestPaths.NewTempDir(), sharded = TestPaths.NewTempDir();
        await Evaluator.RunAsync(Catalogue, bundles, methods, whole, 1, 1);
        await Evaluator.RunAsync(Catalogue, bundles, methods, sharded, 1, 2);
        await Evaluator.RunAsync(Catalogue, bundles, methods, sharded, 2, 2);
        var a = await Evaluator.ReadShardsAsync([whole]);
        var b = await Evaluator.ReadShardsAsync([sharded]);
        Assert.Equal(3 * 3, a.Count); // 3 frames × 3 methods
        Assert.Equal(Evaluator.Canonical(a), Evaluator.Canonical(b));
        Assert.Equal(Evaluator.SummaryMarkdown(a), Evaluator.SummaryMarkdown(b));
        Assert.All(a, r => Assert.NotNull(r.Psnr));

        await Evaluator.RunAsync(Catalogue, bundles, methods, sharded, 2, 2); // re-run a shard
        Assert.Equal(Evaluator.Canonical(b), Evaluator.Canonical(await Evaluator.ReadShardsAsync([sharded])));
        // The blurry method's PSNR is the input's; deblurring with the true kernel is measured separately.
        Assert.Contains(a, r => r.Method == "blurry" && r.KernelSimilarity == null);
    }

    [SkippableFact]
    public async Task ShardResultsAreSelfDescribingForDuckDbAndAnIncompleteSetIsFlagged()
    {
        DuckDb.Require();
        string data = Dataset();
        var bundles = Evaluator.FindBundles([data]);
        var methods = new[] { "blurry", "gt+wiener" }.Select(Catalogue.ParseMethod).ToList();
        string outDir = TestPaths.NewTempDir();
        await Evaluator.RunAsync(Catalogue, bundles, methods, outDir, 1, 2);
        await Evaluator.RunAsync(Catalogue, bundles, methods, outDir, 2, 2);
        Assert.Empty(await Evaluator.ShardProblemsAsync([outDir]));

        string shard1 = Path.Combine(outDir, "results-shard-1-of-2.parquet");
        var cols = DuckDb.Columns(shard1);
        Assert.Equal(["bundle", "scene_group", "method", "index", "status", "psnr", "ssim", "kernel_similarity", "seconds_total", "psnr_blurry", "ssim_blurry", "psnr_sat_band", "psnr_sat_band_blurry"], cols.Keys);
        Assert.Equal("BIGINT", cols["index"]);
        var m = DuckDb.Metadata(shard1);
        Assert.Equal(("eventdeblur-parquet/1", "eval_results", "1/2", "blurry,gt+wiener", "0.1.0"), (m["format"], m["table"], m["shard"], m["methods"], m["tool_version"]));
        Assert.Equal(bundles, System.Text.Json.JsonSerializer.Deserialize<List<string>>(m["bundles"]));
        // Both shards together, by SQL: 3 frames × 2 methods, grouped without quoting a reserved word.
        string glob = DuckDb.Literal(Path.Combine(outDir, "results-shard-*-of-2.parquet"));
        var groups = DuckDb.Query($"SELECT scene_group, count(*) AS n FROM {glob} GROUP BY scene_group ORDER BY scene_group");
        Assert.Equal([("aps", 2L), ("night", 4L)], groups.EnumerateArray().Select(g => (g.GetProperty("scene_group").GetString(), g.GetProperty("n").GetInt64())));

        File.Move(Path.Combine(outDir, "results-shard-2-of-2.parquet"), Path.Combine(TestPaths.NewTempDir(), "away.parquet"));
        var missing = Assert.Single(await Evaluator.ShardProblemsAsync([outDir]));
        Assert.Contains("1 of 2 shards missing (results-shard-2-of-2.parquet)", missing.Message);
        Assert.Equal(outDir, missing.Source);
        string html = Path.Combine(TestPaths.NewTempDir(), "r.html");
        var (code, _, err) = EventDeblur.Tests.Cli.CliTests.Run("report", outDir, "--html", html);
        Assert.Equal(1, code);
        Assert.Contains("WARNING", err);
        Assert.Contains("results-shard-2-of-2.parquet", err);
        // The page says it first, loudly.
        string page = File.ReadAllText(html);
        int warning = page.IndexOf("<div class=\"warning\" id=\"warnings\">", StringComparison.Ordinal);
        Assert.True(warning > 0 && warning < page.IndexOf("<h2 id=\"summary\">", StringComparison.Ordinal), "no warning before the summary");
        Assert.Contains("results-shard-2-of-2.parquet", page[warning..page.IndexOf("</div>", warning, StringComparison.Ordinal)]);

        File.Copy(shard1, Path.Combine(outDir, "results-shard-1-of-1.parquet"));
        var both = await Evaluator.ShardProblemsAsync([outDir]);
        Assert.Contains(both, p => p.Message.Contains("2 different splits"));
        Assert.Contains(both, p => p.Message.Contains("appear in more than one shard file"));
    }

    [Fact]
    public async Task ReplayRunsGetTheSameReportAsEvaluations()
    {
        // An evaluation and the replay folders it made hold the same frames: read back both ways, the rows agree.
        string data = Dataset();
        string outDir = TestPaths.NewTempDir();
        await Evaluator.RunAsync(Catalogue, Evaluator.FindBundles([data]), new[] { "gt+wiener" }.Select(Catalogue.ParseMethod).ToList(), outDir, 1, 1);
        var runDirs = Directory.GetDirectories(Path.Combine(outDir, "runs", "gt+wiener"));
        var (rows, dirs) = await RunSummary.ReadAsEvalRowsAsync(runDirs);
        static IEnumerable<EvalRow> Sorted(IEnumerable<EvalRow> r) => r.OrderBy(x => x.Bundle, StringComparer.Ordinal).ThenBy(x => x.Index);
        Assert.Equal(Evaluator.Canonical(Sorted(await Evaluator.ReadShardsAsync([outDir]))), Evaluator.Canonical(Sorted(rows)));
        Assert.Equal(2, dirs.Count);
        string html = Path.Combine(TestPaths.NewTempDir(), "replays.html");
        await HtmlReport.WriteRunsAsync(html, runDirs);
        var images = Regex.Matches(File.ReadAllText(html), "src=\"data:image/png;base64,").Count;
        Assert.True(images >= 5, $"only {images} images");
        Assert.True(File.Exists(Path.ChangeExtension(html, null) + "-psnr.png"));
    }

    [Fact]
    public async Task TheHtmlReportRendersInHeadlessChromiumWithEveryImage()
    {
        string data = Dataset();
        string outDir = TestPaths.NewTempDir();
        await Evaluator.RunAsync(Catalogue, Evaluator.FindBundles([data]), new[] { "blurry", "events+wiener" }.Select(Catalogue.ParseMethod).ToList(), outDir, 1, 1);
        string html = Path.Combine(outDir, "report.html");
        await HtmlReport.WriteAsync(html, await Evaluator.ReadShardsAsync([outDir]), [outDir]);
        string text = File.ReadAllText(html);
        var images = Regex.Matches(text, "src=\"data:image/png;base64,([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(images.Count >= 6, $"only {images.Count} images");
        foreach (var b64 in images)
        {
            using var img = Cv2.ImDecode(Convert.FromBase64String(b64), ImreadModes.Unchanged);
            Assert.False(img.Empty());
        }
        // The PSNR distribution: a ScottPlot PNG, inlined and saved beside the report.
        Assert.Contains("alt=\"PSNR per frame and method\"", text);
        using (var plot = Cv2.ImRead(Path.Combine(outDir, "report-psnr.png")))
        {
            Assert.False(plot.Empty(), "report-psnr.png missing or unreadable");
            Cv2.MeanStdDev(plot, out _, out var plotStd);
            Assert.True(plotStd.Val0 > 10, "the PSNR plot is blank");
        }

        string shot = Path.Combine(outDir, "shot.png");
        var psi = new ProcessStartInfo("chromium") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1400", $"--screenshot={shot}", "file://" + html })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            _ = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            Assert.True(p.WaitForExit(90_000), "chromium did not finish");
        }
        Assert.True(File.Exists(shot), "chromium wrote no screenshot (is Debian's chromium installed? ./test.sh installs it as root)");
        using var s = Cv2.ImRead(shot, ImreadModes.Grayscale);
        Cv2.MeanStdDev(s, out var mean, out var std);
        Assert.True(std.Val0 > 10, $"the rendered page looks blank (σ = {std.Val0:F1})");

        // Structure of the page as Chromium built it: 2 bundles × 2 methods = 4 runs, each with its per-frame
        // table (a row per frame), a section per frame reachable from its thumbnail, and links to existing files.
        string dom = HtmlReportTests.DumpDom(html);
        var shards = await Evaluator.ReadShardsAsync([outDir]);
        Assert.Contains("<h1>EventDeblur evaluation report</h1>", dom);
        for (int k = 0; k < 4; k++)
        {
            var table = Regex.Match(dom, $"<table class=\"frames sortable\" id=\"run-{k}-frames\">(.*?)</table>", RegexOptions.Singleline);
            Assert.True(table.Success, $"run {k}: no per-frame table");
            int frames = Regex.Matches(table.Groups[1].Value, "<tr[ >]").Count - 1;
            Assert.True(frames is 1 or 2, $"run {k}: {frames} frame rows");
            foreach (Match id in Regex.Matches(table.Groups[1].Value, $"href=\"#(run-{k}-frame-\\d+)\""))
            {
                Assert.Contains($"<section class=\"frame\" id=\"{id.Groups[1].Value}\">", dom);
                Assert.Contains($"<a href=\"#{id.Groups[1].Value}\"><img class=\"thumb\"", dom);
            }
        }
        Assert.Equal(shards.Count, Regex.Matches(dom, "<section class=\"frame\" id=\"run-").Count);
        // Every frame's section (both bundles, both methods): the comparison with the crop marked on each panel, the
        // crop at 2× and the exposure's events of the crop's region as an image.
        foreach (Match section in Regex.Matches(dom, "<section class=\"frame\" id=\"(run-\\d+-frame-\\d+)\">(.*?)</section>", RegexOptions.Singleline))
        {
            string id = section.Groups[1].Value, body = section.Groups[2].Value;
            Assert.True(Regex.Matches(body, "<span class=\"crop\"").Count >= 2, $"{id}: the crop is not marked on the comparison");
            Assert.True(body.Contains("<img class=\"crops\"", StringComparison.Ordinal), $"{id}: no crop");
            var ev = Regex.Match(body, "<figure class=\"events\"[^>]*data-on=\"(\\d+)\" data-off=\"(\\d+)\"><img class=\"events\"[^>]*src=\"data:image/png;base64,([^\"]+)\"");
            Assert.True(ev.Success, $"{id}: no events image");
            Assert.True(long.Parse(ev.Groups[1].Value) + long.Parse(ev.Groups[2].Value) > 0, $"{id}: no events in the crop's region");
            using var evImg = Cv2.ImDecode(Convert.FromBase64String(ev.Groups[3].Value), ImreadModes.Color);
            Assert.False(evImg.Empty(), $"{id}: the events image does not decode");
        }
        var links = Regex.Matches(dom, "<a class=\"file\" href=\"([^\"]+)\"").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).ToList();
        Assert.True(links.Count >= 4 * 5, $"only {links.Count} file links");
        foreach (var link in links)
        {
            string target = Path.GetFullPath(Path.Combine(outDir, link));
            Assert.True(File.Exists(target) || Directory.Exists(target), $"broken link {link}");
        }
        Assert.Contains(links, l => l.EndsWith("frames.parquet", StringComparison.Ordinal));
        Assert.Contains(links, l => l.EndsWith("preview/contact-sheet.jpg", StringComparison.Ordinal));
        foreach (var b64 in Regex.Matches(text, "src=\"data:image/jpeg;base64,([^\"]+)\"").Select(m => m.Groups[1].Value))
        {
            using var img = Cv2.ImDecode(Convert.FromBase64String(b64), ImreadModes.Unchanged);
            Assert.False(img.Empty());
        }
    }
}

public class BlurDvsAdapterTests
{
    [Fact]
    public async Task TheShippedBlurDvsStyleFixtureConvertsAndEvaluates()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string outDir = TestPaths.NewTempDir();
        var bundles = Evaluator.FindBundles([fixture], Path.Combine(outDir, "converted"));
        var b = Assert.Single(bundles);
        var bundle = EventDeblur.Recording.RecordingBundle.Load(b);
        Assert.True(bundle.IsApsBundle);
        Assert.Equal((120, 90), bundle.EventSensorSize);
        Assert.Equal(24179, EventDeblur.Formats.Aedat.AedatSummary.Compute(bundle.EventsPath).EventCount);
        var catalogue = new MethodCatalogueBuilder().Build();
        var rows = await Evaluator.RunAsync(catalogue, bundles, new[] { "blurry", "edi", "events+hl" }.Select(catalogue.ParseMethod).ToList(), outDir, 1, 1);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.All(rows, r => Assert.NotNull(r.Psnr));
        double blurry = rows.Single(r => r.Method == "blurry").Psnr!.Value;
        Assert.True(rows.Single(r => r.Method == "edi").Psnr > blurry, "EDI should beat the blurry frame");
        Assert.True(rows.Single(r => r.Method == "events+hl").Psnr > blurry, "events+hl should beat the blurry frame");
    }

    /// <summary>
    /// A Blur-DVS-style dataset with a sharp frame missing (stop 42, a new user's trial): "unreadable", naming no row, and
    /// the whole evaluation stopped (exit 2) with a half-converted folder left. It is now named with its frames.csv line,
    /// its conversion removed, and the other datasets are still evaluated; the shard names it as not evaluated. (Since
    /// stop 46 a missing sharp frame only takes that frame's ground truth away, and a missing blurry frame that frame:
    /// here the dataset's only frame is missing, so nothing can be converted.)
    /// </summary>
    [Fact]
    public async Task ABlurDvsDatasetThatCannotBeConvertedIsNamedAndTheOthersEvaluated()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string dir = TestPaths.NewTempDir();
        string good = Path.Combine(dir, "good"), nosharp = Path.Combine(dir, "nosharp");
        foreach (string to in new[] { good, nosharp })
            foreach (string f in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
            {
                string dest = Path.Combine(to, Path.GetRelativePath(fixture, f));
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(f, dest);
            }
        File.Delete(Path.Combine(nosharp, "blurry", "000000.png"));
        string outDir = Path.Combine(dir, "out");
        var notConverted = new List<string>();
        var bundles = Evaluator.FindBundles([good, nosharp], Path.Combine(outDir, "converted"), null, notConverted);
        Assert.Equal("good", Path.GetFileName(Assert.Single(bundles)));
        string frames = Path.Combine(nosharp, "frames.csv");
        Assert.Equal($"nosharp: not evaluated: the Blur-DVS-style dataset cannot be converted: {frames}: no usable frame ({frames}: line 2: the blurry frame {Path.Combine(nosharp, "blurry", "000000.png")} is missing: the frame is left out)", Assert.Single(notConverted));
        // Strict (no list to collect faults in), the first fault still throws, naming its row.
        var strict = Assert.Throws<EventDeblur.Recording.BundleException>(() => EventDeblur.Recording.BlurDvsAdapter.ToBundle(nosharp, Path.Combine(dir, "strict")));
        Assert.Equal($"{frames}: line 2: the blurry frame {Path.Combine(nosharp, "blurry", "000000.png")} is missing", strict.Message);
        Assert.False(Directory.Exists(Path.Combine(outDir, "converted", "nosharp")));
        var catalogue = new MethodCatalogueBuilder().Build();
        var unusable = new List<string>(notConverted);
        var rows = await Evaluator.RunAsync(catalogue, bundles, [catalogue.ParseMethod("blurry")], outDir, 1, 1, unusable: unusable);
        Assert.All(rows, r => Assert.Equal("ok", r.Status));
        Assert.Equal(notConverted, unusable);
        var meta = await EventDeblur.Pipeline.Output.FramesParquet.ReadMetadataAsync(Path.Combine(outDir, "results-shard-1-of-1.parquet"));
        Assert.Contains("nosharp: not evaluated", meta[Evaluator.UnusableBundlesKey]);
    }

    /// <summary>
    /// Stop 40's second review: two Blur-DVS-style datasets of one folder name were converted into the same folder — the
    /// second reused the first's conversion and was left out without a word (and a later eval of a same-named dataset
    /// elsewhere took the earlier one's frames). The pair is refused now, and a conversion is reused only for its source.
    /// </summary>
    [Fact]
    public void SameNamedBlurDvsDatasetsAreToldApartOrRefused()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "A", "tiny"), b = Path.Combine(dir, "B", "tiny");
        foreach (string to in new[] { a, b })
            foreach (string f in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
            {
                string dest = Path.Combine(to, Path.GetRelativePath(fixture, f));
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(f, dest);
            }
        string converted = Path.Combine(dir, "converted");
        var e = Assert.Throws<ArgumentException>(() => Evaluator.FindBundles([a, b], converted));
        Assert.Contains($"{a} and {b}: two Blur-DVS-style datasets named 'tiny'", e.Message);

        string fromA = Assert.Single(Evaluator.FindBundles([a], converted));
        Assert.Equal(a + "\n" + Evaluator.DatasetStamp(a) + "\n", File.ReadAllText(Path.Combine(fromA, Evaluator.ConvertedFromFile)));
        // B alone afterwards is converted afresh (its own source recorded), not given A's conversion.
        string fromB = Assert.Single(Evaluator.FindBundles([b], converted));
        Assert.Equal(fromA, fromB);
        Assert.StartsWith(b + "\n", File.ReadAllText(Path.Combine(fromB, Evaluator.ConvertedFromFile)));
        // And B again reuses it.
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(fromB, "recording.json"));
        Assert.Single(Evaluator.FindBundles([b], converted));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(fromB, "recording.json")));
    }

    /// <summary>Stop 44's eval trial: a folder of Blur-DVS-style sequences was refused ("no bundles found"); each is converted.</summary>
    [Fact]
    public void AFolderOfBlurDvsDatasetsGivesEachOfThem()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string dir = TestPaths.NewTempDir();
        string root = Path.Combine(dir, "sequences");
        foreach (string name in new[] { "seq-a", "seq-b" })
            foreach (string f in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
            {
                string dest = Path.Combine(root, name, Path.GetRelativePath(fixture, f));
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(f, dest);
            }
        var bundles = Evaluator.FindBundles([root], Path.Combine(dir, "converted"));
        Assert.Equal(["seq-a", "seq-b"], bundles.Select(Path.GetFileName));
        Assert.All(bundles, b => Assert.True(File.Exists(Path.Combine(b, "recording.json"))));
    }

    /// <summary>
    /// Stop 44's eval trial: a Blur-DVS-style dataset edited after its conversion (a row dropped, a blurry frame replaced)
    /// was evaluated from the stale conversion, its old frames and numbers, exit 0 (even with --force). The conversion
    /// records a stamp of the dataset's files and is made again when it differs.
    /// </summary>
    [Fact]
    public void AnEditedBlurDvsDatasetIsConvertedAgain()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "tiny");
        foreach (string f in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(a, Path.GetRelativePath(fixture, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
        string converted = Path.Combine(dir, "converted");
        string target = Assert.Single(Evaluator.FindBundles([a], converted));
        string blurry = Directory.GetFiles(Path.Combine(a, "blurry"), "*.png").Order(StringComparer.Ordinal).First();
        // The conversion is an APS bundle: the blurry frames are inside its events.aedat4.
        byte[] before = File.ReadAllBytes(Path.Combine(target, "events.aedat4"));
        // The lab replaces the blurry frame with another image of the same size (a fixed frame).
        using (var img = OpenCvSharp.Cv2.ImRead(blurry, OpenCvSharp.ImreadModes.Unchanged))
        using (var other = new OpenCvSharp.Mat())
        {
            OpenCvSharp.Cv2.Flip(img, other, OpenCvSharp.FlipMode.Y);
            OpenCvSharp.Cv2.ImWrite(blurry, other);
        }
        Assert.Single(Evaluator.FindBundles([a], converted));
        byte[] after = File.ReadAllBytes(Path.Combine(target, "events.aedat4"));
        Assert.NotEqual(before, after);
        Assert.Equal(a + "\n" + Evaluator.DatasetStamp(a) + "\n", File.ReadAllText(Path.Combine(target, Evaluator.ConvertedFromFile)));
    }

    /// <summary>
    /// One bad frame dropped a whole Blur-DVS-style sequence from an evaluation (carried since stop 44; the quality bar:
    /// everything valid is still processed). A 5-frame sequence with an undecodable blurry frame, a sharp frame missing, a
    /// malformed frames.csv line and a malformed events line is converted with everything else: the bad frame left out,
    /// the frame without its sharp frame kept unscored, the bad event left out; each fault named with its file and line as
    /// a problem of the bundle's input (exit 1 in eval), also when the conversion is reused by a later evaluation. The
    /// frames are numbered one by one as an APS bundle counts them, everywhere (rows, runs), with the map to the dataset's.
    /// </summary>
    [Fact]
    public async Task ABlurDvsSequenceWithBadRowsKeepsItsGoodFrames()
    {
        string dir = TestPaths.NewTempDir();
        string aps = Path.Combine(dir, "aps"), seq = Path.Combine(dir, "seq");
        EventDeblur.Simulation.HybridRigSimulator.Simulate(SimulationPresets.Get("aps") with { Frames = 5 }, 4605, aps);
        Assert.Equal(5, EventDeblur.Recording.BlurDvsAdapter.FromApsBundle(aps, seq));
        var csv = File.ReadAllLines(Path.Combine(seq, "frames.csv")).ToList();
        string Field(int frame, int field) => Path.Combine(seq, csv[frame + 1].Split(',')[field]);
        File.WriteAllBytes(Field(1, 1), File.ReadAllBytes(Field(1, 1))[..100]);   // frame 1: its blurry PNG cut
        File.Delete(Field(3, 2));                                                  // frame 3: its sharp frame missing
        csv.Add("7,blurry/x.png,,not-a-time,5");                                   // line 7: malformed
        File.WriteAllLines(Path.Combine(seq, "frames.csv"), csv);
        var events = File.ReadAllLines(Path.Combine(seq, "events.txt"));
        int badEvent = Array.FindIndex(events, l => !l.StartsWith('#'));
        events[badEvent] = "12 oops 3 1";
        File.WriteAllLines(Path.Combine(seq, "events.txt"), events);

        string outDir = Path.Combine(dir, "out");
        var notConverted = new List<string>();
        var bundles = Evaluator.FindBundles([seq], Path.Combine(outDir, "converted"), null, notConverted);
        Assert.Empty(notConverted);
        string bundle = Assert.Single(bundles);
        var converted = EventDeblur.Recording.RecordingBundle.Load(bundle);
        // The bundle numbers its frames one by one (RECORDING_FORMAT.md); the map gives the dataset's indices back.
        Assert.Equal([0L, 1L, 2L, 3L], converted.ApsExposures().Select(w => w.Index).ToArray());
        Assert.Equal(new Dictionary<long, long> { [0] = 0, [1] = 2, [2] = 3, [3] = 4 }, EventDeblur.Recording.BlurDvsAdapter.ReadIndexMap(bundle));
        // Ground truth by the bundle's index: frame 1 of the bundle (the dataset's 2) has the dataset's sharp frame 2.
        Assert.Equal([0L, 1L, 3L], converted.GroundTruthFrames!.Select(f => f.Index).ToArray());
        using (var sharp2 = Cv2.ImRead(Field(2, 2), ImreadModes.Grayscale))
        using (var gt1 = Cv2.ImRead(Path.Combine(bundle, "gt", "000001.png"), ImreadModes.Unchanged))
        {
            Assert.Equal(sharp2.At<byte>(10, 10) * 257, gt1.At<ushort>(10, 10));
            Assert.Equal(sharp2.At<byte>(100, 200) * 257, gt1.At<ushort>(100, 200));
        }
        string frames = Path.Combine(seq, "frames.csv");
        string[] expected =
        [
            $"conversion: {frames}: line 7: expected 'index,blurry,sharp,exposure_start_us,exposure_end_us', found '7,blurry/x.png,,not-a-time,5': the row is left out",
            $"conversion: {Field(1, 1)} (line 3 of {frames}): expected a {converted.Manifest.Events.Width}×{converted.Manifest.Events.Height} gray image, and OpenCV cannot decode it: the frame is left out",
            $"conversion: {Path.Combine(seq, "events.txt")}: line {badEvent + 1}: expected 't_us x y p' inside {converted.Manifest.Events.Width}×{converted.Manifest.Events.Height}, found '12 oops 3 1': the event is left out",
            $"conversion: {frames}: line 5: the sharp frame {Field(3, 2)} is missing: the frame is kept without ground truth (not scored)",
        ];
        var catalogue = new MethodCatalogueBuilder().Build();
        for (int run = 0; run < 2; run++)
        {
            // The second evaluation reuses the conversion, and still names what it left out.
            if (run == 1) Assert.Equal(bundle, Assert.Single(Evaluator.FindBundles([seq], Path.Combine(outDir, "converted"), null, notConverted)));
            var problems = new List<string>();
            var rows = await Evaluator.RunAsync(catalogue, [bundle], [catalogue.ParseMethod("blurry")], outDir, 1, 1, inputProblemsOut: problems);
            // Rows by the bundle's index, as its runs and report number the frames; the dataset's 3 is the bundle's 2.
            Assert.Equal([0L, 1L, 2L, 3L], rows.Select(r => r.Index).Order().ToArray());
            Assert.All(rows.Where(r => r.Index != 2), r => Assert.NotNull(r.Psnr));
            Assert.Null(rows.Single(r => r.Index == 2).Psnr);
            Assert.Equal(string.Join("\n", expected.Select(e => $"seq: {e}")), string.Join("\n", problems.Where(p => p.Contains("conversion: ", StringComparison.Ordinal))));
        }
    }

    /// <summary>
    /// Stop 46's review: rows out of time order gave a frame the events of another stretch; a row whose path leaves the
    /// dataset, or with a negative index, cost the whole sequence; an events file that cannot be read stopped the whole
    /// evaluation; and a conversion made before the renumbering was reused with its ground truth under the dataset's
    /// indices. Rows are now converted in time order (the map says where each went), the bad rows left out, the unreadable
    /// dataset named as not evaluated while the others are, and an old conversion is made again.
    /// </summary>
    [Fact]
    public void BlurDvsRowsOutOfOrderBadPathsUnreadableEventsAndOldConversions()
    {
        string dir = TestPaths.NewTempDir();
        string aps = Path.Combine(dir, "aps"), seq = Path.Combine(dir, "seq"), broken = Path.Combine(dir, "broken");
        EventDeblur.Simulation.HybridRigSimulator.Simulate(SimulationPresets.Get("aps") with { Frames = 3 }, 4606, aps);
        Assert.Equal(3, EventDeblur.Recording.BlurDvsAdapter.FromApsBundle(aps, seq));
        var csv = File.ReadAllLines(Path.Combine(seq, "frames.csv")).ToList();
        // Rows 0 and 2 swapped (dataset indices stay with their rows), and two bad rows.
        (csv[1], csv[3]) = (csv[3], csv[1]);
        csv.Add("8,../outside.png,,1,2");
        csv.Add("-1,blurry/000000.png,,1,2");
        File.WriteAllLines(Path.Combine(seq, "frames.csv"), csv);
        // A copy whose events file is an AEDAT file that cannot be read.
        foreach (string f in Directory.GetFiles(seq, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(broken, Path.GetRelativePath(seq, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        File.WriteAllText(Path.Combine(broken, "events.aedat4"), "#!AER-DAT4.0\r\nnot flatbuffers at all, not even close to it");
        string desc = File.ReadAllText(Path.Combine(broken, "blurdvs.json"));
        File.WriteAllText(Path.Combine(broken, "blurdvs.json"), System.Text.RegularExpressions.Regex.Replace(desc, "\"events\"\\s*:\\s*\"[^\"]*\"", "\"events\": \"events.aedat4\""));

        string converted = Path.Combine(dir, "out", "converted");
        var notConverted = new List<string>();
        var bundles = Evaluator.FindBundles([seq, broken], converted, null, notConverted);
        Assert.Equal("seq", Path.GetFileName(Assert.Single(bundles)));
        Assert.StartsWith($"broken: not evaluated: the Blur-DVS-style dataset cannot be converted: {Path.Combine(broken, "events.aedat4")}: the events cannot be read: ", Assert.Single(notConverted));
        var problems = File.ReadAllLines(Path.Combine(bundles[0], Evaluator.ConversionProblemsFile));
        Assert.Contains(problems, p => p.StartsWith($"{Path.Combine(seq, "frames.csv")}: line 5: ", StringComparison.Ordinal) && p.EndsWith(": the row is left out", StringComparison.Ordinal));
        Assert.Contains($"{Path.Combine(seq, "frames.csv")}: line 6: index -1 is negative (expected 0 or more): the row is left out", problems);
        // In time order: the dataset's 0 (now on line 4) is the bundle's first frame, and so on.
        var b = EventDeblur.Recording.RecordingBundle.Load(bundles[0]);
        var truth = EventDeblur.Recording.RecordingBundle.Load(aps).ApsExposures();
        Assert.Equal(truth.Select(t => t.Exposure), b.ApsExposures().Select(t => t.Exposure));
        Assert.Null(EventDeblur.Recording.BlurDvsAdapter.ReadIndexMap(bundles[0]));   // indices 0, 1, 2 in time order: the dataset's own
        // A conversion made before the conversion's version was in the stamp is made again (its runs would be of old data).
        string marker = Path.Combine(bundles[0], Evaluator.ConvertedFromFile);
        string old = File.ReadAllText(marker);
        File.WriteAllText(marker, seq + "\nstamp 0000\n");
        var reconverted = new List<string>();
        Evaluator.FindBundles([seq], converted, null, notConverted, reconverted);
        Assert.Equal([bundles[0]], reconverted);
        Assert.Equal(old, File.ReadAllText(marker));
    }

    [Fact]
    public void ABrokenDescriptionIsAClearError()
    {
        string dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "blurdvs.json"), "{ \"format\": \"blur-dvs-style/1\", \"width\": 10 }");
        var e = Assert.Throws<EventDeblur.Recording.BundleException>(() => EventDeblur.Recording.BlurDvsAdapter.ToBundle(dir, Path.Combine(dir, "out")));
        Assert.Contains("height missing", e.Message);
    }
}
