using EventDeblur.Deconvolution;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>The frame noise σ taken by selection is the median a full sort gives.</summary>
public class NoiseEstimatorTests
{
    [Theory]
    [InlineData(3, 3, 1)]
    [InlineData(64, 48, 2)]
    [InlineData(641, 480, 3)]
    public void TheSelectedMedianIsTheSortedOne(int w, int h, int seed)
    {
        var rng = new Random(seed);
        // Noise on a ramp, a block of ties (an 8-bit frame's flat sky), and clipped pixels.
        var plane = new float[w * h];
        var saturated = new bool[w * h];
        for (int i = 0; i < plane.Length; i++)
        {
            plane[i] = i % 7 == 0 ? 0.25f : (float)(0.3 * (i % w) / w + 0.02 * (rng.NextDouble() - 0.5));
            saturated[i] = rng.NextDouble() < 0.02;
        }
        var r = new List<float>();
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                int i = y * w + x;
                if (saturated[i] || saturated[i - 1] || saturated[i + 1] || saturated[i - w] || saturated[i + w]) continue;
                float v = plane[i - w - 1] - 2 * plane[i - w] + plane[i - w + 1] - 2 * plane[i - 1] + 4 * plane[i] - 2 * plane[i + 1]
                          + plane[i + w - 1] - 2 * plane[i + w] + plane[i + w + 1];
                r.Add(Math.Abs(v));
            }
        r.Sort();
        double expected = r.Count == 0 ? 1e-3 : Math.Max(1e-5, r[r.Count / 2] / (0.6745 * 6));
        Assert.Equal(expected, NoiseEstimator.Sigma(plane, w, h, saturated));
    }
}
