using OpenCvSharp;

namespace EventDeblur.Tests.Cli;

public partial class HardeningAuditTests
{
    /// <summary>
    /// RECORDING_FORMAT.md allows float EXR frames; until stop 35 they were refused. <c>bundle</c> now takes a folder of
    /// them, asks for the white level floats have no default for, and the bundle it writes replays.
    /// </summary>
    [Fact]
    public void BundleTakesOpenExrFramesWithTheirLevels()
    {
        var original = EventDeblur.Recording.RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string frames = Path.Combine(dir, "exr");
        Directory.CreateDirectory(frames);
        foreach (var f in original.Frames)
        {
            using var raw = Cv2.ImRead(f.File, ImreadModes.Unchanged);
            using var fl = new Mat();
            raw.ConvertTo(fl, MatType.CV_32F, 1.0 / 65535);
            EventDeblur.Tests.Imaging.OpenExrTests.WriteUncompressed(Path.Combine(frames, $"f{f.Index}.exr"), fl);
        }
        string csv = ExposureCsv(dir, original);
        string target = Path.Combine(dir, "b");
        var noWhite = Run("bundle", "--events", original.EventsPath, "--rgb", frames, "--exposure-csv", csv, "--clock-offset-us", "1234567", "--out", target);
        Expect(2, noWhite);
        Assert.Contains("the frames hold 32-bit floats, whose white level has no default; give --white", noWhite.Err);

        var r = Run("bundle", "--events", original.EventsPath, "--rgb", frames, "--exposure-csv", csv, "--clock-offset-us", "1234567", "--encoding", "linear",
            "--black", (1024.0 / 65535).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--white", "1",
            "--saturation", (65000.0 / 65535).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--out", target);
        Expect(0, r);
        Assert.True(File.Exists(Path.Combine(target, "rgb", "000000.exr")));
        var replay = Run("replay", target, "--deconvolver", "none", "--out", Path.Combine(dir, "run"));
        Expect(0, replay);
        Assert.Contains($"completed: {original.Frames.Count} frames deblurred, 0 failed", replay.Out);
    }

    /// <summary>
    /// A float bundle (white level 1) whose ground truth stayed 16-bit PNG: the trial of stop 35 got "a 16-bit PNG,
    /// expected 8-bit (rgb.white_level 1)", as if an 8-bit PNG could hold frames whose white is 1. It now says why.
    /// </summary>
    [Fact]
    public void PngFramesBesideAFloatWhiteLevelAreNamedAsSuch()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Path.Combine(dir, "b");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(Sample, bundle);
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["rgb"]!["black_level"] = 0.0;
        json["rgb"]!["white_level"] = 1.0;
        json["rgb"]!["saturation_level"] = 1.0;
        File.WriteAllText(manifest, json.ToJsonString());
        var r = Run("inspect", bundle);
        Expect(1, r);
        Assert.Contains("frame 0: a 16-bit PNG, but rgb.white_level 1 is a floating-point frame's level (below 2 or not whole): a PNG holds integers, so these frames must be float TIFF or OpenEXR", r.Out);
    }

    /// <summary>
    /// A bundle with ground-truth kernels but no ground-truth frames: replay scored every frame's kernels and then printed
    /// "no metrics: … (no PSNR, SSIM or kernel similarity …)", and report's table said "no ground truth: no metrics" with
    /// "–" for the kernel similarity it had. Both now show the kernel similarity and say what is missing.
    /// </summary>
    [Fact]
    public void GroundTruthKernelsAloneGiveTheirKernelSimilarityInTheSummaries()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Path.Combine(dir, "kernels-only-7");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(Sample, bundle);
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["ground_truth"] = new System.Text.Json.Nodes.JsonObject { ["kernels"] = "gt/kernels" };
        File.WriteAllText(manifest, json.ToJsonString());
        string run = Path.Combine(dir, "run");
        var r = Run("replay", bundle, "--deconvolver", "none", "--out", run);
        Expect(0, r);
        var m = System.Text.RegularExpressions.Regex.Match(r.Out, @"kernel similarity (0\.\d{3}) over 3 frame\(s\); no PSNR or SSIM: the input has ground-truth kernels but no ground-truth frames");
        Assert.True(m.Success, r.Out);
        Assert.DoesNotContain("no metrics", r.Out);
        var report = Run("report", run);
        Assert.Matches($@"\| kernels-only \| events\+none \| 0 of 3 with ground truth \| no ground-truth frames: no PSNR or SSIM \| – \| – \| – \| – \| {m.Groups[1].Value.Replace(".", "\\.")} \|", report.Out);
    }

    /// <summary>
    /// A float (EXR) input's deblurred frame is also written as EXR in the input's units: a restored light's radiance
    /// above the white level, which the 16-bit PNG clips, is kept; --resume redoes a frame whose EXR went missing.
    /// </summary>
    [Fact]
    public void AFloatInputKeepsItsRestoredLightsInTheExrOutput()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Path.Combine(dir, "b");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(Sample, bundle);
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv).ToList();
        for (int k = 1; k < lines.Count; k++)
        {
            var f = lines[k].Split(',');
            string png = Path.Combine(bundle, "rgb", f[1]);
            using var raw = Cv2.ImRead(png, ImreadModes.Unchanged);
            using var fl = new Mat();
            raw.ConvertTo(fl, MatType.CV_32F, 1.0 / 65535);
            f[1] = Path.ChangeExtension(f[1], ".exr");
            EventDeblur.Tests.Imaging.OpenExrTests.WriteUncompressed(Path.Combine(bundle, "rgb", f[1]), fl);
            File.Delete(png);
            lines[k] = string.Join(",", f);
        }
        File.WriteAllLines(csv, lines);
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["rgb"]!["black_level"] = 1024.0 / 65535;
        json["rgb"]!["white_level"] = 1.0;
        json["rgb"]!["saturation_level"] = 65000.0 / 65535;
        json.Remove("ground_truth");
        File.WriteAllText(manifest, json.ToJsonString());

        string run = Path.Combine(dir, "run");
        var r = Run("replay", bundle, "--deconvolver", "robust", "--quality", "fast", "--out", run);
        Expect(0, r);
        string exr0 = Path.Combine(run, "frames", "000000.exr");
        using (var e = EventDeblur.Imaging.OpenExr.Decode(File.ReadAllBytes(exr0), exr0))
        {
            Cv2.MinMaxLoc(e.Reshape(1), out double _, out double peak);
            Assert.True(peak > 1.5, $"the brightest restored value is {peak}, expected a light well above the white level 1");
        }
        using (var png = Cv2.ImRead(Path.Combine(run, "frames", "000000.png"), ImreadModes.Unchanged))
        {
            Cv2.MinMaxLoc(png.Reshape(1), out double _, out double pngPeak);
            Assert.Equal(65535, pngPeak);
        }
        // The PNGs' levels as fields of run.json, not only as a note (stop 39's output-contract trial).
        var pngLevels = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "run.json")))!["frames"]!["png"]!;
        Assert.Equal("linear", (string?)pngLevels["encoding"]);
        Assert.Equal(0, (int)pngLevels["black_level"]!);
        Assert.Equal(65535, (int)pngLevels["white_level"]!);

        File.Delete(Path.Combine(run, "frames", "000001.exr"));
        var resumed = Run("replay", bundle, "--deconvolver", "robust", "--quality", "fast", "--out", run, "--resume");
        Expect(0, resumed);
        Assert.Contains("1 worked on now", resumed.Out);
        Assert.True(File.Exists(Path.Combine(run, "frames", "000001.exr")));
    }
}
