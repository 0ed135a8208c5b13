using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using EventDeblur.Metrics;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>The quality ladder of <c>robust</c> (<c>--quality fast|balanced|best</c>) and the pieces of its fast path.</summary>
public class QualityLadderTests(ITestOutputHelper output)
{
    private static readonly Lazy<(LinearImage Blurry, MetricImage Truth, IReadOnlyList<KernelTile> Kernels, double Saturation)> Frame = new(() =>
    {
        // A simulated night frame (seed outside every tuning, test and training set), deblurred with its true kernel.
        string dir = Path.Combine(TestPaths.NewTempDir(), "night-12012");
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 1, RgbWidth = 256, RgbHeight = 192, PointLights = 3 }, 12012, dir);
        var b = RecordingBundle.Load(dir);
        var rgb = b.Manifest.Rgb!;
        var blurry = LinearImage.Read(b.Frames[0].File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
        var truth = LinearImage.Read(b.GroundTruthFrames![0].File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel).ToMetricImage();
        var kernels = KernelCsv.Read(Path.Combine(b.GroundTruthKernelsDir!, "000000.csv"));
        return (blurry, truth, kernels, (rgb.SaturationLevel - rgb.BlackLevel) / (rgb.WhiteLevel - rgb.BlackLevel));
    });

    private static double Psnr(DeconvolutionQuality q)
    {
        var (blurry, truth, kernels, sat) = Frame.Value;
        var sharp = TiledDeblurrer.Deblur(blurry, kernels, BuiltInMethods.CreateRobust(q, guardLog: TextWriter.Null), sat);
        return ImageMetrics.FrameQuality(sharp.ToMetricImage(), truth).Psnr;
    }

    [Fact]
    public void EveryRungBeatsTheBlurryInputAndBalancedStaysNearBest()
    {
        var (blurry, truth, _, _) = Frame.Value;
        double pBlurry = ImageMetrics.FrameQuality(blurry.ToMetricImage(), truth).Psnr;
        double fast = Psnr(DeconvolutionQuality.Fast), balanced = Psnr(DeconvolutionQuality.Balanced), best = Psnr(DeconvolutionQuality.Best);
        output.WriteLine($"PSNR: blurry {pBlurry:F2}, fast {fast:F2}, balanced {balanced:F2}, best {best:F2} dB");
        // Stated margins: every rung ≥ 2 dB above the blurry input; balanced within 2 dB of best; the rungs in order
        // (0.05 dB slack). Measured here: blurry 22.10, fast 31.75, balanced 36.19, best 37.75 dB (before the simulator's
        // sub-seed fix the same seed drew another frame: 21.11, 27.34, 31.73, 33.06 dB). On the six tuning frames of both
        // domains balanced is 0.42 dB below best on average; this small frame is dominated by its lights, where the extra
        // iterations of best count most.
        Assert.True(fast >= pBlurry + 2, $"fast {fast:F2} dB vs blurry {pBlurry:F2} dB");
        Assert.True(balanced >= pBlurry + 2, $"balanced {balanced:F2} dB vs blurry {pBlurry:F2} dB");
        Assert.True(best >= pBlurry + 2, $"best {best:F2} dB vs blurry {pBlurry:F2} dB");
        Assert.True(balanced >= best - 2, $"balanced {balanced:F2} dB is more than 2 dB below best {best:F2} dB");
        Assert.True(balanced >= fast - 0.05, $"balanced {balanced:F2} dB below fast {fast:F2} dB");
        Assert.True(best >= balanced - 0.05, $"best {best:F2} dB below balanced {balanced:F2} dB");
    }

    [Fact]
    public void RegistryDefaultIsBalancedAndQualityNamesParse()
    {
        Assert.Equal(DeconvolutionQuality.Balanced, new EventDeblur.Pipeline.ReplayOptions { Methods = new MethodCatalogueBuilder().Build() }.Quality);
        foreach (var name in DeconvolutionQualities.Names) Assert.Equal(name, DeconvolutionQualities.Parse(name).Name());
        Assert.Equal(DeconvolutionQuality.Best, DeconvolutionQualities.Parse(" BEST "));
        var e = Assert.Throws<ArgumentException>(() => DeconvolutionQualities.Parse("fastest"));
        Assert.Contains("fast, balanced, best", e.Message);
        var fast = RobustDeconvolverOptions.ForQuality(DeconvolutionQuality.Fast);
        var balanced = RobustDeconvolverOptions.ForQuality(DeconvolutionQuality.Balanced);
        var best = RobustDeconvolverOptions.ForQuality(DeconvolutionQuality.Best);
        Assert.True(fast.Iterations <= balanced.Iterations && balanced.Iterations <= best.Iterations);
        Assert.True(fast.LightInitIterations <= balanced.LightInitIterations && balanced.LightInitIterations <= best.LightInitIterations);
        Assert.Equal(new RobustDeconvolverOptions(), balanced);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(7, 3)]
    [InlineData(1000, 500)]
    [InlineData(1001, 0)]
    [InlineData(1001, 1000)]
    public void QuickselectEqualsTheSortedValueAndPartitions(int n, int k)
    {
        var rng = new Random(n + k);
        // Few distinct values, so duplicates are common.
        var values = Enumerable.Range(0, n).Select(_ => (float)rng.Next(0, 17) * 0.25f).ToArray();
        var sorted = values.OrderBy(v => v).ToArray();
        var work = (float[])values.Clone();
        float nth = Selection.Nth(work, k);
        Assert.Equal(sorted[k], nth);
        Assert.Equal(sorted.Take(k).Sum(), work.Take(k).Sum());
        Assert.Equal(sorted.OrderBy(v => v), work.OrderBy(v => v));
    }

    /// <summary>The vectorised ADMM pointwise steps against a plain scalar transcription of the update equations (circular grid, odd width so the wrap column and vector tails are both hit).</summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1.6)]
    public void VectorisedAdmmStepsEqualTheScalarEquations(double relaxation)
    {
        const int h = 9, w = 37;
        int n = h * w;
        var rng = new Random(5);
        float[] R() => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float alpha = (float)relaxation, beta = 0.05f, gamma = 0.05f, mu = 0.1f, satLow = 0.3f;
        var x = R(); var d2x = R(); var d2y = R(); var qx = R(); var qy = R(); var d3 = R(); var g = R(); var floor = R();
        var prior = R().Select(Math.Abs).ToArray();
        prior[3] = 0;
        var kx = R(); var d1 = R(); var rz = R();
        var ob = R(); var invW = R().Select(v => 1 / (Math.Abs(v) + mu)).ToArray();
        var satMask = R().Select(v => v > 0.5f ? 1f : 0f).ToArray();

        // Expected, straight from the equations (q = u − d2, g = γ(v − d3), rz = μ(z − d1)).
        var eD2x = new float[n]; var eD2y = new float[n]; var eQx = new float[n]; var eQy = new float[n]; var eD3 = new float[n]; var eG = new float[n];
        for (int y = 0; y < h; y++)
            for (int c = 0; c < w; c++)
            {
                int i = y * w + c;
                float gx = x[y * w + (c + 1) % w] - x[i], gy = x[((y + 1) % h) * w + c] - x[i];
                float ux0 = qx[i] + d2x[i], uy0 = qy[i] + d2y[i];
                float tx = alpha * gx + (1 - alpha) * ux0 + d2x[i], ty = alpha * gy + (1 - alpha) * uy0 + d2y[i];
                double mag = Math.Sqrt(tx * tx + ty * ty), thr = prior[i] / beta;
                double s = mag > thr ? 1 - thr / mag : 0;
                double ux = s * tx, uy = s * ty;
                eD2x[i] = (float)(tx - ux); eD2y[i] = (float)(ty - uy);
                eQx[i] = (float)(ux - eD2x[i]); eQy[i] = (float)(uy - eD2y[i]);
                float v0 = g[i] / gamma + d3[i];
                float tv = alpha * x[i] + (1 - alpha) * v0 + d3[i];
                float v = Math.Max(tv, floor[i]);
                eD3[i] = tv - v; eG[i] = gamma * (v - eD3[i]);
            }
        var eD1 = new float[n]; var eRz = new float[n];
        for (int i = 0; i < n; i++)
        {
            float z0 = rz[i] / mu + d1[i];
            float t = alpha * kx[i] + (1 - alpha) * z0 + d1[i];
            float z = satMask[i] > 0 ? Math.Max(t, satLow) : (ob[i] + mu * t) * invW[i];
            eD1[i] = t - z; eRz[i] = mu * (z - eD1[i]);
        }

        AdmmPointwise.UvStep(x, d2x, d2y, qx, qy, d3, g, prior, floor, h, w, beta, gamma, alpha);
        AdmmPointwise.ZStep(kx, d1, ob, invW, satMask, mu, satLow, rz, alpha);
        var rq = new float[n];
        AdmmPointwise.XStepRhs(qx, qy, g, rq, h, w, beta);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(eD2x[i], d2x[i], 4e-5f); Assert.Equal(eD2y[i], d2y[i], 4e-5f);
            Assert.Equal(eQx[i], qx[i], 4e-5f); Assert.Equal(eQy[i], qy[i], 4e-5f);
            Assert.Equal(eD3[i], d3[i], 4e-5f); Assert.Equal(eG[i], g[i], 4e-5f);
            Assert.Equal(eD1[i], d1[i], 4e-5f); Assert.Equal(eRz[i], rz[i], 4e-5f);
        }
        for (int y = 0; y < h; y++)
            for (int c = 0; c < w; c++)
            {
                int i = y * w + c, left = y * w + (c + w - 1) % w, up = ((y + h - 1) % h) * w + c;
                float expected = beta * (eQx[left] - eQx[i] + eQy[up] - eQy[i]) + eG[i];
                Assert.Equal(expected, rq[i], 4e-5f);
            }
    }

    [Fact]
    public void KernelSpectraAreSharedPerKernelAndRecomputedWhenTheWeightsChange()
    {
        var k = NoisyNightFrames.MotionKernel(9);
        var a = KernelSpectra.Get(k, 48, 40, 0.1f, 0.05f, 0.05f);
        var b = KernelSpectra.Get(k, 48, 40, 0.1f, 0.05f, 0.05f);
        Assert.Same(a.K, b.K);
        var other = KernelSpectra.Get(k, 48, 40, 0.1f, 0.2f, 0.05f);
        Assert.NotSame(a.AK, other.AK);
        Assert.NotEqual(a.AI, other.AI);
        Assert.Equal(a.K, other.K);
        // DC of the packed kernel spectrum = sum of the weights.
        Assert.Equal(k.Weights.Sum(), a.K[0], 1e-4f);
        k.Weights[k.Center * k.Size + k.Center] += 0.5f;
        var c = KernelSpectra.Get(k, 48, 40, 0.1f, 0.05f, 0.05f);
        Assert.NotSame(a.K, c.K);
        Assert.Equal(k.Weights.Sum(), c.K[0], 1e-4f);
    }
}
