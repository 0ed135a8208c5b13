using EventDeblur.Deconvolution;

namespace EventDeblur.Tests.Deconvolution;

public class NoiseModelTests
{
    private const int W = 256, H = 192;

    /// <summary>Largest relative error of the estimated σ(s) against the true one over the signal range [lo, hi].</summary>
    private static double SigmaError(NoiseModel est, LightLevel l, double lo, double hi)
    {
        var truth = new NoiseModel(l.A, l.B);
        double worst = 0;
        for (int k = 0; k <= 20; k++)
        {
            double s = lo + (hi - lo) * k / 20;
            worst = Math.Max(worst, Math.Abs(est.Sigma(s) / truth.Sigma(s) - 1));
        }
        return worst;
    }

    /// <summary>A smooth left-to-right ramp over 5–100 % of the level's signal scale: the flat case.</summary>
    private static float[] Ramp(LightLevel l)
    {
        var clean = new float[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) clean[y * W + x] = (float)(l.Scale * (0.05 + 0.95 * x / (W - 1.0)));
        return clean;
    }

    [Theory]
    [MemberData(nameof(LightLevel.All), MemberType = typeof(LightLevel))]
    public void FlatRampRecoversPoissonGaussianParameters(string level)
    {
        // A smooth ramp through the level's signal range: the flat case.
        var l = LightLevel.ByName(level);
        var clean = Ramp(l);
        var (noisy, sat) = NoisyNightFrames.AddNoise(clean, l.A, l.B, 11);
        var est = NoiseModelEstimator.Estimate(noisy, W, H, sat);
        // Stated tolerance: A within 15 %, σ(s) within 8 % over the frame's signal range.
        Assert.True(Math.Abs(est.A / l.A - 1) < 0.15, $"{level}: A = {est.A:E3}, true {l.A:E3}");
        double err = SigmaError(est, l, 0.05 * l.Scale, l.Scale);
        Assert.True(err < 0.08, $"{level}: σ(s) off by {err:P1} (A {est.A:E3} vs {l.A:E3}, B {est.B:E3} vs {l.B:E3})");
    }

    [Theory]
    [MemberData(nameof(LightLevel.All), MemberType = typeof(LightLevel))]
    public void BlurryTexturedFrameWithClippedLightsRecoversParameters(string level)
    {
        // The deconvolver's real input: a blurred textured scene with clipped light streaks.
        var l = LightLevel.ByName(level);
        var scene = NoisyNightFrames.Scene(W, H, l.Scale, 3);
        for (int i = 0; i < 6; i++) scene[(30 + 25 * i) * W + 40 + 30 * i] = 60;
        var k = NoisyNightFrames.MotionKernel(13);
        var blurred = DeconvolverTests.Blur(scene, W, H, k);
        var (noisy, sat) = NoisyNightFrames.AddNoise(blurred, l.A, l.B, 12);
        Assert.Contains(true, sat);
        var est = NoiseModelEstimator.Estimate(noisy, W, H, sat);
        // Stated tolerance with texture and edges present: A within 25 %, σ(s) within 12 % over [0.15, 0.9]·scale.
        Assert.True(Math.Abs(est.A / l.A - 1) < 0.25, $"{level}: A = {est.A:E3}, true {l.A:E3}");
        double err = SigmaError(est, l, 0.15 * l.Scale, 0.9 * l.Scale);
        Assert.True(err < 0.12, $"{level}: σ(s) off by {err:P1} (A {est.A:E3} vs {l.A:E3}, B {est.B:E3} vs {l.B:E3})");
    }

    [Theory]
    [MemberData(nameof(LightLevel.All), MemberType = typeof(LightLevel))]
    public void SigmaMapFollowsTheSignalOfEachPixel(string level)
    {
        // The learned deconvolver's noise plane: σ per pixel from the fitted model at the local signal. On a ramp the
        // map must track the true σ(s) of each column (within the estimator's stated 8 %, plus 4 % for the 3×3
        // smoothing of the noisy signal), rising from the dark to the bright end as Poisson–Gaussian noise does.
        var l = LightLevel.ByName(level);
        var clean = Ramp(l);
        var (noisy, sat) = NoisyNightFrames.AddNoise(clean, l.A, l.B, 13);
        var model = NoiseModelEstimator.Estimate(noisy, W, H, sat);
        var map = NoiseModelEstimator.SigmaMap(noisy, W, H, model, 1.0);
        var truth = new NoiseModel(l.A, l.B);
        foreach (int x in new[] { 8, W / 2, W - 9 })
        {
            double mean = Enumerable.Range(8, H - 16).Average(y => (double)map[y * W + x]);
            double expected = truth.Sigma(clean[x]);
            Assert.True(Math.Abs(mean / expected - 1) < 0.12, $"{level}, column {x}: map σ {mean:E3}, true {expected:E3}");
        }
        Assert.True(map[(H / 2) * W + W - 9] > map[(H / 2) * W + 8], "σ rises with the signal");
        Assert.Throws<ArgumentException>(() => NoiseModelEstimator.SigmaMap(noisy, W + 1, H, model, 1.0));
    }

    [Fact]
    public void SignalIndependentNoiseGivesNoShotTerm()
    {
        var rng = new Random(4);
        var plane = new float[W * H];
        for (int i = 0; i < plane.Length; i++) plane[i] = (float)(0.05 + 0.4 * (i % W) / W + 0.01 * NoisyNightFrames.Gaussian(rng));
        var est = NoiseModelEstimator.Estimate(plane, W, H);
        Assert.InRange(est.Sigma(0.05), 0.0092, 0.0108);
        Assert.InRange(est.Sigma(0.45), 0.0092, 0.0108);
    }
    [Fact]
    public void StableOrderRanksLikeAStableComparisonSort()
    {
        // Many equal keys (a quantised signal), negatives and both signs: the radix order must be the comparison order
        // with ties kept in index order (LINQ's OrderBy is stable).
        var rng = new Random(21);
        var keys = new float[50_000];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = i % 3 == 0 ? (float)(rng.NextDouble() * 2e-3 - 1e-3) : MathF.Round((float)rng.NextDouble() * 255) / 255 - 0.1f;
        keys[7] = float.MaxValue;
        keys[8] = float.MinValue;
        keys[9] = float.Epsilon;
        var expected = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).ToArray();
        Assert.Equal(expected, NoiseModelEstimator.StableOrder(keys));
        // −0 before +0, NaN last.
        Assert.Equal([2, 0, 3, 1], NoiseModelEstimator.StableOrder([0f, float.NaN, -0f, 1f]));
        Assert.Empty(NoiseModelEstimator.StableOrder([]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BinsEqualTheirComparisonSortDefinition(bool eightBit)
    {
        // The bins from the radix order against the definition written with a stable comparison sort, on a blurry
        // textured frame with clipped lights; with 8-bit quantisation most local means are tied with others.
        var l = LightLevel.Dim;
        var scene = NoisyNightFrames.Scene(W, H, l.Scale, 3);
        for (int i = 0; i < 6; i++) scene[(30 + 25 * i) * W + 40 + 30 * i] = 60;
        var blurred = DeconvolverTests.Blur(scene, W, H, NoisyNightFrames.MotionKernel(13));
        var (noisy, sat) = NoisyNightFrames.AddNoise(blurred, l.A, l.B, 14);
        if (eightBit) for (int i = 0; i < noisy.Length; i++) noisy[i] = MathF.Round(noisy[i] * 255) / 255;
        var (mean, res, grad) = NoiseModelEstimator.Samples(noisy, W, H, sat, 2);
        const int bins = 16;
        const double flat = 0.5;
        var (binMean, binVar, binCount) = NoiseModelEstimator.Bins(mean, res, grad, bins, flat);

        var order = Enumerable.Range(0, mean.Length).OrderBy(i => mean[i]).ToArray();
        if (eightBit) Assert.True(order.Select(i => mean[i]).Distinct().Count() < mean.Length / 10, "the quantised frame has ties");
        var refMean = new List<double>();
        var refVar = new List<double>();
        var refCount = new List<int>();
        for (int b = 0; b < bins; b++)
        {
            var bin = order[(mean.Length * b / bins)..(mean.Length * (b + 1) / bins)];
            var g = bin.Select(i => grad[i]).OrderBy(v => v).ToArray();
            float gMax = g[Math.Clamp((int)(flat * g.Length) - 1, 0, g.Length - 1)];
            var kept = bin.Where(i => grad[i] <= gMax).ToArray();
            if (kept.Length < 16) continue;
            var absRes = kept.Select(i => Math.Abs(res[i])).OrderBy(v => v).ToArray();
            double sigma = absRes[kept.Length / 2] / 0.6745;
            double sum = 0;
            foreach (int i in kept) sum += mean[i];
            refMean.Add(sum / kept.Length);
            refVar.Add(sigma * sigma);
            refCount.Add(kept.Length);
        }
        Assert.Equal(bins, refCount.Count);
        Assert.Equal(refCount, binCount);
        Assert.Equal(refMean, binMean);
        Assert.Equal(refVar, binVar);
    }
    /// <summary>The box mean's definition: each pass sums its 2r + 1 values in order in double, edges clamped.</summary>
    private static float[] BoxMeanDefinition(float[] plane, int width, int height, int r)
    {
        var tmp = new float[plane.Length];
        var outp = new float[plane.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double s = 0;
                for (int d = -r; d <= r; d++) s += plane[y * width + Math.Clamp(x + d, 0, width - 1)];
                tmp[y * width + x] = (float)(s / (2 * r + 1));
            }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double s = 0;
                for (int d = -r; d <= r; d++) s += tmp[Math.Clamp(y + d, 0, height - 1) * width + x];
                outp[y * width + x] = (float)(s / (2 * r + 1));
            }
        return outp;
    }

    [Theory]
    [InlineData(640, 480, 1)]
    [InlineData(641, 37, 2)]
    [InlineData(19, 23, 3)]
    [InlineData(5, 4, 2)]
    [InlineData(3, 9, 4)]
    public void BoxMeanOnVectorLanesIsBitIdenticalToItsDefinition(int w, int h, int r)
    {
        // Values over many magnitudes (tiny, negative, large), so that any change in the order of the additions shows.
        var rng = new Random(w * 31 + h * 7 + r);
        var plane = new float[w * h];
        for (int i = 0; i < plane.Length; i++) plane[i] = (float)((rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-14, 6)));
        Assert.Equal(BoxMeanDefinition(plane, w, h, r), NoiseModelEstimator.BoxMean(plane, w, h, r));
    }
}
