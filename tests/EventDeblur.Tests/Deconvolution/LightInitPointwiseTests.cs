using EventDeblur.Deconvolution;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>The vectorised steps of robust's RL start give exactly what the per-pixel loops they replace gave.</summary>
public class LightInitPointwiseTests
{
    private const float Eps = 1e-3f;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 2)]
    [InlineData(4099, 3)]
    public void TheVectorStepsAreBitIdenticalToTheScalarLoops(int n, int seed)
    {
        var rng = new Random(seed);
        float sat = 0.8f, a = 50f / sat;
        float[] Plane(Func<int, float> f) => Enumerable.Range(0, n).Select(f).ToArray();
        // Values from far below saturation to above it, zeros and negatives (the IDFT's ringing), no-data pixels.
        var b = Plane(_ => (float)(rng.NextDouble() * 1.2 - 0.05));
        var y = Plane(i => i % 11 == 0 ? sat * (0.5f + (float)rng.NextDouble()) : (float)(rng.NextDouble() * 0.4 - 0.02));
        var omega = Plane(_ => rng.NextDouble() < 0.2 ? 0f : (float)rng.NextDouble());
        var isSat = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.03).ToArray();
        var x = Plane(_ => (float)rng.NextDouble());
        var prev = Plane(_ => (float)rng.NextDouble());
        var g1 = Plane(_ => (float)(rng.NextDouble() - 0.5));
        var g2 = Plane(_ => (float)(rng.NextDouble() - 0.5));

        var ratio = new float[n];
        LightInitPointwise.Ratio(b, y, omega, isSat, ratio, a, sat, Eps);
        var expected = new float[n];
        for (int i = 0; i < n; i++)
        {
            if (omega[i] <= 0 && !isSat[i]) { expected[i] = 1; continue; }
            float yi = Math.Max(y[i], Eps), bi = Math.Max(b[i], Eps);
            float arg = a * (yi - sat);
            if (arg < -20f) { expected[i] = bi / yi; continue; }
            float e = MathF.Exp(Math.Min(arg, 60f));
            float r = yi - MathF.Log(1 + e) / a;
            float dr = 1 / (1 + e);
            expected[i] = bi * dr / Math.Max(r, Eps) + 1 - dr;
        }
        Assert.Equal(expected, ratio);

        float alpha = 0.37f;
        var pred = new float[n];
        var prevV = (float[])prev.Clone();
        LightInitPointwise.Predict(x, prevV, pred, alpha, Eps);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Math.Max(x[i] + alpha * (x[i] - prev[i]), Eps), pred[i]);
            Assert.Equal(x[i], prevV[i]);
        }

        var (xV, g1V, g2V) = ((float[])x.Clone(), (float[])g1.Clone(), (float[])g2.Clone());
        LightInitPointwise.Update(pred, y, xV, g1V, g2V);
        for (int i = 0; i < n; i++)
        {
            float xi = Math.Max(pred[i] * y[i], 0);
            Assert.Equal(xi, xV[i]);
            Assert.Equal(g1[i], g2V[i]);
            Assert.Equal(xi - pred[i], g1V[i]);
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(37, 5)]
    [InlineData(409_999, 6)]
    public void TheExtrapolationDotsMatchTheScalarSumsToTheLastBitsOfADouble(int n, int seed)
    {
        var rng = new Random(seed);
        // Changes of every size and sign, as the RL start's last two steps have (large near lights, tiny elsewhere).
        var g1 = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 3)))).ToArray();
        var g2 = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 3)))).ToArray();
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) { num += g1[i] * g2[i]; den += g2[i] * g2[i]; }
        var (vNum, vDen) = LightInitPointwise.Dots(g1, g2);
        // The products are the same floats; only the order of the double additions differs.
        Assert.Equal(den, vDen, den * 1e-12);
        Assert.Equal(num, vNum, den * 1e-12);
        Assert.True(vDen > 0);
    }
}
