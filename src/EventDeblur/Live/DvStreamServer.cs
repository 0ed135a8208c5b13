using System.Net;
using System.Net.Sockets;
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
    private TcpListener _events;
    private TcpListener _triggers;
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
    private volatile bool _paused;

    /// <summary>Prepares a server for <paramref name="eventsPath"/> on <paramref name="address"/> (ports 0 = any free port).</summary>
    public DvStreamServer(string eventsPath, IPAddress address, int eventsPort, int triggersPort)
    {
        _eventsPath = eventsPath;
        using (var r = AedatReader.Open(eventsPath, new AedatReaderOptions { DecodeFrames = false }))
        {
            int w = Math.Max(1, r.Info.Width), h = Math.Max(1, r.Info.Height);
            // One stream per port, id 0, as DV's network output sends it (AEDAT.md §4.12: the IOHeader's infoNode holds a
            // single stream, id 0, and every packet carries that id); before stop 42 each port announced the file writer's
            // four streams and the triggers port sent stream 3.
            _eventOptions = new Aedat4WriterOptions
            {
                Width = w, Height = h, Source = r.Info.Camera.Length > 0 ? r.Info.Camera : "EventDeblur", MaxEventsPerPacket = 8192,
                Streams = [new(0, AedatStreamKind.Events, "events")],
            };
            _triggerOptions = _eventOptions with { Streams = [new(0, AedatStreamKind.Triggers, "triggers")] };
        }
        _events = Listener(address, eventsPort);
        _triggers = Listener(address, triggersPort);
    }

    // Address reuse: after an outage (OutageAsync) the ports are bound again while the dropped connections linger in TIME_WAIT.
    private static TcpListener Listener(IPAddress address, int port)
    {
        var l = new TcpListener(address, port);
        l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        return l;
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

    /// <summary>
    /// A network outage, to test clients (the lab's version of pulling the cable): playback pauses at the next packet,
    /// both ports stop listening and every client is dropped; after <paramref name="duration"/> the same ports listen
    /// again, and playback goes on where it stopped once both ports have a client. Nothing is played while no client can
    /// hear it. Returns when playback has resumed (or <paramref name="ct"/> is cancelled), with the number of events
    /// sent before the outage.
    /// </summary>
    /// <exception cref="IOException">A port cannot be listened on again.</exception>
    public async Task<long> OutageAsync(TimeSpan duration, CancellationToken ct = default)
    {
        long sentBefore;
        lock (_gate)
        {
            _paused = true;
            sentBefore = EventsSent;
        }
        try
        {
            var address = ((IPEndPoint)_events.LocalEndpoint).Address;
            int eventsPort = EventsPort, triggersPort = TriggersPort;
            _accepting?.Cancel();
            _events.Stop();
            _triggers.Stop();
            if (_acceptLoop != null) await _acceptLoop;
            DropClients();
            await Task.Delay(duration, ct);
            _events = Listener(address, eventsPort);
            _triggers = Listener(address, triggersPort);
            Start();
            while (true)
            {
                lock (_gate) if (_eventClients.Count > 0 && _triggerClients.Count > 0) break;
                await Task.Delay(10, ct);
            }
        }
        finally
        {
            // Playback goes on, also when the wait for clients was cancelled.
            _paused = false;
        }
        return sentBefore;
    }

    /// <summary>
    /// A stall, to test clients (a paused or hung server): playback pauses at the next packet for
    /// <paramref name="duration"/> while every connection stays open and silent, then goes on where it stopped (the
    /// recording's clock stops with it, so nothing is lost).
    /// </summary>
    public async Task StallAsync(TimeSpan duration, CancellationToken ct = default)
    {
        lock (_gate) _paused = true;
        try { await Task.Delay(duration, ct); }
        finally { _paused = false; }
    }

    /// <summary>Starts listening and accepting clients.</summary>
    /// <exception cref="IOException">A port cannot be listened on (in use by another program, or not allowed); the message names the stream and port.</exception>
    public void Start()
    {
        Listen(_events, "events");
        try { Listen(_triggers, "triggers"); }
        catch (IOException) { _events.Stop(); throw; }
        _accepting = new CancellationTokenSource();
        _acceptLoop = Task.WhenAll(Accept(_events, _eventClients, _eventOptions, _accepting.Token), Accept(_triggers, _triggerClients, _triggerOptions, _accepting.Token));
    }

    private static void Listen(TcpListener listener, string stream)
    {
        try { listener.Start(); }
        catch (SocketException e)
        {
            var at = (IPEndPoint)listener.LocalEndpoint;
            throw new IOException($"{stream} port {at.Port} on {at.Address}: cannot listen ({e.Message})" +
                (e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "; another program (another serve?) is using that port: choose another" : ""), e);
        }
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
    /// <param name="speed">Playback speed (1 = real time).</param>
    /// <param name="waitForClients">Wait until both ports have a client before playing.</param>
    /// <param name="ct">Stops playback.</param>
    /// <param name="onProblem">Told each problem of the recording as the reader meets it (a skipped packet's events are not sent).</param>
    public async Task<ServeStats> PlayAsync(double speed, bool waitForClients = true, CancellationToken ct = default, Action<EventDeblur.IO.Problem>? onProblem = null)
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
        int told = 0;
        void Tell()
        {
            for (; told < reader.Problems.Count; told++) onProblem?.Invoke(reader.Problems[told]);
        }
        while (reader.TryRead(out var packet))
        {
            Tell();
            ct.ThrowIfCancellationRequested();
            // Paced by the packet's middle event: one damaged timestamp at its start (thrown 2^33 µs forward by a flipped
            // bit) must not hold the packet back for hours.
            long first = packet switch
            {
                EventsPacket e => e.Events.Timestamps[e.Events.Count / 2],
                TriggersPacket t => t.Triggers[0].TimestampUs,
                _ => long.MinValue,
            };
            if (first == long.MinValue) continue;
            t0 ??= first;
            double dueMs = (first - t0.Value) / 1000.0 / speed;
            double wait = dueMs - clock.Elapsed.TotalMilliseconds;
            if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            // Checked and sent under the clients' lock, so an outage (OutageAsync) never falls between the two.
            while (!TrySendUnlessPaused(packet!, ref events, ref triggers))
            {
                // An outage: the recording's clock stops with it.
                clock.Stop();
                while (_paused) await Task.Delay(10, ct);
                clock.Start();
            }
        }
        Tell();
        DropClients();
        return new ServeStats(events, triggers, _accepted, [.. reader.Problems]);
    }

    /// <summary>Sends an events or triggers packet to every client, unless an outage is on (then false, nothing sent).</summary>
    private bool TrySendUnlessPaused(AedatPacket packet, ref long events, ref long triggers)
    {
        lock (_gate)
        {
            if (_paused) return false;
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
            return true;
        }
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
