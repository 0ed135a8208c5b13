using EventDeblur.Deconvolution;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>The Richardson–Lucy start of <see cref="RobustDeconvolver"/> on crops around clipped lights instead of the whole plane.</summary>
public class CroppedLightInitTests(ITestOutputHelper output)
{
    [Fact]
    public void SaturatedBoxesAreGrownClampedAndMergedWhenTheyOverlap()
    {
        const int w = 200, h = 100;
        var sat = new bool[w * h];
        // Two lights 30 px apart (boxes grown by 20 overlap → one box), one far away, one at the corner (clamped).
        sat[50 * w + 40] = sat[50 * w + 41] = sat[51 * w + 41] = true;
        sat[52 * w + 71] = true;
        sat[20 * w + 160] = true;
        sat[0 * w + 199] = true;
        var boxes = RobustDeconvolver.SaturatedBoxes(sat, h, w, 20).OrderBy(b => b.X0).ThenBy(b => b.Y0).ToList();
        Assert.Equal(2, boxes.Count);
        Assert.Equal((20, 30, 92, 73), boxes[0]);      // lights at x 40–41 and 71, y 50–52, merged
        Assert.Equal((140, 0, 200, 41), boxes[1]);     // the far light (x 160, y 20) and the corner light (x 199, y 0) overlap once grown
        // No two boxes overlap, and every clipped pixel lies inside a box at least 20 px from its inner edges.
        for (int i = 0; i < boxes.Count; i++)
            for (int j = i + 1; j < boxes.Count; j++)
                Assert.False(boxes[i].X0 < boxes[j].X1 && boxes[j].X0 < boxes[i].X1 && boxes[i].Y0 < boxes[j].Y1 && boxes[j].Y0 < boxes[i].Y1);
    }

    [Fact]
    public void CroppedStartGivesTheWholePlaneStartsQuality()
    {
        const int w = 256, h = 192;
        var l = LightLevel.Dim;
        var sharp = NoisyNightFrames.Scene(w, h, l.Scale, 41);
        // Three clipped lights, two close together, in a textured scene.
        sharp[60 * w + 60] = sharp[60 * w + 61] = 40;
        sharp[70 * w + 90] = 25;
        sharp[150 * w + 200] = 30;
        var k = NoisyNightFrames.MotionKernel(17);
        var (blurry, sat) = NoisyNightFrames.AddNoise(DeconvolverTests.Blur(sharp, w, h, k), l.A, l.B, 42);
        Assert.Contains(true, sat);
        var ctx = NoisyNightFrames.Context(sat);
        var profile = new DeconvolutionProfile();
        var cropped = new RobustDeconvolver(new RobustDeconvolverOptions(LightInitOnCrops: true)) { Profile = profile }.Deconvolve(blurry, w, h, k, ctx);
        // The lights cover a small part of the plane, so the crops were cheaper and were used.
        Assert.Contains(profile.Steps, s => s.Step == "robust: light init (RL crops)" && s.Calls == 1);
        Assert.DoesNotContain(profile.Steps, s => s.Step == "robust: light init (RL)");
        var whole = new RobustDeconvolver(new RobustDeconvolverOptions(LightInitOnCrops: false)).Deconvolve(blurry, w, h, k, ctx);
        double pB = NoisyNightFrames.Psnr(blurry, sharp, w, h), pC = NoisyNightFrames.Psnr(cropped, sharp, w, h), pW = NoisyNightFrames.Psnr(whole, sharp, w, h);
        // Around the lights (within 12 px, where the RL start matters most) the two must restore the scene equally well.
        double seC = 0, seW = 0;
        int count = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool near = false;
                for (int dy = -12; dy <= 12 && !near; dy++)
                    for (int dx = -12; dx <= 12 && !near; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        near = yy >= 0 && yy < h && xx >= 0 && xx < w && sat[yy * w + xx];
                    }
                if (!near) continue;
                int i = y * w + x;
                double t = Math.Min(sharp[i], 1f), c = Math.Min(cropped[i], 1f) - t, o = Math.Min(whole[i], 1f) - t;
                seC += c * c; seW += o * o; count++;
            }
        double nearC = 10 * Math.Log10(count / seC), nearW = 10 * Math.Log10(count / seW);
        output.WriteLine($"blurry {pB:F3} dB, whole-plane RL start {pW:F3} dB, cropped {pC:F3} dB; within 12 px of the lights ({count} px, radiance clipped at 1): whole {nearW:F3} dB, cropped {nearC:F3} dB");
        Assert.True(pW > pB + 2, $"whole-plane start {pW:F2} dB vs blurry {pB:F2} dB");
        Assert.True(Math.Abs(pC - pW) <= 0.1, $"cropped start {pC:F3} dB vs whole-plane {pW:F3} dB");
        Assert.True(Math.Abs(nearC - nearW) <= 0.25, $"near the lights: cropped start {nearC:F3} dB vs whole-plane {nearW:F3} dB");
    }
}

/// <summary>The guard's re-blur by one DFT pair against OpenCV's spatial filter.</summary>
public class ReblurSpectralTests
{
    [Theory]
    [InlineData(97, 61, 15)]
    [InlineData(200, 150, 41)]
    [InlineData(20, 17, 19)]
    public void EqualsFilter2DWithReflectedBorders(int w, int h, int length)
    {
        var rng = new Random(w * 1000 + h);
        var plane = Enumerable.Range(0, w * h).Select(_ => (float)rng.NextDouble()).ToArray();
        var k = NoisyNightFrames.MotionKernel(length);
        var spectral = new ReblurSpectral(k, w, h).Convolve(plane);
        // Reference: OpenCV correlates, so the kernel is flipped; BORDER_REFLECT as the guard's old spatial re-blur.
        int s = k.Size;
        var flipped = new float[s * s];
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++)
                flipped[(s - 1 - i) * s + (s - 1 - j)] = k[i, j];
        var reference = new float[w * h];
        using (var src = OpenCvSharp.Mat.FromPixelData(h, w, OpenCvSharp.MatType.CV_32FC1, plane))
        using (var dst = OpenCvSharp.Mat.FromPixelData(h, w, OpenCvSharp.MatType.CV_32FC1, reference))
        using (var km = OpenCvSharp.Mat.FromPixelData(s, s, OpenCvSharp.MatType.CV_32FC1, flipped))
            OpenCvSharp.Cv2.Filter2D(src, dst, OpenCvSharp.MatType.CV_32F, km, new OpenCvSharp.Point(-1, -1), 0, OpenCvSharp.BorderTypes.Reflect);
        double maxDiff = 0;
        for (int i = 0; i < plane.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(spectral[i] - reference[i]));
        Assert.True(maxDiff < 1e-4, $"largest difference {maxDiff:E2} (values in [0, 1])");
    }
}
