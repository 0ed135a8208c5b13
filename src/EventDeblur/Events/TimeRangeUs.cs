namespace EventDeblur.Events;

/// <summary>An end-exclusive time interval <c>[StartUs, EndUs)</c> in microseconds.</summary>
/// <param name="StartUs">First included time, µs.</param>
/// <param name="EndUs">First excluded time, µs; must be ≥ <paramref name="StartUs"/>.</param>
public readonly record struct TimeRangeUs(long StartUs, long EndUs)
{
    /// <summary>Length of the interval in µs.</summary>
    public long DurationUs => EndUs - StartUs;

    /// <summary>Midpoint in µs (rounded down).</summary>
    public long MidUs => StartUs + (EndUs - StartUs) / 2;

    /// <summary><c>true</c> when <c>StartUs ≤ tUs &lt; EndUs</c>.</summary>
    public bool Contains(long tUs) => tUs >= StartUs && tUs < EndUs;

    /// <summary>The interval widened by <paramref name="marginUs"/> (µs, ≥ 0) on both sides.</summary>
    public TimeRangeUs Expand(long marginUs) => new(StartUs - marginUs, EndUs + marginUs);

    /// <inheritdoc />
    public override string ToString() => $"[{StartUs}, {EndUs}) µs";
}
