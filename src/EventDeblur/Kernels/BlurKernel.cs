using System.Globalization;

namespace EventDeblur.Kernels;

/// <summary>
/// A blur kernel (point-spread function) in frame pixel units: <see cref="Size"/>×<see cref="Size"/>
/// weights, odd size, row-major (row = y), summing to 1. Convention of RECORDING_FORMAT.md: with
/// c = Size / 2, <c>B(x, y) = Σ K(i, j) · S(x − (j − c), y − (i − c))</c>, so a point light appears in the
/// blurry frame as K centred on its mid-exposure position, unflipped.
/// </summary>
public sealed class BlurKernel
{
    /// <summary>Creates a kernel from row-major weights; <paramref name="size"/> must be odd and ≥ 1.</summary>
    public BlurKernel(int size, float[] weights)
    {
        if (size < 1 || size % 2 == 0) throw new ArgumentException($"kernel size {size} must be odd and ≥ 1");
        if (weights.Length != size * size) throw new ArgumentException($"kernel of size {size} needs {size * size} weights, got {weights.Length}");
        Size = size;
        Weights = weights;
    }

    /// <summary>Width and height in pixels (odd).</summary>
    public int Size { get; }

    /// <summary>Row-major weights (row = y).</summary>
    public float[] Weights { get; }

    /// <summary>Centre index c = Size / 2.</summary>
    public int Center => Size / 2;

    /// <summary>Weight at row <paramref name="i"/>, column <paramref name="j"/>.</summary>
    public float this[int i, int j] => Weights[i * Size + j];

    /// <summary>The identity (no blur).</summary>
    public static BlurKernel Delta { get; } = new(1, [1f]);

    /// <summary>A copy scaled to sum 1 (throws when the sum is not positive).</summary>
    public BlurKernel Normalized()
    {
        double sum = Weights.Sum(w => (double)w);
        if (!(sum > 0)) throw new InvalidOperationException("kernel has no positive mass");
        return new BlurKernel(Size, Weights.Select(w => (float)(w / sum)).ToArray());
    }

    /// <summary>A copy zero-padded (centred) to <paramref name="size"/> ≥ <see cref="Size"/>, odd.</summary>
    public BlurKernel PadTo(int size)
    {
        if (size < Size || size % 2 == 0) throw new ArgumentException($"cannot pad a {Size}-kernel to {size}");
        int off = (size - Size) / 2;
        var w = new float[size * size];
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
                w[(i + off) * size + j + off] = this[i, j];
        return new BlurKernel(size, w);
    }

    /// <summary>
    /// How far the kernel's non-zero weights reach from its centre: the largest |column − c| (X) and |row − c| (Y), in
    /// pixels, 0..<see cref="Center"/>; (0, 0) for a kernel with no non-zero weight.
    /// </summary>
    public (int X, int Y) Reach()
    {
        int c = Center, rx = 0, ry = 0;
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
                if (Weights[i * Size + j] != 0)
                {
                    rx = Math.Max(rx, Math.Abs(j - c));
                    ry = Math.Max(ry, Math.Abs(i - c));
                }
        return (rx, ry);
    }

    /// <summary>
    /// Whether the kernel blurs nothing: all its weight on the centre pixel, whatever its size (<see cref="Delta"/>, or a
    /// ground-truth "no blur" kernel written as 3×3 with zeros around the centre).
    /// </summary>
    public bool IsIdentity => Reach() == (0, 0);

    /// <summary>
    /// The length of the blur, pixels: the longest extent of the kernel's support (weights at least 1 % of the largest)
    /// along the rows, the columns and the two diagonals, counting the pixels at both ends (a delta: 1; a 5-px horizontal
    /// box: 5; three pixels on a diagonal: 2·√2 + 1 ≈ 3.8); 0 for a kernel with no positive weight.
    /// </summary>
    public double LengthPx()
    {
        float max = Weights.Length == 0 ? 0 : Weights.Max();
        if (!(max > 0)) return 0;
        float floor = 0.01f * max;
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        double minD = double.MaxValue, maxD = double.MinValue, minA = double.MaxValue, maxA = double.MinValue;
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
            {
                if (!(Weights[i * Size + j] >= floor)) continue;
                (minX, maxX) = (Math.Min(minX, j), Math.Max(maxX, j));
                (minY, maxY) = (Math.Min(minY, i), Math.Max(maxY, i));
                (minD, maxD) = (Math.Min(minD, i + j), Math.Max(maxD, i + j));
                (minA, maxA) = (Math.Min(minA, i - j), Math.Max(maxA, i - j));
            }
        double diagonal = Math.Max(maxD - minD, maxA - minA) / Math.Sqrt(2);
        return Math.Max(Math.Max(maxX - minX, maxY - minY), diagonal) + 1;
    }

    /// <summary>
    /// The same path drawn <paramref name="factor"/> times as long, in (0, 1]: every weight moved towards the kernel's centre of
    /// mass by that factor (bilinear), the size kept, the sum 1. A motion kernel of a shorter exposure along the same path is
    /// close to this when the speed is even. A kernel with no positive mass comes back as it is.
    /// </summary>
    public BlurKernel Shrunk(double factor)
    {
        if (!(factor > 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "must be in (0, 1]");
        return Transformed(factor, 0);
    }

    /// <summary>
    /// The same path turned by <paramref name="degrees"/> about the kernel's centre of mass (counter-clockwise as seen on screen,
    /// y down: +90° turns a path pointing right to point up), weights moved bilinearly, on a grid grown to
    /// the smallest odd size ≥ √2 times this one so that no turn leaves it (a weight that still would, off a centre of mass
    /// far from the grid's centre, is clamped to its edge); the sum 1.
    /// </summary>
    public BlurKernel Turned(double degrees)
    {
        int size = (int)Math.Ceiling(Size * Math.Sqrt(2));
        if (size % 2 == 0) size++;
        return PadTo(Math.Max(size, Size)).Transformed(1, degrees * Math.PI / 180);
    }

    /// <summary>Every weight moved to centroid + <paramref name="scale"/>·R(<paramref name="radians"/>)·(position − centroid), bilinearly.</summary>
    private BlurKernel Transformed(double scale, double radians)
    {
        if (!(Weights.Sum(v => (double)v) > 0)) return this; // no mass to move (Normalized would throw)
        var (mx, my) = Centroid();
        double cx = Center + mx, cy = Center + my, cos = Math.Cos(radians), sin = Math.Sin(radians);
        var w = new double[Size * Size];
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
            {
                double v = this[i, j];
                if (v == 0) continue;
                if (Size == 1) { w[0] += v; continue; }
                double dx = j - cx, dy = i - cy;
                double x = Math.Clamp(cx + scale * (cos * dx + sin * dy), 0, Size - 1), y = Math.Clamp(cy + scale * (-sin * dx + cos * dy), 0, Size - 1);
                int x0 = Math.Min((int)x, Size - 2), y0 = Math.Min((int)y, Size - 2);
                double fx = x - x0, fy = y - y0;
                w[y0 * Size + x0] += v * (1 - fx) * (1 - fy);
                w[y0 * Size + x0 + 1] += v * fx * (1 - fy);
                w[(y0 + 1) * Size + x0] += v * (1 - fx) * fy;
                w[(y0 + 1) * Size + x0 + 1] += v * fx * fy;
            }
        return new BlurKernel(Size, w.Select(v => (float)v).ToArray()).Normalized();
    }

    /// <summary>Centre of mass (column, row) relative to the centre pixel, in pixels.</summary>
    public (double X, double Y) Centroid()
    {
        double sx = 0, sy = 0, s = 0;
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
            {
                double w = this[i, j];
                sx += w * (j - Center);
                sy += w * (i - Center);
                s += w;
            }
        return s > 0 ? (sx / s, sy / s) : (0, 0);
    }

    /// <summary>Reads a square kernel CSV (one row of comma-separated weights per line, rows = y), e.g. the Levin 2009 set.</summary>
    public static BlurKernel ReadMatrixCsv(string path)
    {
        var rows = File.ReadAllLines(path).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int n = rows.Length;
        if (rows.Any(r => r.Length != n)) throw new FormatException($"{path}: kernel is not square");
        return new BlurKernel(n, rows.SelectMany(r => r).ToArray());
    }
}
