using System.Runtime.CompilerServices;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Deconvolution;

/// <summary>
/// The kernel spectra <see cref="RobustDeconvolver"/> needs on one grid — K, conj(K)/den and 1/den with
/// den = μ|K|² + β|D|² + γ, in OpenCV's packed real-spectrum layout — computed once per kernel, grid and penalties and
/// shared by every channel (and the guard's gentler variant) that deconvolves with the same kernel. Entries live as long
/// as the kernel's weight array; a kernel whose weights were changed in place is recomputed.
/// </summary>
internal static class KernelSpectra
{
    private sealed record Entry(int H, int W, float Mu, float Beta, float Gamma, float[] Weights, float[] K, float[] AK, float[] AI);

    private static readonly ConditionalWeakTable<float[], List<Entry>> Cache = new();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float[] K, float[] AK, float[] AI) Get(BlurKernel kernel, int h, int w, float mu, float beta, float gamma)
    {
        var list = Cache.GetValue(kernel.Weights, _ => []);
        lock (list)
        {
            foreach (var e in list)
                if (e.H == h && e.W == w && e.Mu == mu && e.Beta == beta && e.Gamma == gamma && e.Weights.AsSpan().SequenceEqual(kernel.Weights))
                    return (e.K, e.AK, e.AI);
            var k = new float[h * w];
            var ak = new float[h * w];
            var ai = new float[h * w];
            using (var grid = RobustDeconvolver.KernelGrid(kernel, h, w))
            using (var kM = Mat.FromPixelData(h, w, MatType.CV_32FC1, k))
            using (var akM = Mat.FromPixelData(h, w, MatType.CV_32FC1, ak))
            using (var aiM = Mat.FromPixelData(h, w, MatType.CV_32FC1, ai))
            {
                Cv2.Dft(grid, kM);
                RobustDeconvolver.BuildFilters(grid, h, w, mu, beta, gamma, akM, aiM);
            }
            if (list.Count >= 4) list.RemoveAt(0);
            list.Add(new Entry(h, w, mu, beta, gamma, (float[])kernel.Weights.Clone(), k, ak, ai));
            return (k, ak, ai);
        }
    }
}
