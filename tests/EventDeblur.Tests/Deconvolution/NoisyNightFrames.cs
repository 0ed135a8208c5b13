using EventDeblur.Metrics;
using EventDeblur.Deconvolution;
using EventDeblur.Evaluation;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>A light level of the synthetic frames: scene radiance range and Poisson–Gaussian noise.</summary>
/// <param name="Name">For messages.</param>
/// <param name="Scale">Scene radiance multiplier (the scene spans about [0.1, 1]·Scale).</param>
/// <param name="A">Shot-noise gain.</param>
/// <param name="B">Read-noise variance.</param>
public sealed record LightLevel(string Name, double Scale, double A, double B)
{
    public static readonly LightLevel Bright = new("bright street", 0.8, 2.5e-4, 4e-6);
    public static readonly LightLevel Dim = new("dim road", 0.25, 1e-3, 1e-5);
    public static readonly LightLevel Dark = new("dark alley", 0.06, 4e-3, 2.5e-5);

    public static IEnumerable<object[]> All() => [[Bright.Name], [Dim.Name], [Dark.Name]];

    public static LightLevel ByName(string name) => new[] { Bright, Dim, Dark }.Single(l => l.Name == name);
}

/// <summary>Synthetic low-light frames with known noise and kernels for the deconvolution tests.</summary>
internal static class NoisyNightFrames
{
    /// <summary>A textured scene (blocks, disks, stripes, smooth shading) in [0.1, 1]·scale.</summary>
    public static float[] Scene(int w, int h, double scale, int seed)
    {
        var rng = new Random(seed);
        var s = new float[w * h];
        var disks = Enumerable.Range(0, 12).Select(_ => (X: rng.Next(w), Y: rng.Next(h), R: 4 + rng.Next(14), V: 0.2 + 0.8 * rng.NextDouble())).ToArray();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double v = 0.25 + 0.15 * Math.Sin(x / 23.0) * Math.Cos(y / 17.0) + 0.2 * (((x / 24) + (y / 24)) % 2);
                foreach (var d in disks) if ((x - d.X) * (x - d.X) + (y - d.Y) * (y - d.Y) < d.R * d.R) v = d.V;
                if (x > w * 2 / 3 && y < h / 3 && (x / 3) % 2 == 0) v = 0.1;
                s[y * w + x] = (float)(Math.Clamp(v, 0.1, 1) * scale);
            }
        return s;
    }

    /// <summary>A curved motion path of about <paramref name="lengthPx"/> pixels, as a normalised kernel.</summary>
    public static BlurKernel MotionKernel(int lengthPx, double angleRad = 0.5, double curve = 0.25)
    {
        int size = lengthPx + (lengthPx % 2 == 0 ? 3 : 2);
        var k = new float[size * size];
        int c = size / 2;
        for (int t = 0; t <= 400; t++)
        {
            double u = t / 400.0 - 0.5;
            double px = lengthPx * u, py = curve * lengthPx * (u * u - 1.0 / 12);
            double x = c + px * Math.Cos(angleRad) - py * Math.Sin(angleRad), y = c + px * Math.Sin(angleRad) + py * Math.Cos(angleRad);
            int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
            double fx = x - x0, fy = y - y0;
            k[y0 * size + x0] += (float)((1 - fx) * (1 - fy));
            k[y0 * size + x0 + 1] += (float)(fx * (1 - fy));
            k[(y0 + 1) * size + x0] += (float)((1 - fx) * fy);
            k[(y0 + 1) * size + x0 + 1] += (float)(fx * fy);
        }
        return new BlurKernel(size, k).Normalized();
    }

    /// <summary>Adds Poisson–Gaussian noise (Poisson counts of signal/A, times A, plus N(0, B)) and clips at <paramref name="saturation"/>.</summary>
    public static (float[] Noisy, bool[] Saturated) AddNoise(float[] clean, double a, double b, int seed, double saturation = 1.0)
    {
        var rng = new Random(seed);
        var noisy = new float[clean.Length];
        var sat = new bool[clean.Length];
        for (int i = 0; i < clean.Length; i++)
        {
            double s = Math.Max(clean[i], 0);
            double v = (a > 0 ? Poisson(rng, s / a) * a : s) + Math.Sqrt(b) * Gaussian(rng);
            if (v >= saturation) { v = saturation; sat[i] = true; }
            noisy[i] = (float)v;
        }
        return (noisy, sat);
    }

    public static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double Poisson(Random rng, double lambda)
    {
        if (lambda > 60) return Math.Max(0, Math.Round(lambda + Math.Sqrt(lambda) * Gaussian(rng)));
        double l = Math.Exp(-lambda), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }

    /// <summary>PSNR per METRICS.md (linear clipped to [0, 1], sRGB, crop) of one channel.</summary>
    public static double Psnr(float[] estimate, float[] truth, int w, int h, int crop = 16) =>
        ImageMetrics.FrameQuality(ToMetric(estimate, w, h), ToMetric(truth, w, h), crop).Psnr;

    public static MetricImage ToMetric(float[] p, int w, int h) => new(w, h, 1, p.Select(v => (double)v).ToArray());

    public static ChannelContext Context(bool[] saturated, double saturation = 1.0) => new(saturated, saturation, null);
}
