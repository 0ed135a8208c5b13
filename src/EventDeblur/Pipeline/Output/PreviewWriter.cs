using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// Viewable pictures beside a run's scientific outputs (optional files of RECORDING_FORMAT.md's run layout):
/// <c>preview/NNNNNN.jpg</c> (the deblurred frame tone-mapped to 8-bit sRGB),
/// <c>preview/NNNNNN-compare.jpg</c> (blurry | deblurred | ground truth when the bundle has it, one tone curve
/// for all three, chosen from the blurry frame by <see cref="Preview.AutoGain"/>), and
/// <c>preview/contact-sheet.jpg</c> (every frame of the run as a labelled thumbnail). All written atomically.
/// </summary>
public static class PreviewWriter
{
    /// <summary>The run's sub-folder for previews.</summary>
    public const string Folder = "preview";

    /// <summary>The contact sheet, relative to the run folder.</summary>
    public const string ContactSheetFile = "preview/contact-sheet.jpg";

    private const int JpegQuality = 90;

    /// <summary>The tone-mapped deblurred frame, relative to the run folder.</summary>
    public static string PreviewFileOf(long index) => $"{Folder}/{index:D6}.jpg";

    /// <summary>The side-by-side comparison, relative to the run folder.</summary>
    public static string CompareFileOf(long index) => $"{Folder}/{index:D6}-compare.jpg";

    /// <summary>The label written in the top-left corner of the comparison's first (blurry) panel of frame <paramref name="index"/>.</summary>
    public static string BlurryLabelOf(long index) => $"blurry #{index}";

    /// <summary>
    /// Writes the frame's preview and comparison; the ground <paramref name="truth"/>, when the frame has one, is
    /// shown with the same gain as the blurry and deblurred frames (all linear radiance, as decoded).
    /// </summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    /// <exception cref="OpenCVException">An image cannot be encoded.</exception>
    public static void WriteFrame(string runDir, long index, LinearImage blurry, LinearImage sharp, LinearImage? truth)
    {
        double gain = Preview.AutoGain(blurry);
        Directory.CreateDirectory(Path.Combine(runDir, Folder));
        using var deblurred = Preview.ToneMap(sharp, gain);
        WriteJpeg(Path.Combine(runDir, PreviewFileOf(index)), deblurred);
        using var input = Preview.ToneMap(blurry, gain);
        using var gt = truth != null ? Preview.ToneMap(truth, gain) : null;
        var panels = new List<(string, Mat)> { (BlurryLabelOf(index), input), ("deblurred", deblurred) };
        if (gt != null && gt.Size() == input.Size()) panels.Add(("ground truth", gt));
        using var strip = Preview.SideBySide(panels);
        WriteJpeg(Path.Combine(runDir, CompareFileOf(index)), strip);
    }

    /// <summary>
    /// Most thumbnails a contact sheet holds (20 rows of 6): a longer run shows that many frames evenly spaced over it,
    /// the first and the last among them, and says so in the first tile's label. Unbounded, a 2 200-frame run's sheet was
    /// taller than JPEG allows (written as an empty file) and a 200 000-row run's needed 27 GB.
    /// </summary>
    public const int MaxContactSheetTiles = 120;

    /// <summary>
    /// Writes <c>preview/contact-sheet.jpg</c> from the frames' previews: one labelled thumbnail per row of
    /// <paramref name="results"/> (index order; a failed frame or a missing preview is an empty tile saying so), at most
    /// <see cref="MaxContactSheetTiles"/> of them. Each preview is read and shrunk to its thumbnail one at a time.
    /// Nothing is written for a run without frames.
    /// </summary>
    /// <exception cref="IOException">The sheet cannot be encoded or written.</exception>
    public static void WriteContactSheet(string runDir, IReadOnlyList<FrameResult> results)
    {
        if (results.Count == 0) return;
        var ordered = results.OrderBy(r => r.Index).ToList();
        var shown = Spread(ordered.Count, MaxContactSheetTiles).Select(i => ordered[i]).ToList();
        var tiles = new List<(string, Mat?)>();
        try
        {
            foreach (var r in shown)
            {
                string file = Path.Combine(runDir, PreviewFileOf(r.Index));
                Mat? img = null;
                if (r.Status == "ok" && File.Exists(file))
                {
                    using var full = Cv2.ImRead(file, ImreadModes.Color);
                    if (!full.Empty())
                    {
                        img = new Mat();
                        Cv2.Resize(full, img, new Size(ThumbWidthPx, Math.Max(1, (int)Math.Round(ThumbWidthPx * full.Rows / (double)full.Cols))), 0, 0, InterpolationFlags.Area);
                    }
                }
                string label = r.Status != "ok" ? $"#{r.Index} failed" : r.Psnr is double p ? $"#{r.Index} {p:F1} dB" : $"#{r.Index}";
                tiles.Add((label, img));
            }
            if (shown.Count < ordered.Count)
                tiles[0] = ($"{shown.Count} of {ordered.Count} frames; {tiles[0].Item1}", tiles[0].Item2);
            Directory.CreateDirectory(Path.Combine(runDir, Folder));
            using var sheet = Preview.ContactSheet(tiles, ThumbWidthPx);
            WriteJpeg(Path.Combine(runDir, ContactSheetFile), sheet);
        }
        finally
        {
            foreach (var (_, m) in tiles) m?.Dispose();
        }
    }

    private const int ThumbWidthPx = 240;

    /// <summary>At most <paramref name="max"/> positions among <paramref name="count"/>, evenly spaced, the first and last included.</summary>
    internal static IEnumerable<int> Spread(int count, int max)
    {
        if (count <= max) return Enumerable.Range(0, count);
        return Enumerable.Range(0, max).Select(k => (int)Math.Round(k * (count - 1) / (double)(max - 1))).Distinct();
    }

    private static void WriteJpeg(string path, Mat image)
    {
        // A failed encode (e.g. an image beyond JPEG's 65 500 px) returns false and no bytes: never an empty file.
        byte[] jpg;
        try { Cv2.ImEncode(".jpg", image, out jpg, new ImageEncodingParam(ImwriteFlags.JpegQuality, JpegQuality)); }
        catch (OpenCVException e) { throw new IOException($"{path}: cannot be encoded as JPEG ({image.Cols}×{image.Rows} px: {e.Message})", e); }
        if (jpg.Length == 0) throw new IOException($"{path}: cannot be encoded as JPEG ({image.Cols}×{image.Rows} px)");
        AtomicFile.WriteAllBytes(path, jpg);
    }
}
