using System.Net;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Live;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using OpenCvSharp;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Live;

/// <summary>serve's rig keeps the bundle's encoding: a lossless image sequence that live reads back as the bundle's own linear values.</summary>
public class RigVideoTests
{
    private static (RecordingBundle Bundle, string Sequence, string Rig) Serve16BitBundle(int frames)
    {
        string dir = TestPaths.NewTempDir();
        var o = SimulationPresets.Get("night-hard") with { Frames = frames, RgbWidth = 160, RgbHeight = 120, PointLights = 2, FramePeriodUs = 150_000, ExposureUs = (40_000, 60_000) };
        HybridRigSimulator.Simulate(o, 62, Path.Combine(dir, "bundle"));
        var b = RecordingBundle.Load(Path.Combine(dir, "bundle"));
        string sequence = Path.Combine(dir, "rig", "bundle-rgb"), rig = sequence + ".rig.json";
        Directory.CreateDirectory(Path.Combine(dir, "rig"));
        Assert.Equal(frames, RigVideo.WriteImageSequence(b, sequence, rig));
        return (b, sequence, rig);
    }

    [Fact]
    public void LiveReadsTheSequenceAsTheBundlesLinearValuesExactly()
    {
        var (b, sequence, rigPath) = Serve16BitBundle(3);
        var bundleRgb = b.Manifest.Rgb!;
        var rig = RecordingManifest.Parse(File.ReadAllText(rigPath), rigPath);
        var rgb = rig.Rgb!;
        // The rig manifest keeps the bundle's encoding and levels (the frames are the bundle's values).
        Assert.Equal((bundleRgb.Encoding, bundleRgb.BlackLevel, bundleRgb.WhiteLevel, bundleRgb.SaturationLevel), (rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel));
        Assert.Equal("triggers", rig.Sync.Source);

        string source = RigVideo.SequenceSource(sequence);
        Assert.True(RigVideo.IsImageSequence(source));
        using var cap = RigVideo.OpenCapture(source); // what live opens
        Assert.True(cap.IsOpened());
        using var m = new Mat();
        int k = 0;
        while (cap.Read(m) && !m.Empty())
        {
            using var original = Cv2.ImRead(b.Frames[k].File, ImreadModes.Unchanged);
            Assert.Equal(MatType.CV_16U, original.Depth());
            // Real 16-bit content: not an 8-bit image scaled up (values other than multiples of 257).
            using (var flat = original.Reshape(1)) { flat.GetArray(out ushort[] values); Assert.Contains(values, v => v % 257 != 0); }
            Assert.Equal(original.Type(), m.Type());
            Assert.Equal(0, Cv2.Norm(original, m, NormTypes.INF));
            var live = LinearImage.FromRaw(m, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
            var replay = LinearImage.Read(b.Frames[k].File, bundleRgb.Encoding, bundleRgb.BlackLevel, bundleRgb.WhiteLevel, bundleRgb.SaturationLevel);
            Assert.Equal(replay.Planes.Length, live.Planes.Length);
            for (int c = 0; c < replay.Planes.Length; c++) Assert.Equal(replay.Planes[c], live.Planes[c]);
            k++;
        }
        Assert.Equal(3, k);
    }

    [Fact]
    public async Task LiveOnTheSequenceDeblursEveryFrameAt16Bit()
    {
        var (b, sequence, rig) = Serve16BitBundle(3);
        await using var server = new DvStreamServer(b.EventsPath, IPAddress.Loopback, 0, 0);
        server.Start();
        var o = new LiveOptions
        {
            EventsUri = $"tcp://127.0.0.1:{server.EventsPort}", TriggersUri = $"tcp://127.0.0.1:{server.TriggersPort}", RgbSource = RigVideo.SequenceSource(sequence), RigPath = rig,
            OutDir = Path.Combine(TestPaths.NewTempDir(), "live"), Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener", StreamEndGraceS = 1.5, DurationS = 60,
        };
        var live = LivePipeline.RunAsync(o, new EventKernelEstimator());
        await server.PlayAsync(4);
        var s = await live;
        Assert.Equal(3, s.Results.Count);
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        foreach (var png in Directory.GetFiles(Path.Combine(o.OutDir, "frames"), "*.png"))
        {
            using var written = Cv2.ImRead(png, ImreadModes.Unchanged);
            Assert.Equal(MatType.CV_16U, written.Depth()); // the 8-bit video path wrote 8-bit frames
        }
    }

    [Theory]
    [InlineData("/tmp/rig/%06d.png", true)]
    [InlineData("rig/frame_%d.TIFF", true)]
    [InlineData("/tmp/rig/rgb.avi", false)]
    [InlineData("0", false)]
    [InlineData("rtsp://camera/stream", false)]
    [InlineData("/tmp/100%/rgb.mkv", false)]
    public void ImageSequencesAreRecognisedByTheirPattern(string source, bool expected) => Assert.Equal(expected, RigVideo.IsImageSequence(source));
}
