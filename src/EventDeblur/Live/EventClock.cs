namespace EventDeblur.Live;

/// <summary>
/// The offset from the event clock to this process's wall clock (µs), set once from the first event batch
/// by the stream thread and read by the writer: safe across threads without a lock.
/// </summary>
internal sealed class EventClock
{
    private const long Unset = long.MinValue;
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

    /// <summary>Forgets the offset (the source restarted on another clock): the next <see cref="TrySet"/> sets it again.</summary>
    public void Reset() => Interlocked.Exchange(ref _offsetUs, Unset);

    /// <summary>Sets the offset unless it is already set; true when this call set it.</summary>
    public bool TrySet(long offsetUs) => Interlocked.CompareExchange(ref _offsetUs, offsetUs, Unset) == Unset;
}
