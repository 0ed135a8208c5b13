using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Cli;

/// <summary>
/// <c>preview</c> of an APS frame (a bundle without RGB, or an event file given directly): the blurry APS
/// frame as stored (linear, black 0, white = the sample range), and with a replay run beside it the
/// deblurred frame (<c>NNNNNN-compare.png</c>: blurry | deblurred).
/// </summary>
internal static class ApsFramePreview
{
    /// <summary>Writes <c>STEM-blurry.png</c> (and <c>STEM-compare.png</c> with <paramref name="runDir"/>); false when the file holds no frame with that exposure.</summary>
    public static bool Write(string eventsPath, TimeRangeUs exposure, string outDir, string stem, string? runDir)
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
        using var blurry = Preview.ToneMap(raw, 0, white, 1);
        Cv2.ImWrite(Path.Combine(outDir, stem + "-blurry.png"), blurry);
        if (runDir == null) return true;
        string deblurredPath = Path.Combine(runDir, "frames", stem + ".png");
        if (!File.Exists(deblurredPath)) throw new IOException($"{deblurredPath}: not found (run replay first)");
        using var deblurredRaw = Cv2.ImRead(deblurredPath, ImreadModes.Unchanged);
        using var deblurred = Preview.ToneMap(deblurredRaw, 0, white, 1);
        using var strip = new Mat();
        Cv2.HConcat([blurry, deblurred], strip);
        foreach (var (label, i) in new[] { ("blurry", 0), ("deblurred", 1) })
            Cv2.PutText(strip, label, new Point(i * blurry.Cols + 8, 22), HersheyFonts.HersheySimplex, 0.6, Scalar.All(255), 1, LineTypes.AntiAlias);
        Cv2.ImWrite(Path.Combine(outDir, stem + "-compare.png"), strip);
        return true;
    }
}
