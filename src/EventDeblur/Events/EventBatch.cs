using System.Buffers;

namespace EventDeblur.Events;

/// <summary>
/// A pooled, struct-of-arrays batch of polarity events in stream order. Timestamps are in
/// microseconds (µs) of the source clock; x and y are event-sensor pixel coordinates with
/// (0, 0) at the top-left; polarity is <c>true</c> for ON (brightness increase).
/// </summary>
/// <remarks>
/// The arrays come from <see cref="ArrayPool{T}.Shared"/>; <see cref="Dispose"/> returns them.
/// A batch is owned by whoever received it and must not be used after disposal.
/// </remarks>
public sealed class EventBatch : IDisposable
{
    private long[] _t;
    private short[] _x;
    private short[] _y;
    private bool[] _p;
    private bool _disposed;

    private EventBatch(int capacity)
    {
        _t = ArrayPool<long>.Shared.Rent(capacity);
        _x = ArrayPool<short>.Shared.Rent(capacity);
        _y = ArrayPool<short>.Shared.Rent(capacity);
        _p = ArrayPool<bool>.Shared.Rent(capacity);
    }

    /// <summary>Rents a batch able to hold at least <paramref name="capacity"/> events (≥ 1).</summary>
    public static EventBatch Rent(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new EventBatch(capacity);
    }

    /// <summary>Number of events held.</summary>
    public int Count { get; private set; }

    /// <summary>Maximum number of events this batch can hold without growing.</summary>
    public int Capacity => Math.Min(Math.Min(_t.Length, _x.Length), Math.Min(_y.Length, _p.Length));

    /// <summary>Timestamps in µs, one per event.</summary>
    public ReadOnlySpan<long> Timestamps => _t.AsSpan(0, Count);

    /// <summary>Column (x) in event-sensor pixels, 0 = left.</summary>
    public ReadOnlySpan<short> Xs => _x.AsSpan(0, Count);

    /// <summary>Row (y) in event-sensor pixels, 0 = top.</summary>
    public ReadOnlySpan<short> Ys => _y.AsSpan(0, Count);

    /// <summary>Polarity, <c>true</c> = ON.</summary>
    public ReadOnlySpan<bool> Polarities => _p.AsSpan(0, Count);

    /// <summary>The backing arrays, sized for at least <paramref name="count"/> events (Count is set to it), used by decoders that fill the batch in place.</summary>
    internal (long[] T, short[] X, short[] Y, bool[] P) Reserve(int count)
    {
        EnsureCapacity(count);
        Count = count;
        return (_t, _x, _y, _p);
    }

    /// <summary>Sets <see cref="Count"/> after an in-place fill that produced fewer events than reserved.</summary>
    internal void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        Count = count;
    }

    /// <summary>Appends one event, growing the batch if needed.</summary>
    /// <param name="timestampUs">Timestamp in µs.</param>
    /// <param name="x">Column in event pixels.</param>
    /// <param name="y">Row in event pixels.</param>
    /// <param name="on"><c>true</c> for an ON event.</param>
    public void Add(long timestampUs, short x, short y, bool on)
    {
        if (Count == Capacity) EnsureCapacity(Count * 2);
        _t[Count] = timestampUs;
        _x[Count] = x;
        _y[Count] = y;
        _p[Count] = on;
        Count++;
    }

    /// <summary>Removes all events, keeping the storage.</summary>
    public void Clear() => Count = 0;

    /// <summary>Keeps only the events at index ≥ <paramref name="start"/>.</summary>
    public void RemoveFirst(int start)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Count);
        if (start == 0) return;
        int n = Count - start;
        Array.Copy(_t, start, _t, 0, n);
        Array.Copy(_x, start, _x, 0, n);
        Array.Copy(_y, start, _y, 0, n);
        Array.Copy(_p, start, _p, 0, n);
        Count = n;
    }

    private void EnsureCapacity(int needed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (needed <= Capacity) return;
        _t = Grow(_t, needed, Count);
        _x = Grow(_x, needed, Count);
        _y = Grow(_y, needed, Count);
        _p = Grow(_p, needed, Count);
    }

    private static T[] Grow<T>(T[] old, int needed, int keep)
    {
        var fresh = ArrayPool<T>.Shared.Rent(needed);
        Array.Copy(old, fresh, keep);
        ArrayPool<T>.Shared.Return(old);
        return fresh;
    }

    /// <summary>Returns the arrays to the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ArrayPool<long>.Shared.Return(_t);
        ArrayPool<short>.Shared.Return(_x);
        ArrayPool<short>.Shared.Return(_y);
        ArrayPool<bool>.Shared.Return(_p);
        _t = [];
        _x = [];
        _y = [];
        _p = [];
        Count = 0;
    }
}
