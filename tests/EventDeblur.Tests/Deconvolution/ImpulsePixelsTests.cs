using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>
/// Hot and dead sensor pixels are set to their neighbours' median before the deconvolution (stop 50's trial: a hot pixel
/// of the foreign hard-2006 became a fake four-pixel light 5 px away), and blurred lights are not taken for them.
/// </summary>
public class ImpulsePixelsTests
{
    private const int W = 96, H = 72;

    private static BlurKernel Line(int length) =>
        KernelRaster.FromOffsets(Enumerable.Range(0, 4 * length).Select(i => (X: -length / 2.0 + length * i / (4.0 * length - 1), Y: 0.0)).ToArray());

    /// <summary>A textured scene (0.15–0.25) with lights, blurred by <paramref name="kernel"/>, with Poisson–Gaussian noise (σ² = 1e-4·s + 4e-6).</summary>
    private static LinearImage Blurred(BlurKernel kernel, int seed)
    {
        var rng = new Random(seed);
        var scene = new float[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                scene[y * W + x] = 0.2f + 0.05f * (float)Math.Sin(x * 0.35 + y * 0.2);
        foreach (var (lx, ly, v) in new[] { (20, 20, 8f), (60, 40, 3f), (40, 55, 1.5f), (75, 15, 0.6f) }) scene[ly * W + lx] = v;
        using var src = Mat.FromPixelData(H, W, MatType.CV_32FC1, scene);
        using var dst = new Mat();
        using (var k = Mat.FromPixelData(kernel.Size, kernel.Size, MatType.CV_32FC1, kernel.Weights)) Cv2.Filter2D(src, dst, -1, k, new Point(-1, -1), 0, BorderTypes.Reflect);
        dst.GetArray(out float[] b);
        var sat = new bool[b.Length];
        for (int i = 0; i < b.Length; i++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            b[i] = (float)Math.Min(b[i] + g * Math.Sqrt(1e-4 * Math.Max(b[i], 0) + 4e-6), 0.99);
            sat[i] = b[i] >= 0.99f;
        }
        return new LinearImage(W, H, [b], [sat]);
    }

    [Fact]
    public void HotAndDeadPixelsAreSetToTheirNeighboursAndNothingElseChanges()
    {
        var k = Line(9);
        var clean = Blurred(k, 1);
        var planes = new[] { (float[])clean.Planes[0].Clone() };
        var sat = new[] { (bool[])clean.Saturated[0].Clone() };
        var defects = new[] { (30, 10, 0.99f), (50, 30, 0.6f), (70, 60, 0.45f), (12, 66, 0f) };   // three hot (one clipped), one dead
        foreach (var (x, y, v) in defects) { planes[0][y * W + x] = v; sat[0][y * W + x] = v >= 0.99f; }
        var damaged = new LinearImage(W, H, planes, sat);
        var repaired = ImpulsePixels.Repair(damaged, [k], out int n);
        Assert.Equal(defects.Length, n);
        foreach (var (x, y, _) in defects)
        {
            int i = y * W + x;
            // Stated tolerance: within 0.02 of the clean value (the median of the eight neighbours, on a texture sloping by up
            // to 0.0175 per pixel, with noise σ ≈ 0.005); no longer marked clipped.
            Assert.InRange(repaired.Planes[0][i], clean.Planes[0][i] - 0.02f, clean.Planes[0][i] + 0.02f);
            Assert.False(repaired.Saturated[0][i]);
        }
        int changed = Enumerable.Range(0, W * H).Count(i => repaired.Planes[0][i] != damaged.Planes[0][i]);
        Assert.Equal(defects.Length, changed);
        // The blurred lights, clipped or not, and the noise are left alone.
        Assert.Same(clean, ImpulsePixels.Repair(clean, [k], out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void ALightBlurredByAPathThatDwellsIsNotTakenForAHotPixel()
    {
        // A 9-px path that dwells at its end: half the weight in one pixel, its neighbour on the path 1/16.
        var w = new float[81];
        for (int j = 0; j < 8; j++) w[4 * 9 + j] = 0.5f / 8;
        w[4 * 9 + 8] = 0.5f;
        var dwell = new BlurKernel(9, w);
        Assert.Equal(8, ImpulsePixels.PeakRatio(dwell), 3);
        var frame = Blurred(dwell, 2);
        Assert.Same(frame, ImpulsePixels.Repair(frame, [dwell], out int n));
        Assert.Equal(0, n);
        // The dim light at (75, 15) puts half its energy at (71, 15), where it stands above all its neighbours by more than
        // twice their largest distance from their median (a fixed factor of 2 "repaired" it in a first version): the
        // kernel's own peak ratio, and the neighbours' whole spread, guard it.
        var p = frame.Planes[0];
        int top = 15 * W + 71;
        var nb = new[] { -W - 1, -W, -W + 1, -1, 1, W - 1, W, W + 1 }.Select(d => p[top + d]).Order().ToArray();
        float bg = 0.5f * (nb[3] + nb[4]);
        Assert.True(p[top] - bg > 2 * (nb[^1] - bg), $"peak {p[top]}, neighbours {string.Join(", ", nb)}");
    }

    [Fact]
    public void PeakRatiosAndWhenNothingIsExamined()
    {
        Assert.InRange(ImpulsePixels.PeakRatio(Line(12)), 1, 1.6);
        Assert.Equal(double.PositiveInfinity, ImpulsePixels.PeakRatio(new BlurKernel(3, [0.5f, 0, 0.5f, 0, 0, 0, 0, 0, 0])));
        var frame = Blurred(Line(9), 3);
        var planes = new[] { (float[])frame.Planes[0].Clone() };
        planes[0][30 * W + 30] = 0.9f;
        var hot = new LinearImage(W, H, planes, frame.Saturated);
        // A frame blurred by under 3 px may have one-pixel detail; a kernel with an isolated pixel makes spikes of lights.
        var twoPx = new BlurKernel(3, [0, 0, 0, 0, 0.5f, 0.5f, 0, 0, 0]);
        Assert.Equal(2, twoPx.LengthPx());
        Assert.Same(hot, ImpulsePixels.Repair(hot, [twoPx], out _));
        Assert.Same(hot, ImpulsePixels.Repair(hot, [Line(9), new BlurKernel(3, [0.5f, 0, 0.5f, 0, 0, 0, 0, 0, 0])], out _));
        Assert.Same(hot, ImpulsePixels.Repair(hot, [], out _));
        Assert.NotSame(hot, ImpulsePixels.Repair(hot, [Line(9)], out int one));
        Assert.Equal(1, one);
    }
}
