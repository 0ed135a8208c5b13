using EventDeblur.Imaging;
using EventDeblur.Streaks;
using OpenCvSharp;

namespace EventDeblur.Kernels;

/// <summary>
/// Which part of a light's event path its streak in the blurry frame shows: the path (frame pixels, equally spaced in
/// time over the exposure window) is laid over the frame, and the samples where the frame is lit — luminance within
/// <see cref="NeighbourhoodRadiusPx"/> above the light's background by at least <see cref="LitFraction"/> of the streak's
/// brightest pixel over it — mark the time the light was exposed. A window longer than the exposure (a frame table
/// giving the frame period, a trigger edge mistaken) leaves the path's part outside the exposure over unlit background:
/// the events saw the light move there, the frame did not. A calibration a few pixels off is allowed for: the path is
/// shifted across itself by up to <see cref="AcrossRadiusPx"/>, and extended beyond each end by
/// <see cref="AlignRadiusPx"/>, where a streak moved along the path shows lit (such a lit run is moved back inside the window).
/// </summary>
public sealed class LitPathPart
{
    /// <summary>Half-size of the square whose brightest pixel is taken at each path sample, frame pixels (absorbs a path off by a pixel or two across itself).</summary>
    public const int NeighbourhoodRadiusPx = 2;

    /// <summary>How far the path is extended beyond each end (outward along its last eighth, at its mean speed) to find a streak a calibration moved along it, frame pixels.</summary>
    public const int AlignRadiusPx = 8;

    /// <summary>Largest shift of the path across itself, each way, tried to lay it on a streak a calibration moved aside, frame pixels (with the neighbourhood: 5 px).</summary>
    public const int AcrossRadiusPx = 3;

    /// <summary>Share of the streak's brightest pixel above the background a sample must reach to count as lit, in (0, 1).</summary>
    public const double LitFraction = 0.2;

    /// <summary>Least contrast of the streak's brightest pixel over the background, in normalised linear radiance (a faint light says nothing).</summary>
    public const double MinContrast = 0.05;

    /// <summary>What the frame shows of one path.</summary>
    /// <param name="First">First lit time, as a fraction of the window in [0, 1].</param>
    /// <param name="Last">End of the last lit sample, as a fraction of the window in [0, 1] (≥ <paramref name="First"/>).</param>
    public readonly record struct Part(double First, double Last)
    {
        /// <summary>The share of the window between the first and the last lit sample.</summary>
        public double Share => Last - First;
    }

    private readonly int _w, _h;
    private readonly float[] _lum, _near;

    /// <summary>Prepares <paramref name="frame"/> (luminance, and its maximum over each pixel's neighbourhood) for measuring its lights.</summary>
    public LitPathPart(LinearImage frame)
    {
        _w = frame.Width;
        _h = frame.Height;
        _lum = new float[_w * _h];
        foreach (var plane in frame.Planes)
            for (int i = 0; i < _lum.Length; i++) _lum[i] += plane[i] / frame.Planes.Length;
        // The maximum over the (2r+1)² square around each pixel: a dilation (pixels outside the frame take no part).
        using var lum = Mat.FromPixelData(_h, _w, MatType.CV_32FC1, _lum);
        using var near = new Mat();
        using var square = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(2 * NeighbourhoodRadiusPx + 1, 2 * NeighbourhoodRadiusPx + 1));
        Cv2.Dilate(lum, near, square);
        near.GetArray(out _near);
    }

    /// <summary>As <see cref="Measure(Streak, StreakTrajectory)"/> on a frame prepared for this one light.</summary>
    public static Part? Measure(LinearImage frame, Streak streak, StreakTrajectory path) => new LitPathPart(frame).Measure(streak, path);

    /// <summary>
    /// The lit part of <paramref name="path"/> (traced for <paramref name="streak"/>), at the shift that lights it longest,
    /// or null when the light is too faint over its background (<see cref="MinContrast"/>) or no sample is lit. The lit
    /// span is trimmed at each inner end by the neighbourhood and the light's own half-thickness, walked back at the
    /// path's speed there, so that a path lit over a share s of its time reads about s, not s plus the light's size.
    /// </summary>
    public Part? Measure(Streak streak, StreakTrajectory path)
    {
        int n = path.Offsets.Length;
        if (n < 2) return null;
        // The light's background: the lower quartile of its box grown by 12 px (mostly the scene around the streak); its
        // brightness: the streak's brightest pixel.
        const int Ring = 12;
        var around = new List<float>();
        float peak = float.MinValue;
        for (int y = Math.Max(0, streak.Y0 - Ring); y < Math.Min(_h, streak.Y0 + streak.Height + Ring); y++)
            for (int x = Math.Max(0, streak.X0 - Ring); x < Math.Min(_w, streak.X0 + streak.Width + Ring); x++)
            {
                around.Add(_lum[y * _w + x]);
                if (x >= streak.X0 && x < streak.X0 + streak.Width && y >= streak.Y0 && y < streak.Y0 + streak.Height) peak = Math.Max(peak, _lum[y * _w + x]);
            }
        if (around.Count == 0 || peak == float.MinValue) return null;
        around.Sort();
        double background = around[around.Count / 4];
        if (peak - background < MinContrast) return null;
        double threshold = background + LitFraction * (peak - background);
        // The path, extended beyond each end by up to AlignRadiusPx, outward along its last eighth, at its mean speed (its
        // end speed may be near 0: a path starting or ending at rest would stay on the streak): a calibration off along
        // the path moves the streak past one end, where the extension finds it lit.
        double length = 0;
        for (int k = 1; k < n; k++) length += Math.Sqrt(Math.Pow(path.Offsets[k].X - path.Offsets[k - 1].X, 2) + Math.Pow(path.Offsets[k].Y - path.Offsets[k - 1].Y, 2));
        double meanStep = length / (n - 1);
        int eighth = Math.Max(1, n / 8);
        (double X, double Y) Outward(int end, int inner)
        {
            double dx = path.Offsets[end].X - path.Offsets[inner].X, dy = path.Offsets[end].Y - path.Offsets[inner].Y, d = Math.Sqrt(dx * dx + dy * dy);
            return d > 1e-9 ? (dx / d * meanStep, dy / d * meanStep) : (0, 0);
        }
        var v0 = Outward(0, Math.Min(n - 1, eighth));
        var v1 = Outward(n - 1, Math.Max(0, n - 1 - eighth));
        int reach = meanStep > 1e-6 ? Math.Min(n / 2, (int)Math.Ceiling(AlignRadiusPx / meanStep)) : 0;
        int pre = v0 == (0, 0) ? 0 : reach, post = v1 == (0, 0) ? 0 : reach;
        int m = pre + n + post;
        var ex = new double[m];
        var ey = new double[m];
        for (int j = 0; j < m; j++)
        {
            int k = j - pre;
            var (ox, oy) = k < 0 ? (path.Offsets[0].X - k * v0.X, path.Offsets[0].Y - k * v0.Y)
                : k >= n ? (path.Offsets[n - 1].X + (k - n + 1) * v1.X, path.Offsets[n - 1].Y + (k - n + 1) * v1.Y)
                : path.Offsets[k];
            ex[j] = path.Mid.X + ox;
            ey[j] = path.Mid.Y + oy;
        }
        // Across the path, shifts of up to AlignRadiusPx each way (a calibration off across it leaves the path beside its
        // streak). Along it no shift is tried: where the window outlasts the exposure the traced path stays near the
        // streak's end, and a shift along it would lay that part on the streak.
        double mx = path.Offsets.Average(o => o.X), my = path.Offsets.Average(o => o.Y);
        double sxx = path.Offsets.Average(o => (o.X - mx) * (o.X - mx)), syy = path.Offsets.Average(o => (o.Y - my) * (o.Y - my)), sxy = path.Offsets.Average(o => (o.X - mx) * (o.Y - my));
        double angle = 0.5 * Math.Atan2(2 * sxy, sxx - syy);
        double ax = -Math.Sin(angle), ay = Math.Cos(angle); // across the principal direction
        int bestFirst = -1, bestLast = -1, bestShift = int.MaxValue;
        for (int sh = -AcrossRadiusPx; sh <= AcrossRadiusPx; sh++)
        {
            int first = -1, last = -1;
            for (int j = 0; j < m; j++)
            {
                int x = (int)Math.Round(ex[j] + sh * ax), y = (int)Math.Round(ey[j] + sh * ay);
                if (x < 0 || y < 0 || x >= _w || y >= _h || _near[y * _w + x] < threshold) continue;
                if (first < 0) first = j;
                last = j;
            }
            if (first < 0) continue;
            int span = last - first;
            if (span > bestLast - bestFirst || (span == bestLast - bestFirst && Math.Abs(sh) < bestShift)) (bestFirst, bestLast, bestShift) = (first, last, Math.Abs(sh));
        }
        if (bestFirst < 0) return null;
        // Trim each end that lies inside the extended path by the reach of the neighbourhood and of the light's own size.
        double reachPx = NeighbourhoodRadiusPx + streak.ThicknessPx / 2;
        double Step(int j)
        {
            int a = Math.Max(j - 1, 0), b = Math.Min(j + 1, m - 1);
            return Math.Sqrt((ex[b] - ex[a]) * (ex[b] - ex[a]) + (ey[b] - ey[a]) * (ey[b] - ey[a])) / (b - a);
        }
        double lo = bestFirst, hi = bestLast + 1;
        if (bestFirst > 0) lo = Math.Min(bestFirst + reachPx / Math.Max(Step(bestFirst), 1e-6), hi);
        if (bestLast < m - 1) hi = Math.Max(bestLast + 1 - reachPx / Math.Max(Step(bestLast), 1e-6), lo);
        lo -= pre;
        hi -= pre;
        // A lit run past an end of the window is the calibration's offset along the path: moved back inside.
        if (hi > n && lo > 0) { lo = Math.Max(0, lo - (hi - n)); hi = n; }
        if (lo < 0 && hi < n) { hi = Math.Min(n, hi - lo); lo = 0; }
        hi = Math.Min(n, hi);
        lo = Math.Max(0, lo);
        return new Part(lo / n, hi / n);
    }

    /// <summary>
    /// How well each part of the window explains the light's streak by its brightness, not only by where it is lit: for
    /// each window part [A, B) (fractions of the window, 0 ≤ A &lt; B ≤ 1), the path's samples in it are splatted into
    /// the frame (equal weight per time step: the time the light spent at each point) and blurred by the light's own
    /// size (a Gaussian of a quarter of the streak's thickness), and the result is correlated (Pearson) with the frame's
    /// luminance over the box the whole path covers, at the shift of up to <see cref="AlignRadiusPx"/> each way that
    /// correlates best (a calibration a few pixels off moves the path beside or along its streak, and a part of the
    /// window must not win by lying where the whole one would with the streak in its place). A path that passes over
    /// its streak again outside the exposure (camera shake turning back) reads lit over its whole length, but over the
    /// wrong part its time density does not match the streak's brightness. Null when the path has under two samples, its
    /// box is degenerate, or its shifts would reach past the frame's edge. Each score is in [−1, 1]. Clipped streaks are
    /// correlated as they are: a plateau keeps its extent but not the time density inside it, so a correct window whose
    /// path turns back reads a small gain for a part of it (up to about 0.08 on synthetic clipped streaks, review53b), which
    /// <see cref="EventKernelOptions.DensityFitMargin"/> and <see cref="EventKernelOptions.DensityFitGain"/> must keep out.
    /// </summary>
    public double[]? DensityFit(Streak streak, StreakTrajectory path, IReadOnlyList<(double A, double B)> parts)
    {
        int n = path.Offsets.Length;
        if (n < 2) return null;
        double sigma = Math.Max(0.8, streak.ThicknessPx / 4);
        int pad = (int)Math.Ceiling(3 * sigma) + 3;
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var o in path.Offsets)
        {
            minX = Math.Min(minX, path.Mid.X + o.X);
            maxX = Math.Max(maxX, path.Mid.X + o.X);
            minY = Math.Min(minY, path.Mid.Y + o.Y);
            maxY = Math.Max(maxY, path.Mid.Y + o.Y);
        }
        // The template's box (the path and the light's reach around it), and the frame's box around it by the shift
        // searched each way.
        int x0 = (int)Math.Floor(minX) - pad, y0 = (int)Math.Floor(minY) - pad, x1 = (int)Math.Ceiling(maxX) + pad + 1, y1 = (int)Math.Ceiling(maxY) + pad + 1;
        // A light whose shifts would reach past the frame's edge is not scored (every shift is tried on the same footing).
        if (x0 - AlignRadiusPx < 0 || y0 - AlignRadiusPx < 0 || x1 + AlignRadiusPx > _w || y1 + AlignRadiusPx > _h) return null;
        int sx0 = x0 - AlignRadiusPx, sy0 = y0 - AlignRadiusPx, sx1 = x1 + AlignRadiusPx, sy1 = y1 + AlignRadiusPx;
        int bw = x1 - x0, bh = y1 - y0;
        if (bw < 3 || bh < 3) return null;
        var scores = new double[parts.Count];
        using var lum = Mat.FromPixelData(_h, _w, MatType.CV_32FC1, _lum);
        using var search = new Mat(lum, new Rect(sx0, sy0, sx1 - sx0, sy1 - sy0));
        var density = new float[bw * bh];
        using var blurred = new Mat();
        using var result = new Mat();
        for (int p = 0; p < parts.Count; p++)
        {
            Array.Clear(density);
            int k0 = Math.Clamp((int)Math.Floor(parts[p].A * n), 0, n - 1), k1 = Math.Clamp((int)Math.Ceiling(parts[p].B * n), k0 + 1, n);
            for (int k = k0; k < k1; k++)
            {
                double x = path.Mid.X + path.Offsets[k].X - x0, y = path.Mid.Y + path.Offsets[k].Y - y0;
                int ix = (int)Math.Floor(x), iy = (int)Math.Floor(y);
                double fx = x - ix, fy = y - iy;
                Splat(ix, iy, (1 - fx) * (1 - fy));
                Splat(ix + 1, iy, fx * (1 - fy));
                Splat(ix, iy + 1, (1 - fx) * fy);
                Splat(ix + 1, iy + 1, fx * fy);
            }
            using (var src = Mat.FromPixelData(bh, bw, MatType.CV_32FC1, density))
                Cv2.GaussianBlur(src, blurred, new Size(0, 0), sigma);
            // Pearson's correlation at every shift (OpenCV's normalised correlation coefficient), the best taken.
            Cv2.MatchTemplate(search, blurred, result, TemplateMatchModes.CCoeffNormed);
            Cv2.MinMaxLoc(result, out double _, out double best);
            scores[p] = double.IsFinite(best) ? Math.Clamp(best, -1, 1) : 0;
        }
        return scores;

        void Splat(int x, int y, double weight)
        {
            if (x >= 0 && y >= 0 && x < bw && y < bh) density[y * bw + x] += (float)weight;
        }
    }
}
