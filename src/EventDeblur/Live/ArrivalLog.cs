namespace EventDeblur.Live;

/// <summary>
/// When the events stream's data arrived: for each batch whose last event is later than every one before, that event's
/// time (µs, the source's clock) and the batch's arrival (µs of this process's wall clock). A frame's latency is measured
/// from the moment the events of its exposure's end arrived (<see cref="EndArrival"/>), so that it does not depend on the
/// source running in real time: measured against the event clock, it grew by (1 − speed) s per second of a slowed
/// <c>serve</c> (stop 46's trial: p50 18 s at <c>--speed 0.25</c> where every frame was written within seconds of its data).
/// Bounded: at most <see cref="Capacity"/> entries (the oldest go first), and the dispatch trims what no frame needs.
/// Thread-safe (the events thread adds, the dispatch loop reads and trims).
/// </summary>
internal sealed class ArrivalLog
{
    /// <summary>Entries kept at most (about 30 minutes of a DV stream's packets at 500 per second).</summary>
    public const int Capacity = 1 << 20;

    private readonly List<(long LastUs, long WallUs)> _entries = [];
    private int _start;

    /// <summary>Entries held now.</summary>
    public int Count { get { lock (_entries) return _entries.Count - _start; } }

    /// <summary>A batch whose last event is at <paramref name="lastUs"/> (µs, source clock) arrived at <paramref name="wallUs"/> (µs, wall clock).</summary>
    public void Add(long lastUs, long wallUs)
    {
        lock (_entries)
        {
            if (_entries.Count > _start && lastUs <= _entries[^1].LastUs) return;
            if (_entries.Count - _start >= Capacity) _start++;
            _entries.Add((lastUs, wallUs));
            Compact();
        }
    }

    /// <summary>Forgets everything (the source restarted on another clock).</summary>
    public void Clear()
    {
        lock (_entries) { _entries.Clear(); _start = 0; }
    }

    /// <summary>Forgets the batches that ended before <paramref name="us"/> (µs, source clock) but the last of them: no frame left to dispatch needs them.</summary>
    public void TrimBefore(long us)
    {
        lock (_entries)
        {
            while (_entries.Count - _start > 1 && _entries[_start + 1].LastUs < us) _start++;
            Compact();
        }
    }

    // The list's dead head is dropped once it is the larger half, so each entry is copied O(1) times on average.
    private void Compact()
    {
        if (_start > 1024 && _start * 2 > _entries.Count)
        {
            _entries.RemoveRange(0, _start);
            _start = 0;
        }
    }

    /// <summary>
    /// The wall time (µs) at which the event at <paramref name="endUs"/> (µs, source clock) arrived: the arrival of the first
    /// batch that reaches it, less the part of that batch after it (taken at real time, so a batch that closes long after the
    /// exposure's end does not hide the wait). When no batch held reaches it (the stream stopped before it), the latest
    /// batch's arrival; null when nothing is held.
    /// </summary>
    public long? EndArrival(long endUs)
    {
        lock (_entries)
        {
            if (_entries.Count == _start) return null;
            int lo = _start, hi = _entries.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_entries[mid].LastUs >= endUs) hi = mid; else lo = mid + 1;
            }
            if (lo == _entries.Count) return _entries[^1].WallUs;
            var (lastUs, wallUs) = _entries[lo];
            // Not before the batch that came just ahead of it: its events were all before the end.
            long earliest = lo > _start ? _entries[lo - 1].WallUs : long.MinValue;
            return Math.Max(earliest, wallUs - (lastUs - endUs));
        }
    }
}
