using EventDeblur.Kernels;

namespace EventDeblur.Tests.Kernels;

/// <summary>
/// The camera-motion consensus on light paths made from known motions, with the failure modes of real night scenes:
/// a moving car's lights among static lamps, noisy traces, a trace with a wild end, rotation and zoom.
/// </summary>
public class MotionConsensusTests
{
    private const int Samples = 200;
    private const int W = 640, H = 480;

    /// <summary>A curved shake path (frame pixels, relative to mid-exposure) of about 20 px.</summary>
    private static (double X, double Y) Shake(double t) => (14 * (t - 0.5) + 4 * Math.Sin(3 * t), -9 * (t - 0.5) + 5 * (t - 0.5) * (t - 0.5));

    private static StreakTrajectory Path((double X, double Y) mid, Func<double, (double X, double Y)> at, Random rng, double noisePx = 0.15, double rms = 0.2)
    {
        var offs = new (double X, double Y)[Samples];
        var m = at(0.5);
        for (int k = 0; k < Samples; k++)
        {
            var p = at((k + 0.5) / Samples);
            offs[k] = (p.X - m.X + noisePx * Gauss(rng), p.Y - m.Y + noisePx * Gauss(rng));
        }
        return new StreakTrajectory(mid, offs, 1000, rms);
    }

    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static double MaxError(CameraMotion m, double x, double y, Func<double, (double X, double Y)> truth)
    {
        var o = m.OffsetsAt(x, y);
        var mid = truth(0.5);
        double worst = 0;
        for (int k = 0; k < Samples; k++)
        {
            var p = truth((k + 0.5) / Samples);
            worst = Math.Max(worst, Math.Sqrt(Math.Pow(o[k].X - (p.X - mid.X), 2) + Math.Pow(o[k].Y - (p.Y - mid.Y), 2)));
        }
        return worst;
    }

    private static string Describe(ConsensusResult r) =>
        $"{r.Motion.Kind}, {r.Inliers} inliers: " + string.Join("; ", r.Verdicts.Select(v => $"{v.Candidate}:{(v.Inlier ? "in" : "out")} {v.DistancePx:F2}/{v.TolerancePx:F2}"));

    private static double RmsError(CameraMotion m, double x, double y, Func<double, (double X, double Y)> truth)
    {
        var o = m.OffsetsAt(x, y);
        var mid = truth(0.5);
        double s = 0;
        for (int k = 0; k < Samples; k++)
        {
            var p = truth((k + 0.5) / Samples);
            s += Math.Pow(o[k].X - (p.X - mid.X), 2) + Math.Pow(o[k].Y - (p.Y - mid.Y), 2);
        }
        return Math.Sqrt(s / Samples);
    }

    [Fact]
    public void AMovingCarsLightsAmongStaticLampsAreSetAside()
    {
        var rng = new Random(1);
        var paths = new List<StreakTrajectory>();
        // A car's two headlights and tail light (3 paths, moving with the car) outnumber each static lamp …
        Func<double, (double X, double Y)> car = t => (Shake(t).X + 40 * (t - 0.5), Shake(t).Y);
        for (int i = 0; i < 3; i++) paths.Add(Path((300 + 25 * i, 400), car, rng));
        // … but five static lamps agree with each other.
        foreach (var mid in new[] { (100.0, 80.0), (500.0, 90.0), (320.0, 200.0), (150.0, 300.0), (560.0, 350.0) })
            paths.Add(Path(mid, Shake, rng));
        var r = MotionConsensus.Fit(paths, W, H);
        Assert.True(r.Motion.Kind == MotionKind.Translation, Describe(r));
        Assert.Equal(5, r.Inliers);
        Assert.All(r.Verdicts.Take(3), v => Assert.False(v.Inlier));
        Assert.All(r.Verdicts.Skip(3), v => Assert.True(v.Inlier));
        Assert.True(MaxError(r.Motion, 320, 240, Shake) < 0.35, $"translation error {MaxError(r.Motion, 320, 240, Shake):F2} px");
    }

    [Fact]
    public void AveragingManyNoisyPathsBeatsEachOfThem()
    {
        var rng = new Random(2);
        var paths = Enumerable.Range(0, 12).Select(i => Path((50 + 45 * i, 100 + 25 * i), Shake, rng, noisePx: 0.5)).ToList();
        var r = MotionConsensus.Fit(paths, W, H);
        Assert.Equal(12, r.Inliers);
        // One path is 0.5 px off per coordinate per sample (0.71 px RMS); twelve average to ≈ 0.2 px RMS.
        double single = RmsError(new CameraMotion(MotionKind.Translation, paths[0].Offsets.Select(q => AffineSample.Shift(q.X, q.Y)).ToArray()), 320, 240, Shake);
        double fitted = RmsError(r.Motion, 320, 240, Shake);
        Assert.InRange(single, 0.6, 0.85);
        Assert.True(fitted < 0.3, $"consensus error {fitted:F2} px RMS");
    }

    [Fact]
    public void APathWithAWildEndDoesNotDragTheModel()
    {
        var rng = new Random(3);
        var paths = Enumerable.Range(0, 6).Select(i => Path((80 + 90 * i, 240), Shake, rng)).ToList();
        // One trace runs off over its first 10 % (a polynomial where its events thin out): 11 px away at the start.
        var offs = paths[2].Offsets.ToArray();
        for (int k = 0; k < 20; k++) offs[k] = (offs[k].X + 11 * (20 - k) / 20.0, offs[k].Y);
        paths[2] = paths[2] with { Offsets = offs };
        var r = MotionConsensus.Fit(paths, W, H);
        Assert.True(MaxError(r.Motion, 320, 240, Shake) < 0.4, $"error {MaxError(r.Motion, 320, 240, Shake):F2} px");
    }

    [Fact]
    public void RotationIsRecoveredAndOutliersAreRejected()
    {
        var rng = new Random(4);
        double cx = 300, cy = 260;
        // Roll of up to ±1.2° about (cx, cy) plus the shake: paths differ by ≈ 8 px between centre and corners.
        Func<double, (double X, double Y)> At(double x, double y) => t =>
        {
            double a = (t - 0.5) * 2.4 * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
            var sh = Shake(t);
            return (c * (x - cx) - s * (y - cy) + cx + sh.X, s * (x - cx) + c * (y - cy) + cy + sh.Y);
        };
        var mids = new[] { (60.0, 50.0), (580.0, 60.0), (320.0, 240.0), (90.0, 420.0), (600.0, 430.0), (200.0, 150.0), (450.0, 330.0), (330.0, 60.0) };
        var paths = mids.Select(m => Path(m, At(m.Item1, m.Item2), rng)).ToList();
        paths.Add(Path((400, 200), t => (Shake(t).X - 30 * (t - 0.5), Shake(t).Y + 20 * (t - 0.5)), rng)); // a moving light
        var r = MotionConsensus.Fit(paths, W, H);
        Assert.NotEqual(MotionKind.Translation, r.Motion.Kind);
        Assert.False(r.Verdicts[^1].Inlier);
        Assert.Equal(mids.Length, r.Inliers);
        foreach (var (x, y) in new[] { (0.0, 0.0), (640.0, 480.0), (320.0, 240.0) })
            Assert.True(MaxError(r.Motion, x, y, At(x, y)) < 0.6, $"error at ({x},{y}): {MaxError(r.Motion, x, y, At(x, y)):F2} px");
    }

    [Fact]
    public void ZoomNeedsTheAffineModel()
    {
        var rng = new Random(5);
        // Zoom by 4 % over the exposure about the centre (a push along the optical axis): paths point away from it.
        Func<double, (double X, double Y)> At(double x, double y) => t =>
        {
            double z = 1 + 0.04 * (t - 0.5);
            var sh = Shake(t);
            return (z * (x - 320) + 320 + sh.X, z * (y - 240) + 240 + sh.Y);
        };
        var mids = new[] { (60.0, 50.0), (580.0, 60.0), (320.0, 240.0), (90.0, 420.0), (600.0, 430.0), (200.0, 150.0), (450.0, 330.0), (330.0, 60.0), (40.0, 250.0) };
        var paths = mids.Select(m => Path(m, At(m.Item1, m.Item2), rng)).ToList();
        var r = MotionConsensus.Fit(paths, W, H);
        Assert.True(r.Motion.Kind == MotionKind.Affine, Describe(r));
        Assert.Equal(mids.Length, r.Inliers);
        foreach (var (x, y) in new[] { (0.0, 0.0), (640.0, 480.0), (640.0, 0.0) })
            Assert.True(MaxError(r.Motion, x, y, At(x, y)) < 0.6, $"error at ({x},{y}): {MaxError(r.Motion, x, y, At(x, y)):F2} px");
    }

    [Fact]
    public void PureTranslationIsNotMistakenForRotation()
    {
        var rng = new Random(6);
        var mids = new[] { (60.0, 50.0), (580.0, 60.0), (320.0, 240.0), (90.0, 420.0), (600.0, 430.0) };
        var paths = mids.Select(m => Path(m, Shake, rng, noisePx: 0.4)).ToList();
        var r = MotionConsensus.Fit(paths, W, H);
        Assert.Equal(MotionKind.Translation, r.Motion.Kind);
        Assert.Equal(mids.Length, r.Inliers);
    }

    [Fact]
    public void TheAffineFitsSolverGivesMathNetsSolutionBitForBit()
    {
        // The consensus solves its affine normal equations with MathNet's LU factors but its own substitution (no
        // allocations): the same numbers as MathNet's solver, for well- and ill-conditioned systems and every pivot order.
        var rng = new Random(5);
        for (int trial = 0; trial < 2000; trial++)
        {
            var a = new double[3, 3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) a[i, j] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 6));
            if (trial % 2 == 0) { a[1, 0] = a[0, 1]; a[2, 0] = a[0, 2]; a[2, 1] = a[1, 2]; } // symmetric, as normal equations are
            var lu = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(a).LU();
            var solver = new MotionConsensus.LuSolver3(lu);
            double[] b = [(rng.NextDouble() - 0.5) * 1e4, rng.NextDouble() * 1e3, rng.NextDouble() - 0.5];
            var expected = lu.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(b)).ToArray();
            var (x0, x1, x2) = solver.Solve(b[0], b[1], b[2]);
            Assert.Equal(expected, new[] { x0, x1, x2 });
        }
    }
}
