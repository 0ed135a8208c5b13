using System.Net;
using System.Net.Sockets;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Live;

namespace EventDeblur.Tests.Live;

/// <summary>DvStreamClient's clock-reset detection on hand-made DV streams (review of stop 48: a packet thrown forward was taken for a reset; a slow rig's trigger stream and an events stream with IMU packets never confirmed one).</summary>
public class DvStreamClientClockTests
{
    private static async Task<(DvStreamClient Client, List<AedatPacket> Got)> Serve(IReadOnlyList<Aedat4StreamDeclaration> streams, Action<Aedat4Writer> write)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var got = new List<AedatPacket>();
        var client = new DvStreamClient("s", "127.0.0.1", port, p =>
        {
            lock (got) got.Add(p);
        });
        using var cts = new CancellationTokenSource();
        var run = client.RunAsync(cts.Token);
        using (var c = await listener.AcceptTcpClientAsync())
        {
            var w = Aedat4Writer.CreateNetworkStream(c.GetStream(), new Aedat4WriterOptions { Width = 64, Height = 64, Streams = streams });
            write(w);
            c.GetStream().Flush();
            await Task.Delay(500);
        }
        listener.Stop();
        await Task.Delay(500);
        cts.Cancel();
        try { await run; } catch (OperationCanceledException) { }
        return (client, got);
    }

    private static void Events(Aedat4Writer w, long from, long to, long step)
    {
        var t = new List<long>();
        for (long v = from; v < to; v += step) t.Add(v);
        var x = new short[t.Count]; var y = new short[t.Count]; var p = new bool[t.Count];
        w.WriteEvents(t.ToArray(), x, y, p);
    }

    /// <summary>A reset of a sparse trigger stream (an exposure every 1.5 s, 50 ms each), from 9.5 s back to 0.2 s.</summary>
    [Fact]
    public async Task ASlowTriggerStreamsClockResetIsANewEpoch()
    {
        var (client, got) = await Serve([new(0, AedatStreamKind.Triggers, "triggers")], w =>
        {
            foreach (long start in new long[] { 200_000, 1_700_000, 3_200_000, 4_700_000, 6_200_000, 7_700_000, 9_200_000 })
            {
                w.WriteTriggers([new TriggerEvent(start, TriggerType.ExternalSignalRisingEdge)]);
                w.WriteTriggers([new TriggerEvent(start + 50_000, TriggerType.ExternalSignalFallingEdge)]);
            }
            // The camera's clock is reset: the same pattern again from 0.2 s.
            foreach (long start in new long[] { 200_000, 1_700_000, 3_200_000, 4_700_000 })
            {
                w.WriteTriggers([new TriggerEvent(start, TriggerType.ExternalSignalRisingEdge)]);
                w.WriteTriggers([new TriggerEvent(start + 50_000, TriggerType.ExternalSignalFallingEdge)]);
            }
        });
        Assert.Equal(22, got.Count);
        Assert.Equal(1, client.Epoch);
    }

    /// <summary>The same reset at 30 fps (for contrast: detected).</summary>
    [Fact]
    public async Task AFastTriggerStreamsClockResetIsANewEpoch()
    {
        var (client, got) = await Serve([new(0, AedatStreamKind.Triggers, "triggers")], w =>
        {
            for (long start = 200_000; start < 2_000_000; start += 33_000)
            {
                w.WriteTriggers([new TriggerEvent(start, TriggerType.ExternalSignalRisingEdge)]);
                w.WriteTriggers([new TriggerEvent(start + 10_000, TriggerType.ExternalSignalFallingEdge)]);
            }
            for (long start = 200_000; start < 1_000_000; start += 33_000)
            {
                w.WriteTriggers([new TriggerEvent(start, TriggerType.ExternalSignalRisingEdge)]);
                w.WriteTriggers([new TriggerEvent(start + 10_000, TriggerType.ExternalSignalFallingEdge)]);
            }
        });
        Assert.Equal(1, client.Epoch);
    }

    /// <summary>An events stream with IMU packets interleaved (a stream that declares both), reset from 5 s to 0.</summary>
    [Fact]
    public async Task AnImuPacketInAHeldRunDoesNotTurnAResetIntoDamage()
    {
        var (client, got) = await Serve([new(0, AedatStreamKind.Events, "events"), new(1, AedatStreamKind.Imu, "imu")], w =>
        {
            for (long t0 = 0; t0 < 5_000_000; t0 += 10_000)
            {
                Events(w, t0, t0 + 10_000, 100);
                if (t0 % 50_000 == 0) w.WriteImu([new ImuSample(t0 + 9_000, 30, 0, 0, 1, 0, 0, 0)]);
            }
            for (long t0 = 0; t0 < 1_000_000; t0 += 10_000)
            {
                Events(w, t0, t0 + 10_000, 100);
                if (t0 % 50_000 == 0) w.WriteImu([new ImuSample(t0 + 9_000, 30, 0, 0, 1, 0, 0, 0)]);
            }
        });
        Assert.Equal(1, client.Epoch);
    }

    /// <summary>The same stream without the IMU packets (for contrast: detected).</summary>
    [Fact]
    public async Task AnEventsStreamsResetIsANewEpoch()
    {
        var (client, _) = await Serve([new(0, AedatStreamKind.Events, "events")], w =>
        {
            for (long t0 = 0; t0 < 5_000_000; t0 += 10_000) Events(w, t0, t0 + 10_000, 100);
            for (long t0 = 0; t0 < 1_000_000; t0 += 10_000) Events(w, t0, t0 + 10_000, 100);
        });
        Assert.Equal(1, client.Epoch);
    }

    /// <summary>
    /// One damaged packet whose events are all thrown 5 s forward (in order), then the stream goes on as before: damage,
    /// not a clock reset (the pipeline's sanitizer drops such a packet; before this change the client never said "reset").
    /// </summary>
    [Fact]
    public async Task APacketThrownForwardIsNotAClockReset()
    {
        var (client, _) = await Serve([new(0, AedatStreamKind.Events, "events")], w =>
        {
            for (long t0 = 0; t0 < 2_000_000; t0 += 10_000) Events(w, t0, t0 + 10_000, 100);
            Events(w, 7_000_000, 7_010_000, 100);
            for (long t0 = 2_010_000; t0 < 3_000_000; t0 += 10_000) Events(w, t0, t0 + 10_000, 100);
        });
        Assert.Equal(0, client.Epoch);
        Assert.DoesNotContain(client.Gaps, g => g.ClockReset);
    }
}
