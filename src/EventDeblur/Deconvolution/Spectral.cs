using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>FFT helpers over OpenCV's float32 DFT; spectra are interleaved complex float arrays (re, im).</summary>
internal static class Spectral
{
    /// <summary>
    /// The DFT width (row length) for at least <paramref name="n"/> samples: the smallest even size OpenCV transforms
    /// fast (a product of 2, 3 and 5, <see cref="Cv2.GetOptimalDFTSize"/>). OpenCV's real DFT of odd-length rows runs at
    /// about half speed: 675×576 took 4.3–4.5 ms/MP per transform here, 720×576 2.6 ms/MP (tools/EventDeblur.Benchmarks
    /// <c>dftsize</c>); an odd height costs nothing extra.
    /// </summary>
    public static int EvenDftWidth(int n)
    {
        int m = Cv2.GetOptimalDFTSize(Math.Max(n, 2));
        while (m % 2 != 0) m = Cv2.GetOptimalDFTSize(m + 1);
        return m;
    }

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
