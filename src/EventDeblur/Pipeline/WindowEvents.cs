using EventDeblur.Events;

namespace EventDeblur.Pipeline;

/// <summary>Collects the events of one window from time-ordered batches.</summary>
internal sealed class WindowEvents(TimeRangeUs window)
{
    private readonly List<long> _t = [];
    private readonly List<short> _x = [];
    private readonly List<short> _y = [];
    private readonly List<bool> _p = [];

    public TimeRangeUs Window { get; } = window;

    public void Add(EventBatch b)
    {
        var t = b.Timestamps;
        if (t.Length == 0 || t[^1] < Window.StartUs || t[0] >= Window.EndUs) return;
        int lo = LowerBound(t, Window.StartUs), hi = LowerBound(t, Window.EndUs);
        for (int i = lo; i < hi; i++)
        {
            _t.Add(t[i]);
            _x.Add(b.Xs[i]);
            _y.Add(b.Ys[i]);
            _p.Add(b.Polarities[i]);
        }
    }

    public EventSlice ToSlice() => new(_t.ToArray(), _x.ToArray(), _y.ToArray(), _p.ToArray());

    private static int LowerBound(ReadOnlySpan<long> t, long v)
    {
        int lo = 0, hi = t.Length;
        while (lo < hi) { int mid = (lo + hi) >> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
