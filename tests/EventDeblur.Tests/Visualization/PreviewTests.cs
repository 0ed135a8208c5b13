using EventDeblur.Imaging;
using EventDeblur.Tests.Cli;
using EventDeblur.Simulation;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Tests.Visualization;

public class PreviewTests
{
    private static LinearImage Uniform(float value, int w = 20, int h = 10, bool saturateHalf = false)
    {
        var plane = Enumerable.Repeat(value, w * h).ToArray();
        var sat = new bool[w * h];
        if (saturateHalf) for (int i = 0; i < sat.Length / 2; i++) { plane[i] = 1; sat[i] = true; }
        return new LinearImage(w, h, [plane, (float[])plane.Clone(), (float[])plane.Clone()], [sat, sat, sat]);
    }

    [Fact]
    public void ToneMappingIsGainClipAndSrgbOnLinearRadiance()
    {
        using var m = Preview.ToneMap(Uniform(0.1f), 2);
        Assert.Equal(MatType.CV_8UC3, m.Type());
        byte expected = (byte)Math.Round(255 * TransferCurve.SrgbEncode(Math.Floor(0.2 * 4095) / 4095));
        Assert.Equal(expected, m.At<Vec3b>(3, 3).Item0);
        using var clipped = Preview.ToneMap(Uniform(0.9f), 4);
        Assert.Equal(255, clipped.At<Vec3b>(0, 0).Item2);
    }

    [Fact]
    public void AutoGainPutsTheUnsaturatedSceneAt80PercentAndIgnoresClippedLights()
    {
        Assert.Equal(8, Preview.AutoGain(Uniform(0.1f)), 6);
        Assert.Equal(8, Preview.AutoGain(Uniform(0.1f, saturateHalf: true)), 6);
        Assert.Equal(64, Preview.AutoGain(Uniform(0.001f)));
        Assert.Equal(1, Preview.AutoGain(Uniform(0)));
        Assert.Equal(1, Preview.AutoGain(Uniform(0.95f)));
    }

    [Fact]
    public void AContactSheetLaysOutLabelledThumbnailsAndEmptyTilesForFailedFrames()
    {
        using var a = new Mat(30, 40, MatType.CV_8UC3, Scalar.All(200));
        using var sheet = Preview.ContactSheet([("#0", a), ("#1 failed", null), ("#2", a)], thumbWidthPx: 80, columns: 2);
        // 2 columns × 2 rows of 80×60 tiles with 4-px gaps.
        Assert.Equal(new Size(2 * 84 + 4, 2 * 64 + 4), sheet.Size());
        Assert.Equal(200, sheet.At<Vec3b>(4 + 50, 4 + 70).Item0);      // inside tile 0, below its label
        Assert.Equal(90, sheet.At<Vec3b>(4 + 50, 88 + 70).Item0);      // the failed frame's empty tile
        Assert.Equal(40, sheet.At<Vec3b>(68 + 50, 88 + 70).Item0);     // no fourth tile: background
    }

    [Fact]
    public void ThePreviewVerbTakesARangeOrAllAndRejectsABadRange()
    {
        string bundle = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 160, RgbHeight = 120, PointLights = 2 }, 23, bundle);
        string outDir = TestPaths.NewTempDir();
        var (code, stdout, err) = CliTests.Run("preview", bundle, "--frames", "1-2", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("2 frames (1..2)", stdout);
        foreach (var stem in new[] { "000001", "000002" })
            foreach (var kind in new[] { "blurry", "sharp", "events", "kernel" })
                Assert.True(File.Exists(Path.Combine(outDir, $"{stem}-{kind}.png")), $"{stem}-{kind}.png missing");
        Assert.False(File.Exists(Path.Combine(outDir, "000000-blurry.png")));
        // Each exposure's own events (one pass over the file fills all of them): the images differ.
        using (var e1 = Cv2.ImRead(Path.Combine(outDir, "000001-events.png")))
        using (var e2 = Cv2.ImRead(Path.Combine(outDir, "000002-events.png")))
        {
            Assert.True(Cv2.Norm(e1, e2, NormTypes.L1) > 0, "the two frames' event images are identical");
            Cv2.MeanStdDev(e1, out _, out var std);
            Assert.True(std.Val0 > 1, "no events drawn");
        }

        string all = TestPaths.NewTempDir();
        (code, _, err) = CliTests.Run("preview", bundle, "--frames", "all", "--out", all);
        Assert.True(code == 0, err);
        Assert.Equal(3, Directory.GetFiles(all, "*-blurry.png").Length);

        (code, _, err) = CliTests.Run("preview", bundle, "--frames", "2-1", "--out", TestPaths.NewTempDir());
        Assert.Equal(2, code);
        Assert.Contains("expected A-B with A ≤ B", err);
        (code, _, err) = CliTests.Run("preview", bundle, "--frames", "0-3", "--out", TestPaths.NewTempDir());
        Assert.Equal(2, code);
        Assert.Contains("outside 0..2", err);
    }

    [Fact]
    public void PreviewWithARunShowsTheRunsKernelAndComparesAlsoWithoutGroundTruth()
    {
        string bundle = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 1, RgbWidth = 160, RgbHeight = 120, PointLights = 2 }, 29, bundle);
        // A real run of this bundle: ground-truth kernels as the run's kernels, no deconvolution (fast).
        string run = Path.Combine(TestPaths.NewTempDir(), "run");
        Assert.Equal(0, CliTests.Run("replay", bundle, "--out", run, "--kernels", "gt", "--deconvolver", "none").Code);

        string withTruth = TestPaths.NewTempDir();
        var (code, stdout, err) = CliTests.Run("preview", bundle, "--frame", "0", "--run", run, "--out", withTruth);
        Assert.True(code == 0, err);
        Assert.Contains("-kernel-run.png: the run's estimated kernel", stdout);
        using (var compare = Cv2.ImRead(Path.Combine(withTruth, "000000-compare.png")))
            Assert.Equal(new Size(3 * 160, 120), compare.Size());
        using (var gtKernel = Cv2.ImRead(Path.Combine(withTruth, "000000-kernel.png")))
        using (var runKernel = Cv2.ImRead(Path.Combine(withTruth, "000000-kernel-run.png")))
            Assert.Equal(0, Cv2.Norm(gtKernel, runKernel, NormTypes.INF)); // the same CSV, drawn the same way

        // Without ground truth (e.g. a lab's own recording): blurry | deblurred.
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json.Remove("ground_truth");
        File.WriteAllText(manifest, json.ToJsonString());
        string noTruth = TestPaths.NewTempDir();
        // The bundle changed: the earlier run is refused (another recording's frames would be compared), a new run is used.
        (code, _, err) = CliTests.Run("preview", bundle, "--frame", "0", "--run", run, "--out", noTruth);
        Assert.Equal(2, code);
        Assert.Contains("its fingerprint differs", err);
        run = Path.Combine(TestPaths.NewTempDir(), "run");
        Assert.Equal(0, CliTests.Run("replay", bundle, "--out", run, "--kernels", "streak", "--deconvolver", "none").Code);
        (code, _, err) = CliTests.Run("preview", bundle, "--frame", "0", "--run", run, "--out", noTruth);
        Assert.True(code == 0, err);
        Assert.False(File.Exists(Path.Combine(noTruth, "000000-sharp.png")));
        using (var compare = Cv2.ImRead(Path.Combine(noTruth, "000000-compare.png")))
            Assert.Equal(new Size(2 * 160, 120), compare.Size());
        Assert.True(File.Exists(Path.Combine(noTruth, "000000-kernel-run.png")));
    }
}
