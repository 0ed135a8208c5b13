using System.Globalization;
using System.Runtime.CompilerServices;
using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Streaks;

/// <summary>
/// Finds light streaks in a linear HDR frame: saturated or near-saturated, thin, elongated, isolated
/// connected components of the luminance.
/// </summary>
public static class StreakDetector
{
    /// <summary>Detects streaks in <paramref name="frame"/> whose saturation level is <paramref name="saturationLinear"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static StreakDetection Detect(LinearImage frame, double saturationLinear, StreakOptions? options = null)
    {
        options ??= new StreakOptions();
        // Checked here (Kernels.OptionRange is a floor above): NaN would keep every light among neighbours.
        if (options.SeparateAtGapPx is { } separation && !(separation >= 1 && separation <= 1000))
            throw new ArgumentOutOfRangeException(nameof(StreakOptions.SeparateAtGapPx), separation,
                string.Create(CultureInfo.InvariantCulture, $"{nameof(StreakOptions.SeparateAtGapPx)} must be in [1, 1000], got {separation}"));
        int w = frame.Width, h = frame.Height, n = w * h;
        using var mask = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
        var m = mask.AsSpan<byte>();
        double threshold = options.BrightFraction * saturationLinear;
        for (int i = 0; i < n; i++)
        {
            bool bright = false;
            for (int c = 0; c < frame.Channels; c++)
                if (frame.Saturated[c][i] || frame.Planes[c][i] >= threshold) { bright = true; break; }
            if (bright) m[i] = 255;
        }
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int count = Cv2.ConnectedComponentsWithStats(mask, labels, stats, centroids, PixelConnectivity.Connectivity8);
        var lab = labels.AsSpan<int>();
        // Second moments per component.
        var sx = new double[count]; var sy = new double[count]; var sxx = new double[count]; var syy = new double[count]; var sxy = new double[count]; var cnt = new int[count];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int l = lab[y * w + x];
                if (l == 0) continue;
                sx[l] += x; sy[l] += y; sxx[l] += (double)x * x; syy[l] += (double)y * y; sxy[l] += (double)x * y; cnt[l]++;
            }
        var boxes = new List<(int L, int X, int Y, int W, int H, int A)>();
        for (int l = 1; l < count; l++)
            boxes.Add((l, stats.At<int>(l, 0), stats.At<int>(l, 1), stats.At<int>(l, 2), stats.At<int>(l, 3), stats.At<int>(l, 4)));

        var streaks = new List<Streak>();
        var rejected = new List<RejectedStreak>();
        FramePartition? partition = null;
        foreach (var b in boxes)
        {
            RejectedStreak Reject(string why) => new(b.X, b.Y, b.W, b.H, why);
            if (b.A < options.MinAreaPx) { rejected.Add(Reject($"too small ({b.A} px < {options.MinAreaPx})")); continue; }
            if (b.A > options.MaxAreaPx) { rejected.Add(Reject($"too large ({b.A} px > {options.MaxAreaPx}): an extended light")); continue; }
            if (Math.Max(b.W, b.H) > options.MaxExtentPx) { rejected.Add(Reject($"longer than {options.MaxExtentPx} px")); continue; }
            if (b.X < options.BorderPx || b.Y < options.BorderPx || b.X + b.W > w - options.BorderPx || b.Y + b.H > h - options.BorderPx)
            { rejected.Add(Reject("touches the frame border (may be cut)")); continue; }
            var near = boxes.Where(o => o.L != b.L && o.X < b.X + b.W + options.IsolationPx && o.X + o.W > b.X - options.IsolationPx
                                                   && o.Y < b.Y + b.H + options.IsolationPx && o.Y + o.H > b.Y - options.IsolationPx).ToList();
            StreakOwnership? ownership = null;
            if (near.Count > 0)
            {
                string what = options.IsolationPx > 0
                    ? $"not isolated ({near.Count} bright component(s) within {options.IsolationPx} px"
                    : $"not isolated (its bounding box overlaps {near.Count} other bright component(s)";
                if (options.SeparateAtGapPx is not { } minGap) { rejected.Add(Reject(what + ")")); continue; }
                // Neighbours far enough apart are told apart by where their events fall (StreakOwnership).
                partition ??= Partition(mask, lab, w, h);
                double gap = near.Min(o => partition.Value.Gap(b.L, o.L));
                if (gap < minGap) { rejected.Add(Reject(string.Create(CultureInfo.InvariantCulture, $"{what}, the nearest {Math.Floor(gap * 10) / 10:0.0} px away < {minGap:0.0#})"))); continue; }
                ownership = new StreakOwnership(partition.Value.Nearest, w, h, b.L);
            }
            int l = b.L;
            double mx = sx[l] / cnt[l], my = sy[l] / cnt[l];
            double vxx = sxx[l] / cnt[l] - mx * mx + 1.0 / 12, vyy = syy[l] / cnt[l] - my * my + 1.0 / 12, vxy = sxy[l] / cnt[l] - mx * my;
            double tr = vxx + vyy, det = vxx * vyy - vxy * vxy, disc = Math.Sqrt(Math.Max(0, tr * tr / 4 - det));
            double major = Math.Sqrt(Math.Max(0, tr / 2 + disc)), minor = Math.Sqrt(Math.Max(0, tr / 2 - disc));
            // Mean width = area / extent: stays small for curved streaks (whose minor axis is not), large for blobs.
            double length = Math.Max(4 * major, Math.Max(b.W, b.H));
            double thickness = Math.Min(4 * minor, b.A / (double)Math.Max(b.W, b.H));
            if (thickness > options.MaxWidthPx) { rejected.Add(Reject($"too thick ({thickness:F1} px > {options.MaxWidthPx}): an extended light")); continue; }
            double thin = Math.Clamp(1 - thickness / (options.MaxWidthPx * 1.5), 0, 1);
            double size = Math.Clamp(b.A / 10.0, 0, 1);
            streaks.Add(new Streak(b.X, b.Y, b.W, b.H, b.A, mx, my, length, thickness, 0.5 * thin + 0.5 * size) { Ownership = ownership });
        }
        return new StreakDetection(streaks.OrderByDescending(s => s.Score).ToList(), rejected);
    }

    /// <summary>
    /// Each frame pixel's nearest bright component (0 where there is none), and the narrowest gap between two components
    /// (RGB pixels: the distance between their nearest bright pixels' centres less one).
    /// </summary>
    private readonly record struct FramePartition(int[] Nearest, Dictionary<(int, int), double> Gaps, int[] Labels, int Width)
    {
        public double Gap(int a, int b)
        {
            var key = a < b ? (a, b) : (b, a);
            if (Gaps.TryGetValue(key, out double g)) return g;
            // Their cells do not touch (another component lies between them): measured pixel by pixel (each component holds
            // at most MaxAreaPx pixels; only overlapping neighbours ask).
            var pa = Pixels(a);
            var pb = Pixels(b);
            double best = double.PositiveInfinity;
            foreach (var (ax, ay) in pa)
                foreach (var (bx, by) in pb)
                    best = Math.Min(best, (double)(ax - bx) * (ax - bx) + (double)(ay - by) * (ay - by));
            g = pa.Count > 0 && pb.Count > 0 ? Math.Sqrt(best) - 1 : double.PositiveInfinity;
            Gaps[key] = g;
            return g;
        }

        private List<(int X, int Y)> Pixels(int label)
        {
            var list = new List<(int, int)>();
            for (int i = 0; i < Labels.Length; i++)
                if (Labels[i] == label) list.Add((i % Width, i / Width));
            return list;
        }
    }

    /// <summary>
    /// Labels every pixel with its nearest bright component (OpenCV's distance transform with per-pixel labels, which
    /// uses its 5×5 chamfer approximation of the Euclidean distance) and measures, wherever two such cells meet (side or
    /// corner), the exact distance between the bright pixels each of the two meeting pixels is nearest to: the narrowest
    /// gap between the components.
    /// </summary>
    private static FramePartition Partition(Mat mask, ReadOnlySpan<int> components, int w, int h)
    {
        using var background = new Mat();
        Cv2.BitwiseNot(mask, background); // bright pixels are the zeros the transform measures from
        using var dist = new Mat();
        using var pixelLabels = new Mat();
        Cv2.DistanceTransformWithLabels(background, dist, pixelLabels, DistanceTypes.L2, DistanceTransformMasks.Mask5, DistanceTransformLabelTypes.Pixel);
        var pl = pixelLabels.AsSpan<int>().ToArray();
        // Each bright pixel has a label of its own (1, 2, … in raster order); every pixel takes the label of the bright
        // pixel it is nearest to, hence that pixel's component and position.
        var ofLabel = new int[w * h + 2];
        var source = new int[w * h + 2];
        for (int i = 0; i < w * h; i++)
            if (components[i] != 0 && pl[i] >= 0 && pl[i] < ofLabel.Length) { ofLabel[pl[i]] = components[i]; source[pl[i]] = i; }
        var nearest = new int[w * h];
        for (int i = 0; i < w * h; i++)
            nearest[i] = pl[i] >= 0 && pl[i] < ofLabel.Length ? ofLabel[pl[i]] : 0;
        var gaps = new Dictionary<(int, int), double>();
        void Meet(int p, int q)
        {
            int a = nearest[p], b = nearest[q];
            if (a == b || a == 0 || b == 0) return;
            var key = a < b ? (a, b) : (b, a);
            int sp = source[pl[p]], sq = source[pl[q]];
            double dx = sp % w - sq % w, dy = sp / w - sq / w;
            double g = Math.Sqrt(dx * dx + dy * dy) - 1; // dark pixels between the two bright pixels' centres
            if (!gaps.TryGetValue(key, out double old) || g < old) gaps[key] = g;
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (x + 1 < w) Meet(i, i + 1);
                if (y + 1 < h)
                {
                    Meet(i, i + w);
                    if (x + 1 < w) Meet(i, i + w + 1);
                    if (x > 0) Meet(i, i + w - 1);
                }
            }
        return new FramePartition(nearest, gaps, components.ToArray(), w);
    }
}
