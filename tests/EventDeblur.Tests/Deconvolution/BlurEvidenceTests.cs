using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Simulation;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>
/// Whether a frame shows the blur its kernels claim (<see cref="BlurEvidence"/>), and what the <c>events</c> kernel
/// source does when it does not (<see cref="FrameCheckedKernels"/>): stop 50's trial (F1) gave sharp frames whose events
/// showed motion a 17–25 px kernel and got them back 8–18 dB worse.
/// </summary>
public class BlurEvidenceTests(ITestOutputHelper output)
{
    private const int W = 256, H = 192;

    /// <summary>A scene of random ellipses (edges in every direction) on a dim background, normalised linear radiance.</summary>
    internal static float[] Scene(int seed)
    {
        var rng = new Random(seed);
        var s = new float[W * H];
        Array.Fill(s, 0.05f);
        for (int n = 0; n < 250; n++)
        {
            float v = (float)(0.03 + 0.45 * rng.NextDouble());
            int cx = rng.Next(W), cy = rng.Next(H), rx = 2 + rng.Next(12), ry = 2 + rng.Next(12);
            for (int y = Math.Max(0, cy - ry); y < Math.Min(H, cy + ry + 1); y++)
                for (int x = Math.Max(0, cx - rx); x < Math.Min(W, cx + rx + 1); x++)
                {
                    double dx = (x - cx) / (double)rx, dy = (y - cy) / (double)ry;
                    if (dx * dx + dy * dy <= 1) s[y * W + x] = v;
                }
        }
        return s;
    }

    /// <summary>A straight box kernel of <paramref name="length"/> px, horizontal or vertical.</summary>
    internal static BlurKernel Line(int length, bool vertical = false)
    {
        int size = length % 2 == 1 ? length : length + 1;
        var w = new float[size * size];
        int c = size / 2, start = c - length / 2;
        for (int k = 0; k < length; k++)
            if (vertical) w[(start + k) * size + c] = 1f / length; else w[c * size + start + k] = 1f / length;
        return new BlurKernel(size, w);
    }

    /// <summary>The scene blurred by <paramref name="kernel"/> (reflected borders) with Poisson–Gaussian noise (σ² = 2e-4·s + 1e-6).</summary>
    internal static LinearImage Frame(float[] scene, BlurKernel? kernel, int seed)
    {
        var b = new float[W * H];
        if (kernel is null) Array.Copy(scene, b, b.Length);
        else
        {
            int c = kernel.Center;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    double sum = 0;
                    for (int i = 0; i < kernel.Size; i++)
                        for (int j = 0; j < kernel.Size; j++)
                        {
                            float k = kernel[i, j];
                            if (k == 0) continue;
                            int sx = Math.Clamp(x - (j - c), 0, W - 1), sy = Math.Clamp(y - (i - c), 0, H - 1);
                            sum += k * scene[sy * W + sx];
                        }
                    b[y * W + x] = (float)sum;
                }
        }
        var rng = new Random(seed);
        for (int i = 0; i < b.Length; i++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            b[i] = (float)Math.Max(0, b[i] + g * Math.Sqrt(2e-4 * b[i] + 1e-6));
        }
        return new LinearImage(W, H, [b, (float[])b.Clone(), (float[])b.Clone()]);
    }

    private static KernelTile[] Whole(BlurKernel k) => [new KernelTile(0, 0, W, H, k)];

    [Fact]
    public void AFrameBlurredAsClaimedAgreesAndASharpOneDoesNot()
    {
        var scene = Scene(1);
        var k = Line(15);
        var blurred = BlurEvidence.Judge(Frame(scene, k, 2), Whole(k))!;
        var sharp = BlurEvidence.Judge(Frame(scene, null, 2), Whole(k))!;
        output.WriteLine($"blurred: {blurred}; sharp: {sharp}");
        Assert.True(blurred.Agrees, blurred.ToString());
        Assert.InRange(blurred.MedianRatio, -0.2, 0.2);
        Assert.True(sharp.SharperThanKernels, sharp.ToString());
        Assert.InRange(sharp.MedianRatio, 0.6, 1.6);
        Assert.Equal(64, sharp.PatchPx);
        Assert.True(sharp.Patches >= BlurEvidence.MinPatches);
    }

    [Fact]
    public void AKernelAcrossTheRealBlurIsSeenThrough()
    {
        // Blurred along x, claimed along y: the frame keeps every detail along y that the claimed kernel would erase.
        var scene = Scene(3);
        var v = BlurEvidence.Judge(Frame(scene, Line(15), 4), Whole(Line(15, vertical: true)))!;
        output.WriteLine(v.ToString());
        Assert.True(v.SharperThanKernels, v.ToString());
    }

    [Fact]
    public void AKernelSixTimesTooLongIsSeenAndItsHalfAgrees()
    {
        // The test sees blur, not its exact length: a 9-px blur agrees with a 19-px kernel (both erase the rings it reads);
        // a 5-px blur does not agree with a 31-px kernel, and does with its half (though not clearly: 0.25).
        var scene = Scene(5);
        var frame = Frame(scene, Line(5), 6);
        var claimed = Line(31);
        var full = BlurEvidence.Judge(frame, Whole(claimed))!;
        var half = BlurEvidence.Judge(frame, Whole(claimed.Shrunk(0.5)))!;
        output.WriteLine($"31 px: {full}; drawn at 50 %: {half}");
        Assert.True(BlurEvidence.Judge(Frame(scene, Line(9), 6), Whole(Line(19)))!.Agrees);
        Assert.True(full.SharperThanKernels, full.ToString());
        Assert.True(half.Agrees, half.ToString());
    }

    [Fact]
    public void KernelsLongerThanAPatchAreJudgedAndTinyFramesAreNot()
    {
        // A 91-px kernel on 64-px patches: wrapped onto the patch grid, its spectrum is still the kernel's.
        var scene = Scene(7);
        var sharp = BlurEvidence.Judge(Frame(scene, null, 8), Whole(Line(91)))!;
        var blurred = BlurEvidence.Judge(Frame(scene, Line(91), 8), Whole(Line(91)))!;
        output.WriteLine($"sharp: {sharp}; blurred: {blurred}");
        Assert.Equal(64, sharp.PatchPx);
        Assert.True(sharp.SharperThanKernels, sharp.ToString());
        Assert.True(blurred.Agrees, blurred.ToString());
        // A frame smaller than the patch: no verdict.
        Assert.Null(BlurEvidence.Judge(new LinearImage(40, 40, [new float[1600]]), [new KernelTile(0, 0, 40, 40, Line(9))]));
    }

    [Fact]
    public void AShrunkKernelKeepsItsPathCentreAndMassAndHalvesItsLength()
    {
        var k = Line(21);
        var s = k.Shrunk(0.5);
        Assert.Equal(k.Size, s.Size);
        Assert.Equal(1.0, s.Weights.Sum(w => (double)w), 5);
        Assert.Equal(k.Centroid().X, s.Centroid().X, 5);
        Assert.Equal(k.Centroid().Y, s.Centroid().Y, 5);
        Assert.InRange(s.LengthPx(), 10, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => k.Shrunk(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => k.Shrunk(1.5));
        Assert.Equal(1f, BlurKernel.Delta.Shrunk(0.5).Weights[0]);
    }

    /// <summary>A path from the kernel's centre to the right only (not symmetric about the centre: a sign or centroid slip shows).</summary>
    private static BlurKernel HalfLine(int length)
    {
        int size = 2 * length + 1;
        var w = new float[size * size];
        for (int k = 0; k < length; k++) w[length * size + length + k] = 1f / length;
        return new BlurKernel(size, w);
    }

    [Fact]
    public void AnAsymmetricPathTurnsCounterClockwiseOnScreenAndShrinksTowardsItsCentroid()
    {
        var k = HalfLine(10);                      // columns c … c+9 of the centre row: centroid 4.5 px right of the centre
        var (cx, cy) = k.Centroid();
        Assert.Equal(4.5, cx, 5);
        var up = k.Turned(90);                     // y down: a path pointing right turns to point up, about its centroid
        var (ux, uy) = up.Centroid();
        Assert.Equal(4.5, ux, 3);
        Assert.Equal(0, uy, 3);
        int c = up.Center;
        // Its weight lies in one column, 4.5 px right of the grid's centre, from 4.5 px above to 4.5 px below the centroid.
        double inColumns = 0;
        for (int i = 0; i < up.Size; i++) inColumns += up[i, c + 4] + up[i, c + 5];
        Assert.Equal(1.0, inColumns, 4);
        var half = k.Shrunk(0.5);
        Assert.Equal(4.5, half.Centroid().X, 4);
        Assert.InRange(half.LengthPx(), 5, 7);
        // A diagonal path turned by 45° keeps its whole length: the grid grows instead of clamping it.
        var diagonal = new float[21 * 21];
        for (int k2 = 0; k2 < 21; k2++) diagonal[k2 * 21 + k2] = 1f / 21;
        var flat = new BlurKernel(21, diagonal).Turned(-45);
        Assert.True(flat.Size >= 31);
        Assert.InRange(flat.LengthPx(), 28, 32);
    }

    [Fact]
    public void AKernelTileWithNoMassIsLeftUnjudgedInsteadOfFailingTheFrame()
    {
        var frame = Frame(Scene(15), Line(15), 16);
        var empty = new BlurKernel(3, new float[9]);
        KernelTile[] tiles = [new(0, 0, W / 2, H, Line(15)), new(W / 2, 0, W, H, empty)];
        var v = BlurEvidence.Judge(frame, tiles)!;
        output.WriteLine(v.ToString());
        Assert.True(v.Agrees, v.ToString());
        Assert.Same(empty, empty.Shrunk(0.5));
        Assert.All(empty.Turned(45).Weights, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void HotPixelSpecksDoNotMakeABlurredFrameLookSharp()
    {
        // 200 hot pixels spread over 3×3 by demosaicking (the review's case: a frame blurred exactly as claimed got delta
        // kernels) and 200 pairs of neighbouring hot pixels.
        var k = Line(15);
        var frame = Frame(Scene(17), k, 18);
        var rng = new Random(19);
        for (int n = 0; n < 400; n++)
        {
            int x = 3 + rng.Next(W - 6), y = 3 + rng.Next(H - 6);
            foreach (var plane in frame.Planes)
            {
                if (n < 200)
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            plane[(y + dy) * W + x + dx] += dx == 0 && dy == 0 ? 0.4f : 0.1f;
                else { plane[y * W + x] += 0.3f; plane[y * W + x + 1] += 0.3f; }
            }
        }
        var v = BlurEvidence.Judge(frame, Whole(k))!;
        output.WriteLine(v.ToString());
        Assert.True(v.Agrees, v.ToString());
        Assert.True(v.Impulses >= 400, $"{v.Impulses} pixels repaired");
    }

    [Fact]
    public void ATurnedKernelLiesAlongTheTurnedPath()
    {
        var k = Line(15);
        var t = k.Turned(90);
        Assert.Equal(1.0, t.Weights.Sum(w => (double)w), 5);
        var expected = Line(15, vertical: true).PadTo(t.Size);
        for (int i = 0; i < t.Size; i++)
            for (int j = 0; j < t.Size; j++)
                Assert.Equal(expected[i, j], t[i, j], 4);
        var d = k.Turned(45);
        Assert.InRange(d.LengthPx(), 13, 17);
        Assert.Equal(k.Centroid().X, d.Centroid().X, 4);
    }

    [Fact]
    public void AFrameBlurredAcrossItsKernelsIsDenoisedAndAMarginalVerdictIsOneUnderTheRatioOfSixTenths()
    {
        // Blurred along x, claimed along y: far from marginal (medians 3–4), so no turn is tried: a kernel 90° off would
        // deblur the frame wrongly, so it is denoised. Kernels 10–20° off agree with it (no verdict against them).
        var e = Checked(Frame(Scene(3), Line(15), 4), Line(15, vertical: true));
        Assert.Equal(FrameCheckedKernels.SharpSource, e.Source);
        Assert.Contains(e.Diagnostics, d => d.StartsWith("not turned: the verdict is not marginal"));
        Assert.True(BlurEvidence.Judge(Frame(Scene(3), Line(15), 4), Whole(Line(15).Turned(20)))!.Agrees);
        Assert.True(new BlurEvidence.Verdict(20, 64, 0.55, 0.6).Marginal);
        Assert.True(new BlurEvidence.Verdict(20, 64, 0.55, 0.6).SharperThanKernels);
        Assert.False(new BlurEvidence.Verdict(20, 64, 0.61, 0.6).Marginal);
        Assert.True(new BlurEvidence.Verdict(20, 64, 0.20, 0.2).ClearlyAgrees);
        Assert.False(new BlurEvidence.Verdict(20, 64, 0.26, 0.2).ClearlyAgrees);
        Assert.False(new BlurEvidence.Verdict(7, 64, 0.05, 0).ClearlyAgrees);
    }

    /// <summary>The real ground-truth kernel source, reading a kernel CSV written here, wrapped by the check.</summary>
    private static KernelEstimate Checked(LinearImage frame, BlurKernel claimed)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "k.csv");
        KernelCsv.Write(path, Whole(claimed));
        var source = new FrameCheckedKernels(new GroundTruthKernelEstimator());
        return source.Estimate(new KernelRequest { Index = 0, Blurry = frame, SaturationLinear = 1, GroundTruthKernelsPath = path });
    }

    [Fact]
    public void ASharpFrameGetsDeltaKernelsAndSaysWhy()
    {
        var e = Checked(Frame(Scene(9), null, 10), Line(21));
        Assert.Equal(FrameCheckedKernels.SharpSource, e.Source);
        Assert.All(e.Tiles, t => Assert.True(t.Kernel.IsIdentity));
        Assert.Contains(e.Diagnostics, d => d.StartsWith("blur checked against the frame:") && d.Contains("would have erased"));
        Assert.Contains(e.Diagnostics, d => d.StartsWith("the frame is taken as unblurred"));
    }

    [Fact]
    public void AFrameBlurredFarLessThanClaimedGetsTheKernelDrawnShorter()
    {
        var claimed = Line(31);
        var e = Checked(Frame(Scene(5), Line(5), 6), claimed);
        Assert.Equal(GroundTruthKernelEstimator.SourceName, e.Source);
        // At half length (15.5 px) it agrees, but not clearly (0.25); at a quarter (7.75 px) clearly (0.15): kept.
        Assert.InRange(e.Tiles[0].Kernel.LengthPx(), 6, 10);
        Assert.Contains(e.Diagnostics, d => d.StartsWith("kernels drawn at 50 % of their length") && d.EndsWith("no clear agreement"));
        Assert.Contains(e.Diagnostics, d => d.StartsWith("kernels drawn at 25 % of their length") && d.EndsWith("kept"));
    }

    [Fact]
    public void AFrameBlurredAsClaimedKeepsItsKernels()
    {
        var claimed = Line(15);
        var e = Checked(Frame(Scene(13), claimed, 14), claimed);
        Assert.Equal(GroundTruthKernelEstimator.SourceName, e.Source);
        Assert.Equal(claimed.Weights, e.Tiles[0].Kernel.Weights);
        Assert.Contains(e.Diagnostics, d => d.StartsWith("blur checked against the frame:") && d.EndsWith("the frame agrees with its kernels"));
    }

    /// <summary>
    /// Stop 50's trial F1 end to end: a simulated night bundle whose RGB frames are replaced by their sharp ground truth
    /// with sensor noise, while its events still show the camera's motion. The events' kernels are 17–25 px; deblurred
    /// with them the frames came out 8–18 dB below their input. The same bundle as simulated keeps its event kernels.
    /// </summary>
    [Theory]
    [InlineData("night", 503)]
    [InlineData("b-night", 504)] // the review's case: crowded lights, 23–35 px paths; 128-px patches had left too few for a verdict
    public async Task ASharpFrameWhoseEventsShowMotionIsDenoisedNotDeblurredAndABlurredOneKeepsItsKernels(string preset, int seed)
    {
        string bundle = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get(preset) with { Frames = 2, RgbWidth = 320, RgbHeight = 240 }, seed, bundle);
        var methods = new MethodCatalogueBuilder().Build();
        async Task<List<FrameResult>> Replay(string name)
        {
            string outDir = Path.Combine(TestPaths.NewTempDir(), name);
            await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = methods, Deconvolver = "robust" }, methods.CreateKernelSource("events"));
            var rows = await FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"));
            foreach (var r in rows) output.WriteLine($"{name} frame {r.Index}: {r.KernelSource} PSNR {r.Psnr:F2} (input {r.PsnrBlurry:F2})");
            return rows;
        }
        var blurred = await Replay("blurred");
        Assert.Equal(2, blurred.Count);
        Assert.All(blurred, r => Assert.NotEqual(FrameCheckedKernels.SharpSource, r.KernelSource));
        Assert.All(blurred, r => Assert.True(r.Psnr > r.PsnrBlurry, $"frame {r.Index}: {r.Psnr:F2} dB, input {r.PsnrBlurry:F2}"));

        // The RGB frames replaced by the ground truth with Poisson–Gaussian noise (a full well of 6000 e⁻, 3 e⁻ read noise).
        var m = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "recording.json"))).RootElement;
        double black = m.GetProperty("rgb").GetProperty("black_level").GetDouble(), sat = m.GetProperty("rgb").GetProperty("saturation_level").GetDouble();
        double gain = (sat - black) / 6000;
        var rng = new Random(17);
        foreach (int i in new[] { 0, 1 })
        {
            using var truth = Cv2.ImRead(Path.Combine(bundle, "gt", $"{i:D6}.png"), ImreadModes.Unchanged);
            using var flat = truth.Reshape(1);
            flat.GetArray(out ushort[] px);
            for (int p = 0; p < px.Length; p++)
            {
                if (px[p] >= sat) continue;
                double e = Math.Max(0, (px[p] - black) / gain);
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                px[p] = (ushort)Math.Clamp(Math.Round((e + g * Math.Sqrt(e + 9)) * gain + black), 0, sat);
            }
            flat.SetArray(px);
            Cv2.ImWrite(Path.Combine(bundle, "rgb", $"{i:D6}.png"), truth);
        }
        var sharp = await Replay("sharp");
        Assert.Equal(2, sharp.Count);
        foreach (var r in sharp)
        {
            Assert.Equal(FrameCheckedKernels.SharpSource, r.KernelSource);
            // Denoised, not deblurred: above its input (the trial's frames were 8–18 dB below).
            Assert.True(r.Psnr > r.PsnrBlurry, $"frame {r.Index}: {r.Psnr:F2} dB below its input's {r.PsnrBlurry:F2}");
        }
    }
}
