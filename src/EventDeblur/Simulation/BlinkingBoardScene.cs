using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// Draws <see cref="BlinkingBoardModel"/>'s board. Board coordinates are in squares: square (i, j) spans
/// [i, i+1) × [j, j+1) for i = 0..Columns, j = 0..Rows, square (0, 0) is black, and inner corner (a, b) (OpenCV's
/// order: a along a row) lies at (a + 1, b + 1). A pose is a board → RGB-pixel homography.
/// </summary>
public static class BlinkingBoardScene
{
    /// <summary>Subsamples per pixel side: edges are anti-aliased by the covered fraction, in steps of 1/16.</summary>
    private const int Supersample = 4;

    /// <summary>
    /// A random pose that keeps the whole board (border included) inside a <paramref name="width"/> ×
    /// <paramref name="height"/> frame where it fits: square size, rotation and tilt from the model, position uniform.
    /// </summary>
    /// <returns>Board → RGB pixel homography, row-major 3 × 3.</returns>
    public static double[] DrawPose(BlinkingBoardModel model, Random rng, int width, int height)
    {
        var (c, r) = model.InnerCorners;
        double b = model.BorderSquares;
        double cu = (c + 1) / 2.0, cv = (r + 1) / 2.0;
        double bw = c + 1 + 2 * b, bh = r + 1 + 2 * b;
        double s = model.SquarePx.Min + rng.NextDouble() * (model.SquarePx.Max - model.SquarePx.Min);
        double theta = (model.RotationDeg + (2 * rng.NextDouble() - 1) * model.RotationJitterDeg) * Math.PI / 180;
        double tilt = model.MaxTilt * rng.NextDouble(), phi = 2 * Math.PI * rng.NextDouble();
        double[] centred = [1, 0, -cu, 0, 1, -cv, 0, 0, 1];
        double[] perspective = [1, 0, 0, 0, 1, 0, tilt * Math.Cos(phi) / bw, tilt * Math.Sin(phi) / bh, 1];
        double cs = s * Math.Cos(theta), sn = s * Math.Sin(theta);
        double[] rotScale = [cs, -sn, 0, sn, cs, 0, 0, 0, 1];
        var local = HybridRigSimulator.Multiply3(rotScale, HybridRigSimulator.Multiply3(perspective, centred));
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        foreach (var (u, v) in new[] { (-b, -b), (c + 1 + b, -b), (-b, r + 1 + b), (c + 1 + b, r + 1 + b) })
        {
            var (x, y) = Apply(local, u, v);
            (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
        }
        double Place(double lo, double hi, double size) =>
            hi - lo < size - 1 ? -lo + rng.NextDouble() * (size - 1 - (hi - lo)) : (size - 1) / 2.0 - (lo + hi) / 2;
        double tx = Place(minX, maxX, width), ty = Place(minY, maxY, height);
        return HybridRigSimulator.Multiply3([1, 0, tx, 0, 1, ty, 0, 0, 1], local);
    }

    /// <summary>The inner corners' RGB positions under <paramref name="boardToRgb"/>, in OpenCV's order (row by row, <c>Columns</c> per row).</summary>
    public static (double X, double Y)[] InnerCornersRgb(BlinkingBoardModel model, double[] boardToRgb)
    {
        var (c, r) = model.InnerCorners;
        var corners = new (double, double)[c * r];
        for (int j = 0; j < r; j++)
            for (int i = 0; i < c; i++)
                corners[j * c + i] = Apply(boardToRgb, i + 1, j + 1);
        return corners;
    }

    /// <summary>
    /// The scene with the screen showing the board (<c>On</c>) and showing black (<c>Off</c>), the wall around it
    /// unchanged: CV_32FC3 radiance (e⁻/s, grey) with <paramref name="margin"/> pixels on every side.
    /// </summary>
    public static (NightScene On, NightScene Off) Render(BlinkingBoardModel model, double[] boardToRgb, int width, int height, int margin)
    {
        var (c, r) = model.InnerCorners;
        double b = model.BorderSquares;
        var inv = Imaging.Homography.FromRowMajor(boardToRgb).Inverse().ToRowMajor();
        int cols = width + 2 * margin, rows = height + 2 * margin;
        var on = new Mat(rows, cols, MatType.CV_32FC3);
        var off = new Mat(rows, cols, MatType.CV_32FC3);
        float white = (float)model.WhiteRadiance, black = (float)model.BlackRadiance, wall = (float)model.WallRadiance;
        const float weight = 1f / (Supersample * Supersample);
        Parallel.For(0, rows, yy =>
        {
            var onRow = on.AsSpan<float>().Slice(yy * cols * 3, cols * 3);
            var offRow = off.AsSpan<float>().Slice(yy * cols * 3, cols * 3);
            for (int xx = 0; xx < cols; xx++)
            {
                float whiteFrac = 0, screenFrac = 0;
                for (int sy = 0; sy < Supersample; sy++)
                    for (int sx = 0; sx < Supersample; sx++)
                    {
                        double x = xx - margin + (sx + 0.5) / Supersample - 0.5, y = yy - margin + (sy + 0.5) / Supersample - 0.5;
                        var (u, v) = Apply(inv, x, y);
                        if (u < -b || v < -b || u >= c + 1 + b || v >= r + 1 + b) continue;
                        screenFrac += weight;
                        bool inSquares = u >= 0 && v >= 0 && u < c + 1 && v < r + 1;
                        if (!inSquares || (((int)Math.Floor(u) + (int)Math.Floor(v)) & 1) == 1) whiteFrac += weight;
                    }
                float lit = wall * (1 - screenFrac) + white * whiteFrac + black * (screenFrac - whiteFrac);
                float dark = wall * (1 - screenFrac) + black * screenFrac;
                for (int k = 0; k < 3; k++)
                {
                    onRow[3 * xx + k] = lit;
                    offRow[3 * xx + k] = dark;
                }
            }
        });
        return (new NightScene(on, width, height, margin, []), new NightScene(off, width, height, margin, []));
    }

    /// <summary>Whether the screen shows the board at <paramref name="tUs"/>, for a blink whose board half starts at <paramref name="phaseUs"/> (µs, any time).</summary>
    public static bool IsLit(BlinkingBoardModel model, long phaseUs, long tUs)
    {
        long p = model.BlinkPeriodUs;
        long inPeriod = ((tUs - phaseUs) % p + p) % p;
        return inPeriod < p / 2;
    }

    /// <summary>Fraction (0–1) of [<paramref name="startUs"/>, <paramref name="endUs"/>) during which the screen shows the board.</summary>
    public static double LitFraction(BlinkingBoardModel model, long phaseUs, long startUs, long endUs)
    {
        long p = model.BlinkPeriodUs, half = p / 2;
        long Lit(long t)
        {
            // Lit time in [phase, t) counted from a whole number of periods before.
            long rel = t - phaseUs;
            long periods = (long)Math.Floor(rel / (double)p);
            long rest = rel - periods * p;
            return periods * half + Math.Min(rest, half);
        }
        return endUs > startUs ? (Lit(endUs) - Lit(startUs)) / (double)(endUs - startUs) : 0;
    }

    private static (double X, double Y) Apply(double[] h, double x, double y)
    {
        double z = h[6] * x + h[7] * y + h[8];
        return ((h[0] * x + h[1] * y + h[2]) / z, (h[3] * x + h[4] * y + h[5]) / z);
    }
}
