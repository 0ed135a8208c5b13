namespace EventDeblur.Imaging;

/// <summary>
/// A plane projective map between two pixel grids (e.g. RGB pixels → event pixels), a 3×3 matrix in
/// row-major order acting on homogeneous pixel coordinates.
/// </summary>
public readonly record struct Homography
{
    private readonly double _m0, _m1, _m2, _m3, _m4, _m5, _m6, _m7, _m8;

    private Homography(double m0, double m1, double m2, double m3, double m4, double m5, double m6, double m7, double m8)
    {
        (_m0, _m1, _m2, _m3, _m4, _m5, _m6, _m7, _m8) = (m0, m1, m2, m3, m4, m5, m6, m7, m8);
    }

    /// <summary>The identity map (same pixel grid).</summary>
    public static Homography Identity { get; } = new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    /// <summary>From nine row-major entries.</summary>
    /// <exception cref="ArgumentException">Not nine entries.</exception>
    public static Homography FromRowMajor(IReadOnlyList<double> m)
    {
        if (m.Count != 9) throw new ArgumentException($"a homography has 9 entries, not {m.Count}", nameof(m));
        return new(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
    }

    /// <summary>The nine entries, row-major.</summary>
    public double[] ToRowMajor() => [_m0, _m1, _m2, _m3, _m4, _m5, _m6, _m7, _m8];

    /// <summary>Maps the pixel (<paramref name="x"/>, <paramref name="y"/>) of the source grid into the target grid, pixels.</summary>
    public (double X, double Y) Apply(double x, double y)
    {
        double z = _m6 * x + _m7 * y + _m8;
        return ((_m0 * x + _m1 * y + _m2) / z, (_m3 * x + _m4 * y + _m5) / z);
    }

    /// <summary>The exact inverse map (target grid → source grid), by the adjugate.</summary>
    /// <exception cref="ArgumentException">The matrix is singular.</exception>
    public Homography Inverse()
    {
        double a = _m0, b = _m1, c = _m2, d = _m3, e = _m4, f = _m5, g = _m6, h = _m7, i = _m8;
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (Math.Abs(det) < 1e-15) throw new ArgumentException("homography is singular");
        return new(
            (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
            (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
            (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det);
    }
}
