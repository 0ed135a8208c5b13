using EventDeblur.Events;

namespace EventDeblur.Pipeline;

/// <summary>
/// Collects the events of one window from time-ordered batches, at most <see cref="MaxEvents"/> of them: past that the
/// window keeps one event in 2, then 1 in 4, … of those it sees, in arrival order (every kept event is one whose
/// position among the window's events is a multiple of <see cref="Stride"/>), so an absurdly long or dense exposure
/// cannot exhaust memory, and what is kept still covers the whole window evenly.
/// </summary>
internal sealed class WindowEvents(TimeRangeUs window, int maxEvents = WindowEvents.DefaultMaxEvents)
{
    /// <summary>
    /// Default cap, events per window (2 Mi). Windows of the simulators and the foreign bundles
    /// hold 0.05–0.8 M events (640×480 frames with 20–200 ms exposures); a 7.8 s DAVIS exposure held 7 M and took 517 MB.
    /// </summary>
    public const int DefaultMaxEvents = 2 << 20;

    private readonly List<long> _t = [];
    private readonly List<short> _x = [];
    private readonly List<short> _y = [];
    private readonly List<bool> _p = [];

    public TimeRangeUs Window { get; } = window;

    /// <summary>Events most kept (≥ 2); lowered by <see cref="LimitTo"/> when many windows are open at once.</summary>
    public int MaxEvents { get; private set; } = Math.Max(2, maxEvents);

    /// <summary>
    /// Lowers <see cref="MaxEvents"/> to <paramref name="max"/> (never raises it), halving what is kept until it fits:
    /// the caller's share of a budget shared by every window open at once.
    /// </summary>
    public void LimitTo(int max)
    {
        max = Math.Max(2, max);
        if (max >= MaxEvents) return;
        MaxEvents = max;
        while (_t.Count > MaxEvents) Halve();
    }

    /// <summary>Events of the window seen so far.</summary>
    public long Seen { get; private set; }

    /// <summary>One kept in <see cref="Stride"/> (1 until the window outgrew <see cref="MaxEvents"/>; a power of two).</summary>
    public long Stride { get; private set; } = 1;

    public void Add(EventBatch b)
    {
        var t = b.Timestamps;
        if (t.Length == 0 || t[^1] < Window.StartUs || t[0] >= Window.EndUs) return;
        int lo = TimeOrder.LowerBound(t, Window.StartUs), hi = TimeOrder.LowerBound(t, Window.EndUs);
        if (Stride == 1 && _t.Count + (hi - lo) <= MaxEvents)
        {
            // Under the cap (every window of a normal recording): the run is copied whole.
            _t.AddRange(t[lo..hi]);
            _x.AddRange(b.Xs[lo..hi]);
            _y.AddRange(b.Ys[lo..hi]);
            _p.AddRange(b.Polarities[lo..hi]);
            Seen += hi - lo;
            return;
        }
        for (int i = lo; i < hi; i++, Seen++)
        {
            if ((Seen & (Stride - 1)) != 0) continue;
            if (_t.Count == MaxEvents) Halve();
            if ((Seen & (Stride - 1)) != 0) continue;
            _t.Add(t[i]);
            _x.Add(b.Xs[i]);
            _y.Add(b.Ys[i]);
            _p.Add(b.Polarities[i]);
        }
    }

    /// <summary>Keeps every other kept event (those at multiples of twice the stride) and doubles the stride.</summary>
    private void Halve()
    {
        int n = _t.Count, k = 0;
        for (int j = 0; j < n; j += 2, k++)
        {
            _t[k] = _t[j];
            _x[k] = _x[j];
            _y[k] = _y[j];
            _p[k] = _p[j];
        }
        _t.RemoveRange(k, n - k);
        _x.RemoveRange(k, n - k);
        _y.RemoveRange(k, n - k);
        _p.RemoveRange(k, n - k);
        Stride *= 2;
    }

    public EventSlice ToSlice() => new(_t.ToArray(), _x.ToArray(), _y.ToArray(), _p.ToArray());
}
