using System.Net;
using EventDeblur.Formats.Aedat;
using EventDeblur.Kernels;
using EventDeblur.Live;
using EventDeblur.Recording;
using EventDeblur.Simulation;

namespace EventDeblur.Tests.Live;

/// <summary>serve + live on 127.0.0.1, as a lab would test without a camera.</summary>
public class LiveTests
{
    private static (RecordingBundle Bundle, string Video, string Rig, long Events) Setup(int frames)
    {
        var o = SimulationPresets.Get("night-hard") with { Frames = frames, RgbWidth = 256, RgbHeight = 192, PointLights = 3, FramePeriodUs = 150_000, ExposureUs = (40_000, 60_000) };
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(o, 41, Path.Combine(dir, "bundle"));
        var b = RecordingBundle.Load(Path.Combine(dir, "bundle"));
        string video = Path.Combine(dir, "rgb.avi"), rig = Path.Combine(dir, "rig.json");
        Assert.Equal(frames, RigVideo.Write(b, video, rig));
        return (b, video, rig, AedatSummary.Compute(b.EventsPath).EventCount);
    }

    private static LiveOptions Options(DvStreamServer s, string video, string rig) => new()
    {
        EventsUri = $"tcp://127.0.0.1:{s.EventsPort}", TriggersUri = $"tcp://127.0.0.1:{s.TriggersPort}", RgbSource = video, RigPath = rig,
        OutDir = Path.Combine(TestPaths.NewTempDir(), "live"), Deconvolver = "wiener", StreamEndGraceS = 1.5, DurationS = 60,
    };

    [Fact]
    public async Task EveryFrameIsDeblurredWithNoLostEvents()
    {
        var (b, video, rig, total) = Setup(3);
        await using var server = new DvStreamServer(b.EventsPath, IPAddress.Loopback, 0, 0);
        server.Start();
        var o = Options(server, video, rig);
        var live = LivePipeline.RunAsync(o, new EventKernelEstimator());
        var stats = await server.PlayAsync(4);
        var s = await live;
        Assert.Equal(total, stats.Events);
        Assert.Equal(total, s.EventsReceived);
        Assert.Equal(0, s.DroppedEvents);
        Assert.Equal(0, s.DroppedFrames);
        Assert.Equal(3, s.Results.Count);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        Assert.All(s.Results, r => Assert.NotNull(r.LatencySeconds));
        Assert.All(s.Gaps, g => Assert.Null(g.ResumedTimestampUs)); // only the end of the stream
        Assert.True(File.Exists(Path.Combine(o.OutDir, "frames.parquet")));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(o.OutDir, "frames"), "*.png").Length);
    }

    [Fact]
    public async Task AStreamKilledMidRunIsReconnectedAndTheLossReported()
    {
        var (b, video, rig, total) = Setup(4);
        await using var server = new DvStreamServer(b.EventsPath, IPAddress.Loopback, 0, 0);
        server.Start();
        var o = Options(server, video, rig);
        var live = LivePipeline.RunAsync(o, new EventKernelEstimator());
        // A quarter of real time: the recording is 0.6 s long, and at full speed a loaded machine could finish
        // playing it before the client's first reconnection attempt (back-off from 100 ms), so nothing resumed.
        var play = server.PlayAsync(0.25);
        // Drop the clients once data has flowed on both streams (a quarter of the events and a trigger packet; a
        // frame's triggers follow its events in the file), so each stream has a last timestamp before the gap.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((server.EventsSent < total / 4 || server.TriggersSent == 0) && !play.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(5);
        string atDrop = $"at the drop: {server.EventsSent} events, {server.TriggersSent} triggers sent, play completed {play.IsCompleted}";
        Assert.True(server.EventsSent >= total / 4 && server.TriggersSent > 0, $"server sent only {server.EventsSent} of {total} events and {server.TriggersSent} triggers before the drop");
        server.DropClients();
        await play;
        var s = await live;
        var resumed = s.Gaps.Where(g => g.ResumedTimestampUs != null).ToList();
        Assert.True(resumed.Count > 0, "no stream resumed after the drop; gaps: " + string.Join(" | ", s.Gaps) + $"; {atDrop}; total {total}");
        Assert.All(resumed, g => Assert.True(g.LostUs > 0));
        // Events played while no client was connected cannot have arrived (a reconnection between two packets
        // loses none: the loss is then only the time without a connection).
        Assert.True(s.EventsReceived <= total - server.EventsUnheard, $"received {s.EventsReceived} of {total}, {server.EventsUnheard} played to no client");
        Assert.True(s.EventsReceived > 0);
        Assert.Contains("lost", resumed[0].ToString());
        Assert.True(s.Results.Count + s.Problems.Count(p => p.Contains("no exposure") || p.Contains("no RGB")) >= 4 - 1);
        Assert.Contains(s.Results, r => r.Status == "ok");
    }
}
