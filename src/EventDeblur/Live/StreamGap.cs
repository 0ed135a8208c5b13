namespace EventDeblur.Live;

/// <summary>A stream interruption and what it cost.</summary>
/// <param name="Stream">Which stream (events or triggers).</param>
/// <param name="LastTimestampUs">Last timestamp received before the drop, µs (null if none yet).</param>
/// <param name="ResumedTimestampUs">First timestamp after reconnecting, µs (null if it never resumed).</param>
/// <param name="Reason">What happened.</param>
public sealed record StreamGap(string Stream, long? LastTimestampUs, long? ResumedTimestampUs, string Reason)
{
    /// <summary>
    /// True when the stream resumed with an older timestamp than its last one: the source restarted (or its clock was
    /// reset), so the data after the gap is on another clock and the loss cannot be measured.
    /// </summary>
    public bool SourceRestarted => LastTimestampUs is long a && ResumedTimestampUs is long b && b < a;

    /// <summary>Duration of data lost, µs (≥ 0); null when unknown (no data before the gap, never resumed, or the source restarted).</summary>
    public long? LostUs => LastTimestampUs is long a && ResumedTimestampUs is long b && b >= a ? b - a : null;

    /// <summary>
    /// True for a stall rather than a dropped connection: both streams stayed connected and sent nothing while frames
    /// waited for them (a paused or hung server, a camera that stopped without closing). <see cref="Reason"/> says for how
    /// long; its time stamps are the events stream's last before the silence and its latest once data came again.
    /// </summary>
    public bool Silent { get; init; }

    /// <summary>
    /// True for a reset of the source's clock within one connection (a camera's timestamp reset): nothing was lost, but
    /// the data from <see cref="ResumedTimestampUs"/> on is on another clock than the data before.
    /// </summary>
    public bool ClockReset { get; init; }

    /// <inheritdoc />
    public override string ToString() => ClockReset
        ? $"{Stream} stream: {Reason} (timestamps went back from {LastTimestampUs} to {ResumedTimestampUs} µs): nothing was lost, but the times before and after are on different clocks"
        : Silent
        ? $"{Stream} streams: {Reason}, {(LastTimestampUs is long before ? $"after the events' last data at t = {before} µs" : "before any event")}{(ResumedTimestampUs is long again ? $"; data again by t = {again} µs (on the source's clock)" : " and no data came again")}"
        : ResumedTimestampUs == null
        ? $"{Stream} stream: {Reason} {(LastTimestampUs is long last ? $"after its last data at t = {last} µs (on the source's clock)" : "before any data")} and did not resume (end of stream, or everything after it lost)"
        : SourceRestarted
            ? $"{Stream} stream: {Reason}; the source restarted (timestamps went back from {LastTimestampUs} to {ResumedTimestampUs} µs): what it sent while disconnected cannot be measured"
            : $"{Stream} stream: {Reason}; data between {LastTimestampUs?.ToString() ?? "start"} and {ResumedTimestampUs} µs lost{(LostUs is long l ? $" ({l / 1000.0:F1} ms)" : "")}";
}
