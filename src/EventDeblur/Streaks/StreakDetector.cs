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
        foreach (var b in boxes)
        {
            RejectedStreak Reject(string why) => new(b.X, b.Y, b.W, b.H, why);
            if (b.A < options.MinAreaPx) { rejected.Add(Reject($"too small ({b.A} px < {options.MinAreaPx})")); continue; }
            if (b.A > options.MaxAreaPx) { rejected.Add(Reject($"too large ({b.A} px > {options.MaxAreaPx}): an extended light")); continue; }
            if (Math.Max(b.W, b.H) > options.MaxExtentPx) { rejected.Add(Reject($"longer than {options.MaxExtentPx} px")); continue; }
            if (b.X < options.BorderPx || b.Y < options.BorderPx || b.X + b.W > w - options.BorderPx || b.Y + b.H > h - options.BorderPx)
            { rejected.Add(Reject("touches the frame border (may be cut)")); continue; }
            int near = boxes.Count(o => o.L != b.L && o.X < b.X + b.W + options.IsolationPx && o.X + o.W > b.X - options.IsolationPx
                                                   && o.Y < b.Y + b.H + options.IsolationPx && o.Y + o.H > b.Y - options.IsolationPx);
            if (near > 0)
            {
                rejected.Add(Reject(options.IsolationPx > 0
                    ? $"not isolated ({near} bright component(s) within {options.IsolationPx} px)"
                    : $"not isolated (its bounding box overlaps {near} other bright component(s))"));
                continue;
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
            streaks.Add(new Streak(b.X, b.Y, b.W, b.H, b.A, mx, my, length, thickness, 0.5 * thin + 0.5 * size));
        }
        return new StreakDetection(streaks.OrderByDescending(s => s.Score).ToList(), rejected);
    }
}
