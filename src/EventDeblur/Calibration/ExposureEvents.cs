using EventDeblur.Events;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Calibration;

/// <summary>The events inside each of a few time windows, collected in one walk over an event file.</summary>
internal static class ExposureEvents
{
    /// <summary>
    /// Per window (end-exclusive, µs on the event clock), the times (µs), pixels (y · width + x) and polarities (true: ON)
    /// of the events inside it, in file order; events off the <paramref name="width"/> × <paramref name="height"/> sensor
    /// are left out. The walk stops after the last window's end.
    /// </summary>
    public static (List<long> Times, List<int> Pixels, List<bool> On)[] Collect(string path, IReadOnlyList<TimeRangeUs> windows, int width, int height)
    {
        var result = windows.Select(_ => (new List<long>(), new List<int>(), new List<bool>())).ToArray();
        if (windows.Count == 0) return result;
        long lastEnd = windows.Max(w => w.EndUs);
        using var reader = AedatReader.Open(path, new AedatReaderOptions { DecodeFrames = false });
        while (reader.TryRead(out var packet))
        {
            if (packet is not EventsPacket ep) continue;
            using var b = ep.Events;
            if (b.Count == 0) continue;
            var ts = b.Timestamps;
            var xs = b.Xs;
            var ys = b.Ys;
            var ps = b.Polarities;
            for (int k = 0; k < windows.Count; k++)
            {
                var w = windows[k];
                if (ts[^1] < w.StartUs || ts[0] >= w.EndUs) continue;
                for (int i = TimeOrder.LowerBound(ts, w.StartUs); i < ts.Length && ts[i] < w.EndUs; i++)
                {
                    int x = xs[i], y = ys[i];
                    if ((uint)x >= (uint)width || (uint)y >= (uint)height) continue;
                    result[k].Item1.Add(ts[i]);
                    result[k].Item2.Add(y * width + x);
                    result[k].Item3.Add(ps[i]);
                }
            }
            if (ts[^1] >= lastEnd) break;
        }
        return result;
    }
}
