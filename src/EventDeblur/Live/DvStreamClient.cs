using System.Net.Sockets;
using EventDeblur.Events;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Live;

/// <summary>
/// Reads one DV network stream (tcp://host:port): connects, reads the IOHeader and then packets,
/// reconnecting with exponential back-off (100 ms → 2 s) for as long as it runs when the connection drops or cannot
/// be made, and records every gap. A source whose timestamps go back after a reconnection (restarted, or its clock
/// reset) starts a new <see cref="Epoch"/>; so does one whose clock is reset within a connection (a camera's timestamp
/// reset): a packet that starts more than <see cref="ClockResetUs"/> behind the stream's settled time is held, with the
/// packets after it, until the stream shows whether it goes on from their time for <see cref="ResetConfirmUs"/> (a reset:
/// a new epoch, recorded as a gap with <see cref="StreamGap.ClockReset"/>) or comes back to the old one (damaged
/// packets, handed on as they came, whose events the pipeline drops as going back). Packets go to <c>onPacket</c> in arrival order.
/// </summary>
public sealed class DvStreamClient(string name, string host, int port, Action<AedatPacket> onPacket)
{
    private const string ClosedByServer = "connection closed by the server";
    private readonly List<StreamGap> _gaps = [];
    private volatile bool _connected;
    private volatile int _epoch;

    /// <summary>True while a connection is up (between its header and its end); false while (re)connecting.</summary>
    public bool IsConnected => _connected;

    /// <summary>
    /// Restarts of the source seen so far (0 at first): incremented, before <c>onPacket</c> sees the packet, when the
    /// first packet after a reconnection is older than the last one before it. Timestamps of different epochs are on
    /// different clocks.
    /// </summary>
    public int Epoch => _epoch;

    /// <summary>
    /// Restarts of the source seen across reconnections (0 at first): the epochs that a reset of the clock within a
    /// connection started are not counted, because that connection lost nothing (a count of exposures still holds).
    /// </summary>
    public int Restarts => _restarts;

    /// <summary>How the latest epoch began, for messages ("the source restarted", "the source's clock was reset within the connection").</summary>
    public string EpochCause { get; private set; } = "";

    /// <summary>A packet that starts more than this behind the stream's latest time (µs) is held to tell a clock reset from a damaged packet (100 ms).</summary>
    public const long ClockResetUs = 100_000;

    /// <summary>In an events stream, the packet after a held one goes on from it when it starts at most this much later (µs; 1 s): a reset clock runs on. (A trigger stream's packets may lie seconds apart.)</summary>
    public const long ResetContinuesUs = 1_000_000;

    /// <summary>
    /// Held packets that run on in order, far behind the old time, for this long (µs of their own time; 100 ms) are a reset
    /// clock: a damaged stretch comes back to the old time sooner (a frame after a reset waits that much longer).
    /// </summary>
    public const long ResetConfirmUs = 100_000;

    /// <summary>Or as many items as this in such a run (events or triggers; 2^20), which bounds the memory held.</summary>
    public const long ResetConfirmItems = 1 << 20;

    private volatile int _restarts;

    /// <summary>Told (on the client's thread) when the connection drops and when data flows again, one line each, for a person watching the run.</summary>
    public Action<string>? OnConnectionChange { get; init; }

    /// <summary>
    /// Told (on the client's thread) each problem the stream's reader finds — a packet it skipped (a corrupt body, time
    /// going back), the fault that ended a connection — with the last timestamp received before it (µs; null before any).
    /// </summary>
    public Action<Problem, long?>? OnProblem { get; init; }

    /// <summary>Gaps seen so far.</summary>
    public IReadOnlyList<StreamGap> Gaps { get { lock (_gaps) return _gaps.ToList(); } }

    /// <summary>Packets received.</summary>
    public long Packets { get; private set; }

    /// <summary>Connections made.</summary>
    public int Connections { get; private set; }

    /// <summary>Last timestamp seen, µs.</summary>
    public long? LastTimestampUs { get; private set; }

    /// <summary>Parses <c>tcp://host:port</c>.</summary>
    public static (string Host, int Port) ParseUri(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || u.Scheme != "tcp" || u.Port <= 0)
            throw new ArgumentException($"'{uri}' is not a tcp://HOST:PORT address");
        return (u.Host, u.Port);
    }

    /// <summary>What the stream carries (<c>events</c>, <c>triggers</c>), for messages.</summary>
    public string Name => name;

    /// <summary>Whether any connection got as far as a DV stream header (a DV server answered, whether or not packets followed).</summary>
    public bool HeaderSeen { get; private set; }

    /// <summary>Why the last connection that sent bytes which are not a DV stream (a header or packet that cannot be read) failed; empty when none has.</summary>
    public string NotDvStream { get; private set; } = "";

    /// <summary>Why the last connection attempt failed or the last connection ended; empty when none has.</summary>
    public string LastFailure { get; private set; } = "";

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        int backoff = 100;
        bool pendingGap = false;
        string reason = "";
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var tcp = new TcpClient { NoDelay = true };
                // Socket reads do not observe the token: closing the socket is what unblocks them.
                using var unblock = ct.Register(tcp.Dispose);
                await tcp.ConnectAsync(host, port, ct);
                Connections++;
                // The header and the packets are read with blocking socket reads on a thread of their own: on a pool
                // thread they would starve the pool (two streams pin both of a 2-core machine's initial workers) and stall
                // every async stage of the pipeline — the header too, which a server may hold back (a DV server up before its camera).
                string? ended = null;
                await Task.Factory.StartNew(() =>
                {
                    using var reader = Aedat4Reader.OpenStream(tcp.GetStream(), $"tcp://{host}:{port}", hasVersionLine: false);
                    _connected = true;
                    HeaderSeen = true;
                    // The back-off starts afresh once a DV server answered (stop 46: a peer that accepts and then sends bytes
                    // that are not a DV stream was reconnected to every 0.1 s, 147 times in 20 s).
                    backoff = 100;
                    int told = 0;
                    // The reader's problems as they come (a packet it skipped, what ended the connection), each told once.
                    void Tell()
                    {
                        var all = reader.Problems;
                        for (; told < all.Count; told++) OnProblem?.Invoke(all[told], LastTimestampUs);
                    }
                    // A packet held back after a jump back in time, until the next one says what it was; the stream's settled time.
                    var held = new List<AedatPacket>();
                    long heldItems = 0;
                    var clock = new SettledClock();
                    // Hands a packet on; the stream's latest time moves to lastUs (null: kept, for a packet taken as damaged).
                    void Deliver(AedatPacket q, long? lastUs)
                    {
                        if (lastUs != null) LastTimestampUs = lastUs;
                        clock.Walk(q);
                        Packets++;
                        onPacket(q);
                    }
                    try
                    {
                        while (!ct.IsCancellationRequested)
                        {
                            int before = reader.Problems.Count(p => p.Severity == ProblemSeverity.Error);
                            if (!reader.TryRead(out var p))
                            {
                                // What ended the connection: an error met by this last read (a corrupt header the stream cannot
                                // be resynchronised past), else the server closed it.
                                var last = reader.Problems.Where(q => q.Severity == ProblemSeverity.Error).Skip(before).LastOrDefault();
                                ended = last?.Message;
                                Tell();
                                break;
                            }
                            Tell();
                            long? t = First(p!);
                            // Packets of another kind (IMU) go with a held run, in order, judged with it.
                            if (held.Count > 0 && p is not (EventsPacket or TriggersPacket)) { held.Add(p!); continue; }
                            if (held.Count > 0 && t != null && clock.Settled is long settled)
                            {
                                // The packets after one that went far back: a run that goes on in order from the held packets' time,
                                // still far behind the settled time, for ResetConfirmUs is a reset clock; one that comes back to
                                // the settled time (or scatters) says the held packets were damaged.
                                long heldFirst = First(held[0])!.Value, heldLast = Last(held.Last(h => h is EventsPacket or TriggersPacket))!.Value;
                                bool goesOn = t >= heldLast && (p is TriggersPacket || t - heldLast <= ResetContinuesUs) && clock.ResetAt(p!) == 0;
                                if (goesOn)
                                {
                                    held.Add(p!);
                                    heldItems += Count(p!);
                                    if (Last(p!)!.Value - heldFirst < ResetConfirmUs && heldItems < ResetConfirmItems) continue;
                                    lock (_gaps) _gaps.Add(new StreamGap(name, settled, heldFirst, "its clock was reset within the connection") { ClockReset = true });
                                    EpochCause = $"the source's clock was reset within the connection (its timestamps went back from {settled} to {heldFirst} µs)";
                                    _epoch++;
                                    clock = new SettledClock();
                                    OnConnectionChange?.Invoke($"{name} stream tcp://{host}:{port}: its clock was reset (timestamps went back from {settled} to {heldFirst} µs); a new clock from here");
                                    foreach (var h in held) Deliver(h, Last(h));
                                    held.Clear();
                                    heldItems = 0;
                                    continue;
                                }
                                foreach (var h in held) Deliver(h, null);
                                held.Clear();
                                heldItems = 0;
                            }
                            if (pendingGap && t != null)
                            {
                                lock (_gaps) _gaps[^1] = _gaps[^1] with { ResumedTimestampUs = t };
                                if (t < LastTimestampUs)
                                {
                                    EpochCause = $"the source restarted (its timestamps went back to {t} µs)";
                                    _restarts++;
                                    _epoch++;
                                    clock = new SettledClock();
                                }
                                pendingGap = false;
                                OnConnectionChange?.Invoke($"{name} stream tcp://{host}:{port}: data again (t = {t} µs)");
                            }
                            else if (clock.ResetAt(p!) is int at && at >= 0)
                            {
                                // Far behind the settled time and in order from there: held until the packets after it say which.
                                // A reset between two of the packet's items: those before it go on now.
                                if (at > 0)
                                {
                                    var (head, tail) = SplitAt(p!, at);
                                    Deliver(head, Last(head));
                                    p = tail;
                                }
                                held.Add(p!);
                                heldItems = Count(p!);
                                continue;
                            }
                            Deliver(p!, Last(p!) ?? t);
                        }
                    }
                    finally
                    {
                        // The connection ended with packets held: nothing came to tell a reset from damage, so they go on as
                        // they came; on cancellation their pooled batches are returned instead.
                        foreach (var h in held)
                        {
                            if (ct.IsCancellationRequested) { if (h is EventsPacket gone) gone.Events.Dispose(); }
                            else Deliver(h, null);
                        }
                        held.Clear();
                    }
                }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                _connected = false;
                reason = ended ?? ClosedByServer;
            }
            catch (OperationCanceledException) { _connected = false; break; }
            catch (Exception e) when (e is SocketException or IOException or AedatFormatException or ObjectDisposedException or FlatBufferException)
            {
                _connected = false;
                if (ct.IsCancellationRequested) break;
                reason = e.Message;
                LastFailure = reason;
                if (e is AedatFormatException or FlatBufferException) NotDvStream = reason;
            }
            if (ct.IsCancellationRequested) break;
            if (Connections > 0 && !pendingGap)
            {
                lock (_gaps) _gaps.Add(new StreamGap(name, LastTimestampUs, null, reason));
                pendingGap = true;
                // A clean close is also how a server ends its stream ('serve' at the end of its recording): said as such,
                // not as a fault (stop 42: every normal run printed it as one).
                OnConnectionChange?.Invoke(reason == ClosedByServer
                    ? $"{name} stream tcp://{host}:{port}: the server closed the connection (the end of its stream, or it stopped); reconnecting (every 0.1–2 s) while the run lasts, in case more comes"
                    : $"{name} stream tcp://{host}:{port}: {reason}; reconnecting (every 0.1–2 s) while the run lasts");
            }
            try { await Task.Delay(backoff, ct); } catch (OperationCanceledException) { break; }
            backoff = Math.Min(2000, backoff * 2);
        }
    }

    private static long? First(AedatPacket p) => p switch
    {
        EventsPacket e => e.Events.Timestamps[0],
        TriggersPacket tr => tr.Triggers[0].TimestampUs,
        ImuPacket im => im.Samples[0].TimestampUs,
        _ => null,
    };

    private static int Count(AedatPacket p) => p switch
    {
        EventsPacket e => e.Events.Count,
        TriggersPacket tr => tr.Triggers.Length,
        _ => 1,
    };

    private static long? Last(AedatPacket p) => p switch
    {
        EventsPacket e => e.Events.Timestamps[^1],
        TriggersPacket tr => tr.Triggers[^1].TimestampUs,
        _ => First(p),
    };

    /// <summary>The packet's items from index <paramref name="at"/> on as a packet of their own (the tail), and the items before it (the head, the same packet cut).</summary>
    private static (AedatPacket Head, AedatPacket Tail) SplitAt(AedatPacket p, int at)
    {
        if (p is EventsPacket e)
        {
            ReadOnlySpan<long> ts = e.Events.Timestamps;
            ReadOnlySpan<short> xs = e.Events.Xs, ys = e.Events.Ys;
            ReadOnlySpan<bool> ps = e.Events.Polarities;
            var tail = EventBatch.Rent(ts.Length - at);
            for (int i = at; i < ts.Length; i++) tail.Add(ts[i], xs[i], ys[i], ps[i]);
            e.Events.Truncate(at);
            return (e, e with { Events = tail });
        }
        var tr = (TriggersPacket)p;
        return (tr with { Triggers = tr.Triggers[..at] }, tr with { Triggers = tr.Triggers[at..] });
    }

    /// <summary>
    /// The time a stream has settled on (µs): its items' times in order; items behind it (damaged, or a reset clock) do
    /// not move it. In an events stream a run of items more than <see cref="EventSanitizer.JumpUs"/> ahead of it (one
    /// damaged timestamp, or a whole packet thrown forward) moves it only once the run has gone on, in order, for
    /// <see cref="ResetConfirmUs"/> of its own time (a real gap in the stream; review of stop 48: a packet thrown 5 s
    /// forward had moved it, and the good packets after it were then taken for a reset clock). A trigger stream's items
    /// are sparse (an exposure every few seconds is a rig's cadence), so every item in order moves it.
    /// </summary>
    private sealed class SettledClock
    {
        private (long? Settled, long? AheadFirst, long? AheadLast) _state;

        /// <summary>The settled time, µs; null before any item.</summary>
        public long? Settled => _state.Settled;

        /// <summary>Moves the settled time on over the packet's items.</summary>
        public void Walk(AedatPacket p)
        {
            var ts = Times(p);
            bool sparse = p is TriggersPacket;
            for (int i = 0; i < ts.Length; i++) _state = Step(_state, ts[i], sparse);
        }

        /// <summary>
        /// The index of the packet's first item more than <see cref="ClockResetUs"/> behind the settled time, when the items
        /// from it on are in order and all that far behind (a reset clock; damage scatters them, or comes back); −1 otherwise.
        /// Changes nothing.
        /// </summary>
        public int ResetAt(AedatPacket p)
        {
            if (p is not (EventsPacket or TriggersPacket)) return -1;
            var ts = Times(p);
            bool sparse = p is TriggersPacket;
            var state = _state;
            for (int i = 0; i < ts.Length; i++)
            {
                if (state.Settled is long s && ts[i] < s - ClockResetUs)
                {
                    // In order from there, and all of them far behind (a damaged stretch that comes back within the packet is not a clock).
                    for (int j = i + 1; j < ts.Length; j++) if (ts[j] < ts[j - 1] || ts[j] >= s - ClockResetUs) return -1;
                    return i;
                }
                state = Step(state, ts[i], sparse);
            }
            return -1;
        }

        private static (long? Settled, long? AheadFirst, long? AheadLast) Step((long? Settled, long? AheadFirst, long? AheadLast) state, long v, bool sparse)
        {
            if (state.Settled is not long s) return (v, null, null);
            if (v < s) return state;
            if (sparse || v - s <= EventSanitizer.JumpUs) return (v, null, null);
            // Far ahead: a run of its own, which the settled time follows once it has gone on for ResetConfirmUs.
            if (state.AheadLast is long last && state.AheadFirst is long first && v >= last && v - last <= EventSanitizer.JumpUs)
                return v - first >= ResetConfirmUs ? (v, null, null) : (s, first, v);
            return (s, v, v);
        }

        private static ReadOnlySpan<long> Times(AedatPacket p) => p switch
        {
            EventsPacket e => e.Events.Timestamps,
            TriggersPacket tr => tr.Triggers.Select(x => x.TimestampUs).ToArray(),
            _ => [],
        };
    }
}
