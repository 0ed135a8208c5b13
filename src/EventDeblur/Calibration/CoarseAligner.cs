using OpenCvSharp;

namespace EventDeblur.Calibration;

/// <summary>
/// The coarse, global part of the calibration: for every candidate scale and rotation the frames' gradient images are
/// warped onto a (reduced) event grid and cross-correlated with their event images by FFT, which gives the best
/// translation of that pair; the correlation surfaces of all frames are summed, so the frames vote jointly.
/// </summary>
internal sealed class CoarseAligner : IDisposable
{
    /// <summary>A scored similarity candidate: RGB → event homography and its peak-to-sidelobe score.</summary>
    public readonly record struct Candidate(double Scale, double RotationRad, double[] RgbToEvents, double Score, bool Mirrored = false);

    private readonly int _eventWidth, _eventHeight, _rgbWidth, _rgbHeight, _w, _h, _cw, _ch, _offX, _offY;
    private readonly double _fx, _fy;
    private readonly List<Mat> _eventSpectra = [];
    private readonly List<List<(double Factor, Mat Image)>> _pyramids = [];

    /// <param name="frames">The frames voting.</param>
    /// <param name="eventWidth">Event sensor width, px.</param>
    /// <param name="eventHeight">Event sensor height, px.</param>
    /// <param name="rgbWidth">RGB width, px.</param>
    /// <param name="rgbHeight">RGB height, px.</param>
    /// <param name="maxSide">Longest side of the reduced event grid, px.</param>
    /// <param name="blurSigma">Gaussian σ applied on the reduced grid to both images, px.</param>
    public CoarseAligner(IReadOnlyList<CalibrationFrame> frames, int eventWidth, int eventHeight, int rgbWidth, int rgbHeight, int maxSide, double blurSigma)
    {
        (_eventWidth, _eventHeight, _rgbWidth, _rgbHeight) = (eventWidth, eventHeight, rgbWidth, rgbHeight);
        double reduce = Math.Min(1.0, maxSide / (double)Math.Max(eventWidth, eventHeight));
        _w = Math.Max(8, (int)Math.Round(eventWidth * reduce));
        _h = Math.Max(8, (int)Math.Round(eventHeight * reduce));
        (_fx, _fy) = (_w / (double)eventWidth, _h / (double)eventHeight);
        _cw = Cv2.GetOptimalDFTSize(2 * _w);
        _ch = Cv2.GetOptimalDFTSize(2 * _h);
        (_offX, _offY) = ((_cw - _w) / 2, (_ch - _h) / 2);
        foreach (var f in frames)
        {
            using var small = new Mat();
            Cv2.Resize(f.EventImage, small, new Size(_w, _h), 0, 0, InterpolationFlags.Area);
            Cv2.GaussianBlur(small, small, new Size(0, 0), blurSigma);
            Cv2.MeanStdDev(small, out var mean, out _);
            Cv2.Subtract(small, mean, small);
            double norm = Cv2.Norm(small);
            if (norm > 0) small.ConvertTo(small, MatType.CV_32F, 1 / norm);
            using var canvas = new Mat(_ch, _cw, MatType.CV_32FC1, Scalar.All(0));
            small.CopyTo(canvas[new Rect(_offX, _offY, _w, _h)]);
            var spec = new Mat();
            Cv2.Dft(canvas, spec, DftFlags.ComplexOutput);
            _eventSpectra.Add(spec);

            // Gradient pyramid (area-reduced by 2 per level), each level blurred by the coarse σ in its own pixels
            // scaled to the reduced grid later, zero-mean and unit-variance so that outside the frame (0) is neutral.
            var levels = new List<(double, Mat)>();
            var cur = f.Gradient.Clone();
            double factor = 1;
            while (true)
            {
                var level = cur.Clone();
                Cv2.MeanStdDev(level, out var m, out var s);
                Cv2.Subtract(level, m, level);
                if (s.Val0 > 0) level.ConvertTo(level, MatType.CV_32F, 1 / s.Val0);
                levels.Add((factor, level));
                if (cur.Width < 64 || cur.Height < 64) break;
                var next = new Mat();
                Cv2.Resize(cur, next, new Size(cur.Width / 2, cur.Height / 2), 0, 0, InterpolationFlags.Area);
                factor = next.Width / (double)rgbWidth;
                cur.Dispose();
                cur = next;
            }
            cur.Dispose();
            _pyramids.Add(levels);
        }
        BlurSigma = blurSigma;
    }

    private double BlurSigma { get; }

    /// <summary>
    /// The similarity (scale, rotation about the frame centres, then the best translation) as an RGB → event homography;
    /// <paramref name="mirrored"/>: the RGB x axis reversed first (a beam-splitter rig, where one camera sees the scene
    /// in a mirror).
    /// </summary>
    private double[] Similarity(double s, double a, double tx, double ty, bool mirrored = false)
    {
        double c = s * Math.Cos(a), sn = s * Math.Sin(a);
        double m = mirrored ? -1 : 1;
        double rcx = (_rgbWidth - 1) / 2.0, rcy = (_rgbHeight - 1) / 2.0;
        double ecx = (_eventWidth - 1) / 2.0 + tx, ecy = (_eventHeight - 1) / 2.0 + ty;
        return [m * c, -sn, ecx - (m * c * rcx - sn * rcy), m * sn, c, ecy - (m * sn * rcx + c * rcy), 0, 0, 1];
    }

    /// <summary>Scores one scale and rotation (of the RGB frame mirrored first, with <paramref name="mirrored"/>): the best translation and its summed peak-to-sidelobe ratio.</summary>
    public Candidate Score(double scale, double rotationRad, bool mirrored = false)
    {
        using var sum = new Mat(_ch, _cw, MatType.CV_32FC2, Scalar.All(0));
        for (int k = 0; k < _pyramids.Count; k++)
        {
            var h = Similarity(scale, rotationRad, 0, 0, mirrored);
            // zoom from RGB px to reduced-grid px; take the pyramid level no coarser than needed
            double zoom = scale * _fx;
            var (factor, image) = _pyramids[k].LastOrDefault(l => l.Factor >= zoom * 0.999, _pyramids[k][0]);
            // RGB → level: q = (x + 0.5)·f − 0.5; event → reduced canvas: u' = (u + 0.5)·fx − 0.5 + off
            double[] levelToRgb = [1 / factor, 0, 0.5 / factor - 0.5, 0, 1 / factor, 0.5 / factor - 0.5, 0, 0, 1];
            double[] eventToCanvas = [_fx, 0, 0.5 * _fx - 0.5 + _offX, 0, _fy, 0.5 * _fy - 0.5 + _offY, 0, 0, 1];
            var m = Mul(eventToCanvas, Mul(h, levelToRgb));
            using var affine = new Mat(2, 3, MatType.CV_64FC1);
            affine.SetArray(m[..6]);
            using var warped = new Mat();
            Cv2.WarpAffine(image, warped, affine, new Size(_cw, _ch), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
            Cv2.GaussianBlur(warped, warped, new Size(0, 0), BlurSigma);
            using var spec = new Mat();
            Cv2.Dft(warped, spec, DftFlags.ComplexOutput);
            using var prod = new Mat();
            Cv2.MulSpectrums(spec, _eventSpectra[k], prod, DftFlags.None, conjB: true);
            Cv2.Add(sum, prod, sum);
        }
        using var surface = new Mat();
        Cv2.Idft(sum, surface, DftFlags.RealOutput | DftFlags.Scale);
        Cv2.MinMaxLoc(surface, out _, out double max, out _, out Point at);
        Cv2.MeanStdDev(surface, out var mean, out var std);
        double psr = std.Val0 > 0 ? (max - mean.Val0) / std.Val0 : 0;
        // correlation peak at shift t: the content warped to canvas position y is found at y − t
        int tx = at.X > _cw / 2 ? at.X - _cw : at.X, ty = at.Y > _ch / 2 ? at.Y - _ch : at.Y;
        // Sub-pixel peak by a parabola through the neighbours (circular indices).
        double dx = Parabola(surface.At<float>(at.Y, (at.X - 1 + _cw) % _cw), max, surface.At<float>(at.Y, (at.X + 1) % _cw));
        double dy = Parabola(surface.At<float>((at.Y - 1 + _ch) % _ch, at.X), max, surface.At<float>((at.Y + 1) % _ch, at.X));
        double shiftX = -(tx + dx) / _fx, shiftY = -(ty + dy) / _fy;
        return new Candidate(scale, rotationRad, Similarity(scale, rotationRad, shiftX, shiftY, mirrored), psr, mirrored);
    }

    private static double Parabola(double l, double c, double r)
    {
        double d = l - 2 * c + r;
        return d < 0 ? Math.Clamp(0.5 * (l - r) / d, -0.5, 0.5) : 0;
    }

    /// <summary>3×3 row-major product a·b.</summary>
    internal static double[] Mul(double[] a, double[] b)
    {
        var r = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        return r;
    }

    public void Dispose()
    {
        foreach (var s in _eventSpectra) s.Dispose();
        foreach (var p in _pyramids)
            foreach (var (_, m) in p) m.Dispose();
    }
}
