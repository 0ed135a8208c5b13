using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Cli;

/// <summary>
/// <c>preview</c> of an APS frame (a bundle without RGB, or an event file given directly): the blurry APS
/// frame as stored (linear, black 0, white = the sample range), and with a replay run beside it the
/// deblurred frame (<c>NNNNNN-compare.png</c>: blurry | deblurred | ground truth, when the bundle has it).
/// </summary>
internal static class ApsFramePreview
{
    /// <summary>
    /// Writes <c>STEM-blurry.png</c> (and <c>STEM-compare.png</c> with <paramref name="runDir"/>: blurry | deblurred, and
    /// ground truth when <paramref name="groundTruth"/> names its frame); false when the file holds no frame with that
    /// exposure. A run without the deblurred frame calls <paramref name="missing"/> with its path, and no compare is written.
    /// </summary>
    /// <param name="gain">Tone-mapping gain (1: the APS values as they are; preview's --gain when given).</param>
    public static bool Write(string eventsPath, TimeRangeUs exposure, string outDir, string stem, string? runDir, string? groundTruth = null, Action<string>? missing = null, double gain = 1)
    {
        ApsFrame? frame = null;
        using (var reader = AedatReader.Open(eventsPath))
        {
            while (frame == null && reader.TryRead(out var p))
            {
                if (p is FramePacket fp && fp.Frame.Exposure == exposure) frame = fp.Frame;
                else if (p is EventsPacket ep) ep.Events.Dispose();
            }
        }
        if (frame == null) return false;
        bool eight = frame.Format.BytesPerSample == 1;
        double white = eight ? 255 : 65535;
        var type = eight ? MatType.CV_8UC(frame.Format.Channels) : MatType.CV_16UC(frame.Format.Channels);
        using var raw = Mat.FromPixelData(frame.Height, frame.Width, type, frame.Pixels);
        using var blurry = Preview.ToneMap(raw, 0, white, gain);
        Cv2.ImWrite(Path.Combine(outDir, stem + "-blurry.png"), blurry);
        if (runDir == null) return true;
        string deblurredPath = Path.Combine(runDir, "frames", stem + ".png");
        if (!File.Exists(deblurredPath))
        {
            if (missing == null) throw new IOException($"{deblurredPath}: not found (run replay first)");
            missing(deblurredPath);
            return true;
        }
        using var deblurredRaw = Cv2.ImRead(deblurredPath, ImreadModes.Unchanged);
        using var deblurred = Preview.ToneMap(deblurredRaw, 0, white, gain);
        var panels = new List<Mat> { blurry, deblurred };
        Mat? truth = null;
        if (groundTruth != null)
        {
            using var truthRaw = Cv2.ImRead(groundTruth, ImreadModes.Unchanged);
            if (!truthRaw.Empty() && truthRaw.Cols == blurry.Cols && truthRaw.Rows == blurry.Rows)
            {
                truth = Preview.ToneMap(truthRaw, 0, truthRaw.Depth() == MatType.CV_8U ? 255 : 65535, gain);
                panels.Add(truth);
            }
        }
        using var strip = new Mat();
        Cv2.HConcat(panels.ToArray(), strip);
        truth?.Dispose();
        foreach (var (label, i) in new[] { ("blurry", 0), ("deblurred", 1), ("ground truth", 2) }.Take(panels.Count))
            Cv2.PutText(strip, label, new Point(i * blurry.Cols + 8, 22), HersheyFonts.HersheySimplex, 0.6, Scalar.All(255), 1, LineTypes.AntiAlias);
        Cv2.ImWrite(Path.Combine(outDir, stem + "-compare.png"), strip);
        return true;
    }
}
