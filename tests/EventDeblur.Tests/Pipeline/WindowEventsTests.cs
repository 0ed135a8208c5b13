using EventDeblur.Events;
using EventDeblur.Pipeline;

namespace EventDeblur.Tests.Pipeline;

/// <summary>
/// Stop 39's ingest trial: one APS frame exposed for 7.8 s in a real-length recording made replay hold all 7 M events of
/// its window (517 MB, growing with the recording). A window now keeps at most its cap, decimating evenly.
/// </summary>
public class WindowEventsTests
{
    [Fact]
    public void AWindowPastItsCapKeepsEveryStrideThEventInOrder()
    {
        var w = new WindowEvents(new TimeRangeUs(1000, 1_000_000), maxEvents: 1000);
        // 10 000 events in the window (and some outside it), in batches of 777.
        var all = Enumerable.Range(0, 10_500).Select(i => (T: 500L + 100L * i, X: (short)(i % 300), Y: (short)(i % 200), P: i % 3 == 0)).ToList();
        foreach (var chunk in all.Chunk(777))
        {
            using var b = EventBatch.Rent(chunk.Length);
            foreach (var e in chunk) b.Add(e.T, e.X, e.Y, e.P);
            w.Add(b);
        }
        var inWindow = all.Where(e => e.T >= 1000 && e.T < 1_000_000).ToList();
        Assert.Equal(inWindow.Count, w.Seen);
        Assert.Equal(16, w.Stride);
        var s = w.ToSlice();
        var expected = inWindow.Where((_, i) => i % 16 == 0).ToList();
        Assert.Equal(expected.Select(e => e.T), s.T);
        Assert.Equal(expected.Select(e => e.X), s.X);
        Assert.Equal(expected.Select(e => e.P), s.P);
        Assert.InRange(s.Count, 1, 1000);
    }

    /// <summary>
    /// Stop 41's trial: 300 overlapping exposures of 1 000 s each held every event once per window (7.4 GB for a 4.6 MB
    /// file). Windows open at once now share a budget: a window's cap can be lowered, and what it kept is thinned to fit.
    /// </summary>
    [Fact]
    public void ALoweredCapThinsWhatTheWindowKeptEvenly()
    {
        var w = new WindowEvents(new TimeRangeUs(0, 1_000_000));
        using (var b = EventBatch.Rent(10_000))
        {
            for (int i = 0; i < 10_000; i++) b.Add(i, (short)(i % 100), 0, true);
            w.Add(b);
        }
        Assert.Equal(1, w.Stride);
        w.LimitTo(3000);
        Assert.Equal(3000, w.MaxEvents);
        Assert.Equal(4, w.Stride);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => 4L * i), w.ToSlice().T);
        w.LimitTo(1_000_000);   // never raised
        Assert.Equal(3000, w.MaxEvents);
        // Later events follow the new stride.
        using (var b = EventBatch.Rent(4))
        {
            for (int i = 10_000; i < 10_004; i++) b.Add(i, 0, 0, false);
            w.Add(b);
        }
        Assert.Equal(10_000L, w.ToSlice().T[^1]);
        Assert.Equal(10_004, w.Seen);
    }

    [Fact]
    public void AWindowUnderItsCapKeepsEveryEvent()
    {
        var w = new WindowEvents(new TimeRangeUs(0, 100));
        using var b = EventBatch.Rent(150);
        for (int i = 0; i < 150; i++) b.Add(i, 1, 2, true);
        w.Add(b);
        Assert.Equal(1, w.Stride);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), w.ToSlice().T);
    }

    /// <summary>
    /// The frame source samples each window down to its cap, says so, and reports the window's true count (the review:
    /// events_window showed the kept count); with no cap (EDI, which integrates every event) it keeps them all.
    /// </summary>
    [Fact]
    public async Task TheFrameSourceCapsWindowsAndReportsTheirTrueCounts()
    {
        var bundle = EventDeblur.Recording.RecordingBundle.Load(Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"));
        async Task<(List<FrameWork> Frames, List<EventDeblur.IO.Problem> Problems)> Run(int cap)
        {
            var channel = System.Threading.Channels.Channel.CreateUnbounded<FrameWork>();
            var problems = new List<EventDeblur.IO.Problem>();
            await new BundleFrameSource(bundle, 10_000, _ => false, 0, cap).RunAsync(channel.Writer, problems, _ => { }, CancellationToken.None);
            channel.Writer.TryComplete();
            var frames = new List<FrameWork>();
            await foreach (var f in channel.Reader.ReadAllAsync()) frames.Add(f);
            return (frames, problems);
        }
        var (all, quiet) = await Run(int.MaxValue);
        var (capped, said) = await Run(1000);
        Assert.Equal(all.Count, capped.Count);
        Assert.DoesNotContain(quiet, p => p.Message.Contains("to bound memory", StringComparison.Ordinal));
        for (int k = 0; k < all.Count; k++)
        {
            Assert.Equal(all[k].Events.Count, all[k].EventsSeen);
            Assert.Equal(all[k].Events.Count, capped[k].EventsSeen);
            Assert.InRange(capped[k].Events.Count, 1, 1000);
            Assert.Contains(said, p => p.Message.Contains($"{all[k].Events.Count:N0} events in the exposure window", StringComparison.Ordinal));
        }
    }
}
