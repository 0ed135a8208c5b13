using EventDeblur.Events;

namespace EventDeblur.Formats;

/// <summary>
/// Keeps the converted stream valid: events whose timestamp goes backwards (µs, against the last
/// kept event) or that lie outside the sensor are dropped and counted, so the output always passes
/// <c>inspect</c>. The reader has already reported each of them as a problem of the input.
/// </summary>
internal sealed class EventSanitizer(int widthPx, int heightPx)
{
    private long _last = long.MinValue;

    public long Backward { get; private set; }

    public long OutOfRange { get; private set; }

    /// <summary>Removes the invalid events of <paramref name="batch"/> in place.</summary>
    public void Filter(EventBatch batch)
    {
        int n = batch.Count;
        var (t, x, y, p) = batch.Reserve(n);
        uint w = widthPx > 0 ? (uint)widthPx : uint.MaxValue, h = heightPx > 0 ? (uint)heightPx : uint.MaxValue;
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            if ((uint)x[i] >= w || (uint)y[i] >= h) { OutOfRange++; continue; }
            if (t[i] < _last) { Backward++; continue; }
            _last = t[i];
            t[k] = t[i]; x[k] = x[i]; y[k] = y[i]; p[k] = p[i];
            k++;
        }
        batch.Truncate(k);
    }
}
