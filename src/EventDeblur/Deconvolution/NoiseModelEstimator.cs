using System.Runtime.CompilerServices;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Estimates a <see cref="NoiseModel"/> from a single (possibly blurry) linear frame: the noise of every pixel
/// is measured by Immerkær's Laplacian-difference residual (which cancels locally linear signal), pixels are
/// binned by their local mean, each bin keeps its flattest pixels (low gradient of the local mean, so edges and
/// texture do not count as noise) and measures a robust variance (median absolute residual), and a line
/// variance = A·signal + B is fitted through the bins by iteratively reweighted least squares. Clipped pixels
/// and their neighbourhoods are left out.
/// </summary>
public static class NoiseModelEstimator
{
    // Immerkær's 3×3 operator has squared weights summing to 36: its response to white noise of variance v has variance 36·v.
    private const double OperatorGain = 6;

    /// <summary>
    /// Per-pixel noise σ (normalised linear units, ≥ 0) of a <paramref name="width"/>×<paramref name="height"/> plane from
    /// its fitted Poisson–Gaussian <paramref name="model"/>: σ(s) at the signal s of each pixel, the plane smoothed over
    /// 3×3 and clipped to [0, <paramref name="saturationLinear"/>] (clipped pixels get the σ of the clip level).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] SigmaMap(float[] plane, int width, int height, NoiseModel model, double saturationLinear)
    {
        if (plane.Length != width * height) throw new ArgumentException($"plane has {plane.Length} values, expected {width}×{height}");
        var smooth = BoxMean(plane, width, height, 1);
        var map = new float[plane.Length];
        for (int i = 0; i < map.Length; i++) map[i] = (float)model.Sigma(Math.Clamp(smooth[i], 0, saturationLinear));
        return map;
    }

    /// <summary>Estimates the model of a <paramref name="width"/>×<paramref name="height"/> plane (normalised linear radiance).</summary>
    /// <param name="plane">The channel, row-major.</param>
    /// <param name="width">Width, pixels.</param>
    /// <param name="height">Height, pixels.</param>
    /// <param name="saturated">True where the pixel was clipped (left out with its neighbourhood); null when none were.</param>
    /// <param name="options">Estimator options; defaults when null.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NoiseModel Estimate(float[] plane, int width, int height, bool[]? saturated = null, NoiseModelOptions? options = null)
    {
        var o = (options ?? new NoiseModelOptions()).Validated();
        if (plane.Length != width * height) throw new ArgumentException($"plane has {plane.Length} values, expected {width}×{height}");
        int r = o.MeanRadiusPx;
        var mean = BoxMean(plane, width, height, r);
        var nearSat = saturated == null ? null : Dilate(saturated, width, height, r + 1);
        int m = r + 1;
        var samples = new List<(float Mean, float Residual, float Grad)>(Math.Max(0, (width - 2 * m) * (height - 2 * m)));
        for (int y = m; y < height - m; y++)
            for (int x = m; x < width - m; x++)
            {
                int i = y * width + x;
                if (nearSat != null && nearSat[i]) continue;
                float l = plane[i - width - 1] - 2 * plane[i - width] + plane[i - width + 1]
                          - 2 * plane[i - 1] + 4 * plane[i] - 2 * plane[i + 1]
                          + plane[i + width - 1] - 2 * plane[i + width] + plane[i + width + 1];
                float gx = mean[i + 1] - mean[i - 1], gy = mean[i + width] - mean[i - width];
                samples.Add((mean[i], (float)(l / OperatorGain), gx * gx + gy * gy));
            }
        if (samples.Count < 64) return Fallback(samples);

        int bins = Math.Min(o.Bins, Math.Max(2, samples.Count / 256));
        // Sort by local mean (float keys: the runtime's fast path, no comparison delegate).
        var keys = new float[samples.Count];
        for (int k = 0; k < keys.Length; k++) keys[k] = samples[k].Mean;
        keys.AsSpan().Sort(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples));
        var binMean = new List<double>(bins);
        var binVar = new List<double>(bins);
        var binCount = new List<int>(bins);
        var grads = new float[samples.Count / bins + 1];
        var res = new float[samples.Count / bins + 1];
        for (int b = 0; b < bins; b++)
        {
            int lo = (int)((long)samples.Count * b / bins), hi = (int)((long)samples.Count * (b + 1) / bins);
            int n = hi - lo;
            for (int k = 0; k < n; k++) grads[k] = samples[lo + k].Grad;
            float gMax = Selection.Nth(grads.AsSpan(0, n), Math.Clamp((int)(o.FlatFraction * n) - 1, 0, n - 1));
            int kept = 0;
            double meanSum = 0;
            for (int k = 0; k < n; k++)
            {
                var s = samples[lo + k];
                if (s.Grad > gMax) continue;
                res[kept++] = Math.Abs(s.Residual);
                meanSum += s.Mean;
            }
            if (kept < 16) continue;
            // Median absolute value of a zero-mean Gaussian is 0.6745 σ.
            double sigma = Selection.Nth(res.AsSpan(0, kept), kept / 2) / 0.6745;
            binMean.Add(meanSum / kept);
            binVar.Add(sigma * sigma);
            binCount.Add(kept);
        }
        if (binMean.Count < 2) return Fallback(samples);
        var (a, b0) = FitLine(binMean, binVar, binCount);
        return new NoiseModel(a, b0, binCount.Sum());
    }

    /// <summary>Robust weighted fit of v = a·s + b (a ≥ 0, b ≥ 0): weights n/v² (the sampling variance of a variance), Tukey down-weighting of outlying bins.</summary>
    private static (double A, double B) FitLine(List<double> s, List<double> v, List<int> n)
    {
        int m = s.Count;
        var robust = Enumerable.Repeat(1.0, m).ToArray();
        double a = 0, b = v.Min();
        for (int iter = 0; iter < 6; iter++)
        {
            double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (int j = 0; j < m; j++)
            {
                double fit = iter == 0 ? v[j] : Math.Max(a * Math.Max(s[j], 0) + b, NoiseModel.MinVariance);
                double w = robust[j] * n[j] / (fit * fit);
                double x = Math.Max(s[j], 0);
                sw += w; sx += w * x; sy += w * v[j]; sxx += w * x * x; sxy += w * x * v[j];
            }
            double det = sw * sxx - sx * sx;
            if (sw <= 0) break;
            a = det > 1e-300 ? (sw * sxy - sx * sy) / det : 0;
            b = (sy - a * sx) / sw;
            if (a < 0) { a = 0; b = sy / sw; }
            if (b < 0)
            {
                // Through the origin: v = a·s.
                b = 0;
                a = sxx > 0 ? Math.Max(sxy / sxx, 0) : 0;
            }
            // Relative residuals; a bin holding texture reads high and is down-weighted.
            var rel = new double[m];
            for (int j = 0; j < m; j++)
            {
                double fit = Math.Max(a * Math.Max(s[j], 0) + b, NoiseModel.MinVariance);
                rel[j] = (v[j] - fit) / fit;
            }
            var absRel = rel.Select(Math.Abs).OrderBy(t => t).ToArray();
            double floor = Math.Sqrt(2.0 / n.Average());
            double scale = Math.Max(1.4826 * absRel[m / 2], floor);
            for (int j = 0; j < m; j++)
            {
                double u = rel[j] / (4.685 * scale);
                robust[j] = Math.Abs(u) >= 1 ? 0 : (1 - u * u) * (1 - u * u);
            }
        }
        return (a, Math.Max(b, NoiseModel.MinVariance));
    }

    /// <summary>Too few usable pixels: a signal-independent model from the median absolute residual of those there are.</summary>
    private static NoiseModel Fallback(List<(float Mean, float Residual, float Grad)> samples)
    {
        if (samples.Count == 0) return new NoiseModel(0, 1e-6);
        var r = samples.Select(s => Math.Abs(s.Residual)).OrderBy(v => v).ToArray();
        double sigma = r[r.Length / 2] / 0.6745;
        return new NoiseModel(0, Math.Max(sigma * sigma, NoiseModel.MinVariance), samples.Count);
    }

    /// <summary>Mean over the (2r+1)² box around each pixel (edges clamped), by running sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] BoxMean(float[] plane, int width, int height, int r)
    {
        var tmp = new float[plane.Length];
        var outp = new float[plane.Length];
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                double s = 0;
                if (x >= r && x + r < width)
                    for (int d = -r; d <= r; d++) s += plane[row + x + d];
                else
                    for (int d = -r; d <= r; d++) s += plane[row + Math.Clamp(x + d, 0, width - 1)];
                tmp[row + x] = (float)(s / (2 * r + 1));
            }
        }
        for (int y = 0; y < height; y++)
        {
            bool inner = y >= r && y + r < height;
            for (int x = 0; x < width; x++)
            {
                double s = 0;
                if (inner)
                    for (int d = -r; d <= r; d++) s += tmp[(y + d) * width + x];
                else
                    for (int d = -r; d <= r; d++) s += tmp[Math.Clamp(y + d, 0, height - 1) * width + x];
                outp[y * width + x] = (float)(s / (2 * r + 1));
            }
        }
        return outp;
    }

    /// <summary>True within a (2r+1)² box of any true pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool[] Dilate(bool[] mask, int width, int height, int r)
    {
        var rows = new bool[mask.Length];
        var outp = new bool[mask.Length];
        for (int y = 0; y < height; y++)
        {
            int row = y * width, last = -1_000_000;
            for (int x = 0; x < width; x++) { if (mask[row + x]) last = x; rows[row + x] = x - last <= r; }
            last = 1_000_000;
            for (int x = width - 1; x >= 0; x--) { if (mask[row + x]) last = x; rows[row + x] |= last - x <= r; }
        }
        for (int x = 0; x < width; x++)
        {
            int last = -1_000_000;
            for (int y = 0; y < height; y++) { if (rows[y * width + x]) last = y; outp[y * width + x] = y - last <= r; }
            last = 1_000_000;
            for (int y = height - 1; y >= 0; y--) { if (rows[y * width + x]) last = y; outp[y * width + x] |= last - y <= r; }
        }
        return outp;
    }
}
