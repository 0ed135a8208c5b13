using System.Runtime.CompilerServices;
using EventDeblur.Imaging;

namespace EventDeblur.Kernels;

/// <summary>
/// Spatially varying blur from contrast maximisation: a grid of regions over the event sensor, each with its own cubic
/// translation path (event pixels, the coefficients of <see cref="ContrastMaximizer"/>: x − (c0·τ + c1·τ² + c2·τ³),
/// y − (c3·τ + c4·τ² + c5·τ³), τ ∈ [−½, ½]), blended bilinearly between region centres and clamped at the border.
/// A region whose own path did not stack its events more sharply than the frame's path by the margin holds the frame's path.
/// </summary>
public sealed class LocalPathField
{
    private readonly double[][] _coefficients;
    private readonly double _cellW, _cellH;

    /// <summary>Makes the field.</summary>
    /// <param name="columns">Regions across the event sensor (≥ 1).</param>
    /// <param name="rows">Regions down the event sensor (≥ 1).</param>
    /// <param name="sensorSize">Event sensor size, pixels.</param>
    /// <param name="coefficients">Per region, row-major, its six path coefficients (event pixels).</param>
    /// <param name="refined">How many regions hold a path of their own (the others hold the frame's).</param>
    public LocalPathField(int columns, int rows, (int Width, int Height) sensorSize, double[][] coefficients, int refined)
    {
        if (columns < 1 || rows < 1 || coefficients.Length != columns * rows || coefficients.Any(c => c.Length != 6))
            throw new ArgumentException("a columns × rows grid of six coefficients each is expected");
        Columns = columns;
        Rows = rows;
        _coefficients = coefficients;
        _cellW = sensorSize.Width / (double)columns;
        _cellH = sensorSize.Height / (double)rows;
        Refined = refined;
    }

    /// <summary>Regions across the sensor.</summary>
    public int Columns { get; }

    /// <summary>Regions down the sensor.</summary>
    public int Rows { get; }

    /// <summary>Regions holding a path of their own.</summary>
    public int Refined { get; }

    /// <summary>The path coefficients at event position (<paramref name="ex"/>, <paramref name="ey"/>), blended between region centres.</summary>
    public double[] CoefficientsAt(double ex, double ey)
    {
        double gx = Math.Clamp((ex + 0.5) / _cellW - 0.5, 0, Columns - 1), gy = Math.Clamp((ey + 0.5) / _cellH - 0.5, 0, Rows - 1);
        int i0 = Math.Min((int)gx, Math.Max(0, Columns - 2)), j0 = Math.Min((int)gy, Math.Max(0, Rows - 2));
        int i1 = Math.Min(i0 + 1, Columns - 1), j1 = Math.Min(j0 + 1, Rows - 1);
        double fx = gx - i0, fy = gy - j0;
        var r = new double[6];
        for (int k = 0; k < 6; k++)
            r[k] = (1 - fx) * (1 - fy) * _coefficients[j0 * Columns + i0][k] + fx * (1 - fy) * _coefficients[j0 * Columns + i1][k]
                 + (1 - fx) * fy * _coefficients[j1 * Columns + i0][k] + fx * fy * _coefficients[j1 * Columns + i1][k];
        return r;
    }

    /// <summary>
    /// Frame-pixel offsets from the mid-exposure position at <paramref name="samples"/> equally spaced exposure times of
    /// the content at frame position (<paramref name="x"/>, <paramref name="y"/>), through the rig homographies.
    /// </summary>
    public (double X, double Y)[] OffsetsAt(double x, double y, Homography frameToEvents, Homography eventsToFrame, int samples)
    {
        var e = frameToEvents.Apply(x, y);
        var c = CoefficientsAt(e.X, e.Y);
        return ContrastMaximizer.PathOffsets(c, e.X, e.Y, eventsToFrame, samples);
    }

    /// <summary>Kernel tiles of <paramref name="tilePx"/> pixels (edge tiles smaller) over a <paramref name="width"/>×<paramref name="height"/> frame, each the field's path at its centre.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<KernelTile> Tiles(int width, int height, int tilePx, Homography frameToEvents, Homography eventsToFrame, int samples)
    {
        var tiles = new List<KernelTile>();
        for (int y0 = 0; y0 < height; y0 += tilePx)
            for (int x0 = 0; x0 < width; x0 += tilePx)
            {
                int x1 = Math.Min(width, x0 + tilePx), y1 = Math.Min(height, y0 + tilePx);
                tiles.Add(new KernelTile(x0, y0, x1, y1, KernelRaster.FromOffsets(OffsetsAt((x0 + x1 - 1) / 2.0, (y0 + y1 - 1) / 2.0, frameToEvents, eventsToFrame, samples))));
            }
        return tiles;
    }
}
