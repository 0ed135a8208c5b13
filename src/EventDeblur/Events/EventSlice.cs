namespace EventDeblur.Events;

/// <summary>The events of one exposure window (plus margins), struct-of-arrays, time-ordered.</summary>
/// <param name="T">Timestamps, µs.</param>
/// <param name="X">Columns, event pixels.</param>
/// <param name="Y">Rows, event pixels.</param>
/// <param name="P">Polarities, true = ON.</param>
public sealed record EventSlice(long[] T, short[] X, short[] Y, bool[] P)
{
    /// <summary>Number of events.</summary>
    public int Count => T.Length;

    /// <summary>An empty slice.</summary>
    public static EventSlice Empty { get; } = new([], [], [], []);
}
