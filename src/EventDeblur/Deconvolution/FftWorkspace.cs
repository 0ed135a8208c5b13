using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Reusable FFT buffers for one h×w grid, with every spectral operation done natively by OpenCV
/// (float32 DFTs; spectrum products by OpenCV's MulSpectrums or, bit for bit the same, <see cref="PackedSpectrum"/>), so
/// iterations allocate nothing.
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
        PackedSpectrum.MultiplyInPlace(_packed, packedOtf, adjoint);
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
