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
    /// Writes <c>preview/contact-sheet.jpg</c> from the frames' previews: one labelled thumbnail per row of
    /// <paramref name="results"/> (index order; a failed frame or a missing preview is an empty tile saying so).
    /// Nothing is written for a run without frames.
    /// </summary>
    /// <exception cref="IOException">The sheet cannot be written.</exception>
    public static void WriteContactSheet(string runDir, IReadOnlyList<FrameResult> results)
    {
        if (results.Count == 0) return;
        var tiles = new List<(string, Mat?)>();
        try
        {
            foreach (var r in results.OrderBy(r => r.Index))
            {
                string file = Path.Combine(runDir, PreviewFileOf(r.Index));
                Mat? img = r.Status == "ok" && File.Exists(file) ? Cv2.ImRead(file, ImreadModes.Color) : null;
                if (img is { } m && m.Empty()) { m.Dispose(); img = null; }
                string label = r.Status != "ok" ? $"#{r.Index} failed" : r.Psnr is double p ? $"#{r.Index} {p:F1} dB" : $"#{r.Index}";
                tiles.Add((label, img));
            }
            Directory.CreateDirectory(Path.Combine(runDir, Folder));
            using var sheet = Preview.ContactSheet(tiles);
            WriteJpeg(Path.Combine(runDir, ContactSheetFile), sheet);
        }
        finally
        {
            foreach (var (_, m) in tiles) m?.Dispose();
        }
    }

    private static void WriteJpeg(string path, Mat image)
    {
        Cv2.ImEncode(".jpg", image, out byte[] jpg, new ImageEncodingParam(ImwriteFlags.JpegQuality, JpegQuality));
        AtomicFile.WriteAllBytes(path, jpg);
    }
}
