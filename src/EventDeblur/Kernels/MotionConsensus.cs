namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="MotionConsensus"/>.</summary>
public sealed record MotionConsensusOptions
{
    /// <summary>A candidate path agrees with a model when their RMS distance is within this floor, frame pixels …</summary>
    public double InlierFloorPx { get; init; } = 1.0;

    /// <summary>… or within this fraction of the model path's length, whichever is larger.</summary>
    public double InlierFractionOfLength { get; init; } = 0.12;

    /// <summary>Rotation is modelled only when it moves the frame corners by more than this, frame pixels.</summary>
    public double RotationThresholdPx { get; init; } = 2.0;

    /// <summary>Two candidates seed a rotation hypothesis only when this far apart, as a fraction of the frame's shorter side.</summary>
    public double MinRotationBaseFraction { get; init; } = 1.0 / 6;

    /// <summary>Floor of a path's positional noise in the inverse-variance weights, event pixels.</summary>
    public double WeightFloorEventPx { get; init; } = 0.2;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (!(InlierFloorPx > 0)) throw new ArgumentException($"InlierFloorPx must be > 0, got {InlierFloorPx}");
        if (!(InlierFractionOfLength >= 0 && InlierFractionOfLength < 1)) throw new ArgumentException($"InlierFractionOfLength must be in [0, 1), got {InlierFractionOfLength}");
        if (!(RotationThresholdPx >= 0)) throw new ArgumentException($"RotationThresholdPx must be ≥ 0, got {RotationThresholdPx}");
        if (!(MinRotationBaseFraction > 0 && MinRotationBaseFraction < 1)) throw new ArgumentException($"MinRotationBaseFraction must be in (0, 1), got {MinRotationBaseFraction}");
        if (!(WeightFloorEventPx > 0)) throw new ArgumentException($"WeightFloorEventPx must be > 0, got {WeightFloorEventPx}");
    }
}

/// <summary>What the consensus made of one candidate path.</summary>
/// <param name="Candidate">Index into the candidate list.</param>
/// <param name="Inlier">Whether it supports the chosen camera-motion model.</param>
/// <param name="DistancePx">RMS distance between its path and the model's path at its position, frame pixels.</param>
/// <param name="TolerancePx">The distance it had to be within, frame pixels.</param>
public sealed record ConsensusVerdict(int Candidate, bool Inlier, double DistancePx, double TolerancePx);

/// <summary>
/// A camera motion over the exposure as image motion: at each of the path samples (equally spaced in time) a rotation
/// by <see cref="Theta"/> (radians, about the frame origin) followed by a translation <see cref="Shift"/> (frame pixels),
/// mapping a point's mid-exposure position to its position at that time. Pure translation has every angle 0.
/// </summary>
/// <param name="Theta">Rotation per sample, radians.</param>
/// <param name="Shift">Translation per sample, frame pixels.</param>
public sealed record CameraMotion(double[] Theta, (double X, double Y)[] Shift)
{
    /// <summary>Whether the model has a rotation component.</summary>
    public bool Rotates => Theta.Any(t => t != 0);

    /// <summary>Offsets (frame pixels) of a point at (<paramref name="x"/>, <paramref name="y"/>) from its position at the model's reference time.</summary>
    public (double X, double Y)[] OffsetsAt(double x, double y)
    {
        var o = new (double X, double Y)[Shift.Length];
        for (int k = 0; k < o.Length; k++)
        {
            double c = Math.Cos(Theta[k]), s = Math.Sin(Theta[k]);
            o[k] = (c * x - s * y + Shift[k].X - x, s * x + c * y + Shift[k].Y - y);
        }
        return o;
    }

    /// <summary>Largest displacement of the frame corners caused by the rotation alone, pixels.</summary>
    public double MaxCornerRotationPx(int width, int height) => Theta.Max(Math.Abs) * Math.Sqrt((double)width * width + (double)height * height) / 2;
}

/// <summary>The chosen camera motion and what every candidate contributed.</summary>
/// <param name="Motion">The model fitted to the inliers.</param>
/// <param name="Verdicts">One verdict per candidate, in candidate order.</param>
/// <param name="Inliers">Number of inliers.</param>
/// <param name="RotationConsidered">A rotation hypothesis was tested (enough spread-out candidates).</param>
public sealed record ConsensusResult(CameraMotion Motion, IReadOnlyList<ConsensusVerdict> Verdicts, int Inliers, bool RotationConsidered);

/// <summary>
/// Fits one camera-motion model to many candidate light paths by consensus rather than by their shape: every
/// candidate (and, for rotation, every well-separated pair) proposes a model; the one most candidates agree with
/// wins (ties: the smaller total distance), is refitted to its inliers with inverse-variance weights, and the
/// inlier set is recomputed against the refit. Outliers — a moving car, a flickering or extended light, an
/// overlap that corrupted a trace — cannot pull the model, whatever their number, as long as the static lights
/// outnumber each of them.
/// </summary>
public static class MotionConsensus
{
    /// <summary>
    /// Chooses the camera motion explaining the most of <paramref name="paths"/> (each a light's offsets from its
    /// mid-exposure position, at the same equally spaced times) in a frame of <paramref name="width"/>×<paramref name="height"/> pixels.
    /// </summary>
    public static ConsensusResult Fit(IReadOnlyList<StreakTrajectory> paths, int width, int height, MotionConsensusOptions? options = null)
    {
        var o = options ?? new MotionConsensusOptions();
        o.Validate();
        if (paths.Count == 0) throw new ArgumentException("no candidate paths");
        int samples = paths[0].Offsets.Length;
        if (paths.Any(p => p.Offsets.Length != samples)) throw new ArgumentException("candidate paths have different sample counts");

        // Hypotheses: every candidate's own path as a translation …
        var hypotheses = new List<CameraMotion>();
        foreach (var p in paths) hypotheses.Add(new CameraMotion(new double[samples], p.Offsets.Select((q, k) => q).ToArray()));
        // … and every well-separated pair as a rotation plus translation.
        double minBase = Math.Min(width, height) * o.MinRotationBaseFraction;
        bool rotationConsidered = false;
        for (int i = 0; i < paths.Count; i++)
            for (int j = i + 1; j < paths.Count; j++)
            {
                double dx = paths[i].Mid.X - paths[j].Mid.X, dy = paths[i].Mid.Y - paths[j].Mid.Y;
                if (dx * dx + dy * dy < minBase * minBase) continue;
                rotationConsidered = true;
                hypotheses.Add(FitRigid([paths[i], paths[j]], [1.0, 1.0]));
            }

        CameraMotion? best = null;
        int bestCount = -1;
        double bestCost = double.PositiveInfinity;
        foreach (var hyp in hypotheses)
        {
            if (hyp.Rotates && hyp.MaxCornerRotationPx(width, height) <= o.RotationThresholdPx) continue;
            var (count, cost) = Score(hyp, paths, o);
            // A rotating model must win outright: with as many inliers, the simpler translation stays.
            bool better = count > bestCount || (count == bestCount && cost < bestCost && !(hyp.Rotates && best is { Rotates: false }));
            if (better) { best = hyp; bestCount = count; bestCost = cost; }
        }
        best ??= hypotheses[0];

        // Refit to the inliers (weighted), then recompute the inliers against the refit; twice.
        bool rotates = best.Rotates;
        var motion = best;
        for (int round = 0; round < 2; round++)
        {
            var inl = Enumerable.Range(0, paths.Count).Where(i => Distance(motion, paths[i]) <= Tolerance(motion, paths[i], o)).ToList();
            if (inl.Count == 0) break;
            var w = inl.Select(i => Weight(paths[i], o)).ToArray();
            var sel = inl.Select(i => paths[i]).ToList();
            motion = rotates ? FitRigid(sel, w) : FitTranslation(sel, w, o.InlierFloorPx / 2);
        }

        var verdicts = new List<ConsensusVerdict>(paths.Count);
        for (int i = 0; i < paths.Count; i++)
        {
            double d = Distance(motion, paths[i]), tol = Tolerance(motion, paths[i], o);
            verdicts.Add(new ConsensusVerdict(i, d <= tol, d, tol));
        }
        return new ConsensusResult(motion, verdicts, verdicts.Count(v => v.Inlier), rotationConsidered);
    }

    private static (int Count, double Cost) Score(CameraMotion m, IReadOnlyList<StreakTrajectory> paths, MotionConsensusOptions o)
    {
        int count = 0;
        double cost = 0;
        foreach (var p in paths)
        {
            double d = Distance(m, p), tol = Tolerance(m, p, o);
            // MSAC: an inlier costs its distance, an outlier its tolerance; both in pixels, so a hypothesis cannot
            // look good by being long (its tolerance grows with its length).
            if (d <= tol) count++;
            cost += Math.Min(d, tol);
        }
        return (count, cost);
    }

    /// <summary>Inverse-variance weight of a path: its events' scatter about its smooth fit plus a floor.</summary>
    private static double Weight(StreakTrajectory p, MotionConsensusOptions o) => 1 / (p.RmsResidualPx * p.RmsResidualPx + o.WeightFloorEventPx * o.WeightFloorEventPx);

    private static double Tolerance(CameraMotion m, StreakTrajectory p, MotionConsensusOptions o)
    {
        var pred = m.OffsetsAt(p.Mid.X, p.Mid.Y);
        double len = 0;
        for (int k = 1; k < pred.Length; k++) len += Math.Sqrt(Sq(pred[k].X - pred[k - 1].X) + Sq(pred[k].Y - pred[k - 1].Y));
        return Math.Max(o.InlierFloorPx, o.InlierFractionOfLength * len);
    }

    /// <summary>RMS distance (frame pixels) between a path and the model's prediction at its position, both relative to mid-exposure.</summary>
    internal static double Distance(CameraMotion m, StreakTrajectory p)
    {
        var pred = m.OffsetsAt(p.Mid.X, p.Mid.Y);
        var mp = pred[pred.Length / 2];
        var mo = p.Offsets[p.Offsets.Length / 2];
        double s = 0;
        for (int k = 0; k < pred.Length; k++) s += Sq(pred[k].X - mp.X - (p.Offsets[k].X - mo.X)) + Sq(pred[k].Y - mp.Y - (p.Offsets[k].Y - mo.Y));
        return Math.Sqrt(s / pred.Length);
    }

    /// <summary>
    /// Per sample: the median of the paths, then the weighted mean of those within <paramref name="radius"/> of it, so
    /// that many paths average their noise down while one path's wild end (a polynomial running off where its events
    /// thin out) cannot drag the mean.
    /// </summary>
    private static CameraMotion FitTranslation(IReadOnlyList<StreakTrajectory> paths, double[] w, double radius)
    {
        int samples = paths[0].Offsets.Length;
        var shift = new (double X, double Y)[samples];
        var xs = new double[paths.Count];
        var ys = new double[paths.Count];
        for (int k = 0; k < samples; k++)
        {
            for (int i = 0; i < paths.Count; i++) { xs[i] = paths[i].Offsets[k].X; ys[i] = paths[i].Offsets[k].Y; }
            double mx = Median(xs), my = Median(ys);
            double x = 0, y = 0, sw = 0;
            for (int i = 0; i < paths.Count; i++)
            {
                if (Sq(xs[i] - mx) + Sq(ys[i] - my) > radius * radius) continue;
                x += w[i] * xs[i]; y += w[i] * ys[i]; sw += w[i];
            }
            shift[k] = sw > 0 ? (x / sw, y / sw) : (mx, my);
        }
        return new CameraMotion(new double[samples], shift);
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
        var theta = new double[samples];
        var shift = new (double X, double Y)[samples];
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
            double t = Math.Atan2(ss, sc);
            theta[k] = t;
            shift[k] = (mxd - (Math.Cos(t) * mxs - Math.Sin(t) * mys), myd - (Math.Sin(t) * mxs + Math.Cos(t) * mys));
        }
        return new CameraMotion(theta, shift);
    }

    private static double Sq(double v) => v * v;
}
