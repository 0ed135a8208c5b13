using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Live;
using EventDeblur.Methods;
using EventDeblur.Pipeline;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Sync;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Integration;

/// <summary>
/// Issue 13's round trip: a simulated night bundle taken apart into what a lab records — a Prophesee EVT 3.0 RAW
/// whose exposures are trigger edges, and an RGB video (FFV1, lossless, 8-bit sRGB: OpenCV's FFmpeg writer takes
/// 16 bits only as one channel) — put back together by <c>bundle --sync triggers</c> with the simulator's
/// homography, the ground truth copied in (in the video's encoding), and replayed as the CLI does.
/// </summary>
public class RawVideoRoundTripTests(ITestOutputHelper output)
{
    /// <summary>
    /// Largest allowed difference of the mean PSNR between the round trip and the original bundle, dB. The two differ
    /// only by the 8-bit sRGB quantisation of the frames and of the ground truth (the events and the exposure windows
    /// are identical, asserted below): a uniform error of half a code step alone would limit a perfect 8-bit copy to
    /// ≈ 59 dB, far above these frames' ≈ 29 dB, but the deconvolver sees quantised dark pixels (a night frame's
    /// shadows sit on the first few tens of sRGB codes), which shifts its noise estimate and result a little.
    /// Measured: 0.05 dB (original 28.65 dB, round trip 28.60 dB, blurry 21.2 dB; seed 4711, 320×240, 2 frames);
    /// 0.5 dB leaves room for that while a broken path (wrong windows or homography) costs several dB.
    /// </summary>
    private const double PsnrToleranceDb = 0.5;

    [Fact]
    public async Task RawWithTriggersAndAnRgbVideoReplayLikeTheOriginalBundle()
    {
        string dir = TestPaths.NewTempDir();
        // Seed 4711 is in neither recordings/*-test.csv nor the tuning lists.
        var sim = SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 320, RgbHeight = 240 };
        string simDir = Path.Combine(dir, "sim");
        HybridRigSimulator.Simulate(sim, 4711, simDir);
        var original = RecordingBundle.Load(simDir);
        var windows = original.ResolveExposures();
        Assert.Empty(windows.Problems);
        var exposures = windows.Windows.Select(w => w.Exposure!.Value).ToList();

        // 1. Events → EVT 3.0 RAW, the exposures as trigger edges (rising = start, falling = end) in time order.
        string raw = Path.Combine(dir, "rec.raw");
        var edges = exposures.SelectMany(e => new[] { (T: e.StartUs, Rising: true), (T: e.EndUs, Rising: false) }).OrderBy(e => e.T).ToList();
        long events = 0;
        using (var writer = PropheseeRawWriter.Create(raw, new PropheseeRawWriterOptions { Encoding = AedatVersion.Evt3, Width = original.EventSensorSize.Width, Height = original.EventSensorSize.Height }))
        using (var reader = AedatReader.Open(original.EventsPath, new AedatReaderOptions { DecodeFrames = false }))
        {
            int e = 0;
            while (reader.TryRead(out var packet))
            {
                if (packet is not EventsPacket ep) continue;
                using var b = ep.Events;
                var t = b.Timestamps;
                int i = 0;
                while (i < t.Length)
                {
                    for (; e < edges.Count && edges[e].T <= t[i]; e++) writer.WriteTrigger(edges[e].T, 0, edges[e].Rising);
                    long limit = e < edges.Count ? edges[e].T : long.MaxValue;
                    int j = i;
                    while (j < t.Length && t[j] < limit) j++;
                    writer.WriteEvents(t[i..j], b.Xs[i..j], b.Ys[i..j], b.Polarities[i..j]);
                    events += j - i;
                    i = j;
                }
            }
            for (; e < edges.Count; e++) writer.WriteTrigger(edges[e].T, 0, edges[e].Rising);
        }

        // 2. RGB frames → lossless FFV1 video, 8-bit sRGB, at the simulator's frame rate.
        string video = Path.Combine(dir, "rgb.avi"), rig = Path.Combine(dir, "rgb.rig.json");
        Assert.Equal(2, RigVideo.Write(original, video, rig, fps: 1e6 / sim.FramePeriodUs));
        double saturation = JsonNode.Parse(File.ReadAllText(rig))!["rgb"]!["saturation_level"]!.GetValue<double>();

        // 3. bundle --events rec.raw --rgb rgb.avi --sync triggers --encoding srgb --black 0 --white 255 --saturation S --homography H
        string bundleDir = Path.Combine(dir, "bundle");
        var built = BundleBuilder.Build(new BundleSources
        {
            EventsPath = raw, RgbPath = video, Sync = "triggers", Encoding = "srgb", BlackLevel = 0, WhiteLevel = 255, SaturationLevel = saturation,
            Homography = original.Manifest.RgbToEventsHomography,
        }, bundleDir);
        Assert.Empty(built.Problems);
        var rebuilt = built.ResolveExposures();
        Assert.Empty(rebuilt.Problems);
        Assert.Equal(exposures, rebuilt.Windows.Select(w => w.Exposure!.Value));
        Assert.Equal(events, AedatSummary.Compute(built.EventsPath).EventCount);
        CopyGroundTruth(original, built, bundleDir);

        // 4. Replay both as the CLI does (robust deconvolver, event kernels).
        var methods = new MethodCatalogueBuilder().Build();
        var options = new ReplayOptions { Methods = methods };
        var a = await ReplayPipeline.RunAsync(simDir, Path.Combine(dir, "out-original"), options, methods.CreateKernelSource("events", new EventKernelOptions()));
        var b2 = await ReplayPipeline.RunAsync(bundleDir, Path.Combine(dir, "out-roundtrip"), options, methods.CreateKernelSource("events", new EventKernelOptions()));
        Assert.All(a.Results.Concat(b2.Results), r => Assert.Equal("ok", r.Status));
        Assert.Equal(2, b2.Results.Count);
        double psnrOriginal = a.Results.Average(r => r.Psnr!.Value);
        double psnrRoundTrip = b2.Results.Average(r => r.Psnr!.Value);
        double blurryRoundTrip = b2.Results.Average(r => r.PsnrBlurry!.Value);
        string measured = $"PSNR original {psnrOriginal:F2} dB (blurry {a.Results.Average(r => r.PsnrBlurry!.Value):F2}), round trip {psnrRoundTrip:F2} dB (blurry {blurryRoundTrip:F2})";
        output.WriteLine(measured);
        Assert.All(b2.Results, r => Assert.True(r.Psnr > r.PsnrBlurry, $"frame {r.Index}: deblurred {r.Psnr:F2} dB not above blurry {r.PsnrBlurry:F2} dB; {measured}"));
        Assert.True(Math.Abs(psnrRoundTrip - psnrOriginal) <= PsnrToleranceDb, measured);
    }

    /// <summary>The original's ground truth in the rebuilt bundle's encoding (8-bit sRGB PNGs), its kernels as they are, rows matched by index.</summary>
    private static void CopyGroundTruth(RecordingBundle original, RecordingBundle built, string bundleDir)
    {
        var from = original.Manifest.Rgb!;
        var to = built.Manifest.Rgb!;
        string gt = Path.Combine(bundleDir, "gt");
        Directory.CreateDirectory(gt);
        var lines = new List<string> { "index,file,exposure_start_us,exposure_end_us" };
        foreach (var row in original.GroundTruthFrames!)
        {
            var img = LinearImage.Read(row.File, from.Encoding, from.BlackLevel, from.WhiteLevel, from.SaturationLevel);
            using var raw = img.ToRaw(new LinearImage.Encoding(to.Encoding, to.BlackLevel, to.WhiteLevel, to.SaturationLevel, 8));
            string name = Path.GetFileName(row.File);
            Cv2.ImWrite(Path.Combine(gt, name), raw);
            var rgbRow = built.Frames.Single(f => f.Index == row.Index);
            lines.Add($"{row.Index},{name},{rgbRow.ExposureStartUs},{rgbRow.ExposureEndUs}");
        }
        File.WriteAllLines(Path.Combine(gt, "frames.csv"), lines);
        string kernels = Path.Combine(original.Root, original.Manifest.GroundTruth!.Kernels!);
        Directory.CreateDirectory(Path.Combine(gt, "kernels"));
        foreach (var k in Directory.GetFiles(kernels)) File.Copy(k, Path.Combine(gt, "kernels", Path.GetFileName(k)));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(bundleDir, "recording.json")))!.AsObject();
        manifest["ground_truth"] = new JsonObject { ["frames"] = "gt/frames.csv", ["kernels"] = "gt/kernels" };
        File.WriteAllText(Path.Combine(bundleDir, "recording.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
