using EventDeblur.Evaluation;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// Findings of the third new-user trial (stop 34) in the evaluation workflow: a cancelled shard, shards of different
/// settings, a file that is not a shard, input problems that eval and report passed over, and EDI on RGB bundles.
/// </summary>
public class EvalShardAuditTests
{
    private static string Sample => Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night");

    private static (int Code, string Out, string Err) Run(params string[] args) => CliTests.RunWithin(TimeSpan.FromMinutes(4), args);

    /// <summary>A copy of the shipped sample in a new temporary folder, named <paramref name="name"/>, to damage or alter.</summary>
    private static string CopyOfSample(string name = "sample-night")
    {
        string bundle = Path.Combine(TestPaths.NewTempDir(), name);
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(Sample, bundle);
        return bundle;
    }

    [Fact]
    public async Task ACancelledShardIsMarkedAndReportedAsPartial()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "eval");
        Directory.CreateDirectory(dir);
        var catalogue = new MethodCatalogueBuilder().Build();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var lines = new List<string>();
        var rows = await Evaluator.RunAsync(catalogue, [Sample], [catalogue.ParseMethod("blurry"), catalogue.ParseMethod("events+wiener")], dir, 1, 1, lines.Add, cancelled.Token);
        // Nothing was started after the signal, and nothing claims "0/0 frames ok".
        Assert.Empty(rows);
        Assert.Empty(lines);
        var problems = await Evaluator.ShardProblemsAsync([dir]);
        Assert.Contains(problems, p => p.ToString().Contains("the shard was cancelled (Ctrl+C / SIGTERM) before its work was done", StringComparison.Ordinal));
        var r = Run("report", dir);
        Assert.Equal(1, r.Code);
        Assert.Contains("WARNING: results-shard-1-of-1.parquet: the shard was cancelled", r.Err);
        AssertWarningsCounted(r.Err);
    }

    /// <summary>The closing WARNING line counts every WARNING line above it.</summary>
    private static void AssertWarningsCounted(string err)
    {
        var warnings = err.Split('\n').Where(l => l.StartsWith("WARNING: ", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count >= 2, err);
        var closing = System.Text.RegularExpressions.Regex.Match(warnings[^1], @"^WARNING: (\d+) warning\(s\) above \(");
        Assert.True(closing.Success, warnings[^1]);
        Assert.Equal(warnings.Count - 1, int.Parse(closing.Groups[1].Value));
    }

    /// <summary>
    /// Warnings of different kinds — a run not completed, a method whose frames failed — are all counted by the closing
    /// line (stop 44's trial: after a cancelled eval it said "1 problem(s)" below three warnings; with no shard problem it
    /// said nothing).
    /// </summary>
    [Fact]
    public void TheClosingLineCountsEveryWarningAbove()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "eval");
        var e = Run("eval", Sample, "--out", dir, "--methods", "blurry,events+wiener");
        Assert.True(e.Code == 0, e.Err);
        string runJson = Directory.GetFiles(Path.Combine(dir, "runs"), "run.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        string text = File.ReadAllText(runJson);
        Assert.Contains("\"status\": \"completed\"", text);
        File.WriteAllText(runJson, text.Replace("\"status\": \"completed\"", "\"status\": \"running\""));
        var r = Run("report", dir);
        Assert.Equal(1, r.Code);
        Assert.Contains("run status 'running'", r.Err);
        AssertWarningsCounted(r.Err);
        Assert.Contains("(1 on runs not completed or unreadable)", r.Err);
    }

    [Fact]
    public void ShardsOfDifferentSettingsAreReported()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "eval");
        var a = Run("eval", Sample, "--out", dir, "--methods", "blurry", "--shard", "1/2", "--quality", "fast");
        Assert.True(a.Code == 0, a.Err);
        var b = Run("eval", Sample, "--out", dir, "--methods", "blurry", "--shard", "2/2", "--quality", "best");
        Assert.True(b.Code == 0, b.Err);
        var r = Run("report", dir);
        Assert.Equal(1, r.Code);
        Assert.Contains("its shards ran with different settings", r.Err);
        Assert.Contains("results-shard-1-of-2.parquet: methods blurry; quality fast", r.Err);
        Assert.Contains("results-shard-2-of-2.parquet: methods blurry; quality best", r.Err);
    }

    [Fact]
    public void AFileThatIsNotAShardIsRefusedByName()
    {
        string root = TestPaths.NewTempDir();
        string dir = Path.Combine(root, "eval");
        var e = Run("eval", Sample, "--out", dir, "--methods", "blurry");
        Assert.True(e.Code == 0, e.Err);
        string events = Path.Combine(root, "events.parquet");
        var c = Run("convert", Path.Combine(Sample, "events.aedat4"), events);
        Assert.True(c.Code == 0, c.Err);

        // An events table named as a shard: exit 2 naming it and its table (it was an internal error, exit 3).
        string shard2 = Path.Combine(dir, "results-shard-2-of-2.parquet");
        File.Copy(events, shard2);
        var r = Run("report", dir);
        Assert.Equal(2, r.Code);
        Assert.Contains($"{shard2}: a 'events' table, not an evaluation's results ('eval_results')", r.Err);
        Assert.DoesNotContain("internal error", r.Err);

        // A truncated shard: the message names the file.
        File.Delete(shard2);
        string shard1 = Path.Combine(dir, "results-shard-1-of-1.parquet");
        var bytes = File.ReadAllBytes(shard1);
        File.WriteAllBytes(shard1, bytes[..(bytes.Length / 2)]);
        r = Run("report", dir);
        Assert.Equal(2, r.Code);
        Assert.Contains($"{shard1}: not a readable Parquet file", r.Err);

        // An events table as a run's frames.parquet: refused by name, not read as rows of defaults.
        string run = Path.Combine(dir, "runs", "blurry", "sample-night");
        File.Copy(events, Path.Combine(run, "frames.parquet"), overwrite: true);
        r = Run("report", run);
        Assert.Equal(2, r.Code);
        Assert.Contains("a 'events' table, not a run's frames table ('run_frames')", r.Err);
    }

    [Fact]
    public void InputProblemsReachEvalsExitCodeAndTheReports()
    {
        string bundle = CopyOfSample();
        string root = Path.GetDirectoryName(bundle)!;
        File.AppendAllText(Path.Combine(bundle, "rgb", "frames.csv"), "7,missing.png,abc,def\n");
        string dir = Path.Combine(root, "eval");
        var e = Run("eval", bundle, "--out", dir, "--methods", "blurry");
        Assert.Equal(1, e.Code);
        Assert.Contains("sample-night: problem: ", e.Out);
        Assert.Contains("problem(s) in the bundles' inputs", e.Err);
        var r = Run("report", dir);
        Assert.Equal(1, r.Code);
        Assert.Contains("WARNING: results-shard-1-of-1.parquet: sample-night: ", r.Err);
        // The replay run under runs/ says the same when reported on its own.
        r = Run("report", Path.Combine(dir, "runs", "blurry", "sample-night"));
        Assert.Equal(1, r.Code);
        Assert.Contains("its input had 1 problem(s) (run.json)", r.Err);
    }

    [Fact]
    public void EdiOnAnRgbBundleIsSkippedWithItsReason()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "eval");
        var e = Run("eval", Sample, "--out", dir, "--methods", "blurry,edi");
        Assert.True(e.Code == 0, e.Out + e.Err);
        Assert.Contains("sample-night edi: skipped: EDI needs the event camera's own APS frames, and this bundle's frames come from an RGB camera", e.Out);
        Assert.DoesNotContain("ArgumentException", e.Out + e.Err);
        Assert.Contains("sample-night blurry: 3/3 frames ok", e.Out);
    }

    [Fact]
    public void InspectCountsTheBundlesProblemsApartFromTheEventFiles()
    {
        string bundle = CopyOfSample();
        File.AppendAllText(Path.Combine(bundle, "rgb", "frames.csv"), "7,missing.png,abc,def\n");
        var r = Run("inspect", bundle);
        Assert.Equal(1, r.Code);
        // It said "problems:  none" (the event file's count) above the bundle's problem lines.
        Assert.Contains("problems:  none in the event file", r.Out);
        Assert.Contains("problems:  1 error(s), 0 note(s) in the bundle", r.Out);
        Assert.Contains("bundle:    3 RGB frames (table sync)", r.Out);
        Assert.Matches(@"(?m)^  problem: .*frames\.csv: line 5: ", r.Out);
    }

    [Fact]
    public void ANonNumericSensorSizeIsAnErrorAndTheOtherDimensionStillBindsConvert()
    {
        string dir = TestPaths.NewTempDir();
        string file = Path.Combine(dir, "flip-xml.aedat4");
        var bytes = File.ReadAllBytes(Path.Combine(Sample, "events.aedat4"));
        var from = System.Text.Encoding.ASCII.GetBytes("key=\"sizeX\" type=\"int\">346<");
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at > 0, "the sample's infoNode states sizeX 346");
        System.Text.Encoding.ASCII.GetBytes("key=\"sizeX\" type=\"int\">34Z<").CopyTo(bytes, at);
        File.WriteAllBytes(file, bytes);

        var r = Run("inspect", file);
        Assert.Equal(1, r.Code);
        Assert.Contains("declares sizeX '34Z', which is not an integer; that dimension is ignored", r.Out);
        // The file still states sizeY = 260: a --height that contradicts it is refused, as for a file that states both.
        var c = Run("convert", file, Path.Combine(dir, "out.aedat4"), "--width", "346", "--height", "100");
        Assert.Equal(2, c.Code);
        Assert.Contains("the file states its sensor size, ?×260", c.Err);
        Assert.False(File.Exists(Path.Combine(dir, "out.aedat4")));
    }

    [Fact]
    public void AnExposurePartlyPastTheEventsIsNotedNotFailed()
    {
        // The sample's last exposure moved to end 50 ms after its last event (at 1 700 000 000 611 500 µs on the event clock).
        string bundle = CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        Assert.StartsWith("2,000002.png,1699999999265433,", lines[3]);
        lines[3] = "2,000002.png,1699999999265433,1699999999426933";
        File.WriteAllLines(csv, lines);
        var r = Run("replay", bundle, "--deconvolver", "wiener", "--out", Path.Combine(Path.GetDirectoryName(bundle)!, "out"));
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Contains("note: frame 2: exposure [1700000000500000, 1700000000661500) µs ends 50 ms after the last event (at 1700000000611500 µs): 31 % of it has no events, so its kernel comes from part of the motion", r.Err);
        Assert.DoesNotContain("problem:", r.Err);
    }

    [Fact]
    public void UnknownManifestKeysAreNotedWithTheKeyMeant()
    {
        string bundle = CopyOfSample();
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["rgb"]!["whitelevel"] = 1000;
        json["extra"] = 1;
        File.WriteAllText(manifest, json.ToJsonString());
        var r = Run("inspect", bundle);
        Assert.True(r.Code == 0, r.Out + r.Err); // notes, not errors
        Assert.Contains("  note: " + manifest + ": unknown key rgb.whitelevel (did you mean rgb.white_level?): ignored", r.Out);
        Assert.Contains("  note: " + manifest + ": unknown key extra: ignored", r.Out);

        // events.file naming a folder says so.
        json.Remove("extra");
        ((System.Text.Json.Nodes.JsonObject)json["rgb"]!).Remove("whitelevel");
        json["events"]!["file"] = "rgb";
        File.WriteAllText(manifest, json.ToJsonString());
        r = Run("inspect", bundle);
        Assert.Equal(2, r.Code);
        Assert.Contains("events.file 'rgb' is a folder; expected the event file", r.Err);
    }

    [Fact]
    public void APngWithADamagedHeaderIsNamedAsDamagedNotAsHuge()
    {
        string bundle = CopyOfSample();
        string frame = Path.Combine(bundle, "rgb", "000001.png");
        var bytes = File.ReadAllBytes(frame);
        bytes[21] ^= 0x01; // the height's third byte: 300 read as 65 836
        File.WriteAllBytes(frame, bytes);
        var r = Run("inspect", bundle);
        Assert.Equal(1, r.Code);
        Assert.Contains("a damaged PNG: its IHDR chunk (size, bit depth, colour type) fails its CRC-32 check at byte 29", r.Out);
        Assert.DoesNotContain("over the limit", r.Out);
    }

    [Fact]
    public async Task AFrameTheBundleCheckLeftOutStillGetsAFailedRow()
    {
        // RECORDING_FORMAT.md: frames.parquet holds one row per frame. A frame refused before decoding (here an 8-bit PNG
        // in a 16-bit bundle) had none (stop 34 contract audit).
        string bundle = CopyOfSample();
        string root = Path.GetDirectoryName(bundle)!;
        using (var img = new OpenCvSharp.Mat(300, 400, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(10, 20, 30)))
            OpenCvSharp.Cv2.ImWrite(Path.Combine(bundle, "rgb", "000001.png"), img);
        string outDir = Path.Combine(root, "out");
        var r = Run("replay", bundle, "--deconvolver", "wiener", "--out", outDir);
        Assert.Equal(1, r.Code);
        var rows = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"));
        Assert.Equal([0L, 1L, 2L], rows.Select(x => x.Index).Order());
        var failed = Assert.Single(rows, x => x.Index == 1);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("not processed: ", failed.Error);
        Assert.Contains("an 8-bit PNG, expected 16-bit", failed.Error);
        Assert.All(rows.Where(x => x.Index != 1), x => Assert.Equal("ok", x.Status));
        Assert.False(File.Exists(Path.Combine(outDir, "frames", "000001.png")));

        // A resumed run keeps one row per frame too.
        r = Run("replay", bundle, "--deconvolver", "wiener", "--out", outDir, "--resume");
        Assert.Equal(1, r.Code);
        rows = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"));
        Assert.Equal([0L, 1L, 2L], rows.Select(x => x.Index).Order());
    }

    [Fact]
    public void AGroundTruthKernelThatDoesNotSumToOneIsAProblem()
    {
        string bundle = CopyOfSample();
        string kernel = Path.Combine(bundle, "gt", "kernels", "000000.csv");
        var lines = File.ReadAllLines(kernel).Select(l =>
        {
            var f = l.Split(',');
            return string.Join(",", f.Take(5).Concat(f.Skip(5).Select(v => (2 * double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }).ToArray();
        File.WriteAllLines(kernel, lines);
        var r = Run("inspect", bundle);
        Assert.Equal(1, r.Code);
        Assert.Contains("kernel's weights sum to 2; expected 1 (± 0.02)", r.Out);
        var replay = Run("replay", bundle, "--kernels", "gt", "--deconvolver", "wiener", "--out", Path.Combine(Path.GetDirectoryName(bundle)!, "out"));
        Assert.Equal(1, replay.Code);
        Assert.Contains("sum to 2", replay.Out + replay.Err);
    }

    [Fact]
    public void ApsGroundTruthMustBe16BitAndTheFirstIndexAWholeNumber()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "aps-052");
        EventDeblur.Simulation.HybridRigSimulator.Simulate(EventDeblur.Simulation.SimulationPresets.Get("aps") with { Frames = 1 }, 52, dir);
        var clean = Run("inspect", dir);
        Assert.True(clean.Code == 0, clean.Out + clean.Err);

        // An 8-bit ground-truth frame (DN, not DN × 257) was read as 257× too dark and scored (PSNR 9 dB).
        var gt = EventDeblur.Recording.RecordingBundle.Load(dir).GroundTruthFrames!.First();
        using (var m = OpenCvSharp.Cv2.ImRead(gt.File, OpenCvSharp.ImreadModes.Unchanged))
        using (var m8 = new OpenCvSharp.Mat())
        {
            m.ConvertTo(m8, OpenCvSharp.MatType.CV_8U, 1.0 / 257);
            OpenCvSharp.Cv2.ImWrite(gt.File, m8);
        }
        var r = Run("inspect", dir);
        Assert.Equal(1, r.Code);
        Assert.Contains("an 8-bit PNG, expected 16-bit: an APS frame's ground truth holds DN × 257 in a 16-bit PNG", r.Out);

        // aps.first_index names files (NNNNNN): -3 wrote frames/-000003.png, 2.7 was truncated to 2.
        string manifest = Path.Combine(dir, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        foreach (var bad in new[] { "-3", "2.7" })
        {
            json["aps"] = System.Text.Json.Nodes.JsonNode.Parse($"{{\"first_index\": {bad}}}");
            File.WriteAllText(manifest, json.ToJsonString());
            r = Run("inspect", dir);
            Assert.Equal(2, r.Code);
            Assert.Contains($"'aps.first_index' must be a whole number ≥ 0 (the index of the file's first APS frame), found {bad}", r.Err);
        }
        // Written as a float by another tool, a whole number is still one.
        json["aps"] = System.Text.Json.Nodes.JsonNode.Parse("{\"first_index\": 0.0}");
        File.WriteAllText(manifest, json.ToJsonString());
        r = Run("inspect", dir);
        Assert.DoesNotContain("first_index", r.Err);
    }

    [Fact]
    public Task FloatTiffFramesGiveSixteenBitOutputsOfTheSameRadianceNotARuinedPng() =>
        // Until stop 34 a float frame was taken for 16-bit and written with white 1.0: every output pixel 0 or 1, marked ok.
        FloatFramesGiveSixteenBitOutputsOfTheSameRadiance(".tiff", (path, fl) => Assert.True(OpenCvSharp.Cv2.ImWrite(path, fl)));

    [Fact]
    public Task OpenExrFramesGiveSixteenBitOutputsOfTheSameRadiance() =>
        // RECORDING_FORMAT.md allows float EXR; until stop 35 such frames were refused (OpenCvSharp's OpenCV has no EXR codec).
        FloatFramesGiveSixteenBitOutputsOfTheSameRadiance(".exr", EventDeblur.Tests.Imaging.OpenExrTests.WriteUncompressed);

    /// <summary>
    /// The sample with its frames (and ground truth) as 32-bit floats, raw / 65535, written by <paramref name="write"/>: so
    /// black 1024/65535, white 1, saturation 65000/65535. A replay gives the 16-bit run's outputs to 2 counts, and its PSNR.
    /// </summary>
    private async Task FloatFramesGiveSixteenBitOutputsOfTheSameRadiance(string extension, Action<string, OpenCvSharp.Mat> write)
    {
        string bundle = CopyOfSample("sample-float");
        string root = Path.GetDirectoryName(bundle)!;
        foreach (var sub in new[] { "rgb", "gt" })
        {
            string csv = Path.Combine(bundle, sub, "frames.csv");
            var lines = File.ReadAllLines(csv).ToList();
            for (int k = 1; k < lines.Count; k++)
            {
                var f = lines[k].Split(',');
                string png = Path.Combine(bundle, sub, f[1]);
                using var raw = OpenCvSharp.Cv2.ImRead(png, OpenCvSharp.ImreadModes.Unchanged);
                using var fl = new OpenCvSharp.Mat();
                raw.ConvertTo(fl, OpenCvSharp.MatType.CV_32F, 1.0 / 65535);
                f[1] = Path.ChangeExtension(f[1], extension);
                write(Path.Combine(bundle, sub, f[1]), fl);
                File.Delete(png);
                lines[k] = string.Join(",", f);
            }
            File.WriteAllLines(csv, lines);
        }
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["rgb"]!["black_level"] = 1024.0 / 65535;
        json["rgb"]!["white_level"] = 1.0;
        json["rgb"]!["saturation_level"] = 65000.0 / 65535;
        File.WriteAllText(manifest, json.ToJsonString());

        string floatOut = Path.Combine(root, "float-out"), pngOut = Path.Combine(root, "png-out");
        var r = Run("replay", bundle, "--deconvolver", "none", "--out", floatOut);
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Contains("the frames are floating point, which a PNG cannot hold: frames/NNNNNN.png are 16-bit in the same encoding with black 0 and white 65535", r.Err);
        Assert.Contains("frames/NNNNNN.exr hold the floats in the frames' own units, nothing clipped", r.Err);
        r = Run("replay", Sample, "--deconvolver", "none", "--out", pngOut);
        Assert.True(r.Code == 0, r.Out + r.Err);

        // The same radiance: the 16-bit input's (v - 1024) / 64511 spread over 0..65535, to a count.
        for (int k = 0; k < 3; k++)
        {
            using var a = OpenCvSharp.Cv2.ImRead(Path.Combine(floatOut, "frames", $"{k:D6}.png"), OpenCvSharp.ImreadModes.Unchanged);
            using var b = OpenCvSharp.Cv2.ImRead(Path.Combine(pngOut, "frames", $"{k:D6}.png"), OpenCvSharp.ImreadModes.Unchanged);
            Assert.Equal(OpenCvSharp.MatType.CV_16UC3, a.Type());
            using var bd = new OpenCvSharp.Mat();
            using var expected = new OpenCvSharp.Mat();
            b.ConvertTo(bd, OpenCvSharp.MatType.CV_64FC3);
            OpenCvSharp.Cv2.Subtract(bd, new OpenCvSharp.Scalar(1024, 1024, 1024), bd);
            OpenCvSharp.Cv2.Max(bd, new OpenCvSharp.Scalar(0, 0, 0), bd);
            bd.ConvertTo(expected, OpenCvSharp.MatType.CV_64FC3, 65535.0 / 64511);
            using var ad = new OpenCvSharp.Mat();
            a.ConvertTo(ad, OpenCvSharp.MatType.CV_64FC3);
            using var diff = new OpenCvSharp.Mat();
            OpenCvSharp.Cv2.Absdiff(ad, expected, diff);
            OpenCvSharp.Cv2.MinMaxLoc(diff.Reshape(1), out double _, out double worst);
            Assert.True(worst <= 2, $"frame {k}: the float run's output differs from the 16-bit run's by {worst} counts");
        }
        // The float copy: the frame's values in the input's units (raw / 65535), the PNG's where it does not clip.
        for (int k = 0; k < 3; k++)
        {
            string exr = Path.Combine(floatOut, "frames", $"{k:D6}.exr");
            using var e = EventDeblur.Imaging.OpenExr.Decode(File.ReadAllBytes(exr), exr);
            using var png = OpenCvSharp.Cv2.ImRead(Path.Combine(floatOut, "frames", $"{k:D6}.png"), OpenCvSharp.ImreadModes.Unchanged);
            var ev = e.Reshape(1, 1).AsSpan<float>().ToArray();
            var pv = png.Reshape(1, 1).AsSpan<ushort>().ToArray();
            Assert.Equal(pv.Length, ev.Length);
            double black = 1024.0 / 65535;
            for (int i = 0; i < ev.Length; i++)
                if (pv[i] is > 0 and < 65535)
                    Assert.True(Math.Abs((ev[i] - black) / (1 - black) * 65535 - pv[i]) <= 0.51, $"frame {k} sample {i}: EXR {ev[i]}, PNG {pv[i]}");
        }
        var fr = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(floatOut, "frames.parquet"));
        var pr = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(pngOut, "frames.parquet"));
        Assert.Equal(pr.OrderBy(x => x.Index).Select(x => Math.Round(x.Psnr!.Value, 2)), fr.OrderBy(x => x.Index).Select(x => Math.Round(x.Psnr!.Value, 2)));
    }

    [Fact]
    public void ADamagedExrFrameIsNamedWithItsByte()
    {
        string bundle = CopyOfSample();
        // OpenEXR's magic and version, then a header cut inside its first attribute's name.
        File.WriteAllBytes(Path.Combine(bundle, "rgb", "000001.exr"), [0x76, 0x2F, 0x31, 0x01, 2, 0, 0, 0, .. "channels"u8.ToArray()]);
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        File.WriteAllText(csv, File.ReadAllText(csv).Replace("000001.png", "000001.exr"));
        var r = Run("inspect", bundle);
        Assert.Equal(1, r.Code);
        Assert.Contains("frame 1: byte 8: an attribute name runs past the end of the header: a truncated file (listed in", r.Out);
    }

    [Fact]
    public void AnExrFrameOfAnotherSizeOrCompressionIsLeftOutWithItsReason()
    {
        string bundle = CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        // oiiotool's 41×37 frame where the sample's are larger, and its B44 frame (lossy), which this reader does not decode.
        File.Copy(Path.Combine(TestPaths.RepoRoot, "tests", "data", "openexr", "smooth-half-zip.exr"), Path.Combine(bundle, "rgb", "000001.exr"));
        File.Copy(Path.Combine(TestPaths.RepoRoot, "tests", "data", "openexr", "smooth-half-b44.exr"), Path.Combine(bundle, "rgb", "000002.exr"));
        File.WriteAllText(csv, File.ReadAllText(csv).Replace("000001.png", "000001.exr").Replace("000002.png", "000002.exr"));
        var r = Run("inspect", bundle);
        Assert.Equal(1, r.Code);
        Assert.Contains("frame 1: a 41×37 OpenEXR frame (its display window), expected ", r.Out);
        Assert.Contains("frame 2: byte 8: B44 compression, which this reader does not decode (it reads NONE, RLE, ZIPS, ZIP, PIZ and PXR24); rewrite the frame with ZIP", r.Out);
    }

    [Fact]
    public void SimulateSetSimulatesADamagedBundleAgain()
    {
        string dir = TestPaths.NewTempDir();
        string set = Path.Combine(dir, "set.csv"), outDir = Path.Combine(dir, "out");
        File.WriteAllText(set, "name,preset,seed,frames,rgb_size\na,night,1,2,64x48\n");
        Assert.Equal(0, Run("simulate", "--set", set, "--out", outDir).Code);
        string frame = Path.Combine(outDir, "a", "rgb", "000001.png"), events = Path.Combine(outDir, "a", "events.aedat4");
        byte[] frameBytes = File.ReadAllBytes(frame), eventBytes = File.ReadAllBytes(events);

        // A deleted frame: "exists, kept" until stop 34; now simulated again, the same bytes (same seed).
        File.Delete(frame);
        var again = Run("simulate", "--set", set, "--out", outDir);
        Assert.Equal(0, again.Code);
        Assert.Contains("a: exists but damaged (", again.Out);
        Assert.Contains("simulated again", again.Out);
        Assert.Equal(frameBytes, File.ReadAllBytes(frame));

        // A cut event file likewise.
        File.WriteAllBytes(events, eventBytes[..(eventBytes.Length / 2)]);
        again = Run("simulate", "--set", set, "--out", outDir);
        Assert.Contains("a: exists but damaged (", again.Out);
        Assert.Equal(eventBytes, File.ReadAllBytes(events));

        again = Run("simulate", "--set", set, "--out", outDir);
        Assert.Contains("a: exists, kept", again.Out);
    }

    [Fact]
    public void JsonForPeopleKeepsNonAsciiPathsAndPlusSignsReadable()
    {
        string bundle = CopyOfSample("Aufnahme-für-Nacht");
        var r = Run("inspect", bundle, "--json", "--no-hash");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("Aufnahme-für-Nacht", r.Out);
        Assert.DoesNotContain("\\u00FC", r.Out);
        using (var doc = System.Text.Json.JsonDocument.Parse(r.Out))
            Assert.EndsWith("Aufnahme-für-Nacht", doc.RootElement.GetProperty("bundle").GetProperty("path").GetString());
        string outDir = Path.Combine(Path.GetDirectoryName(bundle)!, "out");
        Assert.Equal(0, Run("replay", bundle, "--deconvolver", "none", "--out", outDir).Code);
        string runJson = File.ReadAllText(Path.Combine(outDir, "run.json"));
        Assert.Contains("Aufnahme-für-Nacht", runJson);
        Assert.DoesNotContain("\\u002B", runJson); // the timestamps' "+00:00"
    }
}
