namespace EventDeblur.Live;

/// <summary>
/// The offset from the event clock to this process's wall clock (µs): the smallest (arrival wall time − last event
/// time) of any event batch received so far, i.e. the batch that came the soonest after its events. Data never arrives
/// before it happened, so a frame's latency measured with it (wall time now − its exposure's end + offset) is never
/// negative, also when a source sends faster than real time (a flood, a replay at speed), where the first batch's offset
/// made latencies negative (stop 42). Written by the stream thread and read by the writer: safe across threads without a lock.
/// </summary>
internal sealed class EventClock
{
    private const long Unset = long.MaxValue;
    private long _offsetUs = Unset;

    /// <summary>The offset (wall µs − event µs), or null before the first events arrived.</summary>
    public long? OffsetUs
    {
        get
        {
            long v = Interlocked.Read(ref _offsetUs);
            return v == Unset ? null : v;
        }
    }

    /// <summary>Forgets the offset (the source restarted on another clock): the next <see cref="Observe"/> sets it again.</summary>
    public void Reset() => Interlocked.Exchange(ref _offsetUs, Unset);

    /// <summary>Takes one batch's (arrival wall µs − its last event's µs): the offset becomes the smallest seen.</summary>
    public void Observe(long offsetUs)
    {
        long seen = Interlocked.Read(ref _offsetUs);
        while (offsetUs < seen)
        {
            long was = Interlocked.CompareExchange(ref _offsetUs, offsetUs, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
