using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Pipeline.Output;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>
/// One run's part of the HTML report: metadata and status, links to its files, the sortable per-frame
/// table, thumbnails linking to each frame's section (full-size comparison with the crop marked, the crop
/// at 2×, the exposure's events of the crop's region, estimated and ground-truth kernels, the estimator's
/// notes), and (live runs) latency and backlog over time.
/// </summary>
internal static class RunSection
{
    private const int ThumbWidthPx = 160;

    public static string Html(ReportRun run, int k, string htmlDir, ReportFrames frames)
    {
        var m = run.Manifest;
        var sb = new StringBuilder($"<section class=\"run\" id=\"run-{k}\"><h2>{Enc(HtmlReport.RunTitle(run))}</h2>");

        sb.Append("<table class=\"meta\">");
        void Meta(string key, string? value) { if (value != null) sb.Append($"<tr><td>{Enc(key)}</td><td>{Enc(value)}</td></tr>"); }
        Meta("status", m.Status);
        Meta("mode", m.Mode ?? "replay");
        Meta("input bundle", m.InputBundle);
        Meta("method", m.Method);
        Meta("tool version", RunVersion(run.Dir));
        Meta("started", m.Started.ToString("u", CultureInfo.InvariantCulture));
        Meta("finished", m.Finished?.ToString("u", CultureInfo.InvariantCulture) ?? "(not finished)");
        if (m.Finished is { } end) Meta("duration", $"{(end - m.Started).TotalSeconds:F1} s");
        Meta("options", m.Options.ToJsonString());
        Meta("frames", string.Join(", ", run.Frames.GroupBy(f => f.Status).OrderBy(g => g.Key != "ok").ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")));
        var problems = (m.Frames?["problems"] as System.Text.Json.Nodes.JsonArray)?.Select(p => p?.ToString() ?? "").ToList()
            ?? m.Extra.Where(e => e.Key == "problems").SelectMany(e => (e.Value as System.Text.Json.Nodes.JsonArray)?.Select(p => p?.ToString() ?? "") ?? []).ToList();
        foreach (var (key, value) in m.Extra.Where(e => e.Key is not ("problems" or "problem_records"))) Meta(key, value?.ToJsonString());
        if (m.Mode != "live" && run.Frames.Any(f => f.Status == "ok") && !run.Frames.Any(f => f.Psnr != null || f.Ssim != null || f.KernelSimilarity != null))
            Meta("metrics", SummaryRow.NoGroundTruth);
        Meta("problems", problems.Count == 0 ? "none" : string.Join("\n", problems));
        foreach (var f in run.Frames.Where(f => f.Status != "ok")) Meta($"frame {f.Index} {(f.Dropped == true ? "dropped" : f.Status)}", f.Error ?? "(no cause recorded)");
        sb.Append("</table>");

        sb.Append("<p class=\"files\">Files: ");
        foreach (var (label, rel) in new[] { ("run.json", "run.json"), ("frames.parquet", "frames.parquet"), ("frames/", "frames"), ("kernels/", "kernels"), ("previews/", PreviewWriter.Folder), ("contact sheet", PreviewWriter.ContactSheetFile) })
            if (File.Exists(Path.Combine(run.Dir, rel)) || Directory.Exists(Path.Combine(run.Dir, rel)))
                sb.Append($"<a class=\"file\" href=\"{Link(htmlDir, Path.Combine(run.Dir, rel))}\">{Enc(label)}</a> ");
        sb.Append("</p>");

        if (m.Mode == "live" && ReportPlots.LiveTimeline(run.Frames) is byte[] plot)
            sb.Append(HtmlReport.Figure(plot, "latency and backlog over time"));

        sb.Append("<div class=\"scroll\">").Append(FrameTable(run, k, htmlDir)).Append("</div>");

        sb.Append("<div class=\"thumbs\">");
        foreach (var f in run.Frames)
        {
            string label = f.Status != "ok" ? $"#{f.Index} {(f.Dropped == true ? "dropped" : f.Status)}" : f.Psnr is double p ? $"#{f.Index} {p:F1} dB" : $"#{f.Index}";
            using var thumb = Thumbnail(run.Dir, f);
            sb.Append($"<a href=\"#run-{k}-frame-{f.Index}\">");
            sb.Append(thumb != null ? Img(thumb, ".jpg", label, "thumb") : $"<span>[{Enc(label)}]</span>");
            sb.Append($"<br>{Enc(label)}</a>");
        }
        sb.Append("</div>");

        foreach (var f in run.Frames) sb.Append(FrameSection(run, k, f, htmlDir, frames));
        return sb.Append("</section>").ToString();
    }

    private static string FrameTable(ReportRun run, int k, string htmlDir)
    {
        bool live = run.Manifest.Mode == "live";
        var sb = new StringBuilder($"<table class=\"frames sortable\" id=\"run-{k}-frames\"><tr>");
        var headers = new List<string> { "index", "status", "error", "PSNR dB", "Δ PSNR vs blurry", "SSIM", "SSIM blurry", "kernel sim.", "kernel source", "confidence", "guard fallback tiles", "streaks", "kernels", "events used", "events in window", "ingest s", "kernels s", "deconv. s", "write s", "total s" };
        if (live) headers.AddRange(["latency s", "backlog", "rung"]);
        headers.Add("files");
        foreach (var h in headers) sb.Append($"<th>{Enc(h)}</th>");
        sb.Append("</tr>");
        foreach (var f in run.Frames)
        {
            sb.Append(f.Status == "ok" ? "<tr>" : "<tr class=\"failed\">");
            sb.Append($"<td data-v=\"{f.Index}\"><a href=\"#run-{k}-frame-{f.Index}\">{f.Index}</a></td><td>{Enc(f.Status)}</td><td>{Enc(f.Error ?? "")}</td>");
            Num(sb, f.Psnr, "F2");
            Num(sb, f.Psnr - f.PsnrBlurry, "+0.00;-0.00");
            Num(sb, f.Ssim, "F4");
            Num(sb, f.SsimBlurry, "F4");
            Num(sb, f.KernelSimilarity, "F3");
            sb.Append($"<td>{Enc(f.KernelSource)}</td>");
            Num(sb, f.KernelConfidence, "F2");
            // Fell back / judged (how many of those to the input): the do-no-harm guard's per-tile decisions; – without a guard.
            sb.Append(f.GuardTiles is int gt
                ? $"<td data-v=\"{f.GuardFallbackTiles}\">{f.GuardFallbackTiles}/{gt} ({f.GuardInputTiles} input)</td>"
                : "<td data-v=\"\">–</td>");
            Num(sb, f.Streaks, "0");
            Num(sb, f.Kernels, "0");
            Num(sb, f.EventsUsed, "N0");
            Num(sb, f.EventsInWindow, "N0");
            Num(sb, f.SecondsIngest, "F2");
            Num(sb, f.SecondsKernels, "F2");
            Num(sb, f.SecondsDeconvolve, "F2");
            Num(sb, f.SecondsWrite, "F2");
            Num(sb, f.SecondsTotal, "F2");
            if (live) { Num(sb, f.LatencySeconds, "F2"); Num(sb, f.BacklogFrames, "0"); sb.Append($"<td>{Enc(f.Quality ?? "")}</td>"); }
            sb.Append("<td>");
            foreach (var (label, rel) in new[] { ("png", FramesParquet.OutputFileOf(f.Index)), ("kernel", $"kernels/{f.Index:D6}.csv"), ("preview", PreviewWriter.PreviewFileOf(f.Index)) })
                if (File.Exists(Path.Combine(run.Dir, rel))) sb.Append($"<a class=\"file\" href=\"{Link(htmlDir, Path.Combine(run.Dir, rel))}\">{label}</a> ");
            sb.Append("</td></tr>");
        }
        return sb.Append("</table>").ToString();
    }

    private static string FrameSection(ReportRun run, int k, FrameResult f, string htmlDir, ReportFrames frames)
    {
        var sb = new StringBuilder($"<section class=\"frame\" id=\"run-{k}-frame-{f.Index}\"><h3>{Enc(HtmlReport.RunTitle(run))} — frame {f.Index}: {Enc(f.Status)}</h3>");
        if (f.Error != null) sb.Append($"<p class=\"warning\">{Enc(f.Error)}</p>");
        var facts = new List<string>();
        if (f.Psnr is double p) facts.Add($"PSNR {p:F2} dB (blurry {f.PsnrBlurry:F2})");
        if (f.Ssim is double s) facts.Add($"SSIM {s:F4} (blurry {f.SsimBlurry:F4})");
        if (f.KernelSimilarity is double ks) facts.Add($"kernel similarity {ks:F3}");
        if (f.KernelSource.Length > 0) facts.Add($"kernels from {f.KernelSource}, confidence {f.KernelConfidence:F2}");
        if (f.ExposureStartUs is long a && f.ExposureEndUs is long b) facts.Add($"exposure [{a}, {b}) µs on the event clock ({(b - a) / 1000.0:F1} ms)");
        if (facts.Count > 0) sb.Append($"<p>{Enc(string.Join("; ", facts))}</p>");
        string? input = run.Manifest.Mode == "live" ? null : run.Manifest.InputBundle;
        var crop = ReportFrames.KeyOf(run) is { } key ? frames.CropOf(key, f.Index) : null;
        string compare = Path.Combine(run.Dir, PreviewWriter.CompareFileOf(f.Index));
        string? cropStrip = null;
        if (File.Exists(compare))
        {
            byte[] jpg = File.ReadAllBytes(compare);
            string panelsText = f.Psnr != null ? "blurry | deblurred | ground truth" : "blurry | deblurred";
            sb.Append($"<figure><div class=\"marked\"><a href=\"{Link(htmlDir, compare)}\"><img class=\"full\" alt=\"frame {f.Index}: {panelsText}\" src=\"data:image/jpeg;base64,{Convert.ToBase64String(jpg)}\"></a>");
            int panels = 0;
            if (crop != null)
            {
                using var strip = Cv2.ImDecode(jpg, ImreadModes.Color);
                if (!strip.Empty() && strip.Rows == crop.FrameHeight && strip.Cols % crop.FrameWidth == 0)
                {
                    panels = strip.Cols / crop.FrameWidth;
                    // The crop marked on every panel, as boxes over the picture (percentages follow its displayed size).
                    var r = crop.Rect;
                    for (int i = 0; i < panels; i++)
                        sb.Append($"<span class=\"crop\" style=\"left:{Pct(i * crop.FrameWidth + r.X, strip.Cols)}%;top:{Pct(r.Y, strip.Rows)}%;width:{Pct(r.Width, strip.Cols)}%;height:{Pct(r.Height, strip.Rows)}%\"></span>");
                    cropStrip = CropStrip(strip, crop, panels, f.Index, panelsText);
                }
            }
            sb.Append($"</div><figcaption>{(f.Psnr != null ? "blurry | deblurred | ground truth" : "blurry | deblurred (no ground truth)")} (one tone curve){(panels > 0 ? $"; red: the crop below ({crop!.Rect.Width}×{crop.Rect.Height} px at x {crop.Rect.X}, y {crop.Rect.Y})" : "")}</figcaption></figure>");
        }
        else if (Thumbnail(run.Dir, f, fullSize: true) is { } full)
        {
            using (full) sb.Append(Img(full, ".jpg", $"frame {f.Index} (deblurred)", "full"));
        }
        sb.Append("<div class=\"details\">");
        if (cropStrip != null) sb.Append(cropStrip);
        sb.Append(EventsFigure(run, f, crop, frames));
        sb.Append(KernelFigures(run, f, input, frames));
        sb.Append("</div>");
        var notes = f.Diagnostics;
        if (notes.Count > 0)
        {
            sb.Append("<table class=\"notes\"><tr><th>candidate</th><th>verdict</th><th>reason / fit</th></tr>");
            foreach (var n in notes) sb.Append($"<tr><td>{Enc(n.Candidate)}</td><td>{Enc(n.Verdict)}</td><td style=\"text-align:left\">{Enc(n.Reason ?? n.Fit ?? "")}</td></tr>");
            sb.Append("</table>");
        }
        return sb.Append($"<p><a href=\"#run-{k}\">back to the run</a></p></section>").ToString();
    }

    /// <summary>Ground-truth tiles drawn one by one up to this many (or as many as the estimate has); beyond, at the estimate's tiles.</summary>
    internal const int MaxTruthTilesDrawn = 64;

    /// <summary>
    /// The frame's kernels: every tile of <c>kernels/NNNNNN.csv</c> in a grid laid out like the tiles over the frame
    /// (<see cref="KernelGrid"/>), with each tile's similarity to the ground truth of its pixels when the bundle has
    /// ground-truth kernels, and beside it the ground-truth grid (over <see cref="MaxTruthTilesDrawn"/> tiles, and more than
    /// the estimate has: the truth under each estimated tile's centre, laid out as the estimate); both at one zoom, stated
    /// in the captions.
    /// </summary>
    private static string KernelFigures(ReportRun run, FrameResult f, string? input, ReportFrames frames)
    {
        string kernelCsv = Path.Combine(run.Dir, "kernels", $"{f.Index:D6}.csv");
        string? gtCsv = input != null && frames.BundleOf(input)?.GroundTruthKernelsDir is { } gtDir ? Path.Combine(gtDir, $"{f.Index:D6}.csv") : null;
        var estimated = File.Exists(kernelCsv) ? KernelCsv.Read(kernelCsv) : [];
        IReadOnlyList<KernelTile> truth = [];
        string? truthProblem = null;
        if (gtCsv != null && File.Exists(gtCsv))
        {
            try { truth = KernelCsv.Read(gtCsv); }
            catch (FormatException e) { truthProblem = e.Message; } // a frame's bad ground truth fails that frame's metrics, not the report
        }
        if (estimated.Count == 0 && truth.Count == 0)
            return truthProblem != null ? $"<p class=\"no-kernels\">ground-truth kernels unreadable: {Enc(truthProblem)}</p>" : "";
        // A truth of many small tiles (the simulator's rotation and domain B scenes: up to 300 per frame since stop 55) is
        // drawn at the estimated tiles' layout, each the truth tile under that tile's centre: every tile of it at zoom 1
        // was unreadable and made the page 40 % larger (review 55b).
        var shownTruth = truth;
        string truthCaption = "ground-truth kernels";
        if (estimated.Count > 0 && truth.Count > Math.Max(MaxTruthTilesDrawn, estimated.Count))
        {
            shownTruth = KernelGrid.AtCentres(estimated, truth);
            truthCaption = $"ground-truth kernels under the centre of each estimated tile ({truth.Count} truth tiles in the frame; the truth varies within a tile)";
        }
        int zoom = KernelGrid.ZoomFor(estimated, shownTruth);
        var sb = new StringBuilder("<div class=\"kernel-grids\">");
        if (estimated.Count > 0)
        {
            // A run that deconvolves with no kernel (blurry, edi: identity kernels) has no kernel similarity, as its table
            // and frames.parquet say (stop 44's trial: the blurry method's tile was captioned "similarity 0.554").
            var similarity = truth.Count > 0 && !run.Manifest.IdentityKernels ? KernelGrid.TileSimilarities(estimated, truth) : null;
            string sim = similarity != null ? $"; per-tile similarity to the ground truth of its pixels (Hu & Yang, area-weighted over the ground-truth tiles it overlaps), frame {f.KernelSimilarity?.ToString("F3", CultureInfo.InvariantCulture) ?? "–"} (their area-weighted mean)" : "";
            string source = f.KernelSource.Length > 0 ? $" from {f.KernelSource}" : "";
            sb.Append(KernelGrid.Html(estimated, zoom, "estimated", similarity, $"kernels used{source}: {KernelGrid.Scale(estimated, zoom)}{sim}"));
        }
        if (truth.Count > 0) sb.Append(KernelGrid.Html(shownTruth, zoom, "truth", null, $"{truthCaption}: {KernelGrid.Scale(shownTruth, zoom)}"));
        if (truthProblem != null) sb.Append($"<p class=\"no-kernels\">ground-truth kernels unreadable: {Enc(truthProblem)}</p>");
        return sb.Append("</div>").ToString();
    }

    /// <summary>The crop of every panel of the comparison side by side (4 px apart), as JPEG shown at 2× with square pixels.</summary>
    private static string CropStrip(Mat compare, FrameCrop crop, int panels, long index, string panelsText)
    {
        const int gap = 4;
        var r = crop.Rect;
        using var strip = new Mat(r.Height, panels * r.Width + (panels - 1) * gap, MatType.CV_8UC3, Scalar.All(255));
        for (int i = 0; i < panels; i++)
        {
            using var src = new Mat(compare, new Rect(i * crop.FrameWidth + r.X, r.Y, r.Width, r.Height));
            using var dst = new Mat(strip, new Rect(i * (r.Width + gap), 0, r.Width, r.Height));
            src.CopyTo(dst);
        }
        Cv2.ImEncode(".jpg", strip, out byte[] jpg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 92));
        string alt = $"frame {index}: crop, {panelsText}";
        return $"<figure><img class=\"crops\" style=\"width:{2 * strip.Cols}px\" alt=\"{Enc(alt)}\" src=\"data:image/jpeg;base64,{Convert.ToBase64String(jpg)}\"><figcaption>{Enc($"the crop at 2×: {panelsText}")}</figcaption></figure>";
    }

    /// <summary>
    /// The exposure's events of the crop's region (the whole sensor when the frame has no crop), shown at the crop's
    /// scale; its <c>data-*</c> attributes state the window (µs), the event-pixel box and the counts. A paragraph saying
    /// why when there are none to show.
    /// </summary>
    private static string EventsFigure(ReportRun run, FrameResult f, FrameCrop? crop, ReportFrames frames)
    {
        if (frames.EventsOf(run, f, out string why) is not { } e)
            return $"<p class=\"no-events\">events of frame {f.Index}: {Enc(why)}</p>";
        var b = e.Box;
        int shown = crop != null && !e.WholeSensor ? 2 * crop.Rect.Width : Math.Min(640, 2 * b.Width);
        string where = e.WholeSensor ? $"the whole {b.Width}×{b.Height} sensor (no crop)" : $"event pixels x {b.X}–{b.X + b.Width - 1}, y {b.Y}–{b.Y + b.Height - 1} (the crop mapped onto the event sensor)";
        string caption = $"events of the exposure {e.Window} in {where}: {e.On.ToString("N0", CultureInfo.InvariantCulture)} ON (red), {e.Off.ToString("N0", CultureInfo.InvariantCulture)} OFF (blue)"
            + (e.Stride > 1 ? $" — 1 in {e.Stride} events of the window, as the run kept them ({e.InWindow?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} received on the whole sensor)" : "")
            + (run.Manifest.Mode == "live" ? $"; from {FrameEventsFile.FileOf(f.Index)}" : "");
        return $"<figure class=\"events\" data-frame=\"{f.Index}\" data-window=\"{e.Window.StartUs},{e.Window.EndUs}\" data-box=\"{b.X},{b.Y},{b.Width},{b.Height}\" data-on=\"{e.On}\" data-off=\"{e.Off}\"{(e.Stride > 1 ? $" data-stride=\"{e.Stride}\"" : "")}>"
            + $"<img class=\"events\" style=\"width:{shown}px\" alt=\"frame {f.Index}: events of the exposure\" src=\"data:image/png;base64,{Convert.ToBase64String(e.Png)}\"><figcaption>{Enc(caption)}</figcaption></figure>";
    }

    private static string Pct(int part, int whole) => (100.0 * part / whole).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The frame's preview (<c>preview/NNNNNN.jpg</c>), or its output PNG tone-mapped (runs made before previews), shrunk unless <paramref name="fullSize"/>; null when neither exists.</summary>
    private static Mat? Thumbnail(string runDir, FrameResult f, bool fullSize = false)
    {
        Mat? img = null;
        string preview = Path.Combine(runDir, PreviewWriter.PreviewFileOf(f.Index));
        string png = Path.Combine(runDir, FramesParquet.OutputFileOf(f.Index));
        if (File.Exists(preview)) img = Cv2.ImRead(preview, ImreadModes.Color);
        else if (File.Exists(png))
        {
            using var raw = Cv2.ImRead(png, ImreadModes.Unchanged);
            if (!raw.Empty())
            {
                double max = raw.Depth() == MatType.CV_8U ? 255 : 65535;
                var linear = LinearImage.FromRaw(raw, PixelEncoding.Linear, 0, max, max + 1);
                img = Preview.ToneMap(linear, Preview.AutoGain(linear));
            }
        }
        if (img == null || img.Empty()) { img?.Dispose(); return null; }
        if (fullSize || img.Cols <= ThumbWidthPx) return img;
        var small = new Mat();
        Cv2.Resize(img, small, new Size(ThumbWidthPx, Math.Max(1, img.Rows * ThumbWidthPx / img.Cols)), 0, 0, InterpolationFlags.Area);
        img.Dispose();
        return small;
    }

    private static string Img(Mat img, string ext, string alt, string cssClass)
    {
        Cv2.ImEncode(ext, img, out byte[] bytes, ext == ".jpg" ? [new ImageEncodingParam(ImwriteFlags.JpegQuality, 85)] : []);
        string mime = ext == ".jpg" ? "image/jpeg" : "image/png";
        return $"<img class=\"{cssClass}\" alt=\"{Enc(alt)}\" src=\"data:{mime};base64,{Convert.ToBase64String(bytes)}\">";
    }

    private static string? RunVersion(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
            return doc.RootElement.TryGetProperty("version", out var v) ? v.GetString() : null;
        }
        catch (Exception e) when (e is IOException or JsonException) { return null; }
    }

    private static void Num(StringBuilder sb, double? v, string format)
    {
        if (v is double d && double.IsFinite(d)) sb.Append($"<td data-v=\"{d.ToString("R", CultureInfo.InvariantCulture)}\">{d.ToString(format, CultureInfo.InvariantCulture)}</td>");
        else sb.Append("<td data-v=\"\">–</td>");
    }

    private static void Num(StringBuilder sb, long? v, string format)
    {
        if (v is long l) sb.Append($"<td data-v=\"{l}\">{l.ToString(format, CultureInfo.InvariantCulture)}</td>");
        else sb.Append("<td data-v=\"\">–</td>");
    }

    /// <summary>A link from the report's folder to <paramref name="target"/> (relative, URL-escaped per segment).</summary>
    private static string Link(string htmlDir, string target)
    {
        string rel = Path.GetRelativePath(htmlDir, Path.GetFullPath(target)).Replace('\\', '/');
        return string.Join('/', rel.Split('/').Select(Uri.EscapeDataString));
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
