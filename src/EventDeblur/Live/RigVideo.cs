using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Recording;
using OpenCvSharp;

namespace EventDeblur.Live;

/// <summary>
/// Turns a bundle's RGB frames into a source that OpenCV's <see cref="VideoCapture"/> plays, plus a rig manifest
/// describing it, so <c>live --rgb</c> can stand in a file for the camera. The default is a lossless image sequence
/// (<c>DIR/NNNNNN.png</c>, opened as <c>DIR/%06d.png</c>) holding the bundle's own values: same bit depth
/// (8 or 16), channels and encoding, so the rig manifest keeps the bundle's encoding and levels and <c>live</c> reads
/// exactly the linear values a replay reads. (OpenCV's FFmpeg writer takes 16-bit only as one channel, so a 16-bit
/// colour bundle has no lossless video path.) <see cref="Write"/> still makes an 8-bit sRGB FFV1 video for tools
/// that need a video file.
/// </summary>
public static class RigVideo
{
    /// <summary>File-name pattern of the frames of an image-sequence source (6-digit index from 0, PNG).</summary>
    public const string SequencePattern = "%06d.png";

    private static readonly string[] SequenceExtensions = [".png", ".tif", ".tiff", ".pgm", ".ppm", ".pnm", ".bmp", ".jpg", ".jpeg", ".exr"];

    /// <summary>The <c>--rgb</c> source of an image sequence written by <see cref="WriteImageSequence"/> into <paramref name="sequenceDir"/>.</summary>
    public static string SequenceSource(string sequenceDir) => Path.Combine(Path.GetFullPath(sequenceDir), SequencePattern);

    /// <summary>
    /// True when <paramref name="source"/> names an image sequence: a printf-style pattern (<c>%d</c>, <c>%06d</c>, …)
    /// in the file name and an image extension, e.g. <c>rig/%06d.png</c>.
    /// </summary>
    public static bool IsImageSequence(string source) =>
        Path.GetFileName(source).Contains('%') && SequenceExtensions.Contains(Path.GetExtension(source).ToLowerInvariant());

    /// <summary>
    /// Checks, before anything is written, that a local <c>--rgb</c> source is there: a camera number or a URL
    /// (<c>scheme://…</c>) is left to OpenCV; an image-sequence pattern needs its folder and its first frame file
    /// (index 0 or 1, as OpenCV's image-sequence backend looks for it); anything else is a video file that must exist
    /// and open.
    /// </summary>
    /// <returns>Null when the source may be opened, else a message naming what is missing.</returns>
    public static string? MissingLocalSource(string source)
    {
        if (int.TryParse(source, out _) || source.Contains("://", StringComparison.Ordinal)) return null;
        if (IsImageSequence(source))
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(source))!;
            if (!Directory.Exists(dir)) return $"{source}: the folder of the image sequence, {dir}, does not exist";
            string pattern = Path.GetFileName(source);
            bool any = false;
            foreach (int i in new[] { 0, 1 })
            {
                string first;
                try { first = Path.Combine(dir, FormatSequenceName(pattern, i)); }
                catch (FormatException) { return null; } // a pattern we cannot expand: OpenCV says whether it opens
                if (File.Exists(first)) { any = true; break; }
            }
            return any ? null : $"{source}: no first frame of the image sequence (index 0 or 1) in {dir}";
        }
        if (Directory.Exists(source)) return $"{source}: a folder, not a video file (an image sequence is given as DIR/{SequencePattern})";
        if (!File.Exists(source)) return $"{source}: no such video file (an RGB source is a camera number, a URL, a video file or an image sequence DIR/{SequencePattern})";
        // A local video that OpenCV cannot open (cut inside its header, not a video): said now, before OUT is made (stop 42:
        // found by the run, exit 1, after the streams had been read).
        using var cap = OpenCapture(source);
        return cap.IsOpened() ? null : $"{source}: OpenCV cannot open it as a video (damaged, cut short inside its header, or not a video)";
    }

    /// <summary>Expands the one printf-style integer conversion (<c>%d</c>, <c>%06d</c>, <c>%6d</c>) of a sequence file name.</summary>
    private static string FormatSequenceName(string pattern, int index)
    {
        var m = System.Text.RegularExpressions.Regex.Match(pattern, "%(0?)([0-9]*)d");
        if (!m.Success) throw new FormatException(pattern);
        int width = m.Groups[2].Value.Length > 0 ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        string n = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        n = m.Groups[1].Value == "0" ? n.PadLeft(width, '0') : n.PadLeft(width, ' ');
        return pattern[..m.Index] + n + pattern[(m.Index + m.Length)..];
    }

    /// <summary>
    /// Reads an image sequence (<see cref="IsImageSequence"/>) frame by frame, from its first index (0, or 1 when there is
    /// no 0, as OpenCV's image-sequence backend starts) on, each frame's stored values unchanged: a frame file that is
    /// missing while a later one of the sequence exists, or that cannot be decoded (checked as replay checks a bundle's
    /// frames, so libpng prints nothing of its own), is yielded with its error and the sequence goes on; the first
    /// missing index after which no file of the sequence exists ends it. (OpenCV's backend ended the whole source at the
    /// first missing or damaged frame, in silence, stop 42.) The caller disposes each <see cref="Mat"/>.
    /// </summary>
    public static IEnumerable<(string File, Mat? Raw, string? Error)> ReadSequence(string source)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(source))!, pattern = Path.GetFileName(source);
        int i = File.Exists(Path.Combine(dir, FormatSequenceName(pattern, 0))) ? 0 : 1;
        for (; ; i++)
        {
            string file = Path.Combine(dir, FormatSequenceName(pattern, i));
            if (!File.Exists(file))
            {
                if (LastSequenceIndex(dir, pattern) is not int last || last <= i) yield break;
                yield return (file, null, $"{file}: missing from the image sequence (frame files up to index {last} exist): this RGB frame is dropped, and the ones after it are read");
                continue;
            }
            Mat? raw = null;
            string? error = null;
            try { raw = LinearImage.Decode(file); }
            catch (Exception e) when (e is IOException or OpenCVException or ArgumentException or UnauthorizedAccessException) { error = $"{(e.Message.Contains(file, StringComparison.Ordinal) ? e.Message : $"{file}: {e.Message}")}: this RGB frame is dropped"; }
            yield return (file, raw, error);
        }
    }

    /// <summary>True when the sequence's file-name pattern has a conversion <see cref="ReadSequence"/> can expand (<c>%d</c>, <c>%06d</c>, <c>%6d</c>).</summary>
    public static bool CanExpandSequence(string source) => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(source), "%(0?)([0-9]*)d");

    /// <summary>The largest index of a file in <paramref name="dir"/> that the sequence's <paramref name="pattern"/> names, or null.</summary>
    private static int? LastSequenceIndex(string dir, string pattern)
    {
        var m = System.Text.RegularExpressions.Regex.Match(pattern, "%(0?)([0-9]*)d");
        var re = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(pattern[..m.Index]) + " *([0-9]+)" + System.Text.RegularExpressions.Regex.Escape(pattern[(m.Index + m.Length)..]) + "$");
        int? last = null;
        foreach (string f in Directory.EnumerateFiles(dir))
            if (re.Match(Path.GetFileName(f)) is { Success: true } g && int.TryParse(g.Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
                last = Math.Max(last ?? n, n);
        return last;
    }

    /// <summary>
    /// Opens an RGB source as <c>live</c> does: a number is a camera device, an image-sequence pattern
    /// (<see cref="IsImageSequence"/>) is read by OpenCV's image-sequence backend, which decodes every frame unchanged
    /// (16-bit PNGs stay 16-bit; the FFmpeg backend would convert them to 8-bit), anything else (a video file, a URL)
    /// goes to OpenCV's default backend. The caller checks <see cref="VideoCapture.IsOpened"/>.
    /// </summary>
    public static VideoCapture OpenCapture(string source) =>
        int.TryParse(source, out int device) ? new VideoCapture(device)
        : IsImageSequence(source) ? new VideoCapture(source, VideoCaptureAPIs.IMAGES)
        : new VideoCapture(source);

    /// <summary>
    /// Writes the bundle's RGB frames, in frame-table order, as <c>NNNNNN.png</c> (from 000000) into
    /// <paramref name="sequenceDir"/> (replaced as a whole: written to a temporary folder beside it, then renamed), each
    /// with the stored values, bit depth and channels of the bundle's frame; then the rig manifest
    /// <paramref name="rigPath"/> (written last, atomically) with the bundle's calibration and its RGB encoding, black,
    /// white and saturation levels unchanged, trigger sync, no ground truth, and <c>rgb.live_source</c> naming the pattern.
    /// </summary>
    /// <returns>The number of frames written.</returns>
    /// <exception cref="BundleException">The bundle has no RGB frames, or a frame's depth cannot be stored in PNG (not 8- or 16-bit unsigned).</exception>
    /// <exception cref="IOException">A frame file is missing or undecodable (the message names it), or a file cannot be written.</exception>
    public static int WriteImageSequence(RecordingBundle bundle, string sequenceDir, string rigPath)
    {
        var rgb = bundle.Manifest.Rgb ?? throw new BundleException($"{bundle.Root}: an APS-only bundle has no RGB frames to serve");
        string final = Path.GetFullPath(sequenceDir).TrimEnd('/');
        string tmp = AtomicFile.TempPathFor(final);
        Directory.CreateDirectory(tmp);
        int count = 0, depth = 0;
        try
        {
            foreach (var f in bundle.Frames)
            {
                using var raw = LinearImage.Decode(f.File);
                if (raw.Depth() != MatType.CV_8U && raw.Depth() != MatType.CV_16U)
                    throw new BundleException($"{f.File}: pixel depth {raw.Type()} cannot be served losslessly (expected 8- or 16-bit unsigned)");
                depth = Math.Max(depth, raw.Depth() == MatType.CV_8U ? 8 : 16);
                string target = Path.Combine(tmp, $"{count:D6}.png");
                if (!Cv2.ImWrite(target, raw)) throw new IOException($"{target}: OpenCV could not write the frame");
                count++;
            }
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(tmp, final);
        }
        catch
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        var rig = RigManifest(bundle);
        string relative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(rigPath))!, SequenceSource(final)).Replace('\\', '/');
        rig["rgb"]!["frames"] = "(live source: image sequence)";
        rig["rgb"]!["live_source"] = new JsonObject
        {
            ["kind"] = "image-sequence", ["pattern"] = relative, ["frames"] = count, ["bit_depth"] = depth,
            ["note"] = "the bundle's frames copied losslessly: encoding and levels above are the bundle's",
        };
        AtomicFile.WriteAllText(rigPath, rig.ToJsonString(EventDeblur.IO.JsonText.Readable));
        return count;
    }

    /// <summary>
    /// The bundle's frame rate, frames per second: 10⁶ over the median spacing of its frames' exposure starts (µs), or 10
    /// with fewer than two frames or no positive spacing.
    /// </summary>
    public static double FrameRate(RecordingBundle bundle)
    {
        var starts = bundle.Frames.Select(f => f.ExposureStartUs).Order().ToList();
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).Where(d => d > 0).Order().ToList();
        return gaps.Count == 0 ? 10 : 1e6 / gaps[gaps.Count / 2];
    }

    /// <summary>
    /// Writes <paramref name="videoPath"/> as a lossless FFV1 video in AVI, 8-bit and sRGB-encoded (so the dark end keeps
    /// its detail; 16-bit linear values are quantised), and the rig manifest <paramref name="rigPath"/> saying so
    /// (encoding <c>srgb</c>, levels 0..255). Prefer <see cref="WriteImageSequence"/>, which keeps the bundle's values.
    /// </summary>
    /// <returns>The number of frames written.</returns>
    /// <param name="bundle">The bundle whose frames are written.</param>
    /// <param name="videoPath">The video file.</param>
    /// <param name="rigPath">The rig manifest.</param>
    /// <param name="fps">Frames per second stated in the video; by default the bundle's own rate
    /// (<see cref="FrameRate"/>), so the video's timestamps keep the frames' spacing, which <c>bundle --sync triggers</c>
    /// matches against the trigger edges (at a fixed 10 frames/s a 4 frames/s recording matched no exposure).</param>
    public static int Write(RecordingBundle bundle, string videoPath, string rigPath, double? fps = null)
    {
        double rate = fps ?? FrameRate(bundle);
        var rgb = bundle.Manifest.Rgb ?? throw new BundleException($"{bundle.Root}: an APS-only bundle has no RGB frames to serve as video");
        var enc = PixelEncoding.Parse("srgb");
        double satLinear = Math.Clamp(LinearImage.RawToLinear(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel), 0, 1);
        int count = 0;
        string tmp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(videoPath))!, $".{Path.GetFileNameWithoutExtension(videoPath)}.{Guid.NewGuid():N}.partial.avi");
        using (var writer = new VideoWriter())
        {
            foreach (var f in bundle.Frames)
            {
                var img = LinearImage.Read(f.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
                if (!writer.IsOpened() && !writer.Open(tmp, FourCC.FromString("FFV1"), rate, new Size(img.Width, img.Height), img.Channels == 3))
                    throw new IOException($"{videoPath}: OpenCV cannot open an FFV1 video writer");
                using var raw = img.ToRaw(new LinearImage.Encoding(enc, 0, 255, 255, 8));
                writer.Write(raw);
                count++;
            }
        }
        AtomicFile.Commit(tmp, videoPath);
        var rig = RigManifest(bundle);
        rig["rgb"]!["frames"] = "(video)";
        rig["rgb"]!["encoding"] = "srgb";
        rig["rgb"]!["black_level"] = 0.0;
        rig["rgb"]!["white_level"] = 255.0;
        rig["rgb"]!["saturation_level"] = Math.Floor(255 * enc.FromLinear(satLinear));
        AtomicFile.WriteAllText(rigPath, rig.ToJsonString(EventDeblur.IO.JsonText.Readable));
        return count;
    }

    /// <summary>The bundle's recording.json with trigger sync and without ground truth (a live rig has neither a frame table nor truth).</summary>
    private static JsonObject RigManifest(RecordingBundle bundle)
    {
        var rig = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle.Root, "recording.json")))!.AsObject();
        rig["sync"] = new JsonObject { ["source"] = "triggers", ["clock_offset_us"] = 0 };
        rig.Remove("ground_truth");
        return rig;
    }
}
