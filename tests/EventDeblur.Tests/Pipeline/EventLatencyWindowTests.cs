using EventDeblur.Formats.Aedat;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using EventDeblur.Pipeline;
using EventDeblur.Recording;
using EventDeblur.Sync;

namespace EventDeblur.Tests.Pipeline;

/// <summary>
/// <c>--event-latency-us</c>: a frame's events are collected from its exposure shifted by the latency (± the margin), and
/// a shift that leaves no event in reach fails the frame as a clock offset would, instead of passing it as "ok" with
/// the blurry input (hardening audit, stop 25).
/// </summary>
public class EventLatencyWindowTests
{
    private static readonly ReplayOptions Wiener = new() { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" };

    [Fact]
    public async Task EventsAreCollectedFromTheShiftedWindow()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        const long latency = 25_000; // beyond the 10 ms margin: without the shift these events were never collected
        var s = await ReplayPipeline.RunAsync(bundle, Path.Combine(TestPaths.NewTempDir(), "out"), Wiener with { EventLatencyUs = latency },
            new GroundTruthKernelEstimator());

        var windows = RecordingBundle.Load(bundle).ResolveExposures().Windows;
        var expected = new long[windows.Count];
        using (var reader = AedatReader.Open(Path.Combine(bundle, "events.aedat4")))
            while (reader.TryRead(out var p))
                if (p is EventsPacket e)
                    using (e.Events)
                        foreach (long t in e.Events.Timestamps)
                            for (int k = 0; k < windows.Count; k++)
                            {
                                var w = windows[k].Exposure!.Value;
                                if (t >= w.StartUs + latency - 10_000 && t < w.EndUs + latency + 10_000) expected[k]++;
                            }
        Assert.Equal(expected, s.Results.OrderBy(r => r.Index).Select(r => r.EventsInWindow));
        Assert.All(expected, n => Assert.True(n > 0));
    }

    [Fact]
    public async Task AShiftPastTheLastEventFailsTheFramesAndSaysWhy()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        var s = await ReplayPipeline.RunAsync(bundle, Path.Combine(TestPaths.NewTempDir(), "out"), Wiener with { EventLatencyUs = 5_000_000 },
            new EventKernelEstimator(new EventKernelOptions { EventLatencyUs = 5_000_000 }));
        Assert.All(s.Results, r =>
        {
            Assert.Equal("failed", r.Status);
            Assert.Contains("after the last event", r.Error);
            Assert.Contains("--event-latency-us 5000000", r.Error);
        });
    }
}
