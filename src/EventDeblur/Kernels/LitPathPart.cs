using EventDeblur.Imaging;
using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>
/// Which part of a light's event path its streak in the blurry frame shows: the path (frame pixels, equally spaced in
/// time over the exposure window) is walked over the frame, and the samples where the frame is lit — luminance within
/// <see cref="NeighbourhoodRadiusPx"/> above the light's background by at least <see cref="LitFraction"/> of the path's
/// brightest point over it — mark the time the light was exposed. A window longer than the exposure (a frame table
/// giving the frame period, a trigger edge mistaken) leaves the path's part outside the exposure over unlit background:
/// the events saw the light move there, the frame did not.
/// </summary>
public static class LitPathPart
{
    /// <summary>Half-size of the square whose brightest pixel is taken at each path sample, frame pixels (absorbs a path off by a pixel or two across itself).</summary>
    public const int NeighbourhoodRadiusPx = 2;

    /// <summary>Share of the path's brightest point above the background a sample must reach to count as lit, in (0, 1).</summary>
    public const double LitFraction = 0.2;

    /// <summary>Least contrast of the brightest path point over the background, in normalised linear radiance (a faint light says nothing).</summary>
    public const double MinContrast = 0.05;

    /// <summary>What the frame shows of one path.</summary>
    /// <param name="First">First lit time, as a fraction of the window in [0, 1].</param>
    /// <param name="Last">End of the last lit sample, as a fraction of the window in [0, 1] (≥ <paramref name="First"/>).</param>
    public readonly record struct Part(double First, double Last)
    {
        /// <summary>The share of the window between the first and the last lit sample.</summary>
        public double Share => Last - First;
    }

    /// <summary>
    /// The lit part of <paramref name="path"/> (traced for <paramref name="streak"/>) in <paramref name="frame"/>, or null
    /// when the light is too faint over its background (<see cref="MinContrast"/>) or the path has no lit sample. The lit
    /// span is trimmed at each inner end by the neighbourhood and the light's own half-thickness, walked back at the path's
    /// speed there, so that a path lit over a share s of its time reads about s, not s plus the light's size.
    /// </summary>
    public static Part? Measure(LinearImage frame, Streak streak, StreakTrajectory path)
    {
        int w = frame.Width, h = frame.Height, n = path.Offsets.Length;
        if (n < 2) return null;
        var lum = new double[n];
        for (int k = 0; k < n; k++)
        {
            int cx = (int)Math.Round(path.Mid.X + path.Offsets[k].X), cy = (int)Math.Round(path.Mid.Y + path.Offsets[k].Y);
            double best = 0;
            for (int y = Math.Max(0, cy - NeighbourhoodRadiusPx); y <= Math.Min(h - 1, cy + NeighbourhoodRadiusPx); y++)
                for (int x = Math.Max(0, cx - NeighbourhoodRadiusPx); x <= Math.Min(w - 1, cx + NeighbourhoodRadiusPx); x++)
                    best = Math.Max(best, Luminance(frame, x, y));
            lum[k] = best;
        }
        // The light's background: the lower quartile of its box grown by 12 px (mostly the scene around the streak).
        const int Ring = 12;
        var around = new List<double>();
        for (int y = Math.Max(0, streak.Y0 - Ring); y < Math.Min(h, streak.Y0 + streak.Height + Ring); y++)
            for (int x = Math.Max(0, streak.X0 - Ring); x < Math.Min(w, streak.X0 + streak.Width + Ring); x++)
                around.Add(Luminance(frame, x, y));
        if (around.Count == 0) return null;
        around.Sort();
        double background = around[around.Count / 4], peak = lum.Max();
        if (peak - background < MinContrast) return null;
        double threshold = background + LitFraction * (peak - background);
        int first = Array.FindIndex(lum, v => v >= threshold), last = Array.FindLastIndex(lum, v => v >= threshold);
        if (first < 0) return null;
        // Trim each end that lies inside the window by the reach of the neighbourhood and of the light's own size.
        double reachPx = NeighbourhoodRadiusPx + streak.ThicknessPx / 2;
        double Step(int k) => Math.Sqrt(Math.Pow(path.Offsets[Math.Min(k + 1, n - 1)].X - path.Offsets[Math.Max(k - 1, 0)].X, 2) + Math.Pow(path.Offsets[Math.Min(k + 1, n - 1)].Y - path.Offsets[Math.Max(k - 1, 0)].Y, 2)) / (Math.Min(k + 1, n - 1) - Math.Max(k - 1, 0));
        double a = first, b = last + 1;
        if (first > 0) a = Math.Min(first + reachPx / Math.Max(Step(first), 1e-6), b);
        if (last < n - 1) b = Math.Max(last + 1 - reachPx / Math.Max(Step(last), 1e-6), a);
        return new Part(a / n, b / n);
    }

    private static double Luminance(LinearImage frame, int x, int y)
    {
        double v = 0;
        int i = y * frame.Width + x;
        foreach (var plane in frame.Planes) v += plane[i];
        return v / frame.Planes.Length;
    }
}
