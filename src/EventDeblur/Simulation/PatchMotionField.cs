using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// Spatially varying camera shake (domain B): a global <see cref="MotionPath"/> plus one small trajectory
/// of its own per node of a patch grid, blended bilinearly between node centres (clamped at the border).
/// Defined in the observed image: the frame pixel p at normalised time τ shows the sharp (mid-exposure)
/// point p − D(p, τ), so near p the blur is the convolution with the density of D(p, τ) over the exposure,
/// which is the ground-truth kernel at p (RECORDING_FORMAT.md's convention). D(p, ½) = 0.
/// </summary>
public sealed class PatchMotionField
{
    private readonly MotionPath[] _jitter;
    private readonly double[] _nodeX, _nodeY;
    private readonly int _cols, _rows;
    private readonly double _cellW, _cellH;

    private PatchMotionField(MotionPath global, MotionPath[] jitter, int cols, int rows, double width, double height)
    {
        Global = global;
        _jitter = jitter;
        _cols = cols;
        _rows = rows;
        _cellW = width / cols;
        _cellH = height / rows;
        _nodeX = new double[cols * rows];
        _nodeY = new double[cols * rows];
        for (int j = 0; j < rows; j++)
            for (int i = 0; i < cols; i++)
            {
                _nodeX[j * cols + i] = (i + 0.5) * _cellW - 0.5;
                _nodeY[j * cols + i] = (j + 0.5) * _cellH - 0.5;
            }
    }

    /// <summary>The shared part of the shake (translation, rotation about its centre).</summary>
    public MotionPath Global { get; }

    /// <summary>Longest path of any node over the exposure, pixels (global length plus the node's own).</summary>
    public double MaxLengthPx => Global.LengthPx + _jitter.Max(j => j.LengthPx);

    /// <summary>
    /// A random field: the global path (<paramref name="lengthPx"/> long, up to <paramref name="maxRotationDeg"/>)
    /// and per node a path <paramref name="jitter"/> × <paramref name="lengthPx"/> long.
    /// </summary>
    public static PatchMotionField Generate(Random rng, long startUs, long endUs, double lengthPx, double maxRotationDeg,
        int frameWidth, int frameHeight, (int Columns, int Rows) grid, double jitter)
    {
        var global = MotionPath.Generate(rng, startUs, endUs, lengthPx, maxRotationDeg, frameWidth, frameHeight);
        var nodes = new MotionPath[grid.Columns * grid.Rows];
        for (int k = 0; k < nodes.Length; k++)
            nodes[k] = MotionPath.Generate(rng, startUs, endUs, lengthPx * jitter * (0.3 + 0.7 * rng.NextDouble()), 0, frameWidth, frameHeight);
        return new PatchMotionField(global, nodes, grid.Columns, grid.Rows, frameWidth, frameHeight);
    }

    /// <summary>Node displacements at normalised time <paramref name="tau"/>, pixels (x then y per node).</summary>
    private double[] NodeDisplacements(double tau)
    {
        var d = new double[2 * _nodeX.Length];
        for (int k = 0; k < _nodeX.Length; k++)
        {
            var g = Global.Apply(_nodeX[k], _nodeY[k], tau);
            var (jx, jy, _) = _jitter[k].AtTau(tau);
            d[2 * k] = g.X - _nodeX[k] + jx;
            d[2 * k + 1] = g.Y - _nodeY[k] + jy;
        }
        return d;
    }

    private (int K00, int K10, int K01, int K11, double Fx, double Fy) Cell(double x, double y)
    {
        double gx = Math.Clamp((x + 0.5) / _cellW - 0.5, 0, _cols - 1), gy = Math.Clamp((y + 0.5) / _cellH - 0.5, 0, _rows - 1);
        int i0 = Math.Min((int)gx, Math.Max(0, _cols - 2)), j0 = Math.Min((int)gy, Math.Max(0, _rows - 2));
        int i1 = Math.Min(i0 + 1, _cols - 1), j1 = Math.Min(j0 + 1, _rows - 1);
        return (j0 * _cols + i0, j0 * _cols + i1, j1 * _cols + i0, j1 * _cols + i1, gx - i0, gy - j0);
    }

    /// <summary>D(x, y, τ): where the sharp content shown at frame pixel (x, y) sits relative to it, pixels.</summary>
    public (double Dx, double Dy) Displacement(double x, double y, double tau) => Blend(Cell(x, y), NodeDisplacements(tau));

    private static (double Dx, double Dy) Blend((int K00, int K10, int K01, int K11, double Fx, double Fy) c, double[] d)
    {
        double w00 = (1 - c.Fx) * (1 - c.Fy), w10 = c.Fx * (1 - c.Fy), w01 = (1 - c.Fx) * c.Fy, w11 = c.Fx * c.Fy;
        return (w00 * d[2 * c.K00] + w10 * d[2 * c.K10] + w01 * d[2 * c.K01] + w11 * d[2 * c.K11],
            w00 * d[2 * c.K00 + 1] + w10 * d[2 * c.K10 + 1] + w01 * d[2 * c.K01 + 1] + w11 * d[2 * c.K11 + 1]);
    }

    /// <summary>Time samples over the exposure so that no pixel moves more than ~0.2 px between samples.</summary>
    public int SampleCount(double frameDiagonalPx) =>
        Math.Clamp((int)Math.Ceiling(5 * (MaxLengthPx + Math.Abs(Global.RotationRad) * frameDiagonalPx)), 64, 2000);

    /// <summary>The ground-truth kernel at frame position (x, y), offsets scaled by <paramref name="pixelScale"/>.</summary>
    public BlurKernel KernelAt(double x, double y, int samples, double pixelScale = 1)
    {
        var cell = Cell(x, y);
        var offsets = new (double X, double Y)[samples];
        for (int i = 0; i < samples; i++)
        {
            var (dx, dy) = Blend(cell, NodeDisplacements((i + 0.5) / samples));
            offsets[i] = (dx * pixelScale, dy * pixelScale);
        }
        return KernelRaster.FromOffsets(offsets);
    }

    /// <summary>
    /// Sampling maps for a set of frame positions (<paramref name="xs"/>, <paramref name="ys"/>, CV_32FC1, any
    /// shape): <see cref="Sampler.Fill"/> writes, per time, where each position's content comes from.
    /// </summary>
    public Sampler CreateSampler(Mat xs, Mat ys) => new(this, xs, ys);

    /// <summary>Precomputed blend cells for a fixed set of frame positions.</summary>
    public sealed class Sampler
    {
        private readonly PatchMotionField _f;
        private readonly float[] _x, _y;
        private readonly (int K00, int K10, int K01, int K11, double Fx, double Fy)[] _cells;

        internal Sampler(PatchMotionField f, Mat xs, Mat ys)
        {
            _f = f;
            _x = xs.AsSpan<float>().ToArray();
            _y = ys.AsSpan<float>().ToArray();
            _cells = new (int, int, int, int, double, double)[_x.Length];
            for (int i = 0; i < _x.Length; i++) _cells[i] = f.Cell(_x[i], _y[i]);
        }

        /// <summary>
        /// Writes the source positions p − D(p, <paramref name="tau"/>) + <paramref name="offset"/> into
        /// <paramref name="mapX"/> / <paramref name="mapY"/> (CV_32FC1, the positions' shape) for <c>Cv2.Remap</c>.
        /// </summary>
        public void Fill(double tau, Mat mapX, Mat mapY, double offset)
        {
            var d = _f.NodeDisplacements(tau);
            var mx = mapX.AsSpan<float>();
            var my = mapY.AsSpan<float>();
            for (int i = 0; i < _x.Length; i++)
            {
                var (dx, dy) = Blend(_cells[i], d);
                mx[i] = (float)(_x[i] - dx + offset);
                my[i] = (float)(_y[i] - dy + offset);
            }
        }
    }

    /// <summary>
    /// Mean radiance (e⁻/s, CV_32FC3, frame size) over the exposure: the scene sampled through the field at
    /// <paramref name="samples"/> equally spaced times and averaged.
    /// </summary>
    public Mat IntegrateExposure(NightScene scene, int samples)
    {
        int w = scene.Width, h = scene.Height;
        using var xs = new Mat(h, w, MatType.CV_32FC1);
        using var ys = new Mat(h, w, MatType.CV_32FC1);
        var xv = xs.AsSpan<float>();
        var yv = ys.AsSpan<float>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { xv[y * w + x] = x; yv[y * w + x] = y; }
        var sampler = CreateSampler(xs, ys);
        var acc = new Mat(h, w, MatType.CV_32FC3, Scalar.All(0));
        using var mapX = new Mat(h, w, MatType.CV_32FC1);
        using var mapY = new Mat(h, w, MatType.CV_32FC1);
        using var tmp = new Mat();
        for (int i = 0; i < samples; i++)
        {
            sampler.Fill((i + 0.5) / samples, mapX, mapY, scene.Margin);
            Cv2.Remap(scene.Radiance, tmp, mapX, mapY, InterpolationFlags.Linear, BorderTypes.Reflect101);
            Cv2.Add(acc, tmp, acc);
        }
        acc.ConvertTo(acc, MatType.CV_32FC3, 1.0 / samples);
        return acc;
    }
}
