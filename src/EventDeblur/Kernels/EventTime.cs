namespace EventDeblur.Kernels;

/// <summary>Searches in time-ordered event timestamps.</summary>
internal static class EventTime
{
    /// <summary>The first index whose timestamp is ≥ <paramref name="v"/> (µs), or the count when none is.</summary>
    public static int LowerBound(IReadOnlyList<long> t, long v)
    {
        int lo = 0, hi = t.Count;
        while (lo < hi) { int mid = (lo + hi) >> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
