using EventDeblur.Events;
using EventDeblur.IO;

namespace EventDeblur.Sync;

/// <summary>
/// Turns external-input trigger edges into exposure windows, one edge at a time (rising = start, the next
/// falling = end); used on whole recordings by <see cref="TriggerMatcher"/> and on live streams. Edges that
/// do not pair are reported in <see cref="Problems"/>; APS trigger types are ignored.
/// </summary>
public sealed class TriggerEdgePairer(bool activeLow = false)
{
    private long? _open;

    /// <summary>
    /// True: the exposure signal is read active-low (a falling edge starts an exposure, the next rising edge ends it), for
    /// telling an inverted signal from a normal one; false (the default and RECORDING_FORMAT.md's rule): rising = start.
    /// </summary>
    public bool ActiveLow => activeLow;

    /// <summary>Source name of the problems about trigger edges.</summary>
    public const string Source = "trigger";

    /// <summary>Edges that did not pair, each described (event-clock µs), with source <see cref="Source"/>.</summary>
    public List<Problem> Problems { get; } = [];

    private string StartEdge => activeLow ? "falling" : "rising";
    private string EndEdge => activeLow ? "rising" : "falling";

    /// <summary>Takes the next edge (time-ordered); returns the exposure <c>[start edge, end edge)</c>, µs, that it closes, if any.</summary>
    public TimeRangeUs? Add(TriggerEvent t)
    {
        var startType = activeLow ? TriggerType.ExternalSignalFallingEdge : TriggerType.ExternalSignalRisingEdge;
        var endType = activeLow ? TriggerType.ExternalSignalRisingEdge : TriggerType.ExternalSignalFallingEdge;
        if (t.Type == startType)
        {
            if (_open != null) Problems.Add(Problem.Error(Source, $"{StartEdge} edge at {_open} µs has no {EndEdge} edge before the next {StartEdge} edge at {t.TimestampUs} µs; exposure dropped"));
            _open = t.TimestampUs;
        }
        else if (t.Type == endType)
        {
            if (_open == null) { Problems.Add(Problem.Error(Source, $"{EndEdge} edge at {t.TimestampUs} µs without a preceding {StartEdge} edge; ignored")); return null; }
            long start = _open.Value;
            _open = null;
            if (t.TimestampUs > start) return new TimeRangeUs(start, t.TimestampUs);
        }
        return null;
    }

    /// <summary>The stream has ended: reports a start edge still waiting for its end edge.</summary>
    public void Finish()
    {
        if (_open != null) Problems.Add(Problem.Error(Source, $"{StartEdge} edge at {_open} µs has no {EndEdge} edge (recording ends); exposure dropped"));
        _open = null;
    }
}
