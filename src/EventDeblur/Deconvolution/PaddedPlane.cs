using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>
/// A channel padded for FFT work: the frame sits at (Pad, Pad) of an optimal-size grid; the border
/// is filled by reflection and tapered towards the mean so the periodic wrap is smooth. The mask is
/// 1 where the data is real and unsaturated, 0 in the border and on saturated pixels.
/// </summary>
internal sealed class PaddedPlane
{
    public PaddedPlane(float[] plane, bool[] saturated, int width, int height, int pad)
    {
        Width = width;
        Height = height;
        Pad = pad;
        W = Spectral.EvenDftWidth(width + 2 * pad);
        H = Cv2.GetOptimalDFTSize(height + 2 * pad);
        Data = new float[W * H];
        Mask = new float[W * H];
        double mean = 0;
        int valid = 0;
        for (int i = 0; i < plane.Length; i++) if (!saturated[i]) { mean += plane[i]; valid++; }
        mean = valid > 0 ? mean / valid : 0;
        for (int y = 0; y < H; y++)
        {
            int sy = Reflect(y - pad, height);
            double wy = Taper(y - pad, height, H - height);
            for (int x = 0; x < W; x++)
            {
                int sx = Reflect(x - pad, width);
                double wx = Taper(x - pad, width, W - width);
                float v = plane[sy * width + sx];
                Data[y * W + x] = (float)(mean + (v - mean) * wx * wy);
                bool inside = y >= pad && y < pad + height && x >= pad && x < pad + width;
                Mask[y * W + x] = inside && !saturated[sy * width + sx] ? 1f : 0f;
            }
        }
    }

    public int Width { get; }
    public int Height { get; }
    public int Pad { get; }
    public int W { get; }
    public int H { get; }
    public float[] Data { get; }
    public float[] Mask { get; }

    /// <summary>The frame region of a padded-grid plane.</summary>
    public float[] Crop(float[] grid)
    {
        var r = new float[Width * Height];
        for (int y = 0; y < Height; y++) Array.Copy(grid, (y + Pad) * W + Pad, r, y * Width, Width);
        return r;
    }

    /// <summary>Index <paramref name="i"/> reflected into [0, n) (whole-sample symmetric, no edge repeat).</summary>
    internal static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * n - 2;
        i = ((i % period) + period) % period;
        return i < n ? i : period - i;
    }

    /// <summary>1 inside the frame, falling smoothly (raised cosine) to 0 at the middle of the border band.</summary>
    internal static double Taper(int i, int n, int border)
    {
        if (i >= 0 && i < n) return 1;
        int d = i < 0 ? -i : i - n + 1;
        int half = Math.Max(1, border / 2);
        if (d >= half) return 0;
        return 0.5 * (1 + Math.Cos(Math.PI * d / half));
    }
}
