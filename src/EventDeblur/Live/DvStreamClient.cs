using System.Net.Sockets;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Live;

/// <summary>
/// Reads one DV network stream (tcp://host:port): connects, reads the IOHeader and then packets,
/// reconnecting with exponential back-off (100 ms → 2 s) for as long as it runs when the connection drops or cannot
/// be made, and records every gap. A source whose timestamps go back after a reconnection (restarted, or its clock
/// reset) starts a new <see cref="Epoch"/>. Packets go to <c>onPacket</c> in arrival order.
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
                        long? t = p switch
                        {
                            EventsPacket e => e.Events.Timestamps[0],
                            TriggersPacket tr => tr.Triggers[0].TimestampUs,
                            ImuPacket im => im.Samples[0].TimestampUs,
                            _ => null,
                        };
                        if (pendingGap && t != null)
                        {
                            lock (_gaps) _gaps[^1] = _gaps[^1] with { ResumedTimestampUs = t };
                            if (t < LastTimestampUs) _epoch++;
                            pendingGap = false;
                            OnConnectionChange?.Invoke($"{name} stream tcp://{host}:{port}: data again (t = {t} µs)");
                        }
                        long? last2 = p switch
                        {
                            EventsPacket e => e.Events.Timestamps[^1],
                            TriggersPacket tr => tr.Triggers[^1].TimestampUs,
                            _ => t,
                        };
                        if (last2 != null) LastTimestampUs = last2;
                        Packets++;
                        onPacket(p!);
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
}
