using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Visualization;
using OpenCvSharp;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Pipeline.Output;

public class PreviewWriterTests
{
    [Fact]
    public async Task EveryReplayWritesViewablePreviewsComparisonsAndAContactSheet()
    {
        string bundle = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 200, RgbHeight = 150, PointLights = 2 }, 29, bundle);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var summary = await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator());
        Assert.All(summary.Results, r => Assert.Equal("ok", r.Status));
        var b = RecordingBundle.Load(bundle);
        foreach (var r in summary.Results)
        {
            using var preview = Cv2.ImRead(Path.Combine(outDir, PreviewWriter.PreviewFileOf(r.Index)), ImreadModes.Unchanged);
            Assert.Equal((200, 150, MatType.CV_8UC3), (preview.Cols, preview.Rows, preview.Type()));
            Cv2.MeanStdDev(preview, out var mean, out var std);
            // Viewable: neither black (the 16-bit linear PNG in a viewer) nor flat.
            Assert.True(mean.Val0 > 40 && std.Val0 > 5, $"preview of {r.Index}: mean {mean.Val0:F1}, σ {std.Val0:F1}");

            using var compare = Cv2.ImRead(Path.Combine(outDir, PreviewWriter.CompareFileOf(r.Index)), ImreadModes.Color);
            Assert.Equal((3 * 200, 150), (compare.Cols, compare.Rows)); // blurry | deblurred | ground truth
            // One tone curve: the middle panel is the preview itself (up to JPEG), away from its label.
            using var middle = new Mat(compare, new Rect(200, 40, 200, 110));
            using var same = new Mat(preview, new Rect(0, 40, 200, 110));
            Assert.True(MeanAbsDiff(middle, same) < 3, $"the comparison's deblurred panel differs from the preview ({MeanAbsDiff(middle, same):F2})");
            // The ground truth panel has the blurry frame's gain too (not its own).
            var rgb = b.Manifest.Rgb!;
            var blurryLinear = LinearImage.Read(b.Frames.Single(f => f.Index == r.Index).File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
            double gain = Preview.AutoGain(blurryLinear);
            Assert.True(gain > 1, $"gain {gain}");
            var truthLinear = LinearImage.Read(b.GroundTruthFrames!.Single(f => f.Index == r.Index).File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
            using var expectedTruth = Preview.ToneMap(truthLinear, gain);
            using var expected = new Mat(expectedTruth, new Rect(0, 40, 200, 110));
            using var truth = new Mat(compare, new Rect(400, 40, 200, 110));
            Assert.True(MeanAbsDiff(truth, expected) < 3, $"the ground-truth panel is not on the blurry frame's tone curve ({MeanAbsDiff(truth, expected):F2})");
            // ... and a different gain would not match: the check can fail.
            using var brighter = Preview.ToneMap(truthLinear, gain * 1.5);
            using var brighterCrop = new Mat(brighter, new Rect(0, 40, 200, 110));
            Assert.True(MeanAbsDiff(truth, brighterCrop) > 6, $"gain × 1.5 is indistinguishable ({MeanAbsDiff(truth, brighterCrop):F2})");
        }
        using var sheet = Cv2.ImRead(Path.Combine(outDir, PreviewWriter.ContactSheetFile), ImreadModes.Color);
        Assert.False(sheet.Empty(), "contact sheet missing");
        Assert.Equal(2 * (240 + 4) + 4, sheet.Cols);
        Assert.Empty(Directory.GetFiles(outDir, "*.partial", SearchOption.AllDirectories));
    }

    /// <summary>Mean absolute difference per sample after a light blur (JPEG's 8×8 blocks fall differently in a panel of a strip).</summary>
    private static double MeanAbsDiff(Mat a, Mat b)
    {
        using var sa = new Mat();
        using var sb = new Mat();
        Cv2.GaussianBlur(a, sa, new Size(0, 0), 2);
        Cv2.GaussianBlur(b, sb, new Size(0, 0), 2);
        return Cv2.Norm(sa, sb, NormTypes.L1) / ((double)a.Total() * a.Channels());
    }
}
