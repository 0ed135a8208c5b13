using EventDeblur.Events;

namespace EventDeblur.Kernels;

/// <summary>
/// Background-activity filter (removes hot pixels and shot noise): keeps an event when another event fired in its
/// 3×3 pixel neighbourhood within ±<paramref name="window"/> µs (the same pixel counts only with another timestamp).
/// </summary>
/// <param name="window">Half-width of the support window, µs.</param>
public sealed class BackgroundActivityFilter(long window) : IEventFilter
{
    /// <inheritdoc />
    public List<int> Filter(EventSlice ev, IReadOnlyList<int> idx)
    {
        var byPixel = new Dictionary<int, List<long>>();
        foreach (int i in idx)
        {
            int key = ev.Y[i] * 65536 + ev.X[i];
            if (!byPixel.TryGetValue(key, out var l)) byPixel[key] = l = [];
            l.Add(ev.T[i]);
        }
        var keep = new List<int>(idx.Count);
        foreach (int i in idx)
        {
            bool ok = false;
            for (int dy = -1; dy <= 1 && !ok; dy++)
                for (int dx = -1; dx <= 1 && !ok; dx++)
                {
                    if (!byPixel.TryGetValue((ev.Y[i] + dy) * 65536 + ev.X[i] + dx, out var l)) continue;
                    int j = LowerBound(l, ev.T[i] - window);
                    for (; j < l.Count && l[j] <= ev.T[i] + window; j++)
                        if (dx != 0 || dy != 0 || l[j] != ev.T[i]) { ok = true; break; }
                }
            if (ok) keep.Add(i);
        }
        return keep;
    }

    private static int LowerBound(List<long> t, long v)
    {
        int lo = 0, hi = t.Count;
        while (lo < hi) { int mid = (lo + hi) >> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
