namespace EventDeblur.Recording;

/// <summary>
/// Orders file names as people read them: runs of digits compare by value (frame2 before frame10), the rest ordinally.
/// <see cref="Decimal"/> reads a digit run after a dot that follows digits as a decimal fraction instead (t_0.25 before
/// t_0.5), which is right for names made of times and wrong for counters (take1.9 before take1.10): a folder whose names
/// sort differently the two ways is ambiguous (<see cref="Ambiguity"/>).
/// </summary>
internal sealed class NaturalOrder(bool fractions = false) : IComparer<string>
{
    /// <summary>Digit runs by value.</summary>
    public static NaturalOrder Instance { get; } = new();

    /// <summary>Digit runs by value, and a run after "digits." as a decimal fraction.</summary>
    public static NaturalOrder Decimal { get; } = new(fractions: true);

    /// <summary>
    /// Two names of <paramref name="names"/> that the two orders put the other way round (null when they agree): the
    /// names can be read as counters or as decimal times, and the frames' order depends on which.
    /// </summary>
    public static (string First, string Second)? Ambiguity(IReadOnlyList<string> names)
    {
        var a = names.Order(Instance).ToList();
        var b = names.Order(Decimal).ToList();
        for (int k = 0; k < a.Count; k++)
            if (!string.Equals(a[k], b[k], StringComparison.Ordinal))
                return (a[k], b[k]);
        return null;
    }

    public int Compare(string? a, string? b)
    {
        if (a == null || b == null) return string.CompareOrdinal(a, b);
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int si = i, sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var da = a.AsSpan(si, i - si).TrimStart('0');
                var db = b.AsSpan(sj, j - sj).TrimStart('0');
                if (da.Length != db.Length) return da.Length.CompareTo(db.Length);
                int c = da.SequenceCompareTo(db);
                if (c != 0) return c;
                // A decimal fraction after equal whole parts (names made of timestamps, t_0.25 / t_0.5): by value, so
                // .25 comes before .5 (digit runs by value would put 5 before 25).
                if (fractions && i + 1 < a.Length && j + 1 < b.Length && a[i] == '.' && b[j] == '.' && char.IsAsciiDigit(a[i + 1]) && char.IsAsciiDigit(b[j + 1]))
                {
                    int fi = ++i, fj = ++j;
                    while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                    while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                    var fa = a.AsSpan(fi, i - fi).TrimEnd('0');
                    var fb = b.AsSpan(fj, j - fj).TrimEnd('0');
                    int f = fa.SequenceCompareTo(fb);
                    if (f != 0) return f;
                }
                if (i - si != j - sj) return (i - si).CompareTo(j - sj); // 007 after 7
                continue;
            }
            if (a[i] != b[j]) return a[i].CompareTo(b[j]);
            i++; j++;
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }
}
