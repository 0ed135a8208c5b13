namespace EventDeblur.Deconvolution;

/// <summary>k-th smallest value by quickselect (reorders the span).</summary>
internal static class Selection
{
    /// <summary>The value that would sit at index <paramref name="k"/> (0-based) if <paramref name="values"/> were sorted ascending.</summary>
    public static float Nth(Span<float> values, int k)
    {
        if ((uint)k >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(k), k, $"must be in [0, {values.Length})");
        int lo = 0, hi = values.Length - 1;
        while (hi > lo)
        {
            // Median of three as the pivot, then Hoare partition.
            int mid = lo + (hi - lo) / 2;
            if (values[mid] < values[lo]) (values[mid], values[lo]) = (values[lo], values[mid]);
            if (values[hi] < values[lo]) (values[hi], values[lo]) = (values[lo], values[hi]);
            if (values[hi] < values[mid]) (values[hi], values[mid]) = (values[mid], values[hi]);
            float pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }
}
