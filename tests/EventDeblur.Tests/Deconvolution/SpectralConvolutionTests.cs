using EventDeblur.Deconvolution;
using EventDeblur.Kernels;
using EventDeblur.Tests.Metrics;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>
/// The product's FFT convolution (<see cref="Spectral.Otf"/> + <see cref="Spectral.Convolve"/>, which the
/// deconvolvers and their data terms use) against METRICS.md's circular Levin k1 reference values and a
/// direct circular sum over every pixel.
/// </summary>
public class SpectralConvolutionTests
{
    private const int H = 64, W = 80;

    private static double RefA(int x, int y) =>
        0.5 + 0.3 * Math.Sin(2 * Math.PI * x / 17) * Math.Cos(2 * Math.PI * y / 23) + 0.1 * Math.Sin(2 * Math.PI * (x + 2 * y) / 7);

    [SkippableFact]
    public void FftConvolutionWithLevinK1MatchesTheReferenceVectorAndADirectSum()
    {
        var k = ImageMetricsTests.Levin(1);
        int n = k.GetLength(0);
        var weights = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) weights[i * n + j] = (float)k[i, j];
        var kernel = new BlurKernel(n, weights);
        Assert.Equal(9, kernel.Center); // METRICS.md: kernel centre (9, 9)

        var a = new float[H * W];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) a[y * W + x] = (float)RefA(x, y);
        var c = Spectral.Convolve(a, Spectral.Otf(kernel, H, W), H, W);

        // METRICS.md reference values (float32 FFT: agreement to ~1e-6).
        Assert.Equal(0.4584988662416168, c[0], 5);
        Assert.Equal(0.39726268849342633, c[10 * W + 20], 5);
        double se = 0;
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) { double d = RefA(x, y) - c[y * W + x]; se += d * d; }
        Assert.Equal(19.199227194360486, 10 * Math.Log10(1 / (se / (H * W))), 3);

        // Every pixel against a direct circular sum, in float64.
        double worst = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        s += k[i, j] * RefA(((x - (j - 9)) % W + W) % W, ((y - (i - 9)) % H + H) % H);
                worst = Math.Max(worst, Math.Abs(s - c[y * W + x]));
            }
        Assert.True(worst < 1e-5, $"largest difference from the direct sum {worst}");

        // The adjoint is the correlation: <K a, b> = <a, Kᵀ b>.
        var b = new float[H * W];
        for (int i = 0; i < b.Length; i++) b[i] = (float)Math.Cos(0.37 * i);
        var kta = Spectral.Convolve(b, Spectral.Otf(kernel, H, W), H, W, adjoint: true);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < a.Length; i++) { lhs += (double)c[i] * b[i]; rhs += (double)a[i] * kta[i]; }
        Assert.Equal(lhs, rhs, 2);
    }
    [Fact]
    public void DftWidthsAreTheSmallestEvenProductsOfTwoThreeAndFive()
    {
        static bool Smooth(int m)
        {
            foreach (int f in new[] { 2, 3, 5 }) while (m % f == 0) m /= f;
            return m == 1;
        }
        for (int n = 1; n <= 2000; n++)
        {
            int m = Spectral.EvenDftWidth(n);
            Assert.True(m >= n && m % 2 == 0 && Smooth(m), $"{n} -> {m}");
            for (int k = Math.Max(n, 2); k < m; k++) Assert.False(k % 2 == 0 && Smooth(k), $"{n} -> {m}, but {k} is smaller");
        }
        Assert.Equal(720, Spectral.EvenDftWidth(666));   // OpenCV's optimal size there is 675, which it transforms at half speed
    }
}
