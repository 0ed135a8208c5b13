using EventDeblur.Kernels;

namespace EventDeblur.Simulation;

/// <summary>
/// Camera shake during one exposure, as image motion in frame pixels: a scene point seen at frame
/// position x at mid-exposure appears at time t at <c>R(θ(t))·(x − C) + C + d(t)</c>, with
/// <c>d(mid) = 0</c> and <c>θ(mid) = 0</c>. The path is a smooth cubic curve traversed with a varying
/// speed (accelerations), defined slightly beyond the exposure for the event margins.
/// </summary>
public sealed class MotionPath
{
    private readonly double[] _px = new double[4], _py = new double[4];
    private readonly double _scale, _cos, _sin;
    private readonly double _beta, _freq, _phase;
    private readonly double _thetaPerU;
    private readonly double _u0;
    private readonly (double X, double Y) _b0;

    private MotionPath(long startUs, long endUs, double cx, double cy, double[] px, double[] py, double direction,
        double beta, double freq, double phase, double lengthPx, double rotationRad)
    {
        ExposureStartUs = startUs;
        ExposureEndUs = endUs;
        CenterX = cx;
        CenterY = cy;
        px.CopyTo(_px, 0);
        py.CopyTo(_py, 0);
        _cos = Math.Cos(direction);
        _sin = Math.Sin(direction);
        _beta = beta;
        _freq = freq;
        _phase = phase;
        _u0 = U(0.5);
        _b0 = Bezier(_u0);
        // Arc length of the unit-scale curve over the exposure, to scale it to the requested length.
        double len = 0;
        var prev = Bezier(U(0));
        for (int i = 1; i <= 2000; i++)
        {
            var q = Bezier(U(i / 2000.0));
            len += Math.Sqrt((q.X - prev.X) * (q.X - prev.X) + (q.Y - prev.Y) * (q.Y - prev.Y));
            prev = q;
        }
        _scale = len > 0 ? lengthPx / len : 0;
        double uSpan = U(1) - U(0);
        _thetaPerU = uSpan > 0 ? rotationRad / uSpan : 0;
        LengthPx = lengthPx;
        RotationRad = rotationRad;
    }

    /// <summary>Exposure start, µs.</summary>
    public long ExposureStartUs { get; }

    /// <summary>Exposure end, µs.</summary>
    public long ExposureEndUs { get; }

    /// <summary>Rotation centre column, frame pixels.</summary>
    public double CenterX { get; }

    /// <summary>Rotation centre row, frame pixels.</summary>
    public double CenterY { get; }

    /// <summary>Path length of the translation over the exposure, pixels.</summary>
    public double LengthPx { get; }

    /// <summary>Total rotation over the exposure, radians.</summary>
    public double RotationRad { get; }

    /// <summary>A random shake path of translation length <paramref name="lengthPx"/> and up to <paramref name="maxRotationDeg"/> of rotation.</summary>
    public static MotionPath Generate(Random rng, long startUs, long endUs, double lengthPx, double maxRotationDeg, double frameWidth, double frameHeight)
    {
        // Control points of a unit-span cubic: bends and S-curves, not only straight lines.
        double[] px = [0, 0.2 + 0.3 * rng.NextDouble(), 0.5 + 0.3 * rng.NextDouble(), 1];
        double bend = 0.8 * (rng.NextDouble() - 0.5);
        double[] py = [0, bend + 0.4 * (rng.NextDouble() - 0.5), -bend * rng.NextDouble() + 0.4 * (rng.NextDouble() - 0.5), 0.3 * (rng.NextDouble() - 0.5)];
        double rot = maxRotationDeg * Math.PI / 180 * (0.5 + 0.5 * rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1);
        double cx = frameWidth / 2 + (rng.NextDouble() - 0.5) * frameWidth / 2;
        double cy = frameHeight / 2 + (rng.NextDouble() - 0.5) * frameHeight / 2;
        return new MotionPath(startUs, endUs, cx, cy, px, py, rng.NextDouble() * 2 * Math.PI,
            0.3 + 0.5 * rng.NextDouble(), 0.5 + rng.Next(3) * 0.5, rng.NextDouble() * 2 * Math.PI, lengthPx, rot);
    }

    /// <summary>Constant-velocity straight motion (for tests): from −L/2 to +L/2 along <paramref name="directionRad"/>.</summary>
    public static MotionPath Linear(long startUs, long endUs, double lengthPx, double directionRad) =>
        new(startUs, endUs, 0, 0, [0, 1.0 / 3, 2.0 / 3, 1], [0, 0, 0, 0], directionRad, 0, 1, 0, lengthPx, 0);

    private double U(double tau) => tau + _beta * Math.Sin(2 * Math.PI * _freq * tau + _phase) / (2 * Math.PI * _freq);

    private (double X, double Y) Bezier(double u)
    {
        double a = 1 - u;
        double b0 = a * a * a, b1 = 3 * a * a * u, b2 = 3 * a * u * u, b3 = u * u * u;
        return (b0 * _px[0] + b1 * _px[1] + b2 * _px[2] + b3 * _px[3], b0 * _py[0] + b1 * _py[1] + b2 * _py[2] + b3 * _py[3]);
    }

    /// <summary>Normalised time: 0 at exposure start, 1 at exposure end.</summary>
    public double Tau(double tUs) => (tUs - ExposureStartUs) / (double)(ExposureEndUs - ExposureStartUs);

    /// <summary>Translation d (pixels) and rotation θ (radians) at normalised time <paramref name="tau"/>.</summary>
    public (double Dx, double Dy, double Theta) AtTau(double tau)
    {
        double u = U(tau);
        var b = Bezier(u);
        double x = (b.X - _b0.X) * _scale, y = (b.Y - _b0.Y) * _scale;
        return (x * _cos - y * _sin, x * _sin + y * _cos, _thetaPerU * (u - _u0));
    }

    /// <summary>Where the scene point seen at (x, y) at mid-exposure appears at normalised time <paramref name="tau"/>.</summary>
    public (double X, double Y) Apply(double x, double y, double tau)
    {
        var (dx, dy, th) = AtTau(tau);
        double c = Math.Cos(th), s = Math.Sin(th);
        double rx = x - CenterX, ry = y - CenterY;
        return (c * rx - s * ry + CenterX + dx, s * rx + c * ry + CenterY + dy);
    }

    /// <summary>
    /// Row-major 2×3 affine that maps an image position at normalised time <paramref name="tau"/> back to the
    /// mid-exposure (sharp) position: the inverse of <see cref="Apply"/>.
    /// </summary>
    public double[] InverseAffine(double tau)
    {
        var (dx, dy, th) = AtTau(tau);
        double c = Math.Cos(th), s = Math.Sin(th);
        // x_s = R(−θ)(x − C − d) + C
        double tx = -(c * (CenterX + dx) + s * (CenterY + dy)) + CenterX;
        double ty = -(-s * (CenterX + dx) + c * (CenterY + dy)) + CenterY;
        return [c, s, tx, -s, c, ty];
    }

    /// <summary>Number of time samples over the exposure so that no pixel moves more than ~0.2 px between samples.</summary>
    public int SampleCount(double frameDiagonalPx) =>
        Math.Clamp((int)Math.Ceiling(5 * (LengthPx + Math.Abs(RotationRad) * frameDiagonalPx)), 64, 2000);

    /// <summary>
    /// The ground-truth kernel at frame position (x, y): the exposure-time density of the point's
    /// image offsets, splatted bilinearly at <paramref name="samples"/> equally spaced times, in
    /// pixels scaled by <paramref name="pixelScale"/> (1 for RGB pixels; 0.5 for a half-resolution grid).
    /// </summary>
    public BlurKernel KernelAt(double x, double y, int samples, double pixelScale = 1)
    {
        var offsets = new (double X, double Y)[samples];
        for (int i = 0; i < samples; i++)
        {
            var p = Apply(x, y, (i + 0.5) / samples);
            offsets[i] = ((p.X - x) * pixelScale, (p.Y - y) * pixelScale);
        }
        return KernelRaster.FromOffsets(offsets);
    }
}
