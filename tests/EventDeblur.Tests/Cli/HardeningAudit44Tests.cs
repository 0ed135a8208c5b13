using EventDeblur.Tests.Formats.Aedat;

namespace EventDeblur.Tests.Cli;

/// <summary>Findings of stop 44's trials (a lab's real recordings end to end), fixed at stop 44.</summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// An AEDAT 2.0 file whose AEChip the reader does not know: `bundle` made a bundle of a 0×0 sensor from it with the
    /// events upside down (exit 0), and `convert --width --height` wrote them upside down (jAER flips y by the sensor
    /// height). `bundle` refuses it now, naming the convert command, and convert decodes it with the size given, as the
    /// same file with a known AEChip decodes.
    /// </summary>
    [Fact]
    public void AnAedat2FileOfAnUnknownChipIsReadWithTheSizeGivenAndRefusedByBundle()
    {
        string dir = TestPaths.NewTempDir();
        var records = Enumerable.Range(0, 500).Select(i => (Address: SyntheticRecording.DavisDvs(i % 240, i % 180, i % 3 == 0), Timestamp: 1000 + 10 * i)).ToArray();
        string known = Path.Combine(dir, "known.aedat"), unknown = Path.Combine(dir, "unknown.aedat");
        File.WriteAllBytes(known, SyntheticRecording.Aedat2(records));
        File.WriteAllBytes(unknown, SyntheticRecording.Aedat2(records, chip: "eu.seebetter.ini.chips.davis._AVIS240C"));
        string a = Path.Combine(dir, "a.aedat4"), b = Path.Combine(dir, "b.aedat4");
        Expect(0, Run("convert", known, a));
        var r = Run("convert", unknown, b, "--width", "240", "--height", "180");
        Expect(0, r);
        Assert.Contains("unknown or missing AEChip 'eu.seebetter.ini.chips.davis._AVIS240C': read as a DAVIS camera of the size given, 240×180 (y flipped by that height, as jAER does)", r.Err);
        var (ra, rb) = (Run("inspect", "--json", a), Run("inspect", "--json", b));
        string Sha(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("events").GetProperty("sha256").GetString()!;
        Assert.Equal(Sha(ra.Out), Sha(rb.Out));

        string csv = Path.Combine(dir, "exposures.csv");
        File.WriteAllText(csv, "exposure_start_us,exposure_end_us\n1000,2000\n3000,4000\n5000,6000\n");
        var refused = Run("bundle", "--events", unknown, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--out", Path.Combine(dir, "bundle"));
        Expect(2, refused);
        Assert.Contains("the file states no sensor size (its AEChip is not a camera this reader knows, so its y addresses cannot be flipped by the sensor height as jAER's are), which a bundle needs; its 500 events reach x = 239 and y = 179", refused.Err);
        Assert.Contains("convert " + unknown + " events.aedat4 --width W --height H", refused.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "bundle")));
        // With --trigger-polarity low the file is converted, not copied: the same DAVIS wording (stop 47's review: it got the Prophesee examples).
        var low = Run("bundle", "--events", unknown, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--sync", "triggers", "--trigger-polarity", "low", "--out", Path.Combine(dir, "low"));
        Expect(2, low);
        Assert.Contains("its AEChip is not a camera this reader knows", low.Err);
        Assert.DoesNotContain("ATIS", low.Err);
    }

    /// <summary>
    /// Stop 44's trial: frames of 32–42 px (which simulate makes) were deblurred, then failed at scoring ("cannot crop 16 px
    /// from a 32×32 image") and their outputs were removed, exit 1. They are kept, unscored, with a note saying why.
    /// </summary>
    [Fact]
    public void AFrameTooSmallToScoreIsKeptUnscored()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "tiny");
        Expect(0, Run("simulate", "--preset", "night", "--seed", "790170", "--rgb-size", "32x32", "--frames", "2", "--out", dir));
        string output = NewOut();
        var r = Run("replay", dir, "--out", output, "--deconvolver", "robust", "--verbose");
        Expect(0, r);
        Assert.Contains("completed: 2 frames deblurred, 0 failed", r.Out);
        Assert.Contains("metrics: not scored: the frame is 32×32 px, and METRICS.md's PSNR and SSIM need at least 43×43", r.Out + r.Err);
        Assert.Contains("no PSNR or SSIM: the frames are smaller than the 43×43 px METRICS.md's PSNR and SSIM need", r.Out);
        Assert.True(File.Exists(Path.Combine(output, "frames", "000000.png")));
        Assert.True(File.Exists(Path.Combine(output, "frames", "000001.png")));
        // Without ground-truth kernels (nothing scored at all) the summary still says why, not "no ground truth" (the review).
        string manifest = Path.Combine(dir, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
        json["ground_truth"]!.AsObject().Remove("kernels");
        File.WriteAllText(manifest, json.ToJsonString());
        var noKernels = Run("replay", dir, "--out", NewOut(), "--deconvolver", "robust");
        Expect(0, noKernels);
        Assert.Contains("no metrics: the frames are smaller than the 43×43 px METRICS.md's PSNR and SSIM need (their ground truth is not scored)", noKernels.Out);
    }

    /// <summary>
    /// Stop 44's trial: `preview` did not check the FileDataTable nor what follows it, so a file with junk after its table
    /// (or a cut table) gave exit 0 where inspect gives 1; and an exposure without events gave a blank picture silently.
    /// </summary>
    [Fact]
    public void PreviewChecksTheFileDataTableAsInspectDoes()
    {
        string bundle = CopyOfSample();
        string events = Path.Combine(bundle, "events.aedat4");
        using (var fs = new FileStream(events, FileMode.Append)) fs.Write(new byte[777]);
        var r = Run("preview", bundle, "--frames", "all", "--out", NewOut());
        Expect(1, r);
        Assert.Contains("777 byte(s) follow the FileDataTable, which ends here; expected the end of the file", r.Err);
    }

    /// <summary>
    /// Stop 44's trial: a calibration that puts the RGB frame off the event sensor was named by inspect but not by replay,
    /// which ran without a word. Replay says it now (a note: the frames are still deblurred, with kernels from elsewhere).
    /// </summary>
    [Fact]
    public void ReplayNamesACalibrationThatMissesTheSensor()
    {
        string bundle = CopyOfSample();
        string manifest = Path.Combine(bundle, "recording.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("80.54019140395673", "5080.54019140395673", StringComparison.Ordinal));
        var r = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "robust");
        Assert.Contains("note: ", r.Err);
        Assert.Contains("the calibration maps only 0 % of the RGB frame onto the 346×260 event sensor", r.Err);
    }

    /// <summary>
    /// The replay pipeline hands the deconvolvers the image with one code below the clip counted as clipped (stop 44's
    /// review: nothing tested that wiring). The sample with 8-bit frames white but for 6 % of pixels at 254, its ground
    /// truth white: with the true kernels every frame comes out white (the input's PSNR or better); without the wiring the
    /// deconvolver digs dark holes around the 254s and every frame falls below its input.
    /// </summary>
    [Fact]
    public void ReplayDeconvolvesNearlyWhiteEightBitFramesToWhite()
    {
        string bundle = CopyOfSample();
        var rng = new Random(44);
        foreach (var folder in new[] { "rgb", "gt" })
            foreach (var file in Directory.GetFiles(Path.Combine(bundle, folder), "*.png"))
            {
                using var img = new OpenCvSharp.Mat(300, 400, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(255));
                if (folder == "rgb")
                    for (int y = 0; y < 300; y++)
                        for (int x = 0; x < 400; x++)
                            if (rng.NextDouble() < 0.06) img.Set(y, x, new OpenCvSharp.Vec3b(254, 254, 254));
                OpenCvSharp.Cv2.ImWrite(file, img);
            }
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
        json["rgb"]!["black_level"] = 0;
        json["rgb"]!["white_level"] = 255;
        json["rgb"]!["saturation_level"] = 255;
        File.WriteAllText(manifest, json.ToJsonString());
        string output = NewOut();
        var r = Run("replay", bundle, "--out", output, "--deconvolver", "robust", "--kernels", "gt");
        Expect(0, r);
        var lines = r.Out.Split('\n').Where(l => l.Contains("PSNR", StringComparison.Ordinal) && l.StartsWith("frame", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        foreach (var line in lines)
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"PSNR ([0-9.]+) dB \(blurry ([0-9.]+)\)");
            Assert.True(m.Success, line);
            double psnr = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            double blurry = double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(psnr >= blurry, line);
        }
    }

    /// <summary>
    /// Stop 44's eval trial: a ground-truth kernel file missing was an error to inspect, but replay and eval exited 0 and the
    /// kernel-similarity mean quietly covered fewer frames. Replay lists it among the input's problems now (exit 1).
    /// </summary>
    [Fact]
    public void AMissingGroundTruthKernelIsAProblemOfTheReplay()
    {
        string bundle = CopyOfSample();
        File.Delete(Path.Combine(bundle, "gt", "kernels", "000001.csv"));
        string output = NewOut();
        var r = Run("replay", bundle, "--out", output, "--deconvolver", "robust", "--quality", "fast");
        Expect(1, r);
        Assert.Contains("000001.csv: missing (frame 1's ground-truth kernel; --kernels gt fails that frame and its kernel similarity cannot be scored)", r.Out + r.Err);
        Assert.Contains("missing (frame 1's ground-truth kernel", File.ReadAllText(Path.Combine(output, "run.json")));
        // A malformed one is a problem too, and eval does not count it as a rejected frames.csv row (the review).
        File.WriteAllText(Path.Combine(bundle, "gt", "kernels", "000001.csv"), "not,a,kernel\n");
        var e = Run("eval", bundle, "--out", Path.Combine(TestPaths.NewTempDir(), "eval"), "--methods", "blurry");
        Assert.Contains("000001.csv", e.Out + e.Err);
        Assert.DoesNotContain("of its frame tables rejected", e.Out + e.Err);
    }

    /// <summary>
    /// Stop 44's eval trial: `report` of a replay folder and its copy (or a rerun of the same bundle, method and options into
    /// another folder) counted every frame twice, exit 0. The second is counted once with a warning, exit 1.
    /// </summary>
    [Fact]
    public void ReportCountsARepeatedMeasurementOnce()
    {
        string a = NewOut();
        Expect(0, Run("replay", Sample, "--out", a, "--deconvolver", "wiener"));
        string b = NewOut();
        Directory.CreateDirectory(b);
        foreach (var f in Directory.GetFiles(a, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(b, Path.GetRelativePath(a, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
        var one = Run("report", a);
        Expect(0, one);
        var both = Run("report", a, b);
        Expect(1, both);
        Assert.Contains($"WARNING: {b} repeats {a} (the same input, method and options): counted once, the first given", both.Err);
        Assert.Equal(one.Out, both.Out);
        // A run of a copy of the bundle elsewhere is not a repeat (its pixels may differ; the review): both are counted.
        string copy = CopyOfSample();
        string c = NewOut();
        Expect(0, Run("replay", copy, "--out", c, "--deconvolver", "wiener"));
        var two = Run("report", a, c);
        Assert.DoesNotContain("repeats", two.Err);
    }

    /// <summary>
    /// Stop 44's eval trial: rows are grouped by bundle name less its trailing -digits, so bundles of one kind name from
    /// different datasets (the foreign hard-2006 and a simulated hard-791002) made one mean without a word. Said now.
    /// </summary>
    [Fact]
    public void EvalNamesAGroupPooledFromSeveralPlaces()
    {
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "A", "night-1"), b = Path.Combine(dir, "B", "night-2");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(Sample, a);
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(Sample, b);
        var r = Run("eval", Path.Combine(dir, "A"), Path.Combine(dir, "B"), "--out", Path.Combine(dir, "out"), "--methods", "blurry");
        Expect(0, r);
        Assert.Contains($"note: group 'night' (bundle names less their trailing -digits) pools bundles from 2 places ({Path.Combine(dir, "A")}, {Path.Combine(dir, "B")}): its means mix them", r.Out);
    }

    /// <summary>
    /// Stop 44's eval trial: `report A B` of two evaluations of the same pairs at different rungs kept B's rows (the folder
    /// given last) and said only that duplicates were "counted once". It says now that they disagree and which are kept.
    /// </summary>
    [Fact]
    public void ReportSaysWhenDuplicateRowsDisagree()
    {
        string dir = TestPaths.NewTempDir();
        string fast = Path.Combine(dir, "fast"), balanced = Path.Combine(dir, "balanced");
        Expect(0, Run("eval", Sample, "--out", fast, "--methods", "events+robust", "--quality", "fast"));
        Expect(0, Run("eval", Sample, "--out", balanced, "--methods", "events+robust", "--quality", "balanced"));
        var r = Run("report", fast, balanced);
        Expect(1, r);
        Assert.Contains("result rows appear in more than one shard file", r.Err);
        Assert.Contains("3 of them disagree between the files (first: sample-night events+robust frame 0: PSNR ", r.Err);
        Assert.Contains("the table keeps those of the folder given last, so it depends on the order the folders are given", r.Err);
    }

    /// <summary>Stop 44's trial: an AEDAT 4.0 file cut inside its version line was called an unsupported version.</summary>
    [Fact]
    public void AFileCutInsideItsVersionLineIsCalledTruncated()
    {
        string dir = TestPaths.NewTempDir();
        string cut = Path.Combine(dir, "cut.aedat4");
        File.WriteAllBytes(cut, File.ReadAllBytes(Path.Combine(Sample, "events.aedat4"))[..10]);
        var r = Run("inspect", cut);
        Expect(2, r);
        Assert.Contains("found '#!AER-DAT4' (the file ends after 10 bytes, inside its version line: a truncated AEDAT 4.0 file, most likely)", r.Err);
        File.WriteAllBytes(cut, "#!AER-DAT"u8.ToArray());
        Assert.Contains("inside its version line: a truncated AEDAT file, most likely", Run("inspect", cut).Err);
    }

    /// <summary>Stop 44's eval trial: eval's note on an ignored --quality named 'blurry' by its deconvolver, 'none'.</summary>
    [Fact]
    public void EvalNamesTheMethodsAnIgnoredQualityConcerns()
    {
        var r = Run("eval", Sample, "--out", Path.Combine(TestPaths.NewTempDir(), "out"), "--methods", "blurry", "--quality", "fast");
        Expect(0, r);
        Assert.Contains("note: --quality fast changes nothing for blurry: only robust and learned have quality rungs", r.Err);
    }

    /// <summary>
    /// Stop 44's eval trial and its review: a Blur-DVS-style dataset edited after an eval was evaluated again from the stale
    /// conversion (old numbers, exit 0); converted again, the rerun was refused (exit 2) and report showed the old numbers.
    /// Now the conversion is made again, the pair's earlier runs go, and the rerun gives the new numbers.
    /// </summary>
    [Fact]
    public async Task AnEditedBlurDvsDatasetIsEvaluatedAfresh()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string dir = TestPaths.NewTempDir();
        string data = Path.Combine(dir, "tiny");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(fixture, data);
        string output = Path.Combine(dir, "out");
        Expect(0, Run("eval", data, "--out", output, "--methods", "blurry"));
        async Task<double> Psnr() => (await EventDeblur.Evaluation.Evaluator.ReadShardsAsync([output])).Single().Psnr!.Value;
        double before = await Psnr();
        // The lab replaces the blurry frame by its sharp one (any other image of the size would do).
        File.Copy(Path.Combine(data, "sharp", "000000.png"), Path.Combine(data, "blurry", "000000.png"), overwrite: true);
        var r = Run("eval", data, "--out", output, "--methods", "blurry");
        Expect(0, r);
        Assert.Contains("note: tiny: the Blur-DVS-style dataset changed since it was converted: converted again, and its 1 earlier run(s) removed: they run again", r.Out);
        double after = await Psnr();
        Assert.NotEqual(before, after);
        Assert.True(after > 60, $"the blurry frame is the sharp one now: PSNR {after:F2}");
    }

    /// <summary>
    /// A shard waiting for another process's conversion of a Blur-DVS-style dataset stops waiting when it is cancelled
    /// (Ctrl+C / SIGTERM): it waited up to 30 minutes, the signal unheard.
    /// </summary>
    [Fact]
    public async Task WaitingForAnotherConversionEndsWhenCancelled()
    {
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        string dir = TestPaths.NewTempDir();
        string data = Path.Combine(dir, "tiny");
        EventDeblur.Tests.Pipeline.RunFolderTests.CopyDir(fixture, data);
        string converted = Path.Combine(dir, "out", "converted");
        Directory.CreateDirectory(converted);
        // Another process converting it holds the lock.
        using var held = new FileStream(Path.Combine(converted, "tiny.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        using var cts = new CancellationTokenSource();
        var finding = Task.Run(() => EventDeblur.Evaluation.Evaluator.FindBundles([data], converted, ct: cts.Token));
        Assert.NotSame(finding, await Task.WhenAny(finding, Task.Delay(TimeSpan.FromSeconds(1))));   // it waits for the lock
        cts.Cancel();
        Assert.Same(finding, await Task.WhenAny(finding, Task.Delay(TimeSpan.FromMinutes(2))));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => finding);
        Assert.False(Directory.Exists(Path.Combine(converted, "tiny")), "nothing was converted");
    }
}
