namespace EventDeblur.Deconvolution;

/// <summary>
/// The guard's tiles counted over one unit of work (a frame: every channel and blur region), for reports:
/// <see cref="Collect"/> runs the work and counts what every <see cref="GuardedDeconvolver"/> called inside it
/// (on any thread it starts, e.g. <c>Parallel.For</c>) decided. Thread-safe.
/// </summary>
public sealed class GuardTally
{
    private static readonly AsyncLocal<GuardTally?> Current = new();
    private int _calls, _tiles, _gentle, _input;

    /// <summary>Guarded deconvolver calls counted (one per channel and blur region); 0: no guard ran.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Tiles judged, over all calls.</summary>
    public int Tiles => Volatile.Read(ref _tiles);

    /// <summary>Tiles that got the gentler setting.</summary>
    public int Gentle => Volatile.Read(ref _gentle);

    /// <summary>Tiles that got the blurry input back.</summary>
    public int Input => Volatile.Read(ref _input);

    /// <summary>Tiles that did not keep the deconvolver's result (<see cref="Gentle"/> + <see cref="Input"/>).</summary>
    public int FellBack => Gentle + Input;

    /// <summary>What the work is (e.g. <c>index 3</c>, a frame), put before the guard's log lines of its calls; null when not said.</summary>
    public string? Label { get; private init; }

    /// <summary>The label of the work in progress on this thread (see <see cref="Label"/>), for the guard's log lines.</summary>
    internal static string? CurrentLabel => Current.Value?.Label;

    /// <summary>
    /// Runs <paramref name="work"/> and returns the tally of the guard calls made inside it (nested tallies count their own
    /// calls only). <paramref name="label"/> names the work in the guard's log lines (stop 43's sweep: with --verbose they
    /// named no frame, and a frame's came before its kernel diagnostics).
    /// </summary>
    public static GuardTally Collect(Action work, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        var tally = new GuardTally { Label = label };
        var outer = Current.Value;
        Current.Value = tally;
        try { work(); }
        finally { Current.Value = outer; }
        return tally;
    }

    /// <summary>Counts <paramref name="report"/> into the tally of the work in progress, if any.</summary>
    internal static void Record(GuardReport report)
    {
        if (Current.Value is not { } t) return;
        Interlocked.Increment(ref t._calls);
        Interlocked.Add(ref t._tiles, report.Tiles.Count);
        Interlocked.Add(ref t._gentle, report.Tiles.Count(v => v.Level == FallbackLevel.Gentle));
        Interlocked.Add(ref t._input, report.Tiles.Count(v => v.Level == FallbackLevel.Input));
    }
}
