using OpenCvSharp;

namespace EventDeblur.Calibration;

/// <summary>
/// Finds a checkerboard's inner corners in one view (an RGB frame's grey level, or an event image whose bright squares
/// are the ones that blinked) and puts two views' corners in the same order.
/// </summary>
internal static class ChessboardCorners
{
    /// <summary>
    /// The <paramref name="columns"/> × <paramref name="rows"/> inner corners of a board in <paramref name="image"/>
    /// (CV_32FC1, any scale, pixels of that view), in OpenCV's order (row by row), refined to sub-pixel; null when
    /// the board is not found whole. The image is smoothed by a σ = 0.8 px Gaussian first (the event image's counts
    /// are noisy); a point-symmetric corner keeps its place under any smoothing and any monotone tone curve.
    /// </summary>
    public static Point2d[]? Find(Mat image, int columns, int rows)
    {
        using var smooth = new Mat();
        Cv2.GaussianBlur(image, smooth, new Size(0, 0), 0.8);
        using var u8 = ToBytes(smooth);
        var size = new Size(columns, rows);
        if (!Cv2.FindChessboardCorners(u8, size, out Point2f[] found, ChessboardFlags.AdaptiveThresh | ChessboardFlags.NormalizeImage)
            || found.Length != columns * rows)
        {
            if (!Cv2.FindChessboardCornersSB(u8, size, out found, ChessboardFlags.Exhaustive | ChessboardFlags.Accuracy | ChessboardFlags.NormalizeImage)
                || found.Length != columns * rows)
                return null;
        }
        // The refinement window: a third of a square, so that it never reaches the neighbouring corners.
        int half = Math.Clamp((int)(SquareSide(found, columns, rows) / 3), 2, 12);
        var criteria = new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, 100, 0.001);
        var refined = Cv2.CornerSubPix(smooth, found, new Size(half, half), new Size(-1, -1), criteria);
        // The detector sometimes puts a corner of the grid's edge on the square's outer corner (where it meets the
        // border): a corner far from where its neighbours place it is refined again from there, and a grid that still
        // has one is not trusted.
        var stray = Strays(refined, columns, rows);
        if (stray.Count > 0)
        {
            var again = Cv2.CornerSubPix(smooth, stray.Select(k => Predict(refined, columns, rows, k)).ToArray(), new Size(half, half), new Size(-1, -1), criteria);
            for (int k = 0; k < stray.Count; k++) refined[stray[k]] = again[k];
            if (Strays(refined, columns, rows).Count > 0) return null;
        }
        return refined.Select(p => new Point2d(p.X, p.Y)).ToArray();
    }

    /// <summary>Corners farther than a quarter of a square from where their neighbours put them (<see cref="Predict"/>).</summary>
    private static List<int> Strays(Point2f[] p, int columns, int rows)
    {
        double limit = 0.25 * SquareSide(p, columns, rows);
        return Enumerable.Range(0, p.Length).Where(k => p[k].DistanceTo(Predict(p, columns, rows, k)) > limit).ToList();
    }

    /// <summary>
    /// Where corner <paramref name="k"/> should be by its neighbours along the row and the column: the midpoints of
    /// its two neighbours, and the straight continuation of the two next corners on each side; the median of these,
    /// coordinate by coordinate (so one stray neighbour does not move it). Curvature from perspective or lens
    /// distortion moves it by a small part of a square.
    /// </summary>
    private static Point2f Predict(Point2f[] p, int columns, int rows, int k)
    {
        int i = k % columns, j = k / columns;
        Point2f At(int a, int b) => p[b * columns + a];
        var guesses = new List<Point2f>();
        if (i > 0 && i + 1 < columns) guesses.Add((At(i - 1, j) + At(i + 1, j)) * 0.5f);
        if (j > 0 && j + 1 < rows) guesses.Add((At(i, j - 1) + At(i, j + 1)) * 0.5f);
        if (i >= 2) guesses.Add(At(i - 1, j) * 2 - At(i - 2, j));
        if (i + 2 < columns) guesses.Add(At(i + 1, j) * 2 - At(i + 2, j));
        if (j >= 2) guesses.Add(At(i, j - 1) * 2 - At(i, j - 2));
        if (j + 2 < rows) guesses.Add(At(i, j + 1) * 2 - At(i, j + 2));
        var xs = guesses.Select(g => g.X).OrderBy(v => v).ToArray();
        var ys = guesses.Select(g => g.Y).OrderBy(v => v).ToArray();
        float Median(float[] v) => v.Length % 2 == 1 ? v[v.Length / 2] : 0.5f * (v[v.Length / 2 - 1] + v[v.Length / 2]);
        return new Point2f(Median(xs), Median(ys));
    }

    /// <summary>Median distance between neighbouring corners, pixels.</summary>
    public static double SquareSide(IReadOnlyList<Point2f> corners, int columns, int rows)
    {
        var d = new List<double>();
        for (int j = 0; j < rows; j++)
            for (int i = 0; i < columns; i++)
            {
                var p = corners[j * columns + i];
                if (i + 1 < columns) d.Add(p.DistanceTo(corners[j * columns + i + 1]));
                if (j + 1 < rows) d.Add(p.DistanceTo(corners[(j + 1) * columns + i]));
            }
        d.Sort();
        return d[d.Count / 2];
    }

    /// <summary>
    /// The event corners reordered so that the k-th is the same physical corner as the k-th RGB corner, and how the
    /// order was decided; null when the two views' boards cannot be matched. The detector's order is ambiguous: it may
    /// start at either end of a board (180°), at any of four corners of a square one, and run its rows either way
    /// (a mirror). The mirror is undone first (no mirror between the cameras: both views keep the board's
    /// handedness). Of the rotations that map the grid onto itself, those that move a white square onto a black one
    /// are told apart by the squares' colours — in the event image the white squares are the bright ones (they
    /// blinked) — which fixes the orientation of a board with an odd number of squares on one side and an even number
    /// on the other. What remains (a board symmetric under the rotation) is decided by the rotation prior: the
    /// ordering that turns the board least between the two views (cameras mounted within ±90°, ±45° for a square
    /// board, of each other).
    /// </summary>
    /// <param name="rgb">RGB corners, detector order.</param>
    /// <param name="rgbImage">The RGB grey image, CV_32FC1.</param>
    /// <param name="events">Event corners, detector order.</param>
    /// <param name="eventImage">The event image, CV_32FC1.</param>
    /// <param name="columns">Inner corners per row.</param>
    /// <param name="rows">Inner corners per column.</param>
    public static (Point2d[] Events, string How)? Match(Point2d[] rgb, Mat rgbImage, Point2d[] events, Mat eventImage, int columns, int rows)
    {
        if (Math.Sign(Handedness(rgb, columns, rows)) != Math.Sign(Handedness(events, columns, rows)))
            events = Permute(events, columns, rows, (i, j) => (columns - 1 - i, j));
        var candidates = new List<Point2d[]> { events, Permute(events, columns, rows, (i, j) => (columns - 1 - i, rows - 1 - j)) };
        if (columns == rows)
        {
            int n = columns;
            candidates.Add(Permute(events, n, n, (i, j) => (j, n - 1 - i)));
            candidates.Add(Permute(events, n, n, (i, j) => (n - 1 - j, i)));
        }
        double rgbParity = Parity(rgbImage, rgb, columns, rows);
        var colours = candidates.Select(c => Parity(eventImage, c, columns, rows)).ToArray();
        string how = "rotation prior";
        if (Math.Abs(rgbParity) >= MinParityContrast && colours.All(p => Math.Abs(p) >= MinParityContrast))
        {
            var agree = candidates.Where((_, k) => Math.Sign(colours[k]) == Math.Sign(rgbParity)).ToList();
            if (agree.Count == 0) return null;
            if (agree.Count < candidates.Count)
            {
                how = agree.Count == 1 ? "colour" : "colour + rotation prior";
                candidates = agree;
            }
        }
        var best = candidates.OrderBy(c => Turn(rgb, c, columns, rows)).First();
        return (best, how);
    }

    /// <summary>Smallest |(even − odd) / (even + odd)| of the squares' mean levels at which their colours count.</summary>
    private const double MinParityContrast = 0.1;

    /// <summary>Reorders corners: the new corner (i, j) is the old corner <paramref name="from"/>(i, j).</summary>
    internal static Point2d[] Permute(Point2d[] corners, int columns, int rows, Func<int, int, (int I, int J)> from)
    {
        var result = new Point2d[corners.Length];
        for (int j = 0; j < rows; j++)
            for (int i = 0; i < columns; i++)
            {
                var (fi, fj) = from(i, j);
                result[j * columns + i] = corners[fj * columns + fi];
            }
        return result;
    }

    /// <summary>The board's axes in the view: along a row (first to last column) and along a column, summed over the grid.</summary>
    private static (Point2d X, Point2d Y) Axes(Point2d[] p, int columns, int rows)
    {
        Point2d ax = default, ay = default;
        for (int j = 0; j < rows; j++) ax += p[j * columns + columns - 1] - p[j * columns];
        for (int i = 0; i < columns; i++) ay += p[(rows - 1) * columns + i] - p[i];
        return (ax, ay);
    }

    private static double Handedness(Point2d[] p, int columns, int rows)
    {
        var (ax, ay) = Axes(p, columns, rows);
        return ax.X * ay.Y - ax.Y * ay.X;
    }

    /// <summary>How far (radians, 0–π) the board's axes turn from the RGB view to the event view under this ordering.</summary>
    private static double Turn(Point2d[] rgb, Point2d[] events, int columns, int rows)
    {
        var (rx, ry) = Axes(rgb, columns, rows);
        var (ex, ey) = Axes(events, columns, rows);
        static double Angle(Point2d a, Point2d b) => Math.Abs(Math.Atan2(a.X * b.Y - a.Y * b.X, a.X * b.X + a.Y * b.Y));
        return Angle(rx, ex) + Angle(ry, ey);
    }

    /// <summary>
    /// (even − odd) / (even + odd) of the inner squares' mean levels, a square (i, j) between corners (i, j) and
    /// (i + 1, j + 1) being even when i + j is: its sign says which colour the first square has.
    /// </summary>
    internal static double Parity(Mat image, Point2d[] p, int columns, int rows)
    {
        double even = 0, odd = 0;
        for (int j = 0; j + 1 < rows; j++)
            for (int i = 0; i + 1 < columns; i++)
            {
                var a = p[j * columns + i];
                var b = p[j * columns + i + 1];
                var c = p[(j + 1) * columns + i];
                var d = p[(j + 1) * columns + i + 1];
                var centre = (a + b + c + d) * 0.25;
                // The centre and four points halfway to the square's corners.
                double level = Sample(image, centre);
                foreach (var q in new[] { a, b, c, d }) level += Sample(image, (centre + q) * 0.5);
                if (((i + j) & 1) == 0) even += level; else odd += level;
            }
        double sum = Math.Abs(even) + Math.Abs(odd);
        return sum > 0 ? (even - odd) / sum : 0;
    }

    private static double Sample(Mat image, Point2d p)
    {
        int x = Math.Clamp((int)Math.Round(p.X), 0, image.Cols - 1), y = Math.Clamp((int)Math.Round(p.Y), 0, image.Rows - 1);
        return image.At<float>(y, x);
    }

    /// <summary>8-bit image for the detector: the 0.5th … 99.5th percentiles stretched to 0 … 255.</summary>
    private static Mat ToBytes(Mat image)
    {
        image.GetArray(out float[] values);
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        double lo = sorted[(int)(0.005 * (sorted.Length - 1))], hi = sorted[(int)(0.995 * (sorted.Length - 1))];
        var u8 = new Mat();
        double gain = hi > lo ? 255 / (hi - lo) : 1;
        image.ConvertTo(u8, MatType.CV_8UC1, gain, -lo * gain);
        return u8;
    }
}
