using System.Runtime.CompilerServices;
using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Streaks;
using MathNet.Numerics;

namespace EventDeblur.Kernels;

/// <summary>
/// One candidate light's path from its events: the light's box (plus a margin) mapped into the event sensor through
/// the rig homography → the events of the exposure window inside it (for a light whose box overlaps other lights', those
/// on its own side of the gaps, <see cref="Streak.Ownership"/>), kept when a 3×3 neighbour fired nearby in time
/// (<see cref="BackgroundActivityFilter"/>) → per time slice the trimmed centroids of ON events (leading the light)
/// and OFF events (trailing it), averaged and dated by their events' mean time → a weighted polynomial (degree ≤ 5)
/// → resampled at equal time steps and mapped into frame pixels by the exact inverse homography, as offsets from the
/// mid-exposure position.
/// </summary>
public sealed class StreakTracer
{
    private readonly StreakTracerOptions _o;

    /// <summary>Makes a tracer; <paramref name="options"/> are validated here (default: <see cref="StreakTracerOptions"/>'s defaults).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it and the range).</exception>
    public StreakTracer(StreakTracerOptions? options = null)
    {
        _o = options ?? new StreakTracerOptions();
        _o.Validate();
    }

    /// <summary>
    /// Traces <paramref name="streak"/> with the events of <paramref name="exposure"/> (event clock, µs) in
    /// <paramref name="events"/> (time-ordered); <paramref name="frameToEvents"/> maps frame to event pixels and
    /// <paramref name="eventsToFrame"/> is its inverse; the path has <paramref name="samples"/> (≥ 2) equally spaced samples.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public StreakTrace Trace(EventSlice events, Streak streak, Homography frameToEvents, Homography eventsToFrame, TimeRangeUs exposure, int samples)
    {
        var ev = events;
        var (ex0, ey0, ex1, ey1) = EventBox(streak, frameToEvents);
        var idx = new List<int>();
        int lo = EventTime.LowerBound(ev.T, exposure.StartUs), hi = EventTime.LowerBound(ev.T, exposure.EndUs);
        for (int i = lo; i < hi; i++)
            if (ev.X[i] >= ex0 && ev.X[i] <= ex1 && ev.Y[i] >= ey0 && ev.Y[i] <= ey1) idx.Add(i);
        // A light among neighbours whose boxes overlap its own keeps the events on its side of the gaps between them.
        if (streak.Ownership is { } own)
            idx.RemoveAll(i => { var f = eventsToFrame.Apply(ev.X[i], ev.Y[i]); return !own.Owns(f.X, f.Y); });
        idx = new BackgroundActivityFilter(_o.SupportWindowUs).Filter(ev, idx);
        if (idx.Count < _o.MinEventsPerStreak) return new StreakTrace(null, 0, $"{idx.Count} events after noise filtering (< {_o.MinEventsPerStreak})");

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
        if (ts.Count < S / 2) return new StreakTrace(null, 0, $"events cover only {ts.Count} of {S} time slices");
        int degree = Math.Min(5, ts.Count / 4);
        var px = Fit.PolynomialWeighted(ts.ToArray(), xs.ToArray(), ws.ToArray(), degree);
        var py = Fit.PolynomialWeighted(ts.ToArray(), ys.ToArray(), ws.ToArray(), degree);
        double rms = Math.Sqrt(ts.Select((t, i) => Math.Pow(Polynomial.Evaluate(t, px) - xs[i], 2) + Math.Pow(Polynomial.Evaluate(t, py) - ys[i], 2)).Average());

        // Into frame pixels through the exact inverse homography, resampled finely in time.
        var mid = eventsToFrame.Apply(Polynomial.Evaluate(0.5, px), Polynomial.Evaluate(0.5, py));
        var offsets = new (double X, double Y)[samples];
        for (int k = 0; k < samples; k++)
        {
            double t = (k + 0.5) / samples;
            var q = eventsToFrame.Apply(Polynomial.Evaluate(t, px), Polynomial.Evaluate(t, py));
            offsets[k] = (q.X - mid.X, q.Y - mid.Y);
        }
        return new StreakTrace(new StreakTrajectory(mid, offsets, idx.Count, rms), idx.Count, null);
    }

    /// <summary>
    /// The box on the event sensor whose events are traced for <paramref name="streak"/>: its frame box grown by
    /// <see cref="StreakTracerOptions.RegionMarginPx"/>, mapped through <paramref name="frameToEvents"/>, plus one event px
    /// (event px, bounds inclusive).
    /// </summary>
    public (double X0, double Y0, double X1, double Y1) EventBox(Streak streak, Homography frameToEvents)
    {
        var s = streak;
        double m = _o.RegionMarginPx;
        var corners = new[] { (s.X0 - m, s.Y0 - m), (s.X0 + s.Width + m, s.Y0 - m), (s.X0 - m, s.Y0 + s.Height + m), (s.X0 + s.Width + m, s.Y0 + s.Height + m) }
            .Select(c => frameToEvents.Apply(c.Item1, c.Item2)).ToArray();
        return (corners.Min(c => c.X) - 1, corners.Min(c => c.Y) - 1, corners.Max(c => c.X) + 1, corners.Max(c => c.Y) + 1);
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
}
