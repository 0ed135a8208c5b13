namespace EventDeblur.Imaging;

/// <summary>
/// Which pixels of a plane hold a measurement of its channel, as a pattern that repeats every 2 pixels in both axes: a
/// Bayer colour filter's sites of one colour (red or blue: one pixel of each 2×2 block; green: two). The other pixels of a
/// demosaiced plane were interpolated from their neighbours, so their noise is not their own, and unless
/// <see cref="InterpolatedAsData"/> they are no data.
/// </summary>
/// <param name="Cell">Bit (2·(y mod 2) + (x mod 2)) set where pixel (x, y) is measured, for x, y ≥ 0 counted from the plane's (0, 0); 1–15 (0, the default value, reads as every pixel measured).</param>
/// <param name="InterpolatedAsData">
/// Whether the interpolated pixels are still fitted as data (only the noise is measured at the sites): Bayer green,
/// measured at half of the pixels and interpolated at the rest from four of its own neighbours.
/// </param>
public readonly record struct SampleSites(byte Cell, bool InterpolatedAsData = false)
{
    /// <summary>Every pixel measured (a plane that was not interpolated).</summary>
    public static SampleSites All => new(0xF);

    /// <summary>Whether every pixel is measured.</summary>
    public bool IsAll => (Cell & 0xF) is 0xF or 0;

    /// <summary>Whether pixel (<paramref name="x"/>, <paramref name="y"/>) (≥ 0) holds a measurement.</summary>
    public bool Has(int x, int y) => IsAll || ((Cell >> (((y & 1) << 1) | (x & 1))) & 1) != 0;

    /// <summary>The sites as a crop starting at column <paramref name="x0"/> and row <paramref name="y0"/> (≥ 0) sees them.</summary>
    public SampleSites Shifted(int x0, int y0)
    {
        int cell = 0;
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++)
                if (Has(dx + x0, dy + y0)) cell |= 1 << ((dy << 1) | dx);
        return new SampleSites((byte)cell, InterpolatedAsData);
    }

    /// <summary>The first measured position of the 2×2 block, row by row: the origin of one lattice of stride 2 made of measured pixels only.</summary>
    public (int Dx, int Dy) First
    {
        get
        {
            for (int k = 0; k < 4; k++) if (((Cell >> k) & 1) != 0) return (k & 1, k >> 1);
            throw new InvalidOperationException("no pixel of the 2×2 block is measured");
        }
    }

    /// <summary>A <paramref name="width"/>×<paramref name="height"/> row-major mask, true where a pixel is measured.</summary>
    public bool[] Mask(int width, int height)
    {
        var m = new bool[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                m[y * width + x] = Has(x, y);
        return m;
    }

    /// <summary>
    /// The pixels of the lattice of stride 2 starting at <see cref="First"/>, as a ⌈(width − dx)/2⌉ × ⌈(height − dy)/2⌉
    /// plane (a colour's own samples, each with its own noise), and <paramref name="flags"/> (e.g. clipped) cut the same way.
    /// </summary>
    public (float[] Plane, bool[]? Flags, int Width, int Height) Lattice(float[] plane, bool[]? flags, int width, int height)
    {
        var (dx, dy) = First;
        int lw = (width - dx + 1) / 2, lh = (height - dy + 1) / 2;
        var p = new float[Math.Max(0, lw * lh)];
        var f = flags == null ? null : new bool[p.Length];
        for (int y = 0; y < lh; y++)
            for (int x = 0; x < lw; x++)
            {
                int s = (2 * y + dy) * width + 2 * x + dx;
                p[y * lw + x] = plane[s];
                if (f != null) f[y * lw + x] = flags![s];
            }
        return (p, f, lw, lh);
    }
}
