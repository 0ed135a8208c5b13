using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Visualization;

/// <summary>Pictures for people: tone-mapped frames, event images, kernel images (8-bit BGR or gray Mats).</summary>
public static class Preview
{
    /// <summary>
    /// Tone-maps a raw frame (any depth, 1 or 3 channels, OpenCV BGR order as read) to 8-bit sRGB:
    /// linear radiance <c>(v − black) / (white − black)</c> times <paramref name="gain"/>, clipped, sRGB-encoded.
    /// </summary>
    public static Mat ToneMap(Mat raw, double blackLevel, double whiteLevel, double gain)
    {
        using var f = new Mat();
        raw.ConvertTo(f, MatType.CV_32F, gain / (whiteLevel - blackLevel), -blackLevel * gain / (whiteLevel - blackLevel));
        var lut = new byte[4096];
        for (int i = 0; i < lut.Length; i++)
        {
            lut[i] = (byte)Math.Round(255 * TransferCurve.SrgbEncode(i / 4095.0));
        }
        var outMat = new Mat(raw.Rows, raw.Cols, MatType.CV_8UC(raw.Channels()));
        var src = f.AsSpan<float>();
        var dst = outMat.AsSpan<byte>();
        for (int i = 0; i < src.Length; i++) dst[i] = lut[(int)(Math.Clamp(src[i], 0f, 1f) * 4095)];
        return outMat;
    }

    /// <summary>
    /// An event image: white background, ON events red, OFF events blue, intensity by count, for the
    /// events of <paramref name="batches"/> inside <paramref name="window"/> (end-exclusive).
    /// </summary>
    public static Mat Events(IEnumerable<EventBatch> batches, int width, int height, TimeRangeUs window)
    {
        var on = new int[width * height];
        var off = new int[width * height];
        foreach (var b in batches)
        {
            var t = b.Timestamps; var x = b.Xs; var y = b.Ys; var p = b.Polarities;
            for (int i = 0; i < b.Count; i++)
            {
                if (!window.Contains(t[i]) || (uint)x[i] >= (uint)width || (uint)y[i] >= (uint)height) continue;
                if (p[i]) on[y[i] * width + x[i]]++; else off[y[i] * width + x[i]]++;
            }
        }
        int max = Math.Max(1, Percentile(on.Zip(off, (a, c) => a + c).Where(v => v > 0).ToArray(), 0.99));
        var img = new Mat(height, width, MatType.CV_8UC3, Scalar.All(255));
        var d = img.AsSpan<byte>();
        for (int i = 0; i < on.Length; i++)
        {
            double a = Math.Min(1, on[i] / (double)max), c = Math.Min(1, off[i] / (double)max);
            d[3 * i] = (byte)(255 * (1 - a));              // B
            d[3 * i + 1] = (byte)(255 * (1 - Math.Max(a, c))); // G
            d[3 * i + 2] = (byte)(255 * (1 - c));          // R
        }
        return img;
    }

    /// <summary>A kernel as a gray image scaled to its maximum, enlarged <paramref name="zoom"/>× with square pixels.</summary>
    public static Mat Kernel(BlurKernel k, int zoom = 8)
    {
        float max = Math.Max(1e-12f, k.Weights.Max());
        using var small = new Mat(k.Size, k.Size, MatType.CV_8UC1);
        var d = small.AsSpan<byte>();
        for (int i = 0; i < d.Length; i++) d[i] = (byte)Math.Round(255 * Math.Clamp(k.Weights[i] / max, 0, 1));
        var big = new Mat();
        Cv2.Resize(small, big, new Size(k.Size * zoom, k.Size * zoom), 0, 0, InterpolationFlags.Nearest);
        return big;
    }

    private static int Percentile(int[] v, double q)
    {
        if (v.Length == 0) return 1;
        Array.Sort(v);
        return v[Math.Min(v.Length - 1, (int)(q * v.Length))];
    }
}
