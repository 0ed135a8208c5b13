namespace EventDeblur.Events;

/// <summary>Searches in time-ordered timestamps.</summary>
public static class TimeOrder
{
    /// <summary>The first index whose timestamp is at or after <paramref name="v"/> (µs) in the non-decreasing <paramref name="t"/> (µs); its length when none is.</summary>
    public static int LowerBound(ReadOnlySpan<long> t, long v)
    {
        int lo = 0, hi = t.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
