using EventDeblur.Deconvolution;
using EventDeblur.Kernels;
using EventDeblur.Tests.Deconvolution;
using OpenCvSharp;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// A colour DAVIS replayed with the defaults (stop 56): red and blue are fitted at their own pixels, so the do-no-harm
/// guard no longer gives them back, and with them (the default judges the channels together) the whole frame. Before,
/// the default's output was its input on such frames.
/// </summary>
public class ColourDavisReplayTests
{
    [Fact]
    public void TheDefaultDeblursEveryChannelOfAColourDavisFrame()
    {
        const int w = 346, h = 260;   // the DAVIS346 (the file names its source so)
        string dir = Path.Combine(TestPaths.NewTempDir(), "bundle");
        Directory.CreateDirectory(dir);
        // The truth: a textured scene, R 0.55 / G 1 / B 0.35 of it; blurred by a curved 11-px path; an RGBG mosaic of
        // 10-bit codes with Poisson–Gaussian noise, as libcaer stores them (<< 6).
        double[] gains = [0.55, 1.0, 0.35];
        var grey = NoisyNightFrames.Scene(w, h, 0.8, 5611);
        var kernel = NoisyNightFrames.MotionKernel(11);
        var truth = gains.Select(g => grey.Select(v => (float)(v * g)).ToArray()).ToArray();
        var blurred = truth.Select(p => new ReblurSpectral(kernel, w, h).Convolve(p)).ToArray();
        var rng = new Random(5612);
        var mosaic = new ushort[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int c = (y & 1, x & 1) switch { (0, 0) => 0, (1, 1) => 2, _ => 1 };
                double s = Math.Max(blurred[c][y * w + x], 0);
                double v = s + Math.Sqrt(2.5e-4 * s + 4e-6) * NoisyNightFrames.Gaussian(rng);
                mosaic[y * w + x] = (ushort)((int)Math.Clamp(Math.Round(v * 1023), 0, 1023) << 6);
            }
        var events = Enumerable.Range(0, 4000).Select(i => (X: rng.Next(w), Y: rng.Next(h), On: i % 2 == 0, Ts: 100 + i * 5)).ToArray();
        File.WriteAllBytes(Path.Combine(dir, "events.aedat"), EventDeblur.Tests.Formats.Aedat.ColourDavisTests.Aedat31WithFrames(events, [(1, 5_000, 9_000, w, h, 0, 0, mosaic)]));
        Directory.CreateDirectory(Path.Combine(dir, "gt", "kernels"));
        KernelCsv.Write(Path.Combine(dir, "gt", "kernels", "000000.csv"), [new KernelTile(0, 0, w, h, kernel)]);
        File.WriteAllText(Path.Combine(dir, "recording.json"), $$"""
            {"format": "eventdeblur-recording/1",
             "events": {"file": "events.aedat", "width": {{w}}, "height": {{h}}, "camera": "DAVIS346"},
             "aps": {"first_index": 0},
             "ground_truth": {"kernels": "gt/kernels"}
            }
            """);

        string outDir = Path.Combine(dir, "..", "out"), none = Path.Combine(dir, "..", "none");
        var replay = CliTests.RunWithin(TimeSpan.FromMinutes(4), "replay", dir, "--out", outDir, "--kernels", "gt");
        Assert.True(replay.Code == 0, replay.Out + replay.Err);
        Assert.Contains("robust and learned fit red and blue to their own pixels", replay.Out + replay.Err);
        Assert.DoesNotContain("gave the blurry input back", replay.Out + replay.Err);
        var input = CliTests.RunWithin(TimeSpan.FromMinutes(4), "replay", dir, "--out", none, "--kernels", "gt", "--deconvolver", "none");
        Assert.True(input.Code == 0, input.Out + input.Err);

        float[][] Planes(string run)
        {
            using var png = Cv2.ImRead(Path.Combine(run, "frames", "000000.png"), ImreadModes.Unchanged);
            Assert.Equal((w, h, 3), (png.Cols, png.Rows, png.Channels()));
            var planes = new float[3][];
            for (int c = 0; c < 3; c++)
            {
                planes[c] = new float[w * h];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) planes[c][y * w + x] = png.At<Vec3w>(y, x)[2 - c] / 65472f;   // BGR; full scale 1023 << 6
            }
            return planes;
        }
        var sharp = Planes(outDir);
        var blurry = Planes(none);
        var report = Enumerable.Range(0, 3).Select(c => (Input: NoisyNightFrames.Psnr(blurry[c], truth[c], w, h), Output: NoisyNightFrames.Psnr(sharp[c], truth[c], w, h))).ToArray();
        string said = string.Join("; ", report.Select((r, c) => $"{"RGB"[c]}: input {r.Input:F2}, default {r.Output:F2} dB"));
        // The same recording as DV keeps a colour DAVIS (AEDAT 4.0, frames demosaiced to BGR, no filter stated): the layout
        // is found in the frames' noise, and the default deblurs them the same way.
        string dv = Path.Combine(dir, "..", "dv");
        Directory.CreateDirectory(Path.Combine(dv, "gt", "kernels"));
        var convert = CliTests.RunWithin(TimeSpan.FromMinutes(2), "convert", Path.Combine(dir, "events.aedat"), Path.Combine(dv, "events.aedat4"));
        Assert.True(convert.Code == 0, convert.Out + convert.Err);
        File.Copy(Path.Combine(dir, "gt", "kernels", "000000.csv"), Path.Combine(dv, "gt", "kernels", "000000.csv"));
        File.WriteAllText(Path.Combine(dv, "recording.json"), File.ReadAllText(Path.Combine(dir, "recording.json")).Replace("events.aedat\"", "events.aedat4\""));
        string dvOut = Path.Combine(dir, "..", "dv-out");
        var dvReplay = CliTests.RunWithin(TimeSpan.FromMinutes(4), "replay", dv, "--out", dvOut, "--kernels", "gt");
        Assert.True(dvReplay.Code == 0, dvReplay.Out + dvReplay.Err);
        Assert.Contains("colour frames demosaiced from a Bayer mosaic (as DV records a colour DAVIS): the RGGB layout shows in their noise", dvReplay.Out + dvReplay.Err);
        Assert.DoesNotContain("gave the blurry input back", dvReplay.Out + dvReplay.Err);
        using (var a = Cv2.ImRead(Path.Combine(outDir, "frames", "000000.png"), ImreadModes.Unchanged))
        using (var b = Cv2.ImRead(Path.Combine(dvOut, "frames", "000000.png"), ImreadModes.Unchanged))
        {
            // convert spreads the 10-bit codes over 16 bits: the same frame, up to that rounding and its effect.
            Cv2.Absdiff(a, b, b);
            Assert.True(Cv2.Mean(b).Val0 < 0.002 * 65535, $"mean difference {Cv2.Mean(b).Val0:F1} of 65535");
        }

        // Every channel well above its demosaiced input (at writing: R 26.43 → 28.34, G 24.21 → 26.75, B 27.97 → 29.74 dB;
        // without the sites, as before stop 56, the guard gave the input back on most tiles, and the test fails).
        Assert.All(report, r => Assert.True(r.Output > r.Input + 1, said));
    }
}
