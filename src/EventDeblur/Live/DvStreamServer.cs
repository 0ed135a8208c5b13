using System.Net;
using System.Net.Sockets;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Live;

/// <summary>
/// Serves a recording's events and triggers as DV network streams (AEDAT.md §4.12): one TCP port per
/// stream; each client first gets the IOHeader (no version line, no data table), then packets. The
/// recording is played once in real time (scaled by <c>speed</c>) after every port has a client;
/// clients that connect later join the stream from then on; at the end every connection is closed.
/// </summary>
public sealed class DvStreamServer : IAsyncDisposable
{
    private readonly string _eventsPath;
    private readonly TcpListener _events;
    private readonly TcpListener _triggers;
    private readonly List<(TcpClient Client, Aedat4Writer Writer)> _eventClients = [];
    private readonly List<(TcpClient Client, Aedat4Writer Writer)> _triggerClients = [];
    private readonly Aedat4WriterOptions _eventOptions;
    private readonly Aedat4WriterOptions _triggerOptions;
    private readonly object _gate = new();
    private int _accepted;
    private long _eventsUnheard;
    private long _eventsSent;
    private long _triggersSent;
    private CancellationTokenSource? _accepting;
    private Task? _acceptLoop;

    /// <summary>Prepares a server for <paramref name="eventsPath"/> on <paramref name="address"/> (ports 0 = any free port).</summary>
    public DvStreamServer(string eventsPath, IPAddress address, int eventsPort, int triggersPort)
    {
        _eventsPath = eventsPath;
        using (var r = AedatReader.Open(eventsPath, new AedatReaderOptions { DecodeFrames = false }))
        {
            int w = Math.Max(1, r.Info.Width), h = Math.Max(1, r.Info.Height);
            _eventOptions = new Aedat4WriterOptions { Width = w, Height = h, Source = r.Info.Camera.Length > 0 ? r.Info.Camera : "EventDeblur", MaxEventsPerPacket = 8192 };
            _triggerOptions = _eventOptions;
        }
        _events = new TcpListener(address, eventsPort);
        _triggers = new TcpListener(address, triggersPort);
    }

    /// <summary>The events port (after <see cref="Start"/>).</summary>
    public int EventsPort => ((IPEndPoint)_events.LocalEndpoint).Port;

    /// <summary>The triggers port (after <see cref="Start"/>).</summary>
    public int TriggersPort => ((IPEndPoint)_triggers.LocalEndpoint).Port;

    /// <summary>Events sent so far in the current <see cref="PlayAsync"/> (to every connected client).</summary>
    public long EventsSent => Interlocked.Read(ref _eventsSent);

    /// <summary>Trigger events sent so far in the current <see cref="PlayAsync"/>.</summary>
    public long TriggersSent => Interlocked.Read(ref _triggersSent);

    /// <summary>Events played in the current <see cref="PlayAsync"/> while no events client was connected: nobody can have received them.</summary>
    public long EventsUnheard => Interlocked.Read(ref _eventsUnheard);

    /// <summary>Drops every connected client now (to test reconnection); the stream goes on for later clients.</summary>
    public void DropClients()
    {
        lock (_gate)
        {
            foreach (var (c, _) in _eventClients.Concat(_triggerClients)) c.Dispose();
            _eventClients.Clear();
            _triggerClients.Clear();
        }
    }

    /// <summary>Starts listening and accepting clients.</summary>
    public void Start()
    {
        _events.Start();
        _triggers.Start();
        _accepting = new CancellationTokenSource();
        _acceptLoop = Task.WhenAll(Accept(_events, _eventClients, _eventOptions, _accepting.Token), Accept(_triggers, _triggerClients, _triggerOptions, _accepting.Token));
    }

    private async Task Accept(TcpListener listener, List<(TcpClient, Aedat4Writer)> clients, Aedat4WriterOptions options, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient c;
            try { c = await listener.AcceptTcpClientAsync(ct); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            c.NoDelay = true;
            var writer = Aedat4Writer.CreateNetworkStream(c.GetStream(), options);
            lock (_gate) { clients.Add((c, writer)); _accepted++; }
        }
    }

    /// <summary>
    /// Waits until both ports have a client (or <paramref name="waitForClients"/> is false), then plays
    /// the recording at <paramref name="speed"/>× real time and closes every connection.
    /// </summary>
    public async Task<ServeStats> PlayAsync(double speed, bool waitForClients = true, CancellationToken ct = default)
    {
        while (waitForClients)
        {
            lock (_gate) if (_eventClients.Count > 0 && _triggerClients.Count > 0) break;
            await Task.Delay(10, ct);
        }
        long events = 0, triggers = 0;
        Interlocked.Exchange(ref _eventsSent, 0);
        Interlocked.Exchange(ref _triggersSent, 0);
        Interlocked.Exchange(ref _eventsUnheard, 0);
        long? t0 = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var reader = AedatReader.Open(_eventsPath, new AedatReaderOptions { DecodeFrames = false });
        while (reader.TryRead(out var packet))
        {
            ct.ThrowIfCancellationRequested();
            long first = packet switch
            {
                EventsPacket e => e.Events.Timestamps[0],
                TriggersPacket t => t.Triggers[0].TimestampUs,
                _ => long.MinValue,
            };
            if (first == long.MinValue) continue;
            t0 ??= first;
            double dueMs = (first - t0.Value) / 1000.0 / speed;
            double wait = dueMs - clock.Elapsed.TotalMilliseconds;
            if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            switch (packet)
            {
                case EventsPacket ep:
                    using (var b = ep.Events)
                    {
                        if (Send(_eventClients, w => w.WriteEvents(b)) == 0) Interlocked.Add(ref _eventsUnheard, b.Count);
                        events += b.Count;
                        Interlocked.Add(ref _eventsSent, b.Count);
                    }
                    break;
                case TriggersPacket tp:
                    Send(_triggerClients, w => w.WriteTriggers(tp.Triggers));
                    triggers += tp.Triggers.Length;
                    Interlocked.Add(ref _triggersSent, tp.Triggers.Length);
                    break;
            }
        }
        DropClients();
        return new ServeStats(events, triggers, _accepted);
    }

    /// <summary>Writes to every client; returns how many were connected when it started.</summary>
    private int Send(List<(TcpClient Client, Aedat4Writer Writer)> clients, Action<Aedat4Writer> write)
    {
        lock (_gate)
        {
            int connected = clients.Count;
            for (int i = clients.Count - 1; i >= 0; i--)
            {
                try { write(clients[i].Writer); }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    clients[i].Client.Dispose();
                    clients.RemoveAt(i);
                }
            }
            return connected;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _accepting?.Cancel();
        _events.Stop();
        _triggers.Stop();
        if (_acceptLoop != null) await _acceptLoop;
        DropClients();
        _accepting?.Dispose();
    }
}
