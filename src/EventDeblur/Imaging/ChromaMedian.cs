using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EventDeblur.Imaging;

/// <summary>
/// Median filter of an RGB image's chroma, luminance untouched: in the metric's domain (linear radiance clipped to
/// [0, 1], then the sRGB curve; METRICS.md) each pixel is split into the mean of its three channels and the three
/// channels' offsets from it; the offsets are replaced by their median over a square window and added back to the
/// pixel's own mean. It removes colour fringes and colour speckle that a deconvolver working on each channel alone
/// leaves at edges (channels sharpened or regularised differently), keeping every edge of the luminance. Pixels with
/// any channel at the clip level as the deconvolvers count it, or above (clipped lights, recovered HDR radiance), pixels whose chroma the median
/// does not change, and pixels the deconvolver gave back unchanged (every channel equal to the input's), keep their
/// values; and the median of a pixel near a clipped one is taken over its unclipped neighbours only, so that the rim of
/// a coloured light keeps its colour (stop 50's trial: with the level at full scale, lights of bundles that saturate at
/// 65000 of 65535 turned grey, clipped channels came out 12 % below the clip, and a tile the guard gave back to the input
/// was not the input).
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
    /// <param name="saturationLinear">The sensor's clip level in the same units (0, 1]. A pixel is clipped when a channel is at or above it less one half-float step (<see cref="LinearImage.FloatClipTolerance"/> of it), or at or above the lowest reading (within 10 % of the level) that the clip masks of <paramref name="input"/> (else of <paramref name="image"/>) mark clipped in that channel: one code under the level for integer frames, as the deconvolvers count it.</param>
    /// <param name="input">The frame the deconvolver was given (same size and channels), or null: pixels equal to it in every channel are kept.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sizePx"/> is not 3 or 5.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LinearImage Apply(LinearImage image, int sizePx, double saturationLinear = 1, LinearImage? input = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Sizes.Contains(sizePx)) throw new ArgumentOutOfRangeException(nameof(sizePx), sizePx, "window side must be 3 or 5 pixels");
        if (image.Channels != 3) return image;
        int w = image.Width, h = image.Height, n = w * h;
        var p = image.Planes;
        if (input != null && (input.Width != w || input.Height != h || input.Channels != 3)) throw new ArgumentException("the input frame differs in size or channels", nameof(input));
        // Within one half-float step (2^-10) of the level, as the deconvolvers count it for float frames: a half EXR stores a
        // 65000 level as 64992 (stop 50's review: such a light was filtered, turned grey and greyed its rim); and, per
        // channel, from the lowest reading the input's clip masks count as clipped (integer frames: one code under the
        // level, as the deconvolvers count it; the second review's 8-bit light at 254 of 255).
        var reference = input ?? image;
        var sat = new float[3];
        for (int c = 0; c < 3; c++)
        {
            float level = (float)(Math.Min(1, saturationLinear) * (1 - LinearImage.FloatClipTolerance));
            var rp = reference.Planes[c];
            var rs = reference.Saturated[c];
            for (int i = 0; i < n; i++)
                if (rs[i] && rp[i] < level && rp[i] >= 0.9f * level) level = rp[i];
            sat[c] = level;
        }
        var clipped = new bool[n];
        for (int i = 0; i < n; i++) clipped[i] = p[0][i] >= sat[0] || p[1][i] >= sat[1] || p[2][i] >= sat[2];
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
        MaskedNearClipped(offsets, filtered, clipped, w, h, sizePx / 2);
        var planes = new float[3][];
        for (int c = 0; c < 3; c++) planes[c] = new float[n];
        Parallel.For(0, h, row =>
        {
            for (int i = row * w, end = i + w; i < end; i++)
            {
                // A pixel whose chroma the median leaves as it was keeps its exact values (no trip through the curve).
                bool keep = clipped[i]
                            || (filtered[0][i] == offsets[0][i] && filtered[1][i] == offsets[1][i] && filtered[2][i] == offsets[2][i])
                            || (input != null && p[0][i] == input.Planes[0][i] && p[1][i] == input.Planes[1][i] && p[2][i] == input.Planes[2][i]);
                for (int c = 0; c < 3; c++)
                    planes[c][i] = keep ? p[c][i] : (float)TransferCurve.SrgbDecode(Math.Clamp(y[i] + filtered[c][i], 0f, 1f));
            }
        });
        return new LinearImage(w, h, planes, image.Saturated.Select(s => (bool[])s.Clone()).ToArray());
    }

    /// <summary>
    /// Replaces <paramref name="filtered"/> at every unclipped pixel within <paramref name="r"/> px of a clipped one by the
    /// median of its window's unclipped <paramref name="offsets"/> (a clipped pixel's channels are all near the top, so its
    /// offsets say "grey" whatever the light's colour); the window's borders are replicated, as OpenCV's median does.
    /// </summary>
    private static void MaskedNearClipped(float[][] offsets, float[][] filtered, bool[] clipped, int w, int h, int r)
    {
        // Rows that hold a clipped pixel, grown by r: most frames have few.
        var near = new bool[h];
        for (int y = 0; y < h; y++)
        {
            int row = y * w;
            for (int x = 0; x < w; x++)
                if (clipped[row + x])
                {
                    for (int yy = Math.Max(0, y - r); yy <= Math.Min(h - 1, y + r); yy++) near[yy] = true;
                    break;
                }
        }
        Parallel.For(0, h, y =>
        {
            if (!near[y]) return;
            Span<float> values = stackalloc float[(2 * r + 1) * (2 * r + 1)];
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (clipped[i]) continue;
                bool any = false;
                for (int dy = -r; dy <= r && !any; dy++)
                {
                    int yy = Math.Clamp(y + dy, 0, h - 1);
                    for (int dx = -r; dx <= r; dx++)
                        if (clipped[yy * w + Math.Clamp(x + dx, 0, w - 1)]) { any = true; break; }
                }
                if (!any) continue;
                for (int c = 0; c < 3; c++)
                {
                    int count = 0;
                    for (int dy = -r; dy <= r; dy++)
                    {
                        int yy = Math.Clamp(y + dy, 0, h - 1);
                        for (int dx = -r; dx <= r; dx++)
                        {
                            int j = yy * w + Math.Clamp(x + dx, 0, w - 1);
                            if (!clipped[j]) values[count++] = offsets[c][j];
                        }
                    }
                    // The pixel itself is unclipped, so count >= 1; an even count takes the upper middle.
                    var v = values[..count];
                    v.Sort();
                    filtered[c][i] = v[count / 2];
                }
            }
        });
    }
}
