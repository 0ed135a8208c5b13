using System.Runtime.CompilerServices;
using EventDeblur.Events;

namespace EventDeblur.Kernels;

/// <summary>
/// Finds lights that flicker with the mains (100 Hz on 50-Hz grids, 120 Hz on 60-Hz ones: sodium, mercury and many LED
/// street lamps) from their events: a flickering light fires ON events over its whole footprint while its brightness
/// rises and OFF events while it falls, so the signed event rate (ON minus OFF per millisecond) inside its box swings at
/// the flicker frequency, where a steady light's moving edges fire ON and OFF together. A light flickers when one of
/// <see cref="FrequenciesHz"/> holds at least <see cref="MinShareFor"/> of the signed rate's energy over the exposure
/// (which spans at least <see cref="MinCycles"/> of its periods), <see cref="MinControlRatio"/> times as much as any of
/// <see cref="ControlHz"/>, with at least <see cref="MinEvents"/> events in the box.
/// Stop 49's trial: six lamps flickering fully at 100 Hz raised the warped-event contrast of every motion hypothesis
/// fifteen-fold (their bursts stack under any path), and the texture search, free to fit each region, beat eleven of
/// fifteen light paths agreeing on the camera's translation: −5.65 dB, with no word of flicker.
/// </summary>
public static class FlickerDetector
{
    /// <summary>The flicker frequencies looked for, Hz: twice the mains frequency of 50- and 60-Hz grids.</summary>
    public static readonly IReadOnlyList<double> FrequenciesHz = [100, 120];

    /// <summary>
    /// Share of the signed event rate's energy (its mean removed) at the flicker frequency, at least (0.3), and at least
    /// 2·ln(10⁴) / bins, so that a steady light's rate (about white: its share at one frequency exceeds x with probability
    /// e^(−x·bins/2)) passes it at one frequency in 10⁴ (0.61 over a 30-ms exposure, 0.31 over 60 ms): stop 49's review
    /// found 1.7 % of steady lights flagged over 30 ms with 0.3 alone.
    /// </summary>
    public const double MinShare = 0.3;

    /// <summary>
    /// The share at the flicker frequency must also be this many times the largest share at <see cref="ControlHz"/> (3):
    /// a camera's own motion can put a swing in a light's signed rate (the foreign rotation-2007, with no flicker: 0.42
    /// of it at 70 Hz, 0.26 at 120 Hz), but not at the mains' rhythm alone.
    /// </summary>
    public const double MinControlRatio = 3;

    /// <summary>Frequencies near the mains' rhythm but off it and its harmonics, Hz, whose shares a flicker must stand out from.</summary>
    public static readonly IReadOnlyList<double> ControlHz = [60, 75, 150, 175];

    /// <summary>The least share that counts as flicker over <paramref name="bins"/> bins (<see cref="MinShare"/>).</summary>
    public static double MinShareFor(int bins) => Math.Max(MinShare, 2 * Math.Log(1e4) / Math.Max(1, bins));

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
    /// <see cref="MinShare"/> (or the exposure or the events are too few to tell). <paramref name="sensor"/> is the event
    /// sensor's size (event px); boxes are clipped to it.
    /// </summary>
    public static (double FrequencyHz, double Share)? Detect(EventSlice events, (int Width, int Height) sensor, double x0, double y0, double x1, double y1, TimeRangeUs exposure) =>
        DetectAll(events, sensor, [(x0, y0, x1, y1)], exposure)[0];

    /// <summary>
    /// <see cref="Detect"/> for each of <paramref name="boxes"/> (event px, bounds inclusive; they may overlap) in one pass
    /// over the exposure's events: each event is looked up in a map of the boxes covering its pixel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double FrequencyHz, double Share)?[] DetectAll(EventSlice events, (int Width, int Height) sensor, IReadOnlyList<(double X0, double Y0, double X1, double Y1)> boxes, TimeRangeUs exposure)
    {
        var result = new (double, double)?[boxes.Count];
        long duration = exposure.DurationUs;
        if (boxes.Count == 0 || duration < MinCycles * 1e6 / FrequenciesHz.Max()) return result;
        int bins = (int)(duration / BinUs);
        if (bins < 8) return result;
        int lo = EventTime.LowerBound(events.T, exposure.StartUs), hi = EventTime.LowerBound(events.T, exposure.EndUs);
        var map = BoxMap.Of(boxes, sensor);
        var signed = new double[boxes.Count][];
        var count = new int[boxes.Count];
        for (int i = lo; i < hi; i++)
        {
            var covering = map.At(events.X[i], events.Y[i]);
            if (covering == null) continue;
            long b = (events.T[i] - exposure.StartUs) / BinUs;
            if (b >= bins) continue;
            int sign = events.P[i] ? 1 : -1;
            foreach (int k in covering)
            {
                (signed[k] ??= new double[bins])[b] += sign;
                count[k]++;
            }
        }
        for (int k = 0; k < boxes.Count; k++)
            if (count[k] >= MinEvents) result[k] = Strongest(signed[k], duration);
        return result;
    }

    /// <summary>
    /// The flicker frequency holding the largest share of a signed rate's energy, when that share reaches
    /// <see cref="MinShareFor"/> and <see cref="MinControlRatio"/> times every control frequency's; else null.
    /// </summary>
    private static (double FrequencyHz, double Share)? Strongest(double[] signed, long durationUs)
    {
        int bins = signed.Length;
        double mean = signed.Average(), energy = 0;
        for (int b = 0; b < bins; b++) { signed[b] -= mean; energy += signed[b] * signed[b]; }
        if (!(energy > 0)) return null;
        double Share(double f)
        {
            double re = 0, im = 0;
            for (int b = 0; b < bins; b++)
            {
                double phase = 2 * Math.PI * f * (b + 0.5) * BinUs / 1e6;
                re += signed[b] * Math.Cos(phase);
                im -= signed[b] * Math.Sin(phase);
            }
            return 2 * (re * re + im * im) / (bins * energy);
        }
        double least = MinShareFor(bins);
        (double Hz, double Share)? best = null;
        foreach (double f in FrequenciesHz)
        {
            if (durationUs * f / 1e6 < MinCycles) continue;
            double share = Share(f);
            if (share >= least && (best == null || share > best.Value.Share)) best = (f, share);
        }
        if (best == null) return null;
        double control = ControlHz.Max(Share);
        return best.Value.Share >= MinControlRatio * control ? best : null;
    }

    /// <summary>Which boxes cover each pixel of the region they span on the sensor (event px), for lookups by pixel.</summary>
    private sealed class BoxMap
    {
        private int _x0, _y0, _w, _h;
        private List<int>?[] _cells = [];

        public static BoxMap Of(IReadOnlyList<(double X0, double Y0, double X1, double Y1)> boxes, (int Width, int Height) sensor)
        {
            // Integer pixels inside a box and on the sensor: ceil(lower bound) .. floor(upper bound), clipped (NaN: none).
            static int Lo(double v, int size) => double.IsNaN(v) ? size : (int)Math.Clamp(Math.Ceiling(v), 0, size);
            static int Hi(double v, int size) => double.IsNaN(v) ? -1 : (int)Math.Clamp(Math.Floor(v), -1, size - 1);
            var m = new BoxMap();
            var valid = boxes.Select((b, k) => (K: k, X0: Lo(b.X0, sensor.Width), Y0: Lo(b.Y0, sensor.Height), X1: Hi(b.X1, sensor.Width), Y1: Hi(b.Y1, sensor.Height)))
                .Where(b => b.X1 >= b.X0 && b.Y1 >= b.Y0).ToList();
            if (valid.Count == 0) return m;
            m._x0 = valid.Min(b => b.X0); m._y0 = valid.Min(b => b.Y0);
            m._w = valid.Max(b => b.X1) - m._x0 + 1; m._h = valid.Max(b => b.Y1) - m._y0 + 1;
            m._cells = new List<int>?[(long)m._w * m._h];
            foreach (var b in valid)
                for (int y = b.Y0; y <= b.Y1; y++)
                    for (int x = b.X0; x <= b.X1; x++)
                        (m._cells[(y - m._y0) * m._w + (x - m._x0)] ??= []).Add(b.K);
            return m;
        }

        public List<int>? At(int x, int y)
        {
            int cx = x - _x0, cy = y - _y0;
            return cx >= 0 && cy >= 0 && cx < _w && cy < _h ? _cells[cy * _w + cx] : null;
        }
    }

    /// <summary>
    /// <paramref name="events"/> without those inside the boxes of <paramref name="lights"/> (at any time) on a sensor of
    /// <paramref name="sensor"/> event px: the events the camera motion is scored and searched on when lights flicker. The
    /// same slice when there are none.
    /// </summary>
    public static EventSlice WithoutLights(EventSlice events, (int Width, int Height) sensor, IReadOnlyList<Light> lights)
    {
        if (lights.Count == 0) return events;
        var map = BoxMap.Of([.. lights.Select(l => (l.X0, l.Y0, l.X1, l.Y1))], sensor);
        var keep = new List<int>(events.Count);
        for (int i = 0; i < events.Count; i++)
            if (map.At(events.X[i], events.Y[i]) == null) keep.Add(i);
        if (keep.Count == events.Count) return events;
        return new EventSlice([.. keep.Select(i => events.T[i])], [.. keep.Select(i => events.X[i])], [.. keep.Select(i => events.Y[i])], [.. keep.Select(i => events.P[i])]);
    }
}
