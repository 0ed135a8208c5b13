using System.Net;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Live;
using EventDeblur.Methods;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Sync;

namespace EventDeblur.Tests.Live;

/// <summary>
/// A live rig's events stream that breaks or carries damage (stop 42, a new user's fault trial with a fake DV server):
/// frames that got no event of their exposure were written as <c>ok</c> (the blurry input), and one packet whose
/// timestamps went back lost every event before it in the frame's window (the buffer's binary search assumed order),
/// with exit 0 and no problem recorded.
/// </summary>
public class LiveDamagedStreamTests
{
    /// <summary>A 3-frame bundle whose event file is rewritten, its events through <paramref name="events"/>; the RGB video and rig manifest.</summary>
    private static (RecordingBundle Bundle, string Video, string Rig, long[] Original) Bundle(Func<long[], short[], short[], bool[], IReadOnlyList<TimeRangeUs>, (long[], short[], short[], bool[])> events,
        Func<long, IReadOnlyList<TimeRangeUs>, long>? triggerTime = null, Func<long, IReadOnlyList<TimeRangeUs>, long>? sourceClock = null)
    {
        var o = SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 256, RgbHeight = 192, PointLights = 3, FramePeriodUs = 150_000, ExposureUs = (40_000, 60_000) };
        string dir = TestPaths.NewTempDir(), bundleDir = Path.Combine(dir, "bundle");
        HybridRigSimulator.Simulate(o, 43, bundleDir);
        string path = Path.Combine(bundleDir, "events.aedat4"), original = Path.Combine(dir, "original.aedat4");
        var windows = RecordingBundle.Load(bundleDir).ResolveExposures().Windows.Select(w => w.Exposure!.Value).ToList();
        File.Move(path, original);
        var t = new List<long>(); var x = new List<short>(); var y = new List<short>(); var p = new List<bool>();
        var triggers = new List<TriggerEvent>();
        int width, height;
        using (var r = AedatReader.Open(original))
        {
            (width, height) = (r.Info.Width, r.Info.Height);
            while (r.TryRead(out var pk))
            {
                if (pk is EventsPacket e) using (e.Events) { t.AddRange(e.Events.Timestamps.ToArray()); x.AddRange(e.Events.Xs.ToArray()); y.AddRange(e.Events.Ys.ToArray()); p.AddRange(e.Events.Polarities.ToArray()); }
                else if (pk is TriggersPacket tr) triggers.AddRange(tr.Triggers.ToArray());
            }
        }
        var (t2, x2, y2, p2) = events(t.ToArray(), x.ToArray(), y.ToArray(), p.ToArray(), windows);
        // The source's clock as written (a clock reset): the file keeps the recorded order, its times go through it.
        var written = sourceClock == null ? t2 : t2.Select(v => sourceClock(v, windows)).ToArray();
        using (var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = width, Height = height, MaxEventsPerPacket = 4096 }))
        {
            // Triggers interleaved with the events by time, as a recorder writes them.
            int k = 0;
            foreach (var recorded in triggers)
            {
                var trig = triggerTime == null ? recorded : recorded with { TimestampUs = triggerTime(recorded.TimestampUs, windows) };
                int upTo = k;
                while (upTo < t2.Length && t2[upTo] <= trig.TimestampUs) upTo++;
                if (upTo > k) w.WriteEvents(written.AsSpan(k, upTo - k), x2.AsSpan(k, upTo - k), y2.AsSpan(k, upTo - k), p2.AsSpan(k, upTo - k));
                k = upTo;
                w.WriteTriggers([sourceClock == null ? trig : trig with { TimestampUs = sourceClock(trig.TimestampUs, windows) }]);
            }
            if (k < t2.Length) w.WriteEvents(written.AsSpan(k), x2.AsSpan(k), y2.AsSpan(k), p2.AsSpan(k));
            w.Complete();
        }
        var b = RecordingBundle.Load(bundleDir);
        string video = Path.Combine(dir, "rgb.avi"), rig = Path.Combine(dir, "rig.json");
        Assert.Equal(3, RigVideo.Write(b, video, rig));
        return (b, video, rig, t.ToArray());
    }

    /// <summary>A live run on <paramref name="server"/>'s streams, the RGB from <paramref name="video"/>, into a new folder.</summary>
    private static LiveOptions Options(DvStreamServer server, string video, string rig) => new()
    {
        EventsUri = $"tcp://127.0.0.1:{server.EventsPort}", TriggersUri = $"tcp://127.0.0.1:{server.TriggersPort}", RgbSource = video, RigPath = rig,
        OutDir = Path.Combine(TestPaths.NewTempDir(), "live"), Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener",
        StreamEndGraceS = 1.5, StreamLostGraceS = 2, DurationS = 60,
    };

    private static async Task<(LiveSummary Summary, LiveOptions Options)> Live(RecordingBundle b, string video, string rig)
    {
        await using var server = new DvStreamServer(b.EventsPath, IPAddress.Loopback, 0, 0);
        server.Start();
        var o = Options(server, video, rig);
        var live = LivePipeline.RunAsync(o, new EventKernelEstimator());
        await server.PlayAsync(4);
        return (await live, o);
    }

    [Fact]
    public async Task FramesWhoseExposureGotNoEventFailAndAFramePartlyCoveredSaysSo()
    {
        var (b, video, rig, _) = Bundle((t, x, y, p, windows) =>
        {
            // The events stop in the middle of frame 0's exposure (the camera's stream died there).
            long cut = (windows[0].StartUs + windows[0].EndUs) / 2;
            int n = Array.FindIndex(t, v => v >= cut);
            return (t[..n], x[..n], y[..n], p[..n]);
        });
        var (s, _) = await Live(b, video, rig);
        Assert.Equal(["ok", "failed", "failed"], s.Results.OrderBy(r => r.Index).Select(r => r.Status));
        Assert.All(s.Results.Where(r => r.Index > 0), r => Assert.Contains("after the last event", r.Error));
        Assert.Contains(s.Problems, p => p.Location.Kind == ProblemLocationKind.Frame && p.Location.Value == 0 && p.Message.Contains("of it has no events, so its kernel comes from part of the motion"));
    }

    [Fact]
    public async Task APacketWhoseTimeGoesBackLosesOnlyItsOwnEvents()
    {
        const int Shifted = 3000;
        var (b, video, rig, original) = Bundle((t, x, y, p, windows) =>
        {
            // 3 000 events 10 ms into frame 0's exposure, 5 s back in time.
            t = (long[])t.Clone();
            int from = Array.FindIndex(t, v => v >= windows[0].StartUs + 10_000);
            for (int i = from; i < from + Shifted; i++) t[i] -= 5_000_000;
            return (t, x, y, p);
        });
        var (s, o) = await Live(b, video, rig);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        Assert.Contains(s.Problems, p => p.Message.StartsWith("3,000 events went back in time within the stream", StringComparison.Ordinal));
        // Frame 0's kept events are its window's events but the shifted ones (before stop 42: every event before them too).
        var w = b.ResolveExposures().Windows[0].Exposure!.Value;
        long inWindow = original.LongCount(v => v >= w.StartUs && v < w.EndUs);
        await using var reader = await Parquet.ParquetReader.CreateAsync(Path.Combine(o.OutDir, EventDeblur.Pipeline.Output.FrameEventsFile.FileOf(0)));
        Assert.Equal(inWindow - Shifted, reader.Metadata!.NumRows);
        Assert.Equal(Shifted, s.DroppedEvents);
    }

    /// <summary>
    /// A real gap of 2 s in the stream (events and triggers after frame 1 moved 2 s on), after which the events are sparse
    /// (1 in 40 kept): the events after the jump are held back only until they span 20 ms in order, so the frame after
    /// the gap gets them (stop 45's review: they were held until 4 096 had come — never, here — and the frame failed).
    /// </summary>
    [Fact]
    public async Task ARealGapFollowedByASparseStreamLosesNoFrame()
    {
        const long Gap = 2_000_000;
        long At(IReadOnlyList<TimeRangeUs> w) => (w[1].EndUs + w[2].StartUs) / 2;
        var (b, video, rig, _) = Bundle((t, x, y, p, windows) =>
        {
            long at = At(windows);
            var keep = Enumerable.Range(0, t.Length).Where(i => t[i] < at || i % 40 == 0).ToArray();
            return (keep.Select(i => t[i] >= at ? t[i] + Gap : t[i]).ToArray(), keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray(), keep.Select(i => p[i]).ToArray());
        }, (t, windows) => t >= At(windows) ? t + Gap : t);
        var (s, _) = await Live(b, video, rig);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        Assert.Equal(0, s.DroppedEvents);
    }

    /// <summary>
    /// The camera's clock is reset within one connection (events and triggers from between frames 0 and 1 on, 2 s back):
    /// the frames after it are deblurred with their own events on the new clock, and the reset is said as such (stop 45's
    /// live trial: the events after it were dropped as "went back in time … a damaged packet", the frames after it got
    /// none or another moment's, and the trigger stream's jump was not reported).
    /// </summary>
    [Fact]
    public async Task AClockResetWithinAConnectionStartsANewClockAndLosesNoFrame()
    {
        const long Back = 2_000_000;
        long At(IReadOnlyList<TimeRangeUs> w) => (w[0].EndUs + w[1].StartUs) / 2;
        var (b, video, rig, original) = Bundle((t, x, y, p, _) => (t, x, y, p), sourceClock: (t, windows) => t >= At(windows) ? t - Back : t);
        var (s, o) = await Live(b, video, rig);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        Assert.Equal(0, s.DroppedEvents);
        Assert.Contains(s.Problems, p => p.ToString().StartsWith("events stream: the source's clock was reset within the connection (its timestamps went back from", StringComparison.Ordinal));
        Assert.Contains(s.Problems, p => p.ToString().StartsWith("triggers stream: the source's clock was reset within the connection", StringComparison.Ordinal));
        Assert.Contains(s.Gaps, g => g.ClockReset && g.Stream == "events" && g.LastTimestampUs - g.ResumedTimestampUs > Back - 200_000);
        Assert.Contains(s.Gaps, g => g.ClockReset && g.Stream == "triggers");
        // Each frame has the events of its own exposure (on the new clock after the reset), every one of them.
        var windows = b.ResolveExposures().Windows.Select(w => w.Exposure!.Value).ToList();
        for (int k = 0; k < 3; k++)
        {
            long inWindow = original.LongCount(v => v >= windows[k].StartUs && v < windows[k].EndUs);
            await using var reader = await Parquet.ParquetReader.CreateAsync(Path.Combine(o.OutDir, EventDeblur.Pipeline.Output.FrameEventsFile.FileOf(k)));
            Assert.Equal(inWindow, reader.Metadata!.NumRows);
        }
        // Frames 1 and 2 took their own exposures, on the new clock.
        Assert.Equal([windows[0].StartUs, windows[1].StartUs - Back, windows[2].StartUs - Back], s.Results.OrderBy(r => r.Index).Select(r => r.ExposureStartUs!.Value));
    }

    /// <summary>
    /// A working live run's folder says what it is from the start (stop 45's live trial: a run killed with SIGKILL left no
    /// run.json and no frames.parquet, so report and live disowned the folder and --force removed its frames): run.json
    /// with status "running" and a frames.parquet of the frames so far, rewritten as the run goes and at its end.
    /// </summary>
    [Fact]
    public async Task AWorkingRunsFolderHoldsItsRunJsonAndFramesSoFar()
    {
        var (b, video, rig, _) = Bundle((t, x, y, p, _) => (t, x, y, p));
        await using var server = new DvStreamServer(b.EventsPath, IPAddress.Loopback, 0, 0);
        server.Start();
        var o = Options(server, video, rig);
        var live = LivePipeline.RunAsync(o, new EventKernelEstimator());
        // Nothing has been played yet: the run waits for its streams, and its folder already says what it is.
        string runJson = Path.Combine(o.OutDir, "run.json");
        for (int k = 0; k < 600 && !File.Exists(runJson); k++) await Task.Delay(50);
        var working = EventDeblur.Pipeline.Output.RunManifest.Read(o.OutDir);
        Assert.Equal(("live", "running", (DateTimeOffset?)null), (working.Mode, working.Status, working.Finished));
        Assert.Empty(await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(o.OutDir, "frames.parquet")));
        Assert.False(live.IsCompleted);
        await server.PlayAsync(4);
        var s = await live;
        var done = EventDeblur.Pipeline.Output.RunManifest.Read(o.OutDir);
        Assert.Equal("completed", done.Status);
        Assert.NotNull(done.Finished);
        Assert.Equal(3, (await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(o.OutDir, "frames.parquet"))).Count);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
    }

    /// <summary>
    /// A damaged stretch whose times are all thrown 1.5 s forward (in order), then the stream as before: damage, not a clock
    /// reset (review of stop 48, with 5 s: the settled clock followed it, the good packets after it were taken for a reset
    /// clock, and frames 1 and 2 failed with no events). 1.5 s, over the 1-s jump that starts a forward run: serve paces
    /// packets by their times, and a 5-s jump held it back 1.25 s, long enough under load for the run to take the
    /// stream as ended.
    /// </summary>
    [Fact]
    public async Task AStretchThrownForwardIsNotAClockReset()
    {
        const int Shifted = 3000;
        var (b, video, rig, original) = Bundle((t, x, y, p, windows) =>
        {
            t = (long[])t.Clone();
            int from = Array.FindIndex(t, v => v >= windows[0].StartUs + 10_000);
            for (int i = from; i < from + Shifted; i++) t[i] += 1_500_000;
            return (t, x, y, p);
        });
        var (s, o) = await Live(b, video, rig);
        Assert.DoesNotContain(s.Problems, p => p.ToString().Contains("clock was reset", StringComparison.Ordinal));
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        Assert.Equal(Shifted, s.DroppedEvents);
        var windows = b.ResolveExposures().Windows.Select(w => w.Exposure!.Value).ToList();
        for (int k = 1; k < 3; k++)
        {
            long inWindow = original.LongCount(v => v >= windows[k].StartUs && v < windows[k].EndUs);
            await using var reader = await Parquet.ParquetReader.CreateAsync(Path.Combine(o.OutDir, EventDeblur.Pipeline.Output.FrameEventsFile.FileOf(k)));
            Assert.Equal(inWindow, reader.Metadata!.NumRows);
        }
    }

    /// <summary>
    /// One event whose timestamp a flipped bit threw 2^33 µs forward costs that event, not the rest of the stream (stop 45's
    /// live trial: every later event of the connection "went back in time" against it and was dropped, the frames after it
    /// were written `ok` with no events, and dropped_events said 0).
    /// </summary>
    [Fact]
    public async Task OneTimestampThrownForwardCostsThatEventOnly()
    {
        var (b, video, rig, original) = Bundle((t, x, y, p, windows) =>
        {
            t = (long[])t.Clone();
            int at = Array.FindIndex(t, v => v >= windows[0].StartUs + 10_000);
            t[at] ^= 1L << 33;
            return (t, x, y, p);
        });
        var (s, o) = await Live(b, video, rig);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        Assert.Equal(original.Length, s.EventsReceived);
        Assert.Equal(1, s.DroppedEvents);
        Assert.Contains(s.Problems, p => p.Message.StartsWith("1 events after a timestamp that jumped over a second forward were dropped", StringComparison.Ordinal));
        var windows = b.ResolveExposures().Windows.Select(w => w.Exposure!.Value).ToList();
        for (int k = 0; k < 3; k++)
        {
            long inWindow = original.LongCount(v => v >= windows[k].StartUs && v < windows[k].EndUs) - (k == 0 ? 1 : 0);
            await using var reader = await Parquet.ParquetReader.CreateAsync(Path.Combine(o.OutDir, EventDeblur.Pipeline.Output.FrameEventsFile.FileOf(k)));
            Assert.Equal(inWindow, reader.Metadata!.NumRows);
        }
    }
}

/// <summary>
/// Stretches of the events stream that a live run lost — packets its reader skipped, data a dropped connection lost — and
/// what they mean for a frame (stop 45's live trial: frames whose exposures fell in a 985-ms outage were written `ok`).
/// </summary>
public class LiveLostStretchTests
{
    [Fact]
    public void AnExposureWhollyInALostStretchFailsAndOnePartlyInItGetsANote()
    {
        var gaps = new List<StreamGap>
        {
            new("events", 1_000_000, 2_000_000, "connection closed by the server"),   // on an earlier clock
            new("events", 5_000_000, 1_000, "connection closed by the server"),       // the source restarted
            new("events", 3_000_000, 4_000_000, "connection reset"),                  // lost 1 s on the current clock
            new("events", 9_000_000, null, "connection reset"),                       // not resumed (yet)
        };
        var stretches = LivePipeline.Stretches([new LivePipeline.StreamLoss(6_000_000, 6_100_000, "packet skipped")], gaps);
        Assert.Equal([(6_000_000L, 6_100_000L), (3_000_000L, 4_000_000L)], stretches.Select(l => (l.FromUs!.Value, l.ToUs!.Value)));

        var (failure, notes) = LivePipeline.JudgeLosses(new TimeRangeUs(3_200_000, 3_250_000), stretches);
        Assert.Equal("exposure [3200000, 3250000) µs on the event clock lies wholly in a stretch the events stream lost (no event after t = 3000000 µs before t = 4000000 µs: the connection was lost: connection reset), so no event falls in it", failure);
        Assert.Empty(notes);
        (failure, notes) = LivePipeline.JudgeLosses(new TimeRangeUs(3_980_000, 4_030_000), stretches);
        Assert.Null(failure);
        Assert.Contains("the events stream lost data during its exposure [3980000, 4030000) µs (after t = 3000000 µs, before 4000000 µs: the connection was lost: connection reset)", Assert.Single(notes));
        // A skipped packet's stretch, and one that ends at the exposure's end: wholly lost.
        Assert.NotNull(LivePipeline.JudgeLosses(new TimeRangeUs(6_010_000, 6_100_000), stretches).Failure);
        // Outside every stretch: nothing to say (the earlier clock's gap does not count).
        var outside = LivePipeline.JudgeLosses(new TimeRangeUs(1_200_000, 1_250_000), stretches);
        Assert.Null(outside.Failure);
        Assert.Empty(outside.Notes);
    }
}

/// <summary>
/// Latency against the event clock (stop 42: a source sending faster than real time gave latencies of −15.7 s, because
/// the clock's offset was taken from the first batch alone).
/// </summary>
public class EventClockTests
{
    [Fact]
    public void TheOffsetIsTheSmallestSeenSoNoLatencyIsNegative()
    {
        var clock = new EventClock();
        Assert.Null(clock.OffsetUs);
        Assert.Null(clock.WallOf(0));
        // A flood: each batch's events run ahead of the wall clock, so (arrival − event time) keeps falling.
        long wall = 1_000_000, t = 0;
        for (int k = 0; k < 50; k++)
        {
            wall += 10_000;      // 10 ms between batches
            t += 100_000;        // 100 ms of events in each
            clock.Observe(wall, t);
            // The frame whose exposure ended at this batch's last event, written now: latency ≥ 0.
            Assert.True(wall - clock.WallOf(t)!.Value >= 0);
        }
        Assert.Equal(1_500_000 - 5_000_000, clock.OffsetUs);
        clock.Observe(5_000_000, 5_000_000);
        Assert.Equal(1_500_000 - 5_000_000, clock.OffsetUs);
        clock.Reset();
        Assert.Null(clock.OffsetUs);
    }

    /// <summary>
    /// A source at <paramref name="pace"/>× real time for 30 s, each batch arriving 2–40 ms after its last event (a busy
    /// reader): the wall time of an event is found within 50 ms whatever the pace (stop 46: at --speed 0.25 the latency had
    /// grown by 0.75 s per second of run), and a real-time source keeps the smallest offset, its busy reader's lag counted.
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(4.0)]
    public void EventsAreMappedToTheWallClockAtTheSourcesPace(double pace)
    {
        var clock = new EventClock();
        var rng = new Random(4607);
        const long start = 7_000_000, t0 = 1_700_000_000_000_000;
        long Happened(long t) => start + (long)((t - t0) / pace);   // when the source sent the event at t
        for (long w = start; w < start + 30_000_000; w += 5_000)
        {
            long t = t0 + (long)((w - start) * pace);
            clock.Observe(w + rng.Next(2_000, 40_000), t);
        }
        Assert.Equal(pace is >= 0.9 and <= 1.1 ? 1 : pace, clock.Pace, 2);
        foreach (double at in new[] { 0.5, 0.9, 0.999 })
        {
            long t = t0 + (long)(30_000_000 * pace * at);
            Assert.InRange(clock.WallOf(t)!.Value - Happened(t), 0, 50_000);
        }
    }
}

/// <summary>
/// serve's ports follow DV's network layout (AEDAT.md §4.12; stop 42, found by a new user writing their own DV client):
/// each port's IOHeader declares one stream, id 0, and each packet carries it. Before, each port announced the file
/// writer's four streams, and the triggers port sent stream 3.
/// </summary>
public class ServeLayoutTests
{
    [Fact]
    public async Task EachPortAnnouncesOneStreamWithIdZeroAndSendsIt()
    {
        string bundle = Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night");
        await using var server = new DvStreamServer(Path.Combine(bundle, "events.aedat4"), IPAddress.Loopback, 0, 0);
        server.Start();
        async Task<(AedatFileInfo Info, HashSet<int> Ids, long Items)> Client(int port)
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            return await Task.Run(() =>
            {
                using var r = Aedat4Reader.OpenStream(tcp.GetStream(), $"tcp://127.0.0.1:{port}", hasVersionLine: false);
                var ids = new HashSet<int>();
                long items = 0;
                while (r.TryRead(out var p))
                {
                    ids.Add(p!.StreamId);
                    if (p is EventsPacket e) using (e.Events) items += e.Events.Count;
                    else if (p is TriggersPacket t) items += t.Triggers.Length;
                }
                Assert.Empty(r.Problems);
                return (r.Info, ids, items);
            });
        }
        var events = Client(server.EventsPort);
        var triggers = Client(server.TriggersPort);
        await server.PlayAsync(20);
        var (ei, eids, n) = await events;
        var (ti, tids, m) = await triggers;
        Assert.Equal([(0, AedatStreamKind.Events)], ei.Streams.Select(s => (s.Id, s.Kind)));
        Assert.Equal([(0, AedatStreamKind.Triggers)], ti.Streams.Select(s => (s.Id, s.Kind)));
        Assert.Equal([0], eids);
        Assert.Equal([0], tids);
        Assert.Equal(AedatSummary.Compute(Path.Combine(bundle, "events.aedat4")).EventCount, n);
        Assert.True(m > 0);
    }
}
