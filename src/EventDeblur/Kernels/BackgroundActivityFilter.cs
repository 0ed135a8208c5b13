using System.Runtime.CompilerServices;
using EventDeblur.Events;

namespace EventDeblur.Kernels;

/// <summary>
/// Background-activity filter (removes hot pixels and shot noise): keeps an event when another event fired in its
/// 3×3 pixel neighbourhood within ±<paramref name="window"/> µs (the same pixel counts only with another timestamp).
/// Two passes over the candidates in time order, one forward (latest earlier time per pixel) and one backward
/// (earliest later time per pixel), on arrays spanning the candidates' bounding box: no per-event allocation.
/// </summary>
/// <param name="window">Half-width of the support window, µs (≥ 0).</param>
public sealed class BackgroundActivityFilter(long window) : IEventFilter
{
    private const long None = long.MinValue / 4;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<int> Filter(EventSlice ev, IReadOnlyList<int> idx)
    {
        int n = idx.Count;
        var keep = new List<int>(n);
        if (n == 0) return keep;
        int minX = int.MaxValue, minY = int.MaxValue, maxX = int.MinValue, maxY = int.MinValue;
        bool sorted = true;
        for (int p = 0; p < n; p++)
        {
            int i = idx[p];
            int x = ev.X[i], y = ev.Y[i];
            if (x < minX) minX = x;
            if (x > maxX) maxX = x;
            if (y < minY) minY = y;
            if (y > maxY) maxY = y;
            if (p > 0 && ev.T[i] < ev.T[idx[p - 1]]) sorted = false;
        }
        // Time order of the candidates (their own order when already sorted, the usual case).
        int[] order = new int[n];
        for (int p = 0; p < n; p++) order[p] = p;
        if (!sorted) Array.Sort(order, (a, b) => ev.T[idx[a]] != ev.T[idx[b]] ? ev.T[idx[a]].CompareTo(ev.T[idx[b]]) : a.CompareTo(b));

        // A one-pixel frame around the box, so the 3×3 neighbourhood never leaves the arrays.
        int w = maxX - minX + 3, h = maxY - minY + 3;
        var latest = new long[w * h];
        var before = new long[w * h];
        var ok = new bool[n];
        int[] neighbours = [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1];

        // Forward: an earlier (or simultaneous) event within the window.
        Array.Fill(latest, None);
        Array.Fill(before, None);
        for (int q = 0; q < n; q++)
        {
            int p = order[q], i = idx[p];
            long t = ev.T[i], lo = t - window;
            int k = (ev.Y[i] - minY + 1) * w + ev.X[i] - minX + 1;
            bool found = latest[k] != t ? latest[k] >= lo : before[k] >= lo;
            for (int j = 0; j < 8 && !found; j++) found = latest[k + neighbours[j]] >= lo;
            ok[p] = found;
            if (latest[k] != t) { before[k] = latest[k]; latest[k] = t; }
        }
        // Backward: a later (or simultaneous) event within the window.
        var earliest = latest;
        var after = before;
        Array.Fill(earliest, long.MaxValue);
        Array.Fill(after, long.MaxValue);
        for (int q = n - 1; q >= 0; q--)
        {
            int p = order[q], i = idx[p];
            long t = ev.T[i], hi = t + window;
            int k = (ev.Y[i] - minY + 1) * w + ev.X[i] - minX + 1;
            if (!ok[p])
            {
                bool found = earliest[k] != t ? earliest[k] <= hi : after[k] <= hi;
                for (int j = 0; j < 8 && !found; j++) found = earliest[k + neighbours[j]] <= hi;
                ok[p] = found;
            }
            if (earliest[k] != t) { after[k] = earliest[k]; earliest[k] = t; }
        }
        for (int p = 0; p < n; p++)
            if (ok[p]) keep.Add(idx[p]);
        return keep;
    }
}
