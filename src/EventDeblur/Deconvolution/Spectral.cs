using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>FFT helpers over OpenCV's float32 DFT; spectra are interleaved complex float arrays (re, im).</summary>
internal static class Spectral
{
    public static float[] Forward(float[] real, int h, int w)
    {
        var output = new float[2 * h * w];
        using var src = Mat.FromPixelData(h, w, MatType.CV_32FC1, real);
        using var dst = Mat.FromPixelData(h, w, MatType.CV_32FC2, output);
        Cv2.Dft(src, dst, DftFlags.ComplexOutput);
        return output;
    }

    public static float[] InverseReal(float[] spectrum, int h, int w)
    {
        var output = new float[h * w];
        using var src = Mat.FromPixelData(h, w, MatType.CV_32FC2, spectrum);
        using var dst = Mat.FromPixelData(h, w, MatType.CV_32FC1, output);
        Cv2.Idft(src, dst, DftFlags.Scale | DftFlags.RealOutput);
        return output;
    }

    /// <summary>Optical transfer function of <paramref name="k"/> on an h×w grid (kernel centre moved to (0, 0)).</summary>
    public static float[] Otf(BlurKernel k, int h, int w)
    {
        if (k.Size > h || k.Size > w) throw new ArgumentException($"kernel {k.Size} px does not fit a {w}×{h} grid");
        var grid = new float[h * w];
        int c = k.Center;
        for (int i = 0; i < k.Size; i++)
            for (int j = 0; j < k.Size; j++)
                grid[((i - c + h) % h) * w + (j - c + w) % w] += k[i, j];
        return Forward(grid, h, w);
    }

    /// <summary>OTF of the forward difference x[n+1] − x[n] along x (<paramref name="alongX"/>) or y.</summary>
    public static float[] DiffOtf(int h, int w, bool alongX)
    {
        var grid = new float[h * w];
        grid[0] = -1;
        if (alongX) grid[w - 1] = 1; else grid[(h - 1) * w] = 1;
        // Correlation form: (D x)[n] = x[n+1] − x[n] is convolution with kernel d[-1] = 1, d[0] = −1.
        return Forward(grid, h, w);
    }

    /// <summary>Pointwise product a·b (or a·conj(b)).</summary>
    public static float[] Multiply(float[] a, float[] b, bool conjugateB = false)
    {
        var r = new float[a.Length];
        float s = conjugateB ? -1 : 1;
        for (int i = 0; i < a.Length; i += 2)
        {
            float ar = a[i], ai = a[i + 1], br = b[i], bi = s * b[i + 1];
            r[i] = ar * br - ai * bi;
            r[i + 1] = ar * bi + ai * br;
        }
        return r;
    }

    /// <summary>|a|² per frequency (length h·w).</summary>
    public static float[] Power(float[] a)
    {
        var r = new float[a.Length / 2];
        for (int i = 0; i < r.Length; i++) r[i] = a[2 * i] * a[2 * i] + a[2 * i + 1] * a[2 * i + 1];
        return r;
    }

    /// <summary>Circular convolution of a real h×w plane with an OTF.</summary>
    public static float[] Convolve(float[] plane, float[] otf, int h, int w, bool adjoint = false) =>
        InverseReal(Multiply(Forward(plane, h, w), otf, adjoint), h, w);
}

/// <summary>
/// Reusable FFT buffers for one h×w grid, with every spectral operation done natively by OpenCV
/// (float32 complex DFT, MulSpectrums), so iterations allocate nothing.
/// </summary>
internal sealed class FftWorkspace : IDisposable
{
    private readonly Mat _spec;
    private readonly Mat _spec2;
    private readonly Mat _packed;

    public FftWorkspace(int h, int w)
    {
        _packed = new Mat(h, w, MatType.CV_32FC1);
        H = h;
        W = w;
        _spec = new Mat(h, w, MatType.CV_32FC2);
        _spec2 = new Mat(h, w, MatType.CV_32FC2);
    }

    public int H { get; }
    public int W { get; }

    public Mat NewComplex() => new(H, W, MatType.CV_32FC2);

    public Mat NewReal() => new(H, W, MatType.CV_32FC1);

    /// <summary>OTF of a kernel as a complex Mat.</summary>
    public Mat Otf(BlurKernel k) => Mat.FromPixelData(H, W, MatType.CV_32FC2, Spectral.Otf(k, H, W)).Clone();

    /// <summary>OTF of a forward difference as a complex Mat.</summary>
    public Mat DiffOtf(bool alongX) => Mat.FromPixelData(H, W, MatType.CV_32FC2, Spectral.DiffOtf(H, W, alongX)).Clone();

    /// <summary>OTF of a kernel in OpenCV's packed real-spectrum (CCS) layout, for <see cref="Convolve"/>.</summary>
    public Mat PackedOtf(BlurKernel k)
    {
        var grid = new float[H * W];
        int c = k.Center;
        for (int i = 0; i < k.Size; i++)
            for (int j = 0; j < k.Size; j++)
                grid[((i - c + H) % H) * W + (j - c + W) % W] += k[i, j];
        using var g = Mat.FromPixelData(H, W, MatType.CV_32FC1, grid);
        var packed = new Mat();
        Cv2.Dft(g, packed);
        return packed;
    }

    /// <summary>dst = x ⊛ k (or the adjoint, correlation with k) on the circular grid; <paramref name="packedOtf"/> from <see cref="PackedOtf"/>.</summary>
    public void Convolve(Mat x, Mat packedOtf, Mat dst, bool adjoint = false)
    {
        // Real-input DFTs in the packed layout: half the work of complex transforms.
        Cv2.Dft(x, _packed);
        Cv2.MulSpectrums(_packed, packedOtf, _packed, DftFlags.None, adjoint);
        Cv2.Idft(_packed, dst, DftFlags.Scale | DftFlags.RealOutput);
    }

    /// <summary>acc += conj(a)·DFT(x) when <paramref name="accumulate"/>, else acc = conj(a)·DFT(x).</summary>
    public void AdjointSpectrum(Mat x, Mat a, Mat acc, bool accumulate)
    {
        Cv2.Dft(x, _spec, DftFlags.ComplexOutput);
        if (!accumulate) { Cv2.MulSpectrums(_spec, a, acc, DftFlags.None, true); return; }
        Cv2.MulSpectrums(_spec, a, _spec2, DftFlags.None, true);
        Cv2.Add(acc, _spec2, acc);
    }

    public void Dispose()
    {
        _spec.Dispose();
        _spec2.Dispose();
        _packed.Dispose();
    }
}

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
        W = Cv2.GetOptimalDFTSize(width + 2 * pad);
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
