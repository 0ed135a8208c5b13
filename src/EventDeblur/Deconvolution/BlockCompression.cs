using System.Runtime.CompilerServices;

namespace EventDeblur.Deconvolution;

/// <summary>
/// JPEG's 8×8 blocks in a frame, and the compression error they leave, which the noise model's Immerkær residual cannot
/// see: compression removes the sensor's pixel noise and puts an error that is smooth within each block in its place (a
/// trial's JPEG frames at quality 85 measured a tenth of the noise of the same frames stored losslessly, so every correct
/// deconvolution looked 20–40 noise σ off and the do-no-harm guard gave every tile back).
/// <para>
/// Seams: per axis, the mean difference between neighbours (clipped at the 90th percentile of the differences, or at the
/// smallest non-zero one when nine in ten are 0, as in dark JPEGs) across each of the eight phases of an 8-px grid; the
/// seam phase is the strongest, its ratio to the median of the other seven is taken in every group of every sixth block
/// (a scene's own pattern repeating every 16, 24 or 48 px puts edges on one phase of some blocks only) and the least
/// kept, and the phase four pixels on (mid-block) must be ordinary (≤ <see cref="MaxMidBlockRatio"/>: a pattern of 2 or
/// 4 px, such as a 2×2-binned frame, raises both). A frame is block-compressed when, on its strongest channel, one axis
/// reaches <see cref="SeamRatio"/> and the other is not below 1 (blur weakens the seams across its direction: a foreign
/// frame blurred 28–43 px measured 1.01–1.05 on one axis and 1.22 on the other), and the error is measured on the axes
/// that reach it.
/// Uncompressed frames (the sample, both simulated domains, the foreign bundles, lossless 8-bit frames) measure 0.98–1.03
/// on whole frames; JPEGs at quality 95–50 measure 1.17 to over 3.
/// </para>
/// <para>
/// Error: on every channel, at the seam phase of each axis that shows seams, neighbours across a seam differ by the two
/// blocks' independent errors and neighbours mid-block by correlated ones, so the excess mean square difference at the
/// seams over mid-block (clipped at the 99th percentile), binned by signal, is taken as the error's variance (assuming a
/// correlation of ½ inside a block) and fitted as A·s + B.
/// </para>
/// </summary>
public static class BlockCompression
{
    /// <summary>One axis' seam ratio for a frame to count as block-compressed, the other's being at least 1 (1.10).</summary>
    public const double SeamRatio = 1.10;

    /// <summary>The mid-block phase's ratio to the others' median, at most, for the seams to count (1.05).</summary>
    public const double MaxMidBlockRatio = 1.05;

    /// <summary>Fewest pixels on a side for the seams to be measured (192: smaller crops of uncompressed frames scatter too much).</summary>
    public const int MinSidePx = 192;

    private const int Groups = 6;
    private const int Bins = 8;

    /// <summary>One axis' seams: the phase (0–7, the difference between pixel p and p + 1 of each block) and its ratio; 0 when none stands out.</summary>
    internal readonly record struct Axis(int Phase, double Ratio, bool MidBlockOrdinary)
    {
        public bool Usable => Ratio >= SeamRatio && MidBlockOrdinary;
    }

    /// <summary>
    /// The compression error of each of <paramref name="planes"/> (one frame's channels, normalised linear radiance,
    /// row-major, <paramref name="width"/>×<paramref name="height"/>; <paramref name="saturated"/> marks clipped pixels, or
    /// null) as a noise model, all null when the frame shows no block seams; decided once for the frame, on its channel
    /// with the strongest seams, and measured on every channel at those seams. Channels are measured in parallel.
    /// </summary>
    public static NoiseModel?[] Floors(IReadOnlyList<float[]> planes, int width, int height, IReadOnlyList<bool[]?> saturated, CancellationToken ct = default)
    {
        var result = new NoiseModel?[planes.Count];
        if (planes.Count == 0 || width < MinSidePx || height < MinSidePx) return result;
        foreach (var p in planes)
            if (p.Length != width * height) throw new ArgumentException($"plane has {p.Length} values, expected {width}×{height}");
        var seams = new (Axis X, Axis Y, float Cap)?[planes.Count];
        Parallel.For(0, planes.Count, new ParallelOptions { CancellationToken = ct }, c => seams[c] = Seams(planes[c], width, height, saturated[c]));
        // The frame's decision: its channel with the strongest seams.
        int best = -1;
        double strength = 0;
        for (int c = 0; c < planes.Count; c++)
            if (seams[c] is { } s && Compressed(s.X, s.Y) && Math.Max(s.X.Ratio, s.Y.Ratio) > strength) { best = c; strength = Math.Max(s.X.Ratio, s.Y.Ratio); }
        if (best < 0) return result;
        var (ax, ay, _) = seams[best]!.Value;
        Parallel.For(0, planes.Count, new ParallelOptions { CancellationToken = ct }, c =>
            result[c] = Error(planes[c], width, height, saturated[c], ax.Usable ? ax.Phase : -1, ay.Usable ? ay.Phase : -1));
        return result;
    }

    private static bool Compressed(Axis x, Axis y) => (x.Usable && y.Ratio >= 1) || (y.Usable && x.Ratio >= 1);

    /// <summary>Both axes' seams of one plane, with the clip level of its differences; null when the plane has no usable differences.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Axis X, Axis Y, float Cap)? Seams(float[] plane, int width, int height, bool[]? saturated)
    {
        // Clip level: the 90th percentile of the differences (a strided sample), or the smallest non-zero one when nine in
        // ten are 0 (a dark JPEG's flat blocks).
        var sample = new List<float>(width * height / 4 + 16);
        for (int y = 0; y < height - 1; y += 2)
            for (int x = (y / 2) % 2; x < width - 1; x += 2)
            {
                int i = y * width + x;
                float dx = MathF.Abs(plane[i + 1] - plane[i]), dy = MathF.Abs(plane[i + width] - plane[i]);
                if (float.IsFinite(dx)) sample.Add(dx);
                if (float.IsFinite(dy)) sample.Add(dy);
            }
        if (sample.Count < 1024) return null;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sample);
        float cap = Selection.Nth(span, (int)(sample.Count * 0.9));
        if (!(cap > 0))
        {
            float least = float.PositiveInfinity;
            foreach (float d in sample) if (d > 0 && d < least) least = d;
            if (!float.IsFinite(least)) return null;
            cap = least;
        }
        var sumX = new double[8 * Groups];
        var sumY = new double[8 * Groups];
        var cntX = new long[8 * Groups];
        var cntY = new long[8 * Groups];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                if (saturated != null && saturated[i]) continue;
                if (x + 1 < width && (saturated == null || !saturated[i + 1]))
                {
                    float d = MathF.Abs(plane[i + 1] - plane[i]);
                    if (float.IsFinite(d)) { int g = (x & 7) * Groups + (x >> 3) % Groups; sumX[g] += Math.Min(d, cap); cntX[g]++; }
                }
                if (y + 1 < height && (saturated == null || !saturated[i + width]))
                {
                    float d = MathF.Abs(plane[i + width] - plane[i]);
                    if (float.IsFinite(d)) { int g = (y & 7) * Groups + (y >> 3) % Groups; sumY[g] += Math.Min(d, cap); cntY[g]++; }
                }
            }
        return (Seam(sumX, cntX), Seam(sumY, cntY), cap);
    }

    private static Axis Seam(double[] sum, long[] count)
    {
        var mean = new double[8];
        for (int p = 0; p < 8; p++)
        {
            double s = 0;
            long n = 0;
            for (int g = 0; g < Groups; g++) { s += sum[p * Groups + g]; n += count[p * Groups + g]; }
            mean[p] = n > 0 ? s / n : 0;
        }
        int best = Array.IndexOf(mean, mean.Max());
        var others = mean.Where((_, p) => p != best).OrderBy(v => v).ToArray();
        double median = others[others.Length / 2];
        if (!(median > 0)) return new Axis(best, 0, false);
        // The seams' phase must stand out in every group of blocks.
        double least = double.PositiveInfinity;
        for (int g = 0; g < Groups; g++)
        {
            long n = count[best * Groups + g];
            if (n == 0) continue;
            least = Math.Min(least, sum[best * Groups + g] / n / median);
        }
        bool midOrdinary = mean[(best + 4) & 7] <= MaxMidBlockRatio * median;
        return new Axis(best, double.IsPositiveInfinity(least) ? 0 : least, midOrdinary);
    }

    /// <summary>
    /// The excess mean square difference across the seams of phase <paramref name="px"/> (columns) and
    /// <paramref name="py"/> (rows; −1: that axis is not used) over mid-block, binned by signal, fitted as a noise model.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static NoiseModel? Error(float[] plane, int width, int height, bool[]? saturated, int px, int py)
    {
        if (px < 0 && py < 0) return null;
        // Clip level of the squared differences (the 99th percentile of the seam and mid-block differences) and the
        // signal's bin edges (its quantiles), both from a strided sample.
        var diffs = new List<float>();
        var signals = new List<float>();
        void Visit(Action<int, int, bool> pair)
        {
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x;
                    if (saturated != null && saturated[i]) continue;
                    int phx = x & 7, phy = y & 7;
                    if (px >= 0 && x + 1 < width && (phx == px || phx == ((px + 4) & 7)) && (saturated == null || !saturated[i + 1])) pair(i, i + 1, phx == px);
                    if (py >= 0 && y + 1 < height && (phy == py || phy == ((py + 4) & 7)) && (saturated == null || !saturated[i + width])) pair(i, i + width, phy == py);
                }
        }
        int visit = 0;
        Visit((i, j, _) =>
        {
            if ((visit++ & 3) != 0) return;
            float d = MathF.Abs(plane[j] - plane[i]), s = (plane[i] + plane[j]) / 2;
            if (float.IsFinite(d) && float.IsFinite(s)) { diffs.Add(d); signals.Add(s); }
        });
        if (diffs.Count < 256) return null;
        float cap = Selection.Nth(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(diffs), (int)(diffs.Count * 0.99));
        if (!(cap > 0)) return null;
        float cap2 = cap * cap;
        signals.Sort();
        var edges = Enumerable.Range(1, Bins - 1).Select(k => signals[k * signals.Count / Bins]).ToArray();
        var seam = new double[Bins];
        var mid = new double[Bins];
        var sig = new double[Bins];
        var ns = new int[Bins];
        var nm = new int[Bins];
        var all = new int[Bins];
        Visit((i, j, isSeam) =>
        {
            float d = plane[j] - plane[i], s = (plane[i] + plane[j]) / 2;
            if (!float.IsFinite(d) || !float.IsFinite(s)) return;
            int b = Array.BinarySearch(edges, s);
            b = b < 0 ? ~b : b + 1;
            if (b >= Bins) b = Bins - 1;
            float d2 = Math.Min(d * d, cap2);
            sig[b] += s;
            all[b]++;
            if (isSeam) { seam[b] += d2; ns[b]++; } else { mid[b] += d2; nm[b]++; }
        });
        var sl = new List<double>();
        var vl = new List<double>();
        var nl = new List<int>();
        for (int b = 0; b < Bins; b++)
        {
            if (ns[b] < 16 || nm[b] < 16) continue;
            double excess = seam[b] / ns[b] - mid[b] / nm[b];
            if (!(excess > 0)) continue;
            sl.Add(sig[b] / all[b]);
            vl.Add(excess);
            nl.Add(Math.Min(ns[b], nm[b]));
        }
        if (sl.Count == 0) return null;
        var (a, bb) = sl.Count == 1 ? (0, vl[0]) : NoiseModelEstimator.FitVarianceLine(sl, vl, nl);
        return new NoiseModel(a, bb, nl.Sum()) { BlockCompressed = true };
    }
}
