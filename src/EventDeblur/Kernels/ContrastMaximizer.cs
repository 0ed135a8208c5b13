using EventDeblur.Events;
using EventDeblur.Imaging;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace EventDeblur.Kernels;

/// <summary>What contrast maximisation found for one frame.</summary>
/// <param name="Offsets">Frame-pixel offsets of the sensor centre from its mid-exposure position at equally spaced exposure times.</param>
/// <param name="EventsUsed">Events of the exposure after noise filtering (before subsampling).</param>
/// <param name="EventsWarped">Events warped per candidate (the subsample).</param>
/// <param name="ContrastGain">Contrast of the best warp over that of no motion, minus 1 (0 when there were too few events).</param>
/// <param name="Note">One line for the diagnostics.</param>
public sealed record ContrastMaximizationResult((double X, double Y)[] Offsets, int EventsUsed, int EventsWarped, double ContrastGain, string Note);

/// <summary>
/// Contrast maximisation (no light streaks needed): the cubic translation path, in event pixels, whose warp of the
/// exposure's events to mid-exposure gives the sharpest image of warped events (largest variance), mapped into frame
/// pixels through the inverse homography at the sensor centre.
/// </summary>
public sealed class ContrastMaximizer
{
    private readonly ContrastMaximizationOptions _o;

    /// <summary>Makes a maximiser; <paramref name="options"/> are validated here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it and the range).</exception>
    public ContrastMaximizer(ContrastMaximizationOptions? options = null)
    {
        _o = options ?? new ContrastMaximizationOptions();
        _o.Validate();
    }

    /// <summary>
    /// The camera path over <paramref name="exposure"/> (event clock, µs) from <paramref name="events"/> (time-ordered)
    /// on a sensor of <paramref name="sensorSize"/> event pixels; <paramref name="eventsToFrame"/> maps event to frame
    /// pixels; the path has <paramref name="samples"/> (≥ 2) samples. Null offsets mean too few events (no blur assumed).
    /// </summary>
    public ContrastMaximizationResult Estimate(EventSlice events, (int Width, int Height) sensorSize, Homography eventsToFrame, TimeRangeUs exposure, int samples)
    {
        var ev = events;
        int lo = EventTime.LowerBound(ev.T, exposure.StartUs), hi = EventTime.LowerBound(ev.T, exposure.EndUs);
        var all = Enumerable.Range(lo, hi - lo).ToList();
        all = new BackgroundActivityFilter(_o.SupportWindowUs).Filter(ev, all);
        int stride = Math.Max(1, all.Count / _o.MaxEvents);
        var pick = all.Where((_, i) => i % stride == 0).ToArray();
        var (ew, eh) = sensorSize;
        if (pick.Length < _o.MinEvents || ew <= 0)
            return new ContrastMaximizationResult([], pick.Length, pick.Length, 0, $"texture: only {pick.Length} events in the exposure; no blur assumed");
        var tau = pick.Select(i => (ev.T[i] - exposure.StartUs) / (double)exposure.DurationUs - 0.5).ToArray();
        var ex = pick.Select(i => (double)ev.X[i]).ToArray();
        var ey = pick.Select(i => (double)ev.Y[i]).ToArray();
        var iwe = new float[ew * eh];

        double Contrast(double[] c)
        {
            Array.Clear(iwe);
            for (int i = 0; i < tau.Length; i++)
            {
                double t = tau[i], t2 = t * t, t3 = t2 * t;
                double x = ex[i] - (c[0] * t + c[1] * t2 + c[2] * t3), y = ey[i] - (c[3] * t + c[4] * t2 + c[5] * t3);
                int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
                if (x0 < 0 || y0 < 0 || x0 >= ew - 1 || y0 >= eh - 1) continue;
                float ax = (float)(x - x0), ay = (float)(y - y0);
                int k = y0 * ew + x0;
                iwe[k] += (1 - ax) * (1 - ay); iwe[k + 1] += ax * (1 - ay); iwe[k + ew] += (1 - ax) * ay; iwe[k + ew + 1] += ax * ay;
            }
            double sum = 0, sum2 = 0;
            foreach (float v in iwe) { sum += v; sum2 += (double)v * v; }
            double mean = sum / iwe.Length;
            return sum2 / iwe.Length - mean * mean;
        }

        // Search over constant velocity — every 2 event px over the disc, then every 1 px around the best — then a
        // Nelder–Mead refinement of the cubic path.
        double best = double.NegativeInfinity;
        double[] bestC = new double[6];
        double range = _o.MaxBlurEventPx;
        void Grid(double x0, double y0, double halfWidth, double step)
        {
            for (double vx = x0 - halfWidth; vx <= x0 + halfWidth + 1e-9; vx += step)
                for (double vy = y0 - halfWidth; vy <= y0 + halfWidth + 1e-9; vy += step)
                {
                    if (vx * vx + vy * vy > range * range) continue;
                    var c = new[] { vx, 0, 0, vy, 0, 0 };
                    double v = Contrast(c);
                    if (v > best) { best = v; bestC = c; }
                }
        }
        Grid(0, 0, range, 2);
        Grid(bestC[0], bestC[3], 2, 1);
        double zero = Contrast(new double[6]);
        try
        {
            var obj = ObjectiveFunction.Value(v => -Contrast(v.ToArray()));
            var res = NelderMeadSimplex.Minimum(obj, Vector<double>.Build.DenseOfArray(bestC), Vector<double>.Build.DenseOfArray([1.0, 2, 4, 1, 2, 4]), 1e-6, 600);
            if (-res.FunctionInfoAtMinimum.Value > best) { best = -res.FunctionInfoAtMinimum.Value; bestC = res.MinimizingPoint.ToArray(); }
        }
        catch (MaximumIterationsException) { /* keep the coarse optimum */ }

        double cxe = ew / 2.0, cye = eh / 2.0;
        var midFrame = eventsToFrame.Apply(cxe, cye);
        var offsets = new (double X, double Y)[samples];
        for (int k = 0; k < samples; k++)
        {
            double t = (k + 0.5) / samples - 0.5, t2 = t * t, t3 = t2 * t;
            var q = eventsToFrame.Apply(cxe + bestC[0] * t + bestC[1] * t2 + bestC[2] * t3, cye + bestC[3] * t + bestC[4] * t2 + bestC[5] * t3);
            offsets[k] = (q.X - midFrame.X, q.Y - midFrame.Y);
        }
        double gain = zero > 0 ? best / zero - 1 : 0;
        return new ContrastMaximizationResult(offsets, all.Count, pick.Length, gain, $"texture: contrast ×{best / Math.Max(zero, 1e-12):F2} over no motion, {pick.Length} events");
    }
}
