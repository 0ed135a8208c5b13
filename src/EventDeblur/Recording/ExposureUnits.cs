namespace EventDeblur.Recording;

/// <summary>
/// Exposure times read as µs that look like another unit: every exposure under 200 µs, or frames starting under 1 ms apart
/// (the median; over 1000 frames/s), which no RGB camera of a night rig does (ms or s written under a µs header, or with
/// none); or every exposure 10 s or longer (ns written as µs). Shared by <c>bundle</c>'s exposure CSV and <c>inspect</c> / <c>replay</c>'s frames.csv.
/// </summary>
public static class ExposureUnits
{
    /// <summary>What looks wrong about <paramref name="rows"/> (exposure start and end, µs, in frame order), said as a clause; null when nothing does.</summary>
    public static string? AnotherUnit(IReadOnlyList<(long Start, long End)> rows)
    {
        if (rows.Count == 0) return null;
        if (rows.All(r => r.End - r.Start < 200))
            return $"every exposure lasts under 200 µs ({rows.Min(r => r.End - r.Start)}–{rows.Max(r => r.End - r.Start)} µs)";
        // Trial 47a: night exposures of 250 ms written in ms under a '_us' header last 250 "µs", but the frames then
        // follow each other every few hundred "µs", over 1000 frames/s, which an RGB camera does not do either.
        if (MedianPeriodUs(rows) is long period && period > 0 && period < 1000)
            return $"the frames start every {period} µs (the median from one row's start to the next), over 1000 frames/s";
        // Stop 49's trial: a frames.csv in ns read as µs makes 60-ms exposures last a minute (and every frame fail,
        // the exposures lying ages after the events), with no hint at the unit.
        if (rows.All(r => r.End - r.Start >= 10_000_000))
            return $"every exposure lasts 10 s or more ({(rows.Min(r => r.End - r.Start) / 1e6).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}–{(rows.Max(r => r.End - r.Start) / 1e6).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s), as ns read as µs would (divide such times by 1000)";
        return null;
    }

    /// <summary>The median time from one exposure's start to the next one's, µs; null for a single row.</summary>
    private static long? MedianPeriodUs(IReadOnlyList<(long Start, long End)> rows)
    {
        if (rows.Count < 2) return null;
        var periods = rows.Zip(rows.Skip(1), (a, b) => b.Start - a.Start).Order().ToList();
        long low = periods[(periods.Count - 1) / 2], high = periods[periods.Count / 2];
        return low + (high - low) / 2;
    }
}
