using EventDeblur.Imaging;
using System.Net;
using System.Text;
using EventDeblur.Formats.Aedat;
using EventDeblur.Kernels;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>
/// A self-contained HTML report (images inlined as data URIs, a few lines of script to sort tables): warnings
/// first (missing or duplicated shards, failed runs), the summary table (with the blurry baseline), the PSNR
/// distribution per method, then every run: its metadata and status (run.json: bundle, tool version, options,
/// start/end, frames ok/failed and problems), links to its files, a sortable per-frame table (status and error,
/// PSNR / SSIM against blurry, kernel similarity, source and confidence, streaks, events, seconds per stage,
/// live latency and backlog), thumbnails linking to each frame's section (full-size blurry | deblurred | ground
/// truth with the crop around a streak marked, the crop at 2×, the exposure's events of that region, its kernel
/// with scale and similarity beside the ground-truth kernel, the estimator's notes); for live runs latency and
/// backlog over time; and per bundle the crops of its first frame for every method side by side, estimated vs
/// ground-truth kernels and the exposure's events of the crop. Each bundle's event file is read once, in one
/// streaming pass for all its frames (<see cref="ReportFrames"/>).
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes the report of evaluation folders (with <c>runs/METHOD/BUNDLE</c>); <paramref name="warnings"/> are shown first, loudly.</summary>
    public static async Task WriteAsync(string htmlPath, IReadOnlyList<EvalRow> rows, IReadOnlyList<string> outDirs, IReadOnlyList<string>? warnings = null)
    {
        var runs = new List<ReportRun>();
        foreach (var (method, bundle) in rows.Select(r => (r.Method, r.Bundle)).Distinct().OrderBy(x => x.Bundle, StringComparer.Ordinal).ThenBy(x => x.Method, StringComparer.Ordinal))
            if (outDirs.Select(o => Path.Combine(o, "runs", method, bundle)).FirstOrDefault(d => File.Exists(Path.Combine(d, "run.json"))) is { } dir)
                runs.Add(await ReportRun.ReadAsync(dir));
        Write(htmlPath, "evaluation", rows, Evaluator.SummaryMarkdown(rows), runs, await ReportFrames.BuildAsync(runs), (m, b) => runs.FirstOrDefault(r => r.Manifest.Method == m && r.Bundle == b)?.Dir
            ?? outDirs.Select(o => Path.Combine(o, "runs", m, b)).FirstOrDefault(Directory.Exists), warnings ?? []);
    }

    /// <summary>Writes the report of replay or live run folders (a summary per group and method with the blurry baseline for replays).</summary>
    public static async Task WriteRunsAsync(string htmlPath, IReadOnlyList<string> runDirs, IReadOnlyList<string>? warnings = null)
    {
        var runs = new List<ReportRun>();
        foreach (var d in runDirs) runs.Add(await ReportRun.ReadAsync(d));
        var replays = runs.Where(r => r.Manifest.InputBundle != null).ToList();
        var rows = replays.SelectMany(r => r.Frames.Select(f => new EvalRow(r.Bundle, Evaluator.GroupOf(r.Bundle), r.Manifest.Method, f.Index, f.Status, f.Psnr, f.Ssim, r.Manifest.IdentityKernels ? null : f.KernelSimilarity, f.SecondsTotal))).ToList();
        string summary = replays.Count > 0 ? RunSummary.Markdown(await RunSummary.SummariseAsync(replays.Select(r => r.Dir))) : "";
        string kind = replays.Count == 0 ? "live run" : runs.Count > replays.Count ? "replay and live" : "replay";
        Write(htmlPath, kind, rows, summary, runs, await ReportFrames.BuildAsync(runs), (m, b) => replays.FirstOrDefault(r => r.Manifest.Method == m && r.Bundle == b)?.Dir, warnings ?? []);
    }

    private static void Write(string htmlPath, string kind, IReadOnlyList<EvalRow> rows, string summaryMarkdown, IReadOnlyList<ReportRun> runs, ReportFrames frames, Func<string, string, string?> runDir, IReadOnlyList<string> warnings)
    {
        string htmlDir = Path.GetDirectoryName(Path.GetFullPath(htmlPath))!;
        var allWarnings = warnings.Concat(runs.Where(r => r.Manifest.Status != "completed").Select(r => $"{r.Dir}: run status '{r.Manifest.Status}'"))
            .Concat(runs.Where(r => r.Frames.Any(f => f.Status != "ok")).Select(r => $"{r.Dir}: {r.Frames.Count(f => f.Status != "ok")} of {r.Frames.Count} frames failed")).ToList();
        var sb = new StringBuilder();
        string title = $"EventDeblur {kind} report";
        sb.Append($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title><style>")
          .Append("body{font-family:sans-serif;margin:2em;background:#fafafa}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
          .Append("th{background:#eee}td:first-child,td:nth-child(2){text-align:left}figure{display:inline-block;margin:4px;text-align:center;font-size:12px}img{image-rendering:pixelated;border:1px solid #999}")
          .Append("table.sortable th{cursor:pointer}table.sortable th:hover{background:#ddd}tr.failed td{background:#fde2e2}.warning{background:#b00020;color:#fff;padding:1em;font-size:1.1em;font-weight:bold}")
          .Append("table.meta td{text-align:left;overflow-wrap:anywhere}table.meta td:first-child{font-weight:bold;white-space:nowrap}div.scroll{overflow-x:auto}.thumbs a{display:inline-block;margin:2px;text-align:center;font-size:11px;color:#333;text-decoration:none}")
          .Append("img[alt^=\"PSNR per frame\"],img[alt^=\"latency and backlog\"]{width:640px}section.frame{border-top:1px solid #ccc;margin-top:1em}section.frame img.full{image-rendering:auto;max-width:100%;display:block}pre{white-space:pre-wrap;font-size:12px}")
          .Append("div.marked{position:relative;display:inline-block;max-width:100%}span.crop{position:absolute;border:2px solid #f00;box-sizing:border-box;pointer-events:none}div.details figure{vertical-align:top;max-width:100%}img.crops,img.events{max-width:100%;height:auto}")
          .Append("div.kgrid{display:inline-grid;gap:1px;background:#777;border:1px solid #777}div.ktile{background:#000;display:flex;align-items:center;justify-content:center;position:relative;overflow:hidden}")
          .Append("div.ktile img{border:0}div.ktile span{position:absolute;left:1px;top:0;font-size:9px;line-height:10px;color:#ff0;background:rgba(0,0,0,.6)}figure.kernels{overflow-x:auto}figure.kernels figcaption{width:0;min-width:100%}")
          .Append("</style></head><body>");
        sb.Append($"<h1>{title}</h1>");
        if (allWarnings.Count > 0)
        {
            sb.Append("<div class=\"warning\" id=\"warnings\">WARNING: the results are incomplete<ul>");
            foreach (var w in allWarnings) sb.Append($"<li>{WebUtility.HtmlEncode(w)}</li>");
            sb.Append("</ul></div>");
        }
        int frameCount = runs.Sum(r => r.Frames.Count);
        sb.Append($"<p>{runs.Count} run(s), {frameCount} frame result(s), {rows.Select(r => r.Method).Distinct().Count()} method(s), {rows.Select(r => r.Bundle).Distinct().Count()} bundle(s). {(rows.Any(r => r.Psnr != null || r.Ssim != null || r.KernelSimilarity != null) || rows.Count == 0 ? "Metrics per METRICS.md (sRGB, 16-px crop)." : "No ground truth: no metrics.")} Tool version {WebUtility.HtmlEncode(RunManifest.ToolVersion)}; generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>");
        if (summaryMarkdown.Length > 0) sb.Append("<h2 id=\"summary\">Summary</h2>").Append(MarkdownTableToHtml(summaryMarkdown, "summary sortable"));
        if (rows.Count > 0)
        {
            sb.Append("<h2>PSNR distribution per method</h2>");
            if (ReportPlots.PsnrByMethod(rows) is byte[] plot)
            {
                // Also saved beside the report, for papers and READMEs.
                IO.AtomicFile.WriteAllBytes(Path.ChangeExtension(htmlPath, null) + "-psnr.png", plot);
                sb.Append(Figure(plot, "PSNR per frame and method"));
            }
            else sb.Append($"<p class=\"no-metrics\">{WebUtility.HtmlEncode(SummaryRow.NoGroundTruth)} (PSNR, SSIM and kernel similarity need the bundle's ground-truth frames and kernels).</p>");
        }
        sb.Append("<h2>Runs</h2><ul>");
        for (int k = 0; k < runs.Count; k++)
            sb.Append($"<li><a href=\"#run-{k}\">{WebUtility.HtmlEncode(RunTitle(runs[k]))}</a> — {WebUtility.HtmlEncode(runs[k].Manifest.Status)}, {runs[k].Frames.Count(f => f.Status == "ok")}/{runs[k].Frames.Count} frames ok</li>");
        sb.Append("</ul>");
        for (int k = 0; k < runs.Count; k++)
        {
            try { sb.Append(RunSection.Html(runs[k], k, htmlDir, frames)); }
            catch (Exception e) when (e is IOException or OpenCVException or FormatException)
            {
                sb.Append($"<section class=\"run\" id=\"run-{k}\"><h2>{WebUtility.HtmlEncode(RunTitle(runs[k]))}</h2><p class=\"warning\">pictures unavailable: {WebUtility.HtmlEncode(e.Message)}</p></section>");
            }
        }
        var methods = rows.Select(r => r.Method).Distinct().Order(StringComparer.Ordinal).ToList();
        // Bundles whose folder is gone, or an event file replayed directly (no bundle folder), have no crops: the heading only comes with a section.
        var crops = new StringBuilder();
        foreach (var bundle in rows.Select(r => r.Bundle).Distinct().Order(StringComparer.Ordinal))
        {
            var runDirs = methods.Select(m => (Method: m, Dir: runDir(m, bundle))).Where(x => x.Dir != null).ToList();
            if (runDirs.Count == 0) continue;
            string? bundleDir = RunManifest.Read(runDirs[0].Dir!).InputBundle;
            if (bundleDir == null || !Directory.Exists(bundleDir)) continue;
            try { crops.Append(FrameSection(bundle, bundleDir, runDirs!, rows, frames)); }
            catch (Exception e) when (e is IOException or BundleException or OpenCVException or AedatFormatException)
            {
                crops.Append($"<p>{WebUtility.HtmlEncode(bundle)}: pictures unavailable ({WebUtility.HtmlEncode(e.Message)})</p>");
            }
        }
        if (crops.Length > 0) sb.Append("<h2>First frame of each bundle: crops around a streak</h2>").Append(crops);
        sb.Append(SortScript);
        sb.Append("</body></html>");
        IO.AtomicFile.WriteAllText(htmlPath, sb.ToString());
    }

    /// <summary>A run's heading: <c>METHOD on BUNDLE</c>, or <c>live: EVENTS-URI</c>.</summary>
    internal static string RunTitle(ReportRun r) => r.Manifest.Mode == "live"
        ? $"live run ({r.Manifest.Method}) from {r.Manifest.Options["events"]?.ToString() ?? "?"}"
        : $"{r.Manifest.Method} on {r.Bundle}";

    // Sorts a table.sortable by the clicked column: numbers numerically (data-v when present), text otherwise; a second click reverses.
    private const string SortScript = """
        <script>
        document.querySelectorAll('table.sortable').forEach(function (table) {
          table.querySelectorAll('tr:first-child th').forEach(function (th, col) {
            th.addEventListener('click', function () {
              var rows = Array.from(table.querySelectorAll('tr')).slice(1);
              var dir = th.dataset.dir === 'asc' ? -1 : 1;
              th.dataset.dir = dir === 1 ? 'asc' : 'desc';
              function key(tr) { var c = tr.children[col]; var v = c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim(); var n = parseFloat(v); return isNaN(n) ? v : n; }
              rows.sort(function (a, b) { var x = key(a), y = key(b); if (typeof x === typeof y) return (x < y ? -1 : x > y ? 1 : 0) * dir; return (typeof x === 'number' ? -1 : 1) * dir; });
              rows.forEach(function (r) { r.parentNode.appendChild(r); });
            });
          });
        });
        </script>
        """;

    private static string FrameSection(string name, string bundleDir, List<(string Method, string? Dir)> runs, IReadOnlyList<EvalRow> rows, ReportFrames frames)
    {
        var bundle = RecordingBundle.Load(bundleDir);
        var window = bundle.ResolveExposures().Windows.FirstOrDefault(w => w.Exposure != null);
        if (window == null) return "";
        string stem = $"{window.Index:D6}";
        double black = bundle.Manifest.Rgb?.BlackLevel ?? 0, white = bundle.Manifest.Rgb?.WhiteLevel ?? 255;
        double gain = bundle.Manifest.Rgb != null ? 8 : 1;
        Mat Load(string path, bool groundTruthAps)
        {
            // Decoded as replay decodes frames: a corrupt PNG is named with its chunk and byte, and libpng prints nothing.
            using var raw = LinearImage.Decode(path);
            return groundTruthAps ? Preview.ToneMap(raw, 0, 65535, 1) : Preview.ToneMap(raw, black, white, gain);
        }
        var panels = new List<(string Label, Mat Image)>();
        if (window.Row != null) panels.Add(("blurry", Load(window.Row.File, false)));
        foreach (var (m, dir) in runs)
        {
            string f = Path.Combine(dir!, "frames", stem + ".png");
            if (File.Exists(f) && m != "blurry") panels.Add((m, Load(f, false)));
            if (window.Row == null && m == "blurry" && File.Exists(f)) panels.Insert(0, ("blurry", Load(f, false)));
        }
        var gt = bundle.GroundTruthFrames?.FirstOrDefault(g => g.Index == window.Index);
        if (gt != null) panels.Add(("ground truth", Load(gt.File, bundle.IsApsBundle)));
        if (panels.Count == 0) return "";

        // Crop around the brightest spot of the blurry frame (a streak, if there is one).
        using var gray = new Mat();
        if (panels[0].Image.Channels() == 3) Cv2.CvtColor(panels[0].Image, gray, ColorConversionCodes.BGR2GRAY);
        else panels[0].Image.CopyTo(gray);
        using var blurredGray = new Mat();
        Cv2.GaussianBlur(gray, blurredGray, new Size(0, 0), 4);
        Cv2.MinMaxLoc(blurredGray, out _, out _, out _, out Point peak);
        int cw = Math.Min(ReportFrames.CropWidthPx, gray.Cols), chh = Math.Min(ReportFrames.CropHeightPx, gray.Rows);
        var crop = new Rect(Math.Clamp(peak.X - cw / 2, 0, gray.Cols - cw), Math.Clamp(peak.Y - chh / 2, 0, gray.Rows - chh), cw, chh);
        // The frame sections' crop, when there is one, so that both show the same place and its events.
        if (frames.CropOf(bundleDir, window.Index) is { } shared && shared.FrameWidth == gray.Cols && shared.FrameHeight == gray.Rows)
            (crop, cw, chh) = (shared.Rect, shared.Rect.Width, shared.Rect.Height);

        var sb = new StringBuilder($"<h3>{WebUtility.HtmlEncode(name)} — frame {window.Index}</h3><div>");
        using (var whole = panels[0].Image.Clone())
        {
            // Where the crops come from, on the whole blurry frame.
            Cv2.Rectangle(whole, crop, new Scalar(0, 0, 255), Math.Max(1, whole.Cols / 300));
            using var small = new Mat();
            double f = Math.Min(1, 480.0 / whole.Cols);
            Cv2.Resize(whole, small, new Size(0, 0), f, f, InterpolationFlags.Area);
            // An overview: JPEG (a PNG of a noisy night frame is ~7× larger).
            Cv2.ImEncode(".jpg", small, out byte[] jpg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 88));
            string cap = $"{panels[0].Label}: crop location (red)";
            sb.Append($"<figure><img alt=\"{WebUtility.HtmlEncode(cap)}\" src=\"data:image/jpeg;base64,{Convert.ToBase64String(jpg)}\"><figcaption>{WebUtility.HtmlEncode(cap)}</figcaption></figure>");
        }
        foreach (var (label, img) in panels)
        {
            using var c = new Mat(img, crop);
            using var big = new Mat();
            Cv2.Resize(c, big, new Size(cw * 2, chh * 2), 0, 0, InterpolationFlags.Nearest);
            var row = rows.FirstOrDefault(r => r.Bundle == name && r.Method == label && r.Index == window.Index);
            string caption = row?.Psnr is double p ? $"{label}: {p:F2} dB" : label;
            sb.Append(Figure(big, caption));
            img.Dispose();
        }
        sb.Append("</div><div>");
        if (bundle.GroundTruthKernelsDir != null && File.Exists(Path.Combine(bundle.GroundTruthKernelsDir, stem + ".csv")))
        {
            var tiles = KernelCsv.Read(Path.Combine(bundle.GroundTruthKernelsDir, stem + ".csv"));
            using var k = Preview.Kernel(tiles[tiles.Count / 2].Kernel);
            sb.Append(Figure(k, tiles.Count > 1 ? $"ground-truth kernel (centre tile of {tiles.Count}; every tile in the frame's section)" : "ground-truth kernel"));
        }
        foreach (var (m, dir) in runs)
        {
            string kf = Path.Combine(dir!, "kernels", stem + ".csv");
            if (!File.Exists(kf) || m.StartsWith("gt+", StringComparison.Ordinal) || m == "blurry") continue;
            var tiles = KernelCsv.Read(kf);
            using var k = Preview.Kernel(tiles[tiles.Count / 2].Kernel);
            sb.Append(Figure(k, tiles.Count > 1 ? $"kernel: {m} (centre tile of {tiles.Count})" : $"kernel: {m}"));
        }
        if (frames.FirstEventsOf(bundleDir, window.Index) is { } ev)
            sb.Append(Figure(ev.Png, $"events of the exposure {ev.Window} in {(ev.WholeSensor ? "the whole sensor" : "the crop's region")} (ON red, OFF blue)"));
        sb.Append("</div>");
        return sb.ToString();
    }

    internal static string Figure(Mat img, string caption)
    {
        Cv2.ImEncode(".png", img, out byte[] png);
        return Figure(png, caption);
    }

    internal static string Figure(byte[] png, string caption) =>
        $"<figure><img alt=\"{WebUtility.HtmlEncode(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>";

    private static string MarkdownTableToHtml(string md, string cssClass)
    {
        var lines = md.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder($"<table class=\"{cssClass}\">");
        for (int i = 0; i < lines.Length; i++)
        {
            if (i == 1) continue;
            var cells = lines[i].Trim('|', ' ').Split('|').Select(c => WebUtility.HtmlEncode(c.Trim()));
            string tag = i == 0 ? "th" : "td";
            sb.Append("<tr>").Append(string.Concat(cells.Select(c => $"<{tag}>{c}</{tag}>"))).Append("</tr>");
        }
        return sb.Append("</table>").ToString();
    }
}
