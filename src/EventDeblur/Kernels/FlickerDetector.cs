using System.Runtime.CompilerServices;
using EventDeblur.Events;
using EventDeblur.Imaging;

namespace EventDeblur.Kernels;

/// <summary>
/// Finds lights that flicker with the mains (100 Hz on 50-Hz grids, 120 Hz on 60-Hz ones: sodium, mercury and many LED
/// street lamps) from their events: a flickering light fires ON events over its whole footprint while its brightness
/// rises and OFF events while it falls, so the signed event rate (ON minus OFF per millisecond) inside its box swings at
/// the flicker frequency, where a steady light's moving edges fire ON and OFF together. A light flickers when one of
/// <see cref="FrequenciesHz"/> holds at least <see cref="MinShare"/> of the signed rate's energy over the exposure, which
/// spans at least <see cref="MinCycles"/> of its periods, with at least <see cref="MinEvents"/> events in the box.
/// Stop 49's trial: six lamps flickering fully at 100 Hz raised the warped-event contrast of every motion hypothesis
/// fifteen-fold (their bursts stack under any path), and the texture search, free to fit each region, beat eleven of
/// fifteen light paths agreeing on the camera's translation: −5.65 dB, with no word of flicker.
/// </summary>
public static class FlickerDetector
{
    /// <summary>The flicker frequencies looked for, Hz: twice the mains frequency of 50- and 60-Hz grids.</summary>
    public static readonly IReadOnlyList<double> FrequenciesHz = [100, 120];

    /// <summary>Share of the signed event rate's energy (its mean removed) at the flicker frequency, at least (0.3; white noise gives about 2 / bins).</summary>
    public const double MinShare = 0.3;

    /// <summary>Flicker periods the exposure must span, at least (3).</summary>
    public const double MinCycles = 3;

    /// <summary>Events in the light's box over the exposure, at least (200).</summary>
    public const int MinEvents = 200;

    /// <summary>Width of the signed event rate's bins, µs (1 ms: five bins per half-period at 100 Hz).</summary>
    public const long BinUs = 1000;

    /// <summary>A flickering light: its box on the event sensor (event px, inclusive), the frequency found (Hz) and its share of the signed rate's energy.</summary>
    public sealed record Light(double X0, double Y0, double X1, double Y1, double FrequencyHz, double Share);

    /// <summary>
    /// The flicker of the light whose box on the event sensor is [<paramref name="x0"/>, <paramref name="x1"/>] ×
    /// [<paramref name="y0"/>, <paramref name="y1"/>] (event px) over <paramref name="exposure"/> (event clock, µs), from
    /// <paramref name="events"/> (time-ordered): the frequency with the larger share, or null when none reaches
    /// <see cref="MinShare"/> (or the exposure or the events are too few to tell).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double FrequencyHz, double Share)? Detect(EventSlice events, double x0, double y0, double x1, double y1, TimeRangeUs exposure)
    {
        long duration = exposure.DurationUs;
        if (duration < MinCycles * 1e6 / FrequenciesHz.Min()) return null;
        int bins = (int)(duration / BinUs);
        if (bins < 8) return null;
        var signed = new double[bins];
        int lo = EventTime.LowerBound(events.T, exposure.StartUs), hi = EventTime.LowerBound(events.T, exposure.EndUs), count = 0;
        for (int i = lo; i < hi; i++)
        {
            if (events.X[i] < x0 || events.X[i] > x1 || events.Y[i] < y0 || events.Y[i] > y1) continue;
            long b = (events.T[i] - exposure.StartUs) / BinUs;
            if (b >= bins) continue;
            signed[b] += events.P[i] ? 1 : -1;
            count++;
        }
        if (count < MinEvents) return null;
        double mean = signed.Average(), energy = 0;
        for (int b = 0; b < bins; b++) { signed[b] -= mean; energy += signed[b] * signed[b]; }
        if (!(energy > 0)) return null;
        (double Hz, double Share)? best = null;
        foreach (double f in FrequenciesHz)
        {
            if (duration * f / 1e6 < MinCycles) continue;
            double re = 0, im = 0;
            for (int b = 0; b < bins; b++)
            {
                double phase = 2 * Math.PI * f * (b + 0.5) * BinUs / 1e6;
                re += signed[b] * Math.Cos(phase);
                im -= signed[b] * Math.Sin(phase);
            }
            double share = 2 * (re * re + im * im) / (bins * energy);
            if (share >= MinShare && (best == null || share > best.Value.Share)) best = (f, share);
        }
        return best;
    }

    /// <summary>
    /// <paramref name="events"/> without those inside the boxes of <paramref name="lights"/> (at any time): the events the
    /// camera motion is scored and searched on when lights flicker. The same slice when there are none.
    /// </summary>
    public static EventSlice WithoutLights(EventSlice events, IReadOnlyList<Light> lights)
    {
        if (lights.Count == 0) return events;
        bool Inside(int i)
        {
            foreach (var l in lights)
                if (events.X[i] >= l.X0 && events.X[i] <= l.X1 && events.Y[i] >= l.Y0 && events.Y[i] <= l.Y1) return true;
            return false;
        }
        var keep = new List<int>(events.Count);
        for (int i = 0; i < events.Count; i++)
            if (!Inside(i)) keep.Add(i);
        if (keep.Count == events.Count) return events;
        return new EventSlice([.. keep.Select(i => events.T[i])], [.. keep.Select(i => events.X[i])], [.. keep.Select(i => events.Y[i])], [.. keep.Select(i => events.P[i])]);
    }
}
