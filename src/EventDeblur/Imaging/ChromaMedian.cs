using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EventDeblur.Imaging;

/// <summary>
/// Median filter of an RGB image's chroma, luminance untouched: in the metric's domain (linear radiance clipped to
/// [0, 1], then the sRGB curve; METRICS.md) each pixel is split into the mean of its three channels and the three
/// channels' offsets from it; the offsets are replaced by their median over a square window and added back to the
/// pixel's own mean. It removes colour fringes and colour speckle that a deconvolver working on each channel alone
/// leaves at edges (channels sharpened or regularised differently), keeping every edge of the luminance. Pixels with
/// any channel at or above full scale (clipped lights, recovered HDR radiance), and pixels whose chroma the median does
/// not change, keep their values.
/// </summary>
public static class ChromaMedian
{
    /// <summary>Window sides supported, pixels (OpenCV's float median).</summary>
    public static readonly IReadOnlyList<int> Sizes = [3, 5];

    /// <summary>
    /// Returns a new image: <paramref name="image"/> with its chroma median-filtered over <paramref name="sizePx"/> ×
    /// <paramref name="sizePx"/> pixels (3 or 5); a gray image is returned unchanged (the same instance).
    /// </summary>
    /// <param name="image">Linear normalised radiance (1 = full scale); saturation masks are copied.</param>
    /// <param name="sizePx">Window side, pixels: 3 or 5.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizePx"/> is not 3 or 5.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LinearImage Apply(LinearImage image, int sizePx)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Sizes.Contains(sizePx)) throw new ArgumentOutOfRangeException(nameof(sizePx), sizePx, "window side must be 3 or 5 pixels");
        if (image.Channels != 3) return image;
        int w = image.Width, h = image.Height, n = w * h;
        var p = image.Planes;
        var y = new float[n];
        var offsets = new float[3][];
        for (int c = 0; c < 3; c++) offsets[c] = new float[n];
        // Rows in parallel: the curve's powers are most of the cost.
        Parallel.For(0, h, row =>
        {
            Span<float> encoded = stackalloc float[3];
            for (int i = row * w, end = i + w; i < end; i++)
            {
                for (int c = 0; c < 3; c++) encoded[c] = (float)TransferCurve.SrgbEncode(Math.Clamp(p[c][i], 0f, 1f));
                float mean = (encoded[0] + encoded[1] + encoded[2]) / 3;
                y[i] = mean;
                for (int c = 0; c < 3; c++) offsets[c][i] = encoded[c] - mean;
            }
        });
        var filtered = new float[3][];
        for (int c = 0; c < 3; c++)
        {
            using var src = Mat.FromPixelData(h, w, MatType.CV_32FC1, offsets[c]);
            using var dst = new Mat();
            Cv2.MedianBlur(src, dst, sizePx);
            dst.GetArray(out float[] values);
            filtered[c] = values;
        }
        var planes = new float[3][];
        for (int c = 0; c < 3; c++) planes[c] = new float[n];
        Parallel.For(0, h, row =>
        {
            for (int i = row * w, end = i + w; i < end; i++)
            {
                // A pixel whose chroma the median leaves as it was keeps its exact values (no trip through the curve).
                bool keep = p[0][i] >= 1 || p[1][i] >= 1 || p[2][i] >= 1
                            || (filtered[0][i] == offsets[0][i] && filtered[1][i] == offsets[1][i] && filtered[2][i] == offsets[2][i]);
                for (int c = 0; c < 3; c++)
                    planes[c][i] = keep ? p[c][i] : (float)TransferCurve.SrgbDecode(Math.Clamp(y[i] + filtered[c][i], 0f, 1f));
            }
        });
        return new LinearImage(w, h, planes, image.Saturated.Select(s => (bool[])s.Clone()).ToArray());
    }
}
