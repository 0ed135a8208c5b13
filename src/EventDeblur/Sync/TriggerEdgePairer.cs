using EventDeblur.Events;
using EventDeblur.IO;

namespace EventDeblur.Sync;

/// <summary>
/// Turns external-input trigger edges into exposure windows, one edge at a time (rising = start, the next
/// falling = end); used on whole recordings by <see cref="TriggerMatcher"/> and on live streams. Edges that
/// do not pair are reported in <see cref="Problems"/>; APS trigger types are ignored.
/// </summary>
public sealed class TriggerEdgePairer
{
    private long? _open;

    /// <summary>Source name of the problems about trigger edges.</summary>
    public const string Source = "trigger";

    /// <summary>Edges that did not pair, each described (event-clock µs), with source <see cref="Source"/>.</summary>
    public List<Problem> Problems { get; } = [];

    /// <summary>Takes the next edge (time-ordered); returns the exposure <c>[rising, falling)</c>, µs, that it closes, if any.</summary>
    public TimeRangeUs? Add(TriggerEvent t)
    {
        if (t.Type == TriggerType.ExternalSignalRisingEdge)
        {
            if (_open != null) Problems.Add(Problem.Error(Source, $"rising edge at {_open} µs has no falling edge before the next rising edge at {t.TimestampUs} µs; exposure dropped"));
            _open = t.TimestampUs;
        }
        else if (t.Type == TriggerType.ExternalSignalFallingEdge)
        {
            if (_open == null) { Problems.Add(Problem.Error(Source, $"falling edge at {t.TimestampUs} µs without a preceding rising edge; ignored")); return null; }
            long start = _open.Value;
            _open = null;
            if (t.TimestampUs > start) return new TimeRangeUs(start, t.TimestampUs);
        }
        return null;
    }

    /// <summary>The stream has ended: reports a rising edge still waiting for its falling edge.</summary>
    public void Finish()
    {
        if (_open != null) Problems.Add(Problem.Error(Source, $"rising edge at {_open} µs has no falling edge (recording ends); exposure dropped"));
        _open = null;
    }
}
