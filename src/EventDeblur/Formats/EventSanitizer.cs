using EventDeblur.Events;

namespace EventDeblur.Formats;

/// <summary>
/// Keeps the converted stream valid: events whose timestamp goes backwards (µs, against the last kept event) or that lie
/// outside the sensor are dropped and counted, so the output always passes <c>inspect</c>. The reader has already
/// reported each of them as a problem of the input.
/// <para>
/// One damaged timestamp can throw time far forward (a flipped bit of an EVT 2.0 TIME_HIGH word or an AEDAT 3.1
/// overflow counter): judged against it, every good event after it would "go back" and be lost. So the events after a
/// forward jump of more than <see cref="JumpUs"/> are held back until the stream shows which side is right: when
/// <see cref="ReturnConfirm"/> events in a row return to the time before the jump, the held events are the damaged ones
/// and are dropped (<see cref="JumpedForward"/>); when the stream goes on from the jumped time (a real gap in the
/// recording) or <c>maxHeld</c> events (default <see cref="MaxHeld"/>) are held, they are kept. Memory: at most that many
/// held events. A live stream holds fewer, and no longer than they span <c>maxHeldSpanUs</c> of stream time, so that a real
/// gap in it delays its frames little, also where its events are sparse.
/// </para>
/// </summary>
internal sealed class EventSanitizer(int widthPx, int heightPx, int maxHeld = EventSanitizer.MaxHeld, long maxHeldSpanUs = long.MaxValue)
{
    /// <summary>A step forward larger than this (µs) is held back until the stream confirms or refutes it (1 s).</summary>
    public const long JumpUs = 1_000_000;

    /// <summary>Events in a row back on the earlier time that prove the jump damaged (64).</summary>
    public const int ReturnConfirm = 64;

    /// <summary>Most events held after a jump before it is taken as a real gap (65 536).</summary>
    public const int MaxHeld = 1 << 16;

    private long _last = long.MinValue;
    private readonly EventBatch _held = EventBatch.Rent(256);
    private readonly EventBatch _ret = EventBatch.Rent(ReturnConfirm);
    private readonly EventBatch _out = EventBatch.Rent(1024);

    public long Backward { get; private set; }

    public long OutOfRange { get; private set; }

    /// <summary>Events dropped because they followed a forward time jump that the stream then went back on.</summary>
    public long JumpedForward { get; private set; }

    /// <summary>The first event dropped for lying outside the sensor, and the byte offset of the packet that held it (−1: unknown); null when none was.</summary>
    public (long T, short X, short Y, long At)? FirstOutOfRange { get; private set; }

    /// <summary>Removes the invalid events of <paramref name="batch"/> in place; events held back from earlier batches may come out in it, before its own.</summary>
    /// <param name="batch">The events, in file order.</param>
    /// <param name="at">The byte offset of the packet (or batch) in the input, for <see cref="FirstOutOfRange"/>; −1 when unknown.</param>
    public void Filter(EventBatch batch, long at = -1)
    {
        int n = batch.Count;
        var (t, x, y, p) = batch.Reserve(n);
        uint w = widthPx > 0 ? (uint)widthPx : uint.MaxValue, h = heightPx > 0 ? (uint)heightPx : uint.MaxValue;
        // The common case, compacted in place: nothing held back and no jump forward.
        int k = 0, i = 0;
        for (; i < n && _held.Count == 0; i++)
        {
            if ((uint)x[i] >= w || (uint)y[i] >= h) { Outside(t[i], x[i], y[i], at); continue; }
            if (t[i] < _last) { Backward++; continue; }
            if (_last != long.MinValue && t[i] - _last > JumpUs) break;
            _last = t[i];
            t[k] = t[i]; x[k] = x[i]; y[k] = y[i]; p[k] = p[i];
            k++;
        }
        if (i == n) { batch.Truncate(k); return; }
        // From a jump on (or with events held from an earlier batch): through the hold-back, appended after the first k.
        _out.Clear();
        for (; i < n; i++)
        {
            if ((uint)x[i] >= w || (uint)y[i] >= h) { Outside(t[i], x[i], y[i], at); continue; }
            Take(t[i], x[i], y[i], p[i]);
        }
        var (bt, bx, by, bp) = batch.Reserve(k + _out.Count);   // keeps the first k (growing keeps the batch's events)
        _out.Timestamps.CopyTo(bt.AsSpan(k)); _out.Xs.CopyTo(bx.AsSpan(k)); _out.Ys.CopyTo(by.AsSpan(k)); _out.Polarities.CopyTo(bp.AsSpan(k));
    }

    /// <summary>
    /// At the end of the stream: the events still held back, into <paramref name="batch"/> (cleared first) — the held
    /// events after a jump, or, when more events had returned to the earlier time, those (the other side is dropped).
    /// </summary>
    public void Flush(EventBatch batch)
    {
        batch.Clear();
        if (_held.Count == 0) return;
        if (_ret.Count > _held.Count) { JumpedForward += _held.Count; Append(batch, _ret); }
        else { Backward += _ret.Count; Append(batch, _held); }
        _held.Clear();
        _ret.Clear();
    }

    private void Outside(long t, short x, short y, long at)
    {
        OutOfRange++;
        FirstOutOfRange ??= (t, x, y, at);
    }

    private void Take(long t, short x, short y, bool p)
    {
        if (_held.Count == 0)
        {
            if (t < _last) { Backward++; return; }
            if (_last != long.MinValue && t - _last > JumpUs) { _held.Add(t, x, y, p); return; }
            _last = t;
            _out.Add(t, x, y, p);
            return;
        }
        long heldFrom = _held.Timestamps[0], heldLast = _held.Timestamps[^1];
        if (t >= heldLast)
        {
            // The stream goes on from the jumped time: what had returned below it was the odd one out.
            Backward += _ret.Count;
            _ret.Clear();
            _held.Add(t, x, y, p);
            // Enough of them, or spanning enough stream time in order (a sparse stream after a real gap), to be the stream.
            if (_held.Count >= maxHeld || t - heldFrom >= maxHeldSpanUs) Release(_held);
        }
        else if (t >= _last && t < heldFrom && (_ret.Count == 0 || t >= _ret.Timestamps[^1]))
        {
            _ret.Add(t, x, y, p);
            if (_ret.Count >= ReturnConfirm)
            {
                // Back on the earlier time for good: the jump was a damaged timestamp, and the events after it with it.
                JumpedForward += _held.Count;
                _held.Clear();
                Release(_ret);
            }
        }
        else Backward++;
    }

    private void Release(EventBatch from)
    {
        Append(_out, from);
        _last = from.Timestamps[^1];
        from.Clear();
        // What the other buffer held is behind the released events now.
        if (!ReferenceEquals(from, _ret)) { Backward += _ret.Count; _ret.Clear(); }
    }

    private static void Append(EventBatch to, EventBatch from)
    {
        var t = from.Timestamps; var x = from.Xs; var y = from.Ys; var p = from.Polarities;
        for (int i = 0; i < t.Length; i++) to.Add(t[i], x[i], y[i], p[i]);
    }
}
