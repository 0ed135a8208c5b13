using System.Numerics;
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
    /// <param name="floor">
    /// A floor under the estimate, coefficient by coefficient (the compression error of the whole frame this plane was cut
    /// from, <see cref="BlockCompressionFloor"/>, which a tile is too small to measure); null for none.
    /// </param>
    /// <param name="sites">
    /// Where the plane holds its own measurements (<see cref="ChannelContext.Sites"/>); when some pixels are interpolated,
    /// the model is estimated on one lattice of measured pixels (stride 2), whose noise is the sensor's, where the
    /// interpolated pixels' is averaged down. Null: every pixel is measured.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NoiseModel Estimate(float[] plane, int width, int height, bool[]? saturated = null, NoiseModelOptions? options = null, NoiseModel? floor = null,
        Imaging.SampleSites? sites = null)
    {
        var o = (options ?? new NoiseModelOptions()).Validated();
        if (plane.Length != width * height) throw new ArgumentException($"plane has {plane.Length} values, expected {width}×{height}");
        if (sites is { IsAll: false } partial)
        {
            var (lp, lf, lw, lh) = partial.Lattice(plane, saturated, width, height);
            return Estimate(lp, lw, lh, lf, options, floor);
        }
        var (sMean, sRes, sGrad) = Samples(plane, width, height, saturated, o.MeanRadiusPx);
        int count = sMean.Length;
        if (count < 64) return Floored(Fallback(sRes), floor);
        var (binMean, binVar, binCount) = Bins(sMean, sRes, sGrad, Math.Min(o.Bins, Math.Max(2, count / 256)), o.FlatFraction);
        if (binMean.Count < 2) return Floored(Fallback(sRes), floor);
        var (a, b0) = FitLine(binMean, binVar, binCount);
        return Floored(new NoiseModel(a, b0, binCount.Sum()), floor);
    }

    /// <summary>The model raised to <paramref name="floor"/> (coefficient by coefficient), or itself when there is none.</summary>
    private static NoiseModel Floored(NoiseModel model, NoiseModel? floor) =>
        floor == null ? model : model with { A = Math.Max(model.A, floor.A), B = Math.Max(model.B, floor.B), BlockCompressed = model.BlockCompressed || floor.BlockCompressed };

    /// <summary>
    /// The compression error of a JPEG-compressed plane as a noise model (variance A·s + B, normalised radiance², with
    /// <see cref="NoiseModel.BlockCompressed"/> set), or null when the plane shows no block seams: see
    /// <see cref="BlockCompression.Floors"/>, of which this is the one-channel case.
    /// </summary>
    /// <param name="plane">The whole frame's channel, normalised linear radiance, row-major.</param>
    /// <param name="width">Width, pixels.</param>
    /// <param name="height">Height, pixels.</param>
    /// <param name="saturated">True where the pixel was clipped (left out); null when none were.</param>
    public static NoiseModel? BlockCompressionFloor(float[] plane, int width, int height, bool[]? saturated = null) =>
        BlockCompression.Floors([plane], width, height, [saturated])[0];

    /// <summary>The variance line A·s + B fitted through (signal, variance, count) points (robust, as the noise bins are), for <see cref="BlockCompression"/>.</summary>
    internal static (double A, double B) FitVarianceLine(List<double> s, List<double> v, List<int> n) => FitLine(s, v, n);

    /// <summary>
    /// The estimator's samples, in scan order: for every pixel at least r + 1 from the border and not within r + 1 of a
    /// clipped one, its local mean (box of radius <paramref name="r"/>), Immerkær residual (noise units of the pixel) and
    /// squared gradient of the local mean.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float[] Mean, float[] Residual, float[] Grad) Samples(float[] plane, int width, int height, bool[]? saturated, int r)
    {
        var mean = BoxMean(plane, width, height, r);
        var nearSat = saturated == null ? null : Dilate(saturated, width, height, r + 1);
        int m = r + 1;
        int cap = Math.Max(0, width - 2 * m) * Math.Max(0, height - 2 * m);
        var sMean = new float[cap];
        var sRes = new float[cap];
        var sGrad = new float[cap];
        int count = 0;
        for (int y = m; y < height - m; y++)
            for (int x = m; x < width - m; x++)
            {
                int i = y * width + x;
                if (nearSat != null && nearSat[i]) continue;
                float l = plane[i - width - 1] - 2 * plane[i - width] + plane[i - width + 1]
                          - 2 * plane[i - 1] + 4 * plane[i] - 2 * plane[i + 1]
                          + plane[i + width - 1] - 2 * plane[i + width] + plane[i + width + 1];
                float gx = mean[i + 1] - mean[i - 1], gy = mean[i + width] - mean[i - width];
                sMean[count] = mean[i];
                sRes[count] = (float)(l / OperatorGain);
                sGrad[count] = gx * gx + gy * gy;
                count++;
            }
        if (count < cap)
        {
            Array.Resize(ref sMean, count);
            Array.Resize(ref sRes, count);
            Array.Resize(ref sGrad, count);
        }
        return (sMean, sRes, sGrad);
    }

    /// <summary>
    /// The variance measured per intensity bin: the samples ranked by local mean (equal means in scan order) and cut into
    /// <paramref name="bins"/> runs of equal count; in each, the <paramref name="flatFraction"/> with the lowest gradient
    /// give the mean signal and the variance (median absolute residual / 0.6745, squared). Bins with fewer than 16 such
    /// samples are left out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (List<double> Mean, List<double> Variance, List<int> Count) Bins(float[] sMean, float[] sRes, float[] sGrad, int bins, double flatFraction)
    {
        int count = sMean.Length;
        // Ranked by a stable radix sort: a few passes over the keys instead of a comparison sort, which took most of the
        // estimator's time.
        var order = StableOrder(sMean);
        var binMean = new List<double>(bins);
        var binVar = new List<double>(bins);
        var binCount = new List<int>(bins);
        var grads = new float[count / bins + 1];
        var res = new float[count / bins + 1];
        for (int b = 0; b < bins; b++)
        {
            int lo = (int)((long)count * b / bins), hi = (int)((long)count * (b + 1) / bins);
            int n = hi - lo;
            if (n == 0) continue;
            for (int k = 0; k < n; k++) grads[k] = sGrad[order[lo + k]];
            float gMax = Selection.Nth(grads.AsSpan(0, n), Math.Clamp((int)(flatFraction * n) - 1, 0, n - 1));
            int kept = 0;
            double meanSum = 0;
            for (int k = 0; k < n; k++)
            {
                int s = order[lo + k];
                if (sGrad[s] > gMax) continue;
                res[kept++] = Math.Abs(sRes[s]);
                meanSum += sMean[s];
            }
            if (kept < 16) continue;
            // Median absolute value of a zero-mean Gaussian is 0.6745 σ.
            double sigma = Selection.Nth(res.AsSpan(0, kept), kept / 2) / 0.6745;
            binMean.Add(meanSum / kept);
            binVar.Add(sigma * sigma);
            binCount.Add(kept);
        }
        return (binMean, binVar, binCount);
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
                // Floored from the first pass: a bin of a noise-free frame has variance 0 (a weight of 1/0 made the fit NaN,
                // and a NaN noise model turned stop 40's noise-free APS frames black).
                double fit = Math.Max(iter == 0 ? v[j] : a * Math.Max(s[j], 0) + b, NoiseModel.MinVariance);
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
        if (!double.IsFinite(a) || !double.IsFinite(b)) return (0, Math.Max(v.Where(double.IsFinite).DefaultIfEmpty(0).Min(), NoiseModel.MinVariance));
        return (a, Math.Max(b, NoiseModel.MinVariance));
    }

    /// <summary>Too few usable pixels: a signal-independent model from the median absolute residual of those there are.</summary>
    private static NoiseModel Fallback(ReadOnlySpan<float> residuals)
    {
        if (residuals.Length == 0) return new NoiseModel(0, 1e-6);
        var r = new float[residuals.Length];
        for (int k = 0; k < r.Length; k++) r[k] = Math.Abs(residuals[k]);
        Array.Sort(r);
        double sigma = r[r.Length / 2] / 0.6745;
        return new NoiseModel(0, Math.Max(sigma * sigma, NoiseModel.MinVariance), residuals.Length);
    }

    /// <summary>
    /// Indices of <paramref name="keys"/> in ascending order of their values, equal values (and −0 before +0) in index
    /// order: an LSD radix sort of the floats' order-preserving bit patterns, 11 bits per pass, passes where every key
    /// shares the digit skipped. NaN keys sort last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int[] StableOrder(ReadOnlySpan<float> keys)
    {
        int n = keys.Length;
        var kA = new uint[n];
        var kB = new uint[n];
        var iA = new int[n];
        var iB = new int[n];
        for (int k = 0; k < n; k++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(keys[k]);
            // Negative floats: all bits flipped (larger magnitude first); positive: the sign bit set. NaN: the largest key.
            kA[k] = float.IsNaN(keys[k]) ? uint.MaxValue : (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
            iA[k] = k;
        }
        var count = new int[2048];
        for (int shift = 0; shift < 32; shift += 11)
        {
            Array.Clear(count);
            uint mask = shift == 22 ? 0x3FFu : 0x7FFu;
            for (int k = 0; k < n; k++) count[(kA[k] >> shift) & mask]++;
            if (n == 0 || count[(kA[0] >> shift) & mask] == n) continue;   // one digit for all: the pass changes nothing
            int sum = 0;
            for (int d = 0; d < count.Length; d++) { int c = count[d]; count[d] = sum; sum += c; }
            for (int k = 0; k < n; k++)
            {
                int dst = count[(kA[k] >> shift) & mask]++;
                kB[dst] = kA[k];
                iB[dst] = iA[k];
            }
            (kA, kB) = (kB, kA);
            (iA, iB) = (iB, iA);
        }
        return iA;
    }

    /// <summary>
    /// Mean over the (2r+1)² box around each pixel (edges clamped): a horizontal then a vertical pass, each summing its
    /// 2r + 1 values in order in double precision and rounding the mean to float. Away from the edges the sums run on
    /// vector lanes (one pixel per lane, the same additions in the same order: bit-identical to the scalar loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] BoxMean(float[] plane, int width, int height, int r)
    {
        var tmp = new float[plane.Length];
        var outp = new float[plane.Length];
        double n = 2 * r + 1;
        int lanes = Vector<float>.Count;
        var nv = new Vector<double>(n);
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            int x = 0;
            for (; x < Math.Min(r, width); x++) tmp[row + x] = ClampedRowMean(plane, row, x, width, r, n);
            // Interior: x − r ≥ 0 and x + lanes − 1 + r < width.
            if (Vector.IsHardwareAccelerated)
                for (; x + lanes - 1 + r < width; x += lanes)
                {
                    Vector<double> lo = Vector<double>.Zero, hi = Vector<double>.Zero;
                    for (int d = -r; d <= r; d++)
                    {
                        Vector.Widen(new Vector<float>(plane, row + x + d), out var a, out var b);
                        lo += a;
                        hi += b;
                    }
                    Vector.Narrow(lo / nv, hi / nv).CopyTo(tmp, row + x);
                }
            for (; x < width; x++)
            {
                if (x >= r && x + r < width)
                {
                    double sum = 0;
                    for (int d = -r; d <= r; d++) sum += plane[row + x + d];
                    tmp[row + x] = (float)(sum / n);
                }
                else tmp[row + x] = ClampedRowMean(plane, row, x, width, r, n);
            }
        }
        for (int y = 0; y < height; y++)
        {
            bool inner = y >= r && y + r < height;
            int row = y * width;
            int x = 0;
            if (inner && Vector.IsHardwareAccelerated)
                for (; x + lanes <= width; x += lanes)
                {
                    Vector<double> lo = Vector<double>.Zero, hi = Vector<double>.Zero;
                    for (int d = -r; d <= r; d++)
                    {
                        Vector.Widen(new Vector<float>(tmp, (y + d) * width + x), out var a, out var b);
                        lo += a;
                        hi += b;
                    }
                    Vector.Narrow(lo / nv, hi / nv).CopyTo(outp, row + x);
                }
            for (; x < width; x++)
            {
                double sum = 0;
                if (inner)
                    for (int d = -r; d <= r; d++) sum += tmp[(y + d) * width + x];
                else
                    for (int d = -r; d <= r; d++) sum += tmp[Math.Clamp(y + d, 0, height - 1) * width + x];
                outp[row + x] = (float)(sum / n);
            }
        }
        return outp;
    }

    private static float ClampedRowMean(float[] plane, int row, int x, int width, int r, double n)
    {
        double sum = 0;
        for (int d = -r; d <= r; d++) sum += plane[row + Math.Clamp(x + d, 0, width - 1)];
        return (float)(sum / n);
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
