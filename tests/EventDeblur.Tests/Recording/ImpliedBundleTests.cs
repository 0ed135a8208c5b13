using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.Tests.Formats.Aedat;
using OpenCvSharp;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Recording;

/// <summary>An event file with its own APS frames is a bundle by itself (issue 13): no recording.json, nothing written.</summary>
public class ImpliedBundleTests
{
    private static string RealDavis346 => Path.Combine(TestPaths.RealRecordingsDir, "aedat4", "aestream_davis346_evts_frames_imu_trig.aedat4");

    [Fact]
    public void Aedat2FileWithApsFramesIsAnApsBundleWithTheFramesExposures()
    {
        var fx = new Aedat2ApsFixture();
        var a = fx.Frame(0, 1_000, 5_000);
        var b = fx.Frame(1, 20_000, 1_000, global: false); // exposure shorter than the read-out: reads interleave
        fx.Dvs(3, 4, true, 2_000);
        string path = fx.Write();
        var files = Directory.GetFiles(Path.GetDirectoryName(path)!);

        var bundle = RecordingBundle.Load(path);
        Assert.True(bundle.IsImplied);
        Assert.True(bundle.IsApsBundle);
        Assert.Equal(path, bundle.EventsPath);
        Assert.Equal((240, 180), bundle.EventSensorSize);
        Assert.Null(bundle.GroundTruthFrames);
        Assert.Equal([1, 0, 0, 0, 1, 0, 0, 0, 1], bundle.Manifest.RgbToEventsHomography);
        var windows = bundle.ResolveExposures().Windows;
        Assert.Equal([0L, 1L], windows.Select(w => w.Index));
        Assert.Equal(new TimeRangeUs(a.LastReset, a.FirstSignal), windows[0].Exposure);
        Assert.Equal(new TimeRangeUs(b.FirstReset, b.FirstSignal), windows[1].Exposure);
        Assert.Equal(files, Directory.GetFiles(Path.GetDirectoryName(path)!)); // nothing written beside the file
    }

    [Fact]
    public async Task Aedat2FileWithApsFramesIsReplayedDirectly()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 10_000, 20_000);
        fx.Frame(1, 60_000, 20_000);
        // a bright edge moving right during each exposure: events on the APS grid
        for (int t = 0; t < 20_000; t += 200)
            for (int y = 60; y < 120; y++)
            {
                fx.Dvs(100 + t / 1000, y, true, 10_700 + t);
                fx.Dvs(100 + t / 1000, y, true, 60_700 + t);
            }
        string path = fx.Write();
        string outDir = TestPaths.NewTempDir();
        var summary = await ReplayPipeline.RunAsync(path, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build() }, new EventKernelEstimator());
        Assert.Equal("completed", summary.Status);
        Assert.Equal([0L, 1L], summary.Results.Select(r => r.Index));
        Assert.All(summary.Results, r => { Assert.Equal("ok", r.Status); Assert.Null(r.Psnr); Assert.True(r.EventsInWindow >= 6_000); });
        using var img = Cv2.ImRead(Path.Combine(outDir, "frames", "000001.png"), ImreadModes.Unchanged);
        Assert.Equal((240, 180, 1, MatType.CV_16UC1), (img.Cols, img.Rows, img.Channels(), img.Type())); // same size, channels and depth as the APS frame
    }

    [Fact]
    public void EventFileWithoutFramesIsRefusedWithTheReason()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "dvs-only.aedat");
        File.WriteAllBytes(path, SyntheticRecording.Aedat2([(SyntheticRecording.DavisDvs(1, 2, true), 10), (SyntheticRecording.DavisDvs(3, 4, false), 20)]));
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("holds no complete APS frame", e.Message, StringComparison.Ordinal);
        Assert.Contains("'bundle --events dvs-only.aedat --rgb FRAMES", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileThatIsNotAnEventFileIsRefusedWithTheReason()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "notes.txt");
        File.WriteAllText(path, "hello");
        Assert.False(RecordingBundle.IsEventFile(path));
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(path));
        Assert.Contains("neither a bundle folder nor a readable event file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PropheseeFileIsRefusedWithTheWayToABundle()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "rec.raw");
        using (var w = EventDeblur.Formats.Prophesee.PropheseeRawWriter.Create(path, new EventDeblur.Formats.Prophesee.PropheseeRawWriterOptions { Encoding = AedatVersion.Evt2, Width = 64, Height = 48 }))
            w.WriteEvents([10L], [(short)1], [(short)2], [true]);
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(path));
        Assert.Contains("carries no frames of its own", e.Message, StringComparison.Ordinal);
        Assert.Contains("bundle --events rec.raw", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task RealDavis346FileIsReplayedDirectlyWithoutMetrics()
    {
        TestPaths.RequireShared();
        var bundle = RecordingBundle.Load(RealDavis346);
        var windows = bundle.ResolveExposures().Windows;
        Assert.Equal(3, windows.Count);
        Assert.All(windows, w => Assert.Equal(4_773, w.Exposure!.Value.DurationUs)); // the README's exposure

        string outDir = TestPaths.NewTempDir();
        var summary = await ReplayPipeline.RunAsync(RealDavis346, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build() }, new EventKernelEstimator());
        Assert.Equal("completed", summary.Status);
        Assert.Equal(3, summary.Results.Count);
        Assert.All(summary.Results, r =>
        {
            Assert.Equal("ok", r.Status);
            Assert.Null(r.Psnr);
            Assert.Null(r.KernelSimilarity);
            Assert.True(r.EventsInWindow > 0);
        });
        foreach (var name in new[] { "000000.png", "000001.png", "000002.png" })
        {
            using var img = Cv2.ImRead(Path.Combine(outDir, "frames", name), ImreadModes.Unchanged);
            Assert.Equal((346, 260, 1), (img.Cols, img.Rows, img.Channels()));
        }
        Assert.True(File.Exists(Path.Combine(outDir, "frames.parquet")));
        Assert.Contains(RealDavis346, File.ReadAllText(Path.Combine(outDir, "run.json")), StringComparison.Ordinal);
    }
}
