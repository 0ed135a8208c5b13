using System.Globalization;
using System.Net;
using System.Text;
using EventDeblur.Kernels;
using EventDeblur.Metrics;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>
/// A frame's kernel tiles as the report draws them: one small picture per tile (8-bit grey PNG, one pixel per kernel
/// pixel, each kernel scaled to its own maximum = white), laid out as the tiles lie over the frame in a CSS grid whose
/// lines are the tiles' distinct edges (a tile spanning several tracks spans them in the grid too; tracks have one size,
/// so the layout keeps the tiles' order and adjacency, not their proportions). Every kernel is shown at the same
/// integer zoom, so kernel sizes compare across tiles and across the estimated and ground-truth grids.
/// </summary>
internal static class KernelGrid
{
    /// <summary>Widest grid the zoom is chosen for, screen pixels.</summary>
    public const int MaxWidthPx = 640;

    /// <summary>Largest zoom (screen pixels per kernel pixel), reached by a single tile of up to 78 px.</summary>
    public const int MaxZoom = 8;

    /// <summary>
    /// The similarity of every estimated tile to the ground truth of the same pixels (Hu &amp; Yang, METRICS.md): the
    /// area-weighted mean over the ground-truth tiles it overlaps, in [0, 1]; their area-weighted mean over the frame is
    /// the frame's <c>kernel_similarity</c>. NaN for a tile no ground-truth tile overlaps.
    /// </summary>
    public static double[] TileSimilarities(IReadOnlyList<KernelTile> estimated, IReadOnlyList<KernelTile> truth) =>
        estimated.Select(e => truth.Any(t => Math.Max(e.X0, t.X0) < Math.Min(e.X1, t.X1) && Math.Max(e.Y0, t.Y0) < Math.Min(e.Y1, t.Y1))
            ? ImageMetrics.KernelSimilarity([e], truth) : double.NaN).ToArray();

    /// <summary>
    /// The <paramref name="truth"/> tile under the centre of each of <paramref name="estimated"/>'s tiles (the nearest
    /// one when none holds it), placed at that estimated tile's rectangle: the truth laid out as the estimate.
    /// </summary>
    public static IReadOnlyList<KernelTile> AtCentres(IReadOnlyList<KernelTile> estimated, IReadOnlyList<KernelTile> truth) =>
        estimated.Select(e =>
        {
            int cx = (e.X0 + e.X1 - 1) / 2, cy = (e.Y0 + e.Y1 - 1) / 2;
            double Distance(KernelTile t) => Math.Max(Math.Max(t.X0 - cx, cx - (t.X1 - 1)), 0) + Math.Max(Math.Max(t.Y0 - cy, cy - (t.Y1 - 1)), 0);
            var under = truth.MinBy(Distance)!;
            return e with { Kernel = under.Kernel };
        }).ToList();

    /// <summary>
    /// The largest zoom (1 … <see cref="MaxZoom"/> screen pixels per kernel pixel) at which every grid of
    /// <paramref name="grids"/> is at most <see cref="MaxWidthPx"/> wide (1 when even that is wider: the page scrolls).
    /// </summary>
    public static int ZoomFor(params IReadOnlyList<KernelTile>[] grids)
    {
        int zoom = MaxZoom;
        foreach (var tiles in grids.Where(g => g.Count > 0))
        {
            int cols = Edges(tiles, t => t.X0, t => t.X1).Count - 1, size = tiles.Max(t => t.Kernel.Size);
            zoom = Math.Min(zoom, MaxWidthPx / Math.Max(1, cols * (size + 2)));
        }
        return Math.Max(1, zoom);
    }

    /// <summary>
    /// The grid as an HTML figure: <c>figure.kernels[data-tiles]</c> holding one <c>div.ktile</c> per tile (its
    /// <c>data-tile</c> = x0,y0,x1,y1 frame pixels, <c>data-size</c> = kernel size, px, and, with
    /// <paramref name="similarity"/>, <c>data-similarity</c> and the value printed on the tile) with one
    /// <c>img.kernel</c> each. <paramref name="kind"/> is the figure's second class (<c>estimated</c> or <c>truth</c>).
    /// </summary>
    public static string Html(IReadOnlyList<KernelTile> tiles, int zoom, string kind, double[]? similarity, string caption)
    {
        var xs = Edges(tiles, t => t.X0, t => t.X1);
        var ys = Edges(tiles, t => t.Y0, t => t.Y1);
        int track = tiles.Max(t => t.Kernel.Size) * zoom + 2;
        var sb = new StringBuilder($"<figure class=\"kernels {kind}\" data-tiles=\"{tiles.Count}\" data-zoom=\"{zoom}\">");
        sb.Append($"<div class=\"kgrid\" style=\"grid-template-columns:repeat({xs.Count - 1},{track}px);grid-template-rows:repeat({ys.Count - 1},{track}px)\">");
        for (int i = 0; i < tiles.Count; i++)
        {
            var t = tiles[i];
            int c0 = xs.BinarySearch(t.X0) + 1, c1 = xs.BinarySearch(t.X1) + 1, r0 = ys.BinarySearch(t.Y0) + 1, r1 = ys.BinarySearch(t.Y1) + 1;
            double? s = similarity is { } sim && double.IsFinite(sim[i]) ? sim[i] : null;
            string where = $"{t.X0},{t.Y0},{t.X1},{t.Y1}";
            sb.Append($"<div class=\"ktile\" style=\"grid-column:{c0}/{c1};grid-row:{r0}/{r1}\" data-tile=\"{where}\" data-size=\"{t.Kernel.Size}\"");
            if (s is double v) sb.Append($" data-similarity=\"{v.ToString("R", CultureInfo.InvariantCulture)}\"");
            string alt = $"{kind} kernel of x {t.X0}–{t.X1 - 1}, y {t.Y0}–{t.Y1 - 1}: {t.Kernel.Size}×{t.Kernel.Size} px" + (s is double w ? $", similarity {w:F3}" : "");
            sb.Append($" title=\"{WebUtility.HtmlEncode(alt)}\"><img class=\"kernel\" style=\"width:{t.Kernel.Size * zoom}px\" alt=\"{WebUtility.HtmlEncode(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(Png(t.Kernel))}\">");
            if (s is double u) sb.Append($"<span>{u.ToString("F2", CultureInfo.InvariantCulture)}</span>");
            sb.Append("</div>");
        }
        return sb.Append($"</div><figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>").ToString();
    }

    /// <summary>The caption's scale: sizes and zoom, and that each kernel is scaled to its own maximum.</summary>
    public static string Scale(IReadOnlyList<KernelTile> tiles, int zoom)
    {
        int lo = tiles.Min(t => t.Kernel.Size), hi = tiles.Max(t => t.Kernel.Size);
        string sizes = lo == hi ? $"{lo}×{lo} px" : $"{lo}×{lo} to {hi}×{hi} px";
        return $"{tiles.Count} tile(s), kernels {sizes}, 1 kernel px = {zoom} screen px, each scaled to its own maximum (white)";
    }

    /// <summary>The kernel as an 8-bit grey PNG, one pixel per kernel pixel, its maximum white.</summary>
    private static byte[] Png(BlurKernel k)
    {
        using var img = Preview.Kernel(k, 1);
        Cv2.ImEncode(".png", img, out byte[] png, new ImageEncodingParam(ImwriteFlags.PngCompression, 9));
        return png;
    }

    private static List<int> Edges(IReadOnlyList<KernelTile> tiles, Func<KernelTile, int> lo, Func<KernelTile, int> hi) =>
        tiles.Select(lo).Concat(tiles.Select(hi)).Distinct().Order().ToList();
}
