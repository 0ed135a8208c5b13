using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Convolution of w×h planes with one kernel, borders reflected (OpenCV's <c>BORDER_REFLECT</c>, as
/// <c>Cv2.Filter2D</c> with the flipped kernel gives), by one real DFT pair on an optimal DFT size: the plane is reflected
/// by the kernel's radius on every side and zero-filled up to the DFT size, so the circular wrap never reaches the
/// output. The kernel's spectrum is computed once per instance.
/// </summary>
internal sealed class ReblurSpectral
{
    private readonly int _w, _h, _r, _gw, _gh;
    private readonly float[] _kSpec;

    /// <summary>For <paramref name="width"/>×<paramref name="height"/> planes (pixels) and <paramref name="kernel"/>.</summary>
    public ReblurSpectral(BlurKernel kernel, int width, int height)
    {
        _w = width;
        _h = height;
        _r = kernel.Size / 2;
        _gw = Spectral.EvenDftWidth(width + 2 * _r);
        _gh = Cv2.GetOptimalDFTSize(height + 2 * _r);
        _kSpec = new float[_gw * _gh];
        using var grid = RobustDeconvolver.KernelGrid(kernel, _gh, _gw);
        using var k = Mat.FromPixelData(_gh, _gw, MatType.CV_32FC1, _kSpec);
        Cv2.Dft(grid, k);
    }

    /// <summary>K ⊛ <paramref name="plane"/> (same size, row-major).</summary>
    public float[] Convolve(float[] plane)
    {
        if (plane.Length != _w * _h) throw new ArgumentException($"plane has {plane.Length} values, expected {_w}×{_h}");
        var r = new float[plane.Length];
        using var src = Mat.FromPixelData(_h, _w, MatType.CV_32FC1, plane);
        using var reflected = new Mat();
        Cv2.CopyMakeBorder(src, reflected, _r, _r, _r, _r, BorderTypes.Reflect);
        using var grid = new Mat();
        Cv2.CopyMakeBorder(reflected, grid, 0, _gh - _h - 2 * _r, 0, _gw - _w - 2 * _r, BorderTypes.Constant, Scalar.All(0));
        using var k = Mat.FromPixelData(_gh, _gw, MatType.CV_32FC1, _kSpec);
        using var spec = new Mat();
        Cv2.Dft(grid, spec);
        PackedSpectrum.MultiplyInPlace(spec, k);
        Cv2.Idft(spec, grid, DftFlags.Scale | DftFlags.RealOutput);
        using var dst = Mat.FromPixelData(_h, _w, MatType.CV_32FC1, r);
        using (var roi = new Mat(grid, new Rect(_r, _r, _w, _h))) roi.CopyTo(dst);
        return r;
    }
}
