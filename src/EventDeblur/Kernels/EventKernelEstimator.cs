using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Streaks;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace EventDeblur.Kernels;

/// <summary>
/// Blur kernels from the events around light streaks (the heart of the method): streaks in the
/// blurry frame → their regions in the event sensor through the homography → events of the exposure
/// window, noise-filtered → time-sliced ON/OFF centroids → a smooth sub-pixel path → mapped into frame
/// pixels by the exact inverse homography and resampled finely → splatted with equal time weight
/// (mass is exposure time) → a normalised kernel centred on the mid-exposure position. Every
/// candidate light's path feeds one camera-motion model chosen by consensus (<see cref="MotionConsensus"/>:
/// translation, rotation or affine, giving per-tile kernels when the blur varies across the frame). Without streaks, a translation path is found from all
/// events by contrast maximisation.
/// </summary>
public sealed class EventKernelEstimator(EventKernelOptions? options = null) : IKernelEstimator
{
    private readonly EventKernelOptions _o = options ?? new EventKernelOptions();

    /// <inheritdoc />
    public string Name => "events";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        var frameExposure = request.Exposure ?? throw new InvalidOperationException("frame has no exposure window");
        var diagnostics = new List<string>();
        // On the events' clock: the exposure as the (late) events see it.
        var exposure = new TimeRangeUs(frameExposure.StartUs + _o.EventLatencyUs, frameExposure.EndUs + _o.EventLatencyUs);
        var img = request.Blurry;
        var h = request.FrameToEvents;
        var hInv = h.Inverse();
        int samples = 200;
        var detection = StreakDetector.Detect(img, request.SaturationLinear, _o.Streaks);
        foreach (var r in detection.Rejected.Take(20)) diagnostics.Add($"streak at ({r.X0},{r.Y0}) {r.Width}×{r.Height} rejected: {r.Reason}");

        var trajectories = new List<StreakTrajectory>();
        long used = 0;
        foreach (var s in detection.Streaks.Take(_o.MaxStreaks))
        {
            var t = TraceStreak(request.Events, s, h, hInv, exposure, samples, out int n, out string? why);
            if (t == null) { diagnostics.Add($"streak at ({s.CentroidX:F0},{s.CentroidY:F0}) not traced: {why}"); continue; }
            trajectories.Add(t);
            used += n;
            diagnostics.Add($"streak at ({s.CentroidX:F0},{s.CentroidY:F0}): {n} events, path RMS {t.RmsResidualPx:F2} event px, end offset ({t.Offsets[^1].X:F1},{t.Offsets[^1].Y:F1}) px");
        }
        if (trajectories.Count > 0)
        {
            var consensus = MotionConsensus.Fit(trajectories, img.Width, img.Height, _o.Consensus);
            var inliers = new List<StreakTrajectory>();
            foreach (var v in consensus.Verdicts)
            {
                var t = trajectories[v.Candidate];
                if (v.Inlier) inliers.Add(t);
                else diagnostics.Add($"streak at ({t.Mid.X:F0},{t.Mid.Y:F0}) set aside by the consensus: its path is {v.DistancePx:F1} px from the camera motion (tolerance {v.TolerancePx:F1} px)");
            }
            diagnostics.Add($"camera motion: {consensus.Motion.Kind.ToString().ToLowerInvariant()}, {consensus.Inliers} of {trajectories.Count} light paths agree");
            var streakTiles = TilesFrom(consensus.Motion, img.Width, img.Height, diagnostics);
            double rms = inliers.Average(t => t.RmsResidualPx);
            double confidence = Math.Clamp(1 - rms / 2, 0, 1) * Math.Min(1, inliers.Count / 2.0 + 0.5) * consensus.Inliers / trajectories.Count;
            return new KernelEstimate(streakTiles, "events:streaks", confidence, inliers.Count, inliers.Sum(t => (long)t.Events), diagnostics);
        }
        var (tiles, textureEvents, contrast) = FromTexture(request, hInv, exposure, samples, diagnostics);
        return new KernelEstimate(tiles, "events:texture", Math.Clamp(contrast, 0, 1), 0, textureEvents, diagnostics);
    }

    private StreakTrajectory? TraceStreak(EventSlice ev, Streak s, Homography h, Homography hInv, TimeRangeUs exposure, int samples, out int used, out string? why)
    {
        used = 0;
        why = null;
        double m = _o.RegionMarginPx;
        var corners = new[] { (s.X0 - m, s.Y0 - m), (s.X0 + s.Width + m, s.Y0 - m), (s.X0 - m, s.Y0 + s.Height + m), (s.X0 + s.Width + m, s.Y0 + s.Height + m) }
            .Select(c => h.Apply(c.Item1, c.Item2)).ToArray();
        double ex0 = corners.Min(c => c.X) - 1, ex1 = corners.Max(c => c.X) + 1, ey0 = corners.Min(c => c.Y) - 1, ey1 = corners.Max(c => c.Y) + 1;
        var idx = new List<int>();
        int lo = LowerBound(ev.T, exposure.StartUs), hi = LowerBound(ev.T, exposure.EndUs);
        for (int i = lo; i < hi; i++)
            if (ev.X[i] >= ex0 && ev.X[i] <= ex1 && ev.Y[i] >= ey0 && ev.Y[i] <= ey1) idx.Add(i);
        idx = new BackgroundActivityFilter(_o.SupportWindowUs).Filter(ev, idx);
        if (idx.Count < _o.MinEventsPerStreak) { why = $"{idx.Count} events after noise filtering (< {_o.MinEventsPerStreak})"; return null; }

        // Time-sliced centroids: ON events lead the light, OFF events trail it; their mean tracks it.
        int S = _o.TimeSlices;
        double dur = exposure.DurationUs;
        var ts = new List<double>(); var xs = new List<double>(); var ys = new List<double>(); var ws = new List<double>();
        for (int j = 0; j < S; j++)
        {
            double a = exposure.StartUs + (j - 0.25) * dur / S, b = exposure.StartUs + (j + 1.25) * dur / S;
            var on = idx.Where(i => ev.T[i] >= a && ev.T[i] < b && ev.P[i]).ToList();
            var off = idx.Where(i => ev.T[i] >= a && ev.T[i] < b && !ev.P[i]).ToList();
            var con = TrimmedCentroid(ev, on);
            var coff = TrimmedCentroid(ev, off);
            (double X, double Y, double T)? c = con != null && coff != null
                ? ((con.Value.X + coff.Value.X) / 2, (con.Value.Y + coff.Value.Y) / 2, (con.Value.T + coff.Value.T) / 2)
                : con ?? coff;
            if (c == null) continue;
            // The centroid belongs to its events' mean time, not the slice centre: the first and last windows are cut
            // by the exposure bounds, and dating them at the centre would shorten the path at both ends.
            ts.Add((c.Value.T - exposure.StartUs) / dur);
            xs.Add(c.Value.X);
            ys.Add(c.Value.Y);
            ws.Add(on.Count + off.Count);
        }
        if (ts.Count < S / 2) { why = $"events cover only {ts.Count} of {S} time slices"; return null; }
        int degree = Math.Min(5, ts.Count / 4);
        var px = Fit.PolynomialWeighted(ts.ToArray(), xs.ToArray(), ws.ToArray(), degree);
        var py = Fit.PolynomialWeighted(ts.ToArray(), ys.ToArray(), ws.ToArray(), degree);
        double rms = Math.Sqrt(ts.Select((t, i) => Math.Pow(Polynomial.Evaluate(t, px) - xs[i], 2) + Math.Pow(Polynomial.Evaluate(t, py) - ys[i], 2)).Average());

        // Into frame pixels through the exact inverse homography, resampled finely in time.
        var mid = hInv.Apply(Polynomial.Evaluate(0.5, px), Polynomial.Evaluate(0.5, py));
        var offsets = new (double X, double Y)[samples];
        for (int k = 0; k < samples; k++)
        {
            double t = (k + 0.5) / samples;
            var q = hInv.Apply(Polynomial.Evaluate(t, px), Polynomial.Evaluate(t, py));
            offsets[k] = (q.X - mid.X, q.Y - mid.Y);
        }
        used = idx.Count;
        return new StreakTrajectory(mid, offsets, idx.Count, rms);
    }

    private List<KernelTile> TilesFrom(CameraMotion motion, int w, int hgt, List<string> diagnostics)
    {
        if (!motion.VariesAcrossFrame) return [new KernelTile(0, 0, w, hgt, KernelRaster.FromOffsets(motion.Shift))];
        // Tiles small enough that the kernel changes by at most about a pixel and a half from one to the next.
        double gradient = motion.MaxOffsetGradient();
        int tile = (int)Math.Clamp(_o.MaxTileChangePx / Math.Max(gradient, 1e-9), _o.MinTileSizePx, _o.TileSizePx);
        diagnostics.Add($"{motion.Kind.ToString().ToLowerInvariant()} motion modelled: paths differ by up to {motion.MaxCornerDeviationPx(w, hgt):F1} px between the centre and the corners; {tile}-px tiles");
        var tiles = new List<KernelTile>();
        for (int y0 = 0; y0 < hgt; y0 += tile)
            for (int x0 = 0; x0 < w; x0 += tile)
            {
                int x1 = Math.Min(w, x0 + tile), y1 = Math.Min(hgt, y0 + tile);
                tiles.Add(new KernelTile(x0, y0, x1, y1, Recentre(motion.OffsetsAt((x0 + x1 - 1) / 2.0, (y0 + y1 - 1) / 2.0))));
            }
        return tiles;
    }

    /// <summary>Offsets relative to the path's mid-exposure sample, so the kernel centre is the mid-exposure position.</summary>
    private static BlurKernel Recentre((double X, double Y)[] offs)
    {
        var m = offs[offs.Length / 2];
        return KernelRaster.FromOffsets(offs.Select(o => (o.X - m.X, o.Y - m.Y)).ToArray());
    }

    /// <summary>
    /// Contrast maximisation: the cubic translation path (event pixels) that makes the events, warped
    /// to mid-exposure, form the sharpest image (largest variance).
    /// </summary>
    private (List<KernelTile> Tiles, int Used, double Contrast) FromTexture(KernelRequest request, Homography hInv, TimeRangeUs exposure, int samples, List<string> diagnostics)
    {
        var ev = request.Events;
        int lo = LowerBound(ev.T, exposure.StartUs), hi = LowerBound(ev.T, exposure.EndUs);
        var all = Enumerable.Range(lo, hi - lo).ToList();
        all = new BackgroundActivityFilter(_o.SupportWindowUs / 2).Filter(ev, all);
        int stride = Math.Max(1, all.Count / 60_000);
        var pick = all.Where((_, i) => i % stride == 0).ToArray();
        var (ew, eh) = request.EventSensorSize;
        if (pick.Length < 500 || ew <= 0)
        {
            diagnostics.Add($"texture: only {pick.Length} events in the exposure; no blur assumed");
            return ([new KernelTile(0, 0, request.Blurry.Width, request.Blurry.Height, BlurKernel.Delta)], pick.Length, 0);
        }
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
        double range = _o.MaxTextureBlurEventPx;
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
        var midFrame = hInv.Apply(cxe, cye);
        var offsets = new (double X, double Y)[samples];
        for (int k = 0; k < samples; k++)
        {
            double t = (k + 0.5) / samples - 0.5, t2 = t * t, t3 = t2 * t;
            var q = hInv.Apply(cxe + bestC[0] * t + bestC[1] * t2 + bestC[2] * t3, cye + bestC[3] * t + bestC[4] * t2 + bestC[5] * t3);
            offsets[k] = (q.X - midFrame.X, q.Y - midFrame.Y);
        }
        double gain = zero > 0 ? best / zero - 1 : 0;
        diagnostics.Add($"texture: contrast ×{best / Math.Max(zero, 1e-12):F2} over no motion, {pick.Length} events");
        return ([new KernelTile(0, 0, request.Blurry.Width, request.Blurry.Height, KernelRaster.FromOffsets(offsets))], all.Count, gain);
    }

    /// <summary>Centroid of the events near the median position, and their mean timestamp (µs).</summary>
    private static (double X, double Y, double T)? TrimmedCentroid(EventSlice ev, List<int> idx)
    {
        if (idx.Count < 2) return null;
        double mx = Median(idx.Select(i => (double)ev.X[i])), my = Median(idx.Select(i => (double)ev.Y[i])), mt = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            var near = idx.Where(i => Math.Abs(ev.X[i] - mx) <= 3 && Math.Abs(ev.Y[i] - my) <= 3).ToList();
            if (near.Count < 2) return null;
            mx = near.Average(i => (double)ev.X[i]);
            my = near.Average(i => (double)ev.Y[i]);
            mt = near.Average(i => (double)ev.T[i]);
        }
        return (mx, my, mt);
    }

    private static double Median(IEnumerable<double> v)
    {
        var a = v.OrderBy(x => x).ToArray();
        return a.Length == 0 ? 0 : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    private static int LowerBound(IReadOnlyList<long> t, long v)
    {
        int lo = 0, hi = t.Count;
        while (lo < hi) { int mid = (lo + hi) >> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
