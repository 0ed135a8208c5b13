using EventDeblur.Events;

namespace EventDeblur.Kernels;

/// <summary>
/// Finds the hot pixels of an event window and takes their events out before the kernels are estimated: a pixel that
/// fires throughout the window (in at least <see cref="MinBinsHit"/> of its <see cref="Bins"/> equal stretches of time),
/// at least <see cref="MinEvents"/> times and at least <see cref="NeighbourFactor"/> times as often as the median pixel
/// of the ring two pixels around it (plus one). A moving light crosses a pixel in a burst, and its neighbours fire with
/// it; a hot pixel (or a flickering point light that does not move) fires all the time, alone. Stop 48's trial: 18 hot
/// pixels at 10 kHz (a Prophesee sensor's) stacked perfectly sharp under "no motion", which then beat eight agreeing
/// light paths; every frame came out at its blurry input, <c>ok</c>, with no word.
/// </summary>
public static class HotPixelFilter
{
    /// <summary>Equal stretches the window's time span is cut into (16).</summary>
    public const int Bins = 16;

    /// <summary>Stretches a hot pixel fires in, at least (12 of 16: three quarters of the window).</summary>
    public const int MinBinsHit = 12;

    /// <summary>Events a hot pixel fires in the window, at least (16).</summary>
    public const int MinEvents = 16;

    /// <summary>A hot pixel's events over (the median of its ring's + 1), at least (8).</summary>
    public const int NeighbourFactor = 8;

    /// <summary>What was taken out: the pixels (event sensor x, y), how many events they held, and of how many in the window.</summary>
    public sealed record Report(IReadOnlyList<(int X, int Y)> Pixels, long Events, long WindowEvents)
    {
        /// <summary>A line for a frame's diagnostics; null when no pixel was hot.</summary>
        public string? Diagnostic => Pixels.Count == 0 ? null
            : $"{Pixels.Count} hot pixel(s) set aside for the kernels ({Events:N0} events, {100.0 * Events / Math.Max(1, WindowEvents):0.#} % of the window's): each fired throughout the window, over {NeighbourFactor}× as often as the pixels around it ({string.Join(", ", Pixels.Take(5).Select(p => $"({p.X},{p.Y})"))}{(Pixels.Count > 5 ? ", …" : "")} event px)";
    }

    /// <summary>
    /// The events of <paramref name="events"/> (time-ordered, event sensor pixels) without those of its hot pixels, and
    /// which they were. The same slice when none is hot.
    /// </summary>
    public static (EventSlice Events, Report Report) Remove(EventSlice events)
    {
        int n = events.Count;
        var none = new Report([], 0, n);
        if (n < MinEvents) return (events, none);
        int maxX = 0, maxY = 0;
        for (int i = 0; i < n; i++)
        {
            if (events.X[i] > maxX) maxX = events.X[i];
            if (events.Y[i] > maxY) maxY = events.Y[i];
            if (events.X[i] < 0 || events.Y[i] < 0) return (events, none);
        }
        long t0 = events.T[0], span = Math.Max(1, events.T[n - 1] - t0 + 1);
        int w = maxX + 1, h = maxY + 1;
        var count = new int[w * h];
        var bins = new ushort[w * h];
        for (int i = 0; i < n; i++)
        {
            int k = events.Y[i] * w + events.X[i];
            count[k]++;
            bins[k] |= (ushort)(1 << (int)((events.T[i] - t0) * Bins / span));
        }
        var hot = new List<int>();
        Span<int> ring = stackalloc int[16];
        for (int k = 0; k < count.Length; k++)
        {
            if (count[k] < MinEvents || System.Numerics.BitOperations.PopCount(bins[k]) < MinBinsHit) continue;
            int x = k % w, y = k / w, m = 0;
            for (int dy = -2; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++)
                {
                    if (Math.Max(Math.Abs(dx), Math.Abs(dy)) != 2) continue;
                    int xx = x + dx, yy = y + dy;
                    ring[m++] = xx >= 0 && yy >= 0 && xx < w && yy < h ? count[yy * w + xx] : 0;
                }
            ring.Sort();
            double median = (ring[7] + ring[8]) / 2.0;
            if (count[k] >= NeighbourFactor * (median + 1)) hot.Add(k);
        }
        if (hot.Count == 0) return (events, none);
        var isHot = new bool[w * h];
        long removed = 0;
        foreach (int k in hot) { isHot[k] = true; removed += count[k]; }
        int kept = (int)(n - removed);
        var t = new long[kept]; var xs = new short[kept]; var ys = new short[kept]; var ps = new bool[kept];
        for (int i = 0, j = 0; i < n; i++)
        {
            if (isHot[events.Y[i] * w + events.X[i]]) continue;
            t[j] = events.T[i]; xs[j] = events.X[i]; ys[j] = events.Y[i]; ps[j] = events.P[i];
            j++;
        }
        return (new EventSlice(t, xs, ys, ps), new Report(hot.Select(k => (k % w, k / w)).ToList(), removed, n));
    }
}
