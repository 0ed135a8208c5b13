using System.Runtime.CompilerServices;

namespace EventDeblur.Kernels;

/// <summary>
/// Fits one camera-motion model to many candidate light paths by consensus rather than by their shape: every
/// candidate proposes a translation, every well-separated pair a rotation and every well-spread triplet an affine
/// motion (rotation, zoom, shear: the first-order effect of yaw and pitch); the hypothesis most candidates agree
/// of each kind wins (MSAC: ties go to the smaller total distance), is refitted to its inliers with inverse-variance
/// weights and its inliers recomputed; a richer kind replaces a simpler one only when clearly more paths agree. Outliers — a moving car, a flickering or extended
/// light, an overlap that corrupted a trace — cannot pull the model as long as the static lights outnumber each group.
/// </summary>
public static class MotionConsensus
{
    /// <summary>
    /// Chooses the camera motion explaining the most of <paramref name="paths"/> (each a light's offsets from its
    /// mid-exposure position, at the same equally spaced times) in a frame of <paramref name="width"/>×<paramref name="height"/> pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ConsensusResult Fit(IReadOnlyList<StreakTrajectory> paths, int width, int height, MotionConsensusOptions? options = null)
    {
        var o = options ?? new MotionConsensusOptions();
        o.Validate();
        if (paths.Count == 0) throw new ArgumentException("no candidate paths");
        int samples = paths[0].Offsets.Length;
        if (paths.Any(p => p.Offsets.Length != samples)) throw new ArgumentException("candidate paths have different sample counts");

        // Hypotheses: every candidate's own path as a translation, every well-separated pair as a rotation.
        var hypotheses = new List<CameraMotion>();
        // A candidate's tolerance depends on its own path only: computed once.
        var tols = paths.Select(p => Tolerance(p, o)).ToArray();
        foreach (var p in paths) hypotheses.Add(new CameraMotion(MotionKind.Translation, p.Offsets.Select(q => AffineSample.Shift(q.X, q.Y)).ToArray()));
        double minBase = Math.Min(width, height) * o.MinRotationBaseFraction;
        for (int i = 0; i < paths.Count; i++)
            for (int j = i + 1; j < paths.Count; j++)
            {
                double dx = paths[i].Mid.X - paths[j].Mid.X, dy = paths[i].Mid.Y - paths[j].Mid.Y;
                if (dx * dx + dy * dy >= minBase * minBase) hypotheses.Add(FitRigid([paths[i], paths[j]], [1.0, 1.0]));
            }

        // … and well-spread triplets as affine motions (all of them for few candidates, a fixed sample of them otherwise).
        var triplets = new List<(int, int, int)>();
        for (int i = 0; i < paths.Count; i++)
            for (int j = i + 1; j < paths.Count; j++)
                for (int k = j + 1; k < paths.Count; k++)
                    if (Math.Abs(Cross(paths[i].Mid, paths[j].Mid, paths[k].Mid)) >= minBase * minBase) triplets.Add((i, j, k));
        var pick = new Random(17);
        foreach (var (i, j, k) in triplets.Count <= o.MaxAffineHypotheses ? triplets : triplets.OrderBy(_ => pick.Next()).Take(o.MaxAffineHypotheses))
            hypotheses.Add(FitAffine([paths[i], paths[j], paths[k]], [1.0, 1.0, 1.0]));

        // The best hypothesis of each kind, each refitted to its inliers …
        var bestOfKind = new Dictionary<MotionKind, (CameraMotion Motion, (int Count, double Cost) Score)>();
        foreach (var hyp in hypotheses)
        {
            if (hyp.VariesAcrossFrame && hyp.MaxCornerDeviationPx(width, height) <= o.RotationThresholdPx) continue;
            var score = Score(hyp, paths, tols);
            if (!bestOfKind.TryGetValue(hyp.Kind, out var cur) || score.Count > cur.Score.Count || (score.Count == cur.Score.Count && score.Cost < cur.Score.Cost))
                bestOfKind[hyp.Kind] = (hyp, score);
        }
        // … then a richer model replaces a simpler one only when clearly more paths agree with it: its extra freedom
        // would otherwise fit a group of outliers (a car's lights) together with part of the static scene.
        CameraMotion? motion = null, translation = null;
        int count = 0;
        foreach (var kind in new[] { MotionKind.Translation, MotionKind.Rigid, MotionKind.Affine })
        {
            if (!bestOfKind.TryGetValue(kind, out var b)) continue;
            var refined = Refine(b.Motion, paths, tols, o);
            if (refined.VariesAcrossFrame && refined.MaxCornerDeviationPx(width, height) <= o.RotationThresholdPx) continue;
            if (kind == MotionKind.Translation) translation = refined;
            int c = Score(refined, paths, tols).Count;
            if (motion == null || c >= count + Math.Max(o.RicherModelMarginPaths, (int)Math.Ceiling(o.RicherModelMarginFraction * count)))
            {
                motion = refined;
                count = c;
            }
        }

        motion ??= hypotheses[0];
        var result = Result(motion, paths, tols);
        return motion.VariesAcrossFrame && translation != null ? result with { Translation = Result(translation, paths, tols) } : result;
    }

    private static ConsensusResult Result(CameraMotion motion, IReadOnlyList<StreakTrajectory> paths, double[] tols)
    {
        var verdicts = new List<ConsensusVerdict>(paths.Count);
        for (int i = 0; i < paths.Count; i++)
        {
            double d = Distance(motion, paths[i]), tol = tols[i];
            verdicts.Add(new ConsensusVerdict(i, d <= tol, d, tol));
        }
        return new ConsensusResult(motion, verdicts, verdicts.Count(v => v.Inlier));
    }

    /// <summary>Refits the model (same kind) to its inliers, then recomputes them; twice.</summary>
    private static CameraMotion Refine(CameraMotion motion, IReadOnlyList<StreakTrajectory> paths, double[] tols, MotionConsensusOptions o)
    {
        for (int round = 0; round < 2; round++)
        {
            var inl = Inliers(motion, paths, tols);
            if (inl.Count == 0 || (motion.Kind == MotionKind.Affine && inl.Count < 3) || (motion.Kind == MotionKind.Rigid && inl.Count < 2)) break;
            var w = inl.Select(i => Weight(paths[i], o)).ToArray();
            var sel = inl.Select(i => paths[i]).ToList();
            motion = motion.Kind switch
            {
                MotionKind.Translation => FitTranslation(sel, w, o.InlierFloorPx / 2),
                MotionKind.Rigid => FitRigid(sel, w),
                _ => FitAffine(sel, w),
            };
        }
        return motion;
    }

    private static List<int> Inliers(CameraMotion m, IReadOnlyList<StreakTrajectory> paths, double[] tols) =>
        Enumerable.Range(0, paths.Count).Where(i => Distance(m, paths[i], tols[i]) != null).ToList();

    private static double Spread(IReadOnlyList<StreakTrajectory> paths)
    {
        double cx = paths.Average(p => p.Mid.X), cy = paths.Average(p => p.Mid.Y);
        return 2 * Math.Sqrt(paths.Average(p => Sq(p.Mid.X - cx) + Sq(p.Mid.Y - cy)));
    }

    private static (int Count, double Cost) Score(CameraMotion m, IReadOnlyList<StreakTrajectory> paths, double[] tols)
    {
        int count = 0;
        double cost = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            double tol = tols[i];
            // MSAC: an inlier costs its distance, an outlier its tolerance; both in pixels, so a hypothesis cannot
            // look good by being long (its tolerance grows with its length).
            if (Distance(m, paths[i], tol) is { } d) { count++; cost += Math.Min(d, tol); }
            else cost += tol;
        }
        return (count, cost);
    }

    /// <summary>Inverse-variance weight of a path: its events' scatter about its smooth fit plus a floor.</summary>
    private static double Weight(StreakTrajectory p, MotionConsensusOptions o) => 1 / (p.RmsResidualPx * p.RmsResidualPx + o.WeightFloorEventPx * o.WeightFloorEventPx);

    /// <summary>
    /// How far a candidate may be from a model and still agree with it: a fraction of the candidate's own path length
    /// (not the model's, or a hypothesis could widen its own tolerances by predicting long paths).
    /// </summary>
    private static double Tolerance(StreakTrajectory p, MotionConsensusOptions o)
    {
        // Measured over 20 segments: per-sample jitter would otherwise lengthen the path.
        int n = p.Offsets.Length, step = Math.Max(1, n / 20);
        double len = 0;
        for (int k = step; k < n; k += step) len += Math.Sqrt(Sq(p.Offsets[k].X - p.Offsets[k - step].X) + Sq(p.Offsets[k].Y - p.Offsets[k - step].Y));
        return Math.Max(o.InlierFloorPx, o.InlierFractionOfLength * len);
    }

    /// <summary>RMS distance (frame pixels) between a path and the model's prediction at its position, both relative to mid-exposure.</summary>
    internal static double Distance(CameraMotion m, StreakTrajectory p) => Distance(m, p, double.PositiveInfinity) ?? double.NaN;

    /// <summary>
    /// <see cref="Distance(CameraMotion, StreakTrajectory)"/> when it is at most <paramref name="tolerance"/>, else null —
    /// known as soon as the partial sum exceeds it (the sum only grows), which most hypotheses do for most paths within
    /// a few samples. The value, when returned, is the full distance bit for bit.
    /// </summary>
    private static double? Distance(CameraMotion m, StreakTrajectory p, double tolerance)
    {
        // The model's offsets at the path's mid position, (x', y') − (x, y) per sample, computed in place: this runs for
        // every hypothesis and path, and an array per call was most of the consensus' time.
        var samples = m.Samples;
        double x = p.Mid.X, y = p.Mid.Y;
        var mq = samples[samples.Length / 2].Apply(x, y);
        double mpx = mq.X - x, mpy = mq.Y - y;
        var mo = p.Offsets[p.Offsets.Length / 2];
        double s = 0;
        for (int k = 0; k < samples.Length; k++)
        {
            var q = samples[k].Apply(x, y);
            double px = q.X - x, py = q.Y - y;
            s += Sq(px - mpx - (p.Offsets[k].X - mo.X)) + Sq(py - mpy - (p.Offsets[k].Y - mo.Y));
            if ((k & 7) == 7 && Math.Sqrt(s / samples.Length) > tolerance) return null;
        }
        double d = Math.Sqrt(s / samples.Length);
        return d <= tolerance ? d : null;
    }

    /// <summary>
    /// Per sample: the median of the paths, then the weighted mean of those within max(<paramref name="minRadius"/>,
    /// 3 × their median distance from it), so that many paths average their noise down while one path's wild end (a
    /// polynomial running off where its events thin out) cannot drag the mean.
    /// </summary>
    private static CameraMotion FitTranslation(IReadOnlyList<StreakTrajectory> paths, double[] w, double minRadius)
    {
        int samples = paths[0].Offsets.Length;
        var result = new AffineSample[samples];
        var xs = new double[paths.Count];
        var ys = new double[paths.Count];
        var dist = new double[paths.Count];
        for (int k = 0; k < samples; k++)
        {
            for (int i = 0; i < paths.Count; i++) { xs[i] = paths[i].Offsets[k].X; ys[i] = paths[i].Offsets[k].Y; }
            double mx = Median(xs), my = Median(ys);
            for (int i = 0; i < paths.Count; i++) dist[i] = Math.Sqrt(Sq(xs[i] - mx) + Sq(ys[i] - my));
            double radius = Math.Max(minRadius, 3 * Median(dist));
            double x = 0, y = 0, sw = 0;
            for (int i = 0; i < paths.Count; i++)
            {
                if (dist[i] > radius) continue;
                x += w[i] * xs[i]; y += w[i] * ys[i]; sw += w[i];
            }
            result[k] = sw > 0 ? AffineSample.Shift(x / sw, y / sw) : AffineSample.Shift(mx, my);
        }
        return new CameraMotion(MotionKind.Translation, result);
    }

    private static double Median(double[] v)
    {
        var a = (double[])v.Clone();
        Array.Sort(a);
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    /// <summary>Weighted 2-D Procrustes per sample: the rotation and translation taking every mid to mid + offset.</summary>
    private static CameraMotion FitRigid(IReadOnlyList<StreakTrajectory> paths, double[] w)
    {
        int samples = paths[0].Offsets.Length;
        double sw = w.Sum();
        var result = new AffineSample[samples];
        for (int k = 0; k < samples; k++)
        {
            double mxs = 0, mys = 0, mxd = 0, myd = 0;
            for (int i = 0; i < paths.Count; i++)
            {
                var p = paths[i];
                mxs += w[i] * p.Mid.X; mys += w[i] * p.Mid.Y;
                mxd += w[i] * (p.Mid.X + p.Offsets[k].X); myd += w[i] * (p.Mid.Y + p.Offsets[k].Y);
            }
            mxs /= sw; mys /= sw; mxd /= sw; myd /= sw;
            double sc = 0, ss = 0;
            for (int i = 0; i < paths.Count; i++)
            {
                var p = paths[i];
                double ax = p.Mid.X - mxs, ay = p.Mid.Y - mys, bx = p.Mid.X + p.Offsets[k].X - mxd, by = p.Mid.Y + p.Offsets[k].Y - myd;
                sc += w[i] * (ax * bx + ay * by);
                ss += w[i] * (ax * by - ay * bx);
            }
            double t = Math.Atan2(ss, sc), c = Math.Cos(t), s = Math.Sin(t);
            result[k] = new AffineSample(c, -s, s, c, mxd - (c * mxs - s * mys), myd - (s * mxs + c * mys));
        }
        return new CameraMotion(MotionKind.Rigid, result);
    }

    /// <summary>Weighted least-squares affine map per sample (positions centred for conditioning).</summary>
    private static CameraMotion FitAffine(IReadOnlyList<StreakTrajectory> paths, double[] w)
    {
        int samples = paths[0].Offsets.Length;
        double sw = w.Sum();
        double cx = 0, cy = 0;
        for (int i = 0; i < paths.Count; i++) { cx += w[i] * paths[i].Mid.X; cy += w[i] * paths[i].Mid.Y; }
        cx /= sw; cy /= sw;
        // Normal equations of [u v 1] in centred coordinates; the same for every sample.
        double suu = 0, suv = 0, svv = 0, su = 0, sv = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            double u = paths[i].Mid.X - cx, v = paths[i].Mid.Y - cy;
            suu += w[i] * u * u; suv += w[i] * u * v; svv += w[i] * v * v; su += w[i] * u; sv += w[i] * v;
        }
        var lu = new LuSolver3(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new[,] { { suu, suv, su }, { suv, svv, sv }, { su, sv, sw } }).LU());
        var result = new AffineSample[samples];
        for (int k = 0; k < samples; k++)
        {
            double bxu = 0, bxv = 0, bx1 = 0, byu = 0, byv = 0, by1 = 0;
            for (int i = 0; i < paths.Count; i++)
            {
                var p = paths[i];
                double u = p.Mid.X - cx, v = p.Mid.Y - cy, tx = p.Mid.X + p.Offsets[k].X, ty = p.Mid.Y + p.Offsets[k].Y;
                bxu += w[i] * u * tx; bxv += w[i] * v * tx; bx1 += w[i] * tx;
                byu += w[i] * u * ty; byv += w[i] * v * ty; by1 += w[i] * ty;
            }
            var (ax0, ax1, ax2) = lu.Solve(bxu, bxv, bx1);
            var (ay0, ay1, ay2) = lu.Solve(byu, byv, by1);
            // x' = ax0·(x − cx) + ax1·(y − cy) + ax2, and likewise for y'.
            result[k] = new AffineSample(ax0, ax1, ay0, ay1, ax2 - ax0 * cx - ax1 * cy, ay2 - ay0 * cx - ay1 * cy);
        }
        return new CameraMotion(MotionKind.Affine, result);
    }

    /// <summary>
    /// Solves with a 3×3 LU factorisation from MathNet.Numerics as its own solver does — the same row swaps, forward
    /// and back substitution in the same order — bit for bit, without its vector allocations (hundreds of affine
    /// hypotheses × 200 samples × 2 solves per frame).
    /// </summary>
    internal sealed class LuSolver3
    {
        private readonly double[,] _l;
        private readonly double[,] _u;
        private readonly int[] _pivots;

        public LuSolver3(MathNet.Numerics.LinearAlgebra.Factorization.LU<double> lu)
        {
            _l = lu.L.ToArray();
            _u = lu.U.ToArray();
            _pivots = lu.P.ToInversions();
        }

        public (double X0, double X1, double X2) Solve(double b0, double b1, double b2)
        {
            Span<double> b = [b0, b1, b2];
            for (int i = 0; i < 3; i++)
                if (_pivots[i] != i) (b[i], b[_pivots[i]]) = (b[_pivots[i]], b[i]);
            for (int k = 0; k < 3; k++)
                for (int i = k + 1; i < 3; i++)
                    b[i] -= b[k] * _l[i, k];
            for (int k = 2; k >= 0; k--)
            {
                b[k] /= _u[k, k];
                for (int i = 0; i < k; i++) b[i] -= b[k] * _u[i, k];
            }
            return (b[0], b[1], b[2]);
        }
    }

    /// <summary>Twice the signed area of the triangle (a, b, c), pixels².</summary>
    private static double Cross((double X, double Y) a, (double X, double Y) b, (double X, double Y) c) => (b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X);

    private static double Sq(double v) => v * v;
}
