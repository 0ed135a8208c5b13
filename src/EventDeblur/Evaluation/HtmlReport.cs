using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Metrics;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>
/// A self-contained HTML report (images inlined as PNG data URIs): the summary table, PSNR
/// distributions per method (SVG strip plots), and per bundle its first frame: side-by-side crops
/// around the brightest streak (blurry / each method / ground truth), estimated vs ground-truth
/// kernels, and the events of the exposure.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes the report for evaluation folders (with <c>runs/METHOD/BUNDLE</c>) to <paramref name="htmlPath"/>.</summary>
    public static void Write(string htmlPath, IReadOnlyList<EvalRow> rows, IReadOnlyList<string> outDirs) =>
        Write(htmlPath, rows, (method, bundle) => outDirs.Select(o => Path.Combine(o, "runs", method, bundle)).FirstOrDefault(Directory.Exists));

    /// <summary>
    /// Writes the report for <paramref name="rows"/>; <paramref name="runDir"/> gives the replay output folder of a
    /// (method, bundle) pair, or null when there is none.
    /// </summary>
    public static void Write(string htmlPath, IReadOnlyList<EvalRow> rows, Func<string, string, string?> runDir)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>EventDeblur evaluation</title><style>")
          .Append("body{font-family:sans-serif;margin:2em;background:#fafafa}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
          .Append("th{background:#eee}td:first-child,td:nth-child(2){text-align:left}figure{display:inline-block;margin:4px;text-align:center;font-size:12px}img{image-rendering:pixelated;border:1px solid #999}")
          .Append("</style></head><body><h1>EventDeblur evaluation</h1>");
        sb.Append($"<p>{rows.Count} frame results, {rows.Select(r => r.Method).Distinct().Count()} methods, {rows.Select(r => r.Bundle).Distinct().Count()} bundles. Metrics per METRICS.md (sRGB, 16-px crop).</p>");
        sb.Append("<h2>Summary</h2>").Append(MarkdownTableToHtml(Evaluator.SummaryMarkdown(rows)));
        sb.Append("<h2>PSNR distribution per method</h2>");
        if (ReportPlots.PsnrByMethod(rows) is byte[] plot)
        {
            // Also saved beside the report, for papers and READMEs.
            IO.AtomicFile.WriteAllBytes(Path.ChangeExtension(htmlPath, null) + "-psnr.png", plot);
            sb.Append(Figure(plot, "PSNR per frame and method"));
        }
        else sb.Append("<p>No ground truth: no PSNR.</p>");
        var methods = rows.Select(r => r.Method).Distinct().Order(StringComparer.Ordinal).ToList();
        sb.Append("<h2>Frames</h2>");
        foreach (var bundle in rows.Select(r => r.Bundle).Distinct().Order(StringComparer.Ordinal))
        {
            var runDirs = methods.Select(m => (Method: m, Dir: runDir(m, bundle))).Where(x => x.Dir != null).ToList();
            if (runDirs.Count == 0) continue;
            string? bundleDir = RunManifest.Read(runDirs[0].Dir!).InputBundle;
            if (bundleDir == null || !Directory.Exists(bundleDir)) continue;
            try { sb.Append(FrameSection(bundle, bundleDir, runDirs!, rows)); }
            catch (Exception e) when (e is IOException or BundleException or OpenCVException or AedatFormatException)
            {
                sb.Append($"<p>{WebUtility.HtmlEncode(bundle)}: pictures unavailable ({WebUtility.HtmlEncode(e.Message)})</p>");
            }
        }
        sb.Append("</body></html>");
        IO.AtomicFile.WriteAllText(htmlPath, sb.ToString());
    }

    private static string FrameSection(string name, string bundleDir, List<(string Method, string? Dir)> runs, IReadOnlyList<EvalRow> rows)
    {
        var bundle = RecordingBundle.Load(bundleDir);
        var window = bundle.ResolveExposures().Windows.FirstOrDefault(w => w.Exposure != null);
        if (window == null) return "";
        string stem = $"{window.Index:D6}";
        double black = bundle.Manifest.Rgb?.BlackLevel ?? 0, white = bundle.Manifest.Rgb?.WhiteLevel ?? 255;
        double gain = bundle.Manifest.Rgb != null ? 8 : 1;
        Mat Load(string path, bool groundTruthAps)
        {
            using var raw = Cv2.ImRead(path, ImreadModes.Unchanged);
            if (raw.Empty()) throw new IOException($"{path}: unreadable");
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
        int cw = Math.Min(160, gray.Cols), chh = Math.Min(120, gray.Rows);
        var crop = new Rect(Math.Clamp(peak.X - cw / 2, 0, gray.Cols - cw), Math.Clamp(peak.Y - chh / 2, 0, gray.Rows - chh), cw, chh);

        var sb = new StringBuilder($"<h3>{WebUtility.HtmlEncode(name)} — frame {window.Index}</h3><div>");
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
            sb.Append(Figure(k, "ground-truth kernel"));
        }
        foreach (var (m, dir) in runs)
        {
            string kf = Path.Combine(dir!, "kernels", stem + ".csv");
            if (!File.Exists(kf) || m.StartsWith("gt+", StringComparison.Ordinal) || m == "blurry") continue;
            var tiles = KernelCsv.Read(kf);
            using var k = Preview.Kernel(tiles[tiles.Count / 2].Kernel);
            sb.Append(Figure(k, $"kernel: {m}"));
        }
        var batches = new List<Events.EventBatch>();
        var exposure = window.Exposure!.Value;
        using (var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = false }))
            while (reader.TryRead(out var p))
                if (p is EventsPacket e)
                {
                    if (e.Events.Timestamps[^1] < exposure.StartUs || e.Events.Timestamps[0] >= exposure.EndUs) e.Events.Dispose();
                    else batches.Add(e.Events);
                }
        var (ew, eh) = bundle.EventSensorSize;
        using (var ev = Preview.Events(batches, ew, eh, exposure)) sb.Append(Figure(ev, "events of the exposure (ON red, OFF blue)"));
        foreach (var b in batches) b.Dispose();
        sb.Append("</div>");
        return sb.ToString();
    }

    private static string Figure(Mat img, string caption)
    {
        Cv2.ImEncode(".png", img, out byte[] png);
        return Figure(png, caption);
    }

    private static string Figure(byte[] png, string caption) =>
        $"<figure><img alt=\"{WebUtility.HtmlEncode(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>";

    private static string MarkdownTableToHtml(string md)
    {
        var lines = md.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder("<table>");
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
