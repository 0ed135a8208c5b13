namespace EventDeblur.Live;

/// <summary>
/// Maps the event clock to this process's wall clock (µs), to measure a frame's latency from the moment its exposure
/// ended at the source. Each event batch gives a point (arrival wall time, its last event's time); data never arrives
/// before it happened, so the batches that came soonest after their events (the smallest arrival − event time, the lower
/// envelope) say when the source's events happened.
/// <list type="bullet">
/// <item>A source in real time (a rig): the event at t happened at t + the smallest offset seen (stop 42: the first
/// batch's offset made latencies negative for a source sending faster than real time). Data that waits in the socket
/// while the pipeline is busy counts in the latency, as a lab sees it.</item>
/// <item>A source at another pace (<c>serve --speed</c> other than 1): the envelope's slope says its pace. Measured
/// between the smallest offsets of the first and of the last whole second of arrivals, at least
/// <see cref="MinRateSpanUs"/> apart; a pace more than <see cref="RealTimeTolerance"/> from 1 maps t by that pace from
/// the last point (stop 46: at --speed 0.25 the reported latency grew by 0.75 s per second of run, p50 18 s, while every
/// frame was written within seconds). Within the tolerance the source is taken as real time (a busy pipeline's
/// reading lag bends the envelope by a few per cent at most).</item>
/// </list>
/// Written by the stream thread and read by the writer: thread-safe.
/// </summary>
internal sealed class EventClock
{
    /// <summary>Wall time between the two envelope points before a pace other than real time can be measured, µs.</summary>
    public const long MinRateSpanUs = 10_000_000;

    /// <summary>Largest departure of the measured pace from 1 that is still taken as real time.</summary>
    public const double RealTimeTolerance = 0.1;

    private readonly object _gate = new();
    private long? _minOffset;
    // The lowest-offset point (wall µs, event µs) of the first whole second of arrivals, of the last whole second, and of the current one.
    private (long Wall, long Ts)? _first, _last, _current;
    private long _firstSecond = long.MinValue, _currentSecond = long.MinValue;

    /// <summary>The smallest offset (wall µs − event µs) seen, or null before the first events arrived.</summary>
    public long? OffsetUs { get { lock (_gate) return _minOffset; } }

    /// <summary>Forgets everything (the source restarted on another clock): the next <see cref="Observe"/> starts afresh.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _minOffset = null;
            _first = _last = _current = null;
            _firstSecond = _currentSecond = long.MinValue;
        }
    }

    /// <summary>A batch whose last event is at <paramref name="eventUs"/> (µs, the source's clock) arrived at <paramref name="wallUs"/> (µs, wall clock).</summary>
    public void Observe(long wallUs, long eventUs)
    {
        long offset = wallUs - eventUs;
        long second = wallUs / 1_000_000;
        lock (_gate)
        {
            if (_minOffset is not long m || offset < m) _minOffset = offset;
            if (_first == null || second == _firstSecond)
            {
                _firstSecond = second;
                if (_first is not { } f || offset < f.Wall - f.Ts) _first = (wallUs, eventUs);
            }
            if (second != _currentSecond)
            {
                if (_current != null && _currentSecond != _firstSecond) _last = _current;
                _currentSecond = second;
                _current = null;
            }
            if (_current is not { } c || offset < c.Wall - c.Ts) _current = (wallUs, eventUs);
        }
    }

    /// <summary>The source's pace (event µs per wall µs) when measured away from real time, else 1 (real time, or not measurable yet).</summary>
    public double Pace
    {
        get
        {
            lock (_gate) return PaceCore(out _);
        }
    }

    private double PaceCore(out (long Wall, long Ts) from)
    {
        from = default;
        if (_first is not { } a || _last is not { } b || b.Wall - a.Wall < MinRateSpanUs) return 1;
        double pace = (double)(b.Ts - a.Ts) / (b.Wall - a.Wall);
        if (!(pace > 0) || Math.Abs(pace - 1) <= RealTimeTolerance) return 1;
        from = b;
        return pace;
    }

    /// <summary>When the event at <paramref name="eventUs"/> (µs, the source's clock) happened, µs of the wall clock; null before any events.</summary>
    public long? WallOf(long eventUs)
    {
        lock (_gate)
        {
            if (_minOffset is not long m) return null;
            double pace = PaceCore(out var from);
            return pace == 1 ? eventUs + m : from.Wall + (long)Math.Round((eventUs - from.Ts) / pace);
        }
    }
}
