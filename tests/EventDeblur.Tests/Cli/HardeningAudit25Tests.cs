using EventDeblur.Recording;
using EventDeblur.Tests.Formats.Aedat;

namespace EventDeblur.Tests.Cli;

/// <summary>Findings of the hostile-user audit of stop 25, each reproduced as a child process.</summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>bundle</c> with a corrupt AEDAT 4.0 event file exited 0 and listed nothing, while <c>inspect</c> of the bundle
    /// it wrote listed 17 errors. Now the event file is checked as inspect checks it: its errors are listed, exit 1.
    /// </summary>
    [Fact]
    public void BundleListsTheEventFilesErrors()
    {
        string dir = TestPaths.NewTempDir();
        var original = RecordingBundle.Load(Sample);
        byte[] events = File.ReadAllBytes(original.EventsPath);
        var packets = Aedat4Surgery.Packets(events);
        var (at, _, body) = packets[packets.Count / 2];
        for (int j = 0; j < 16; j++) events[at + 8 + body.Length / 2 + j] ^= 0x5A; // a corrupt LZ4 body: that packet is lost
        string corrupt = Path.Combine(dir, "corrupt.aedat4");
        File.WriteAllBytes(corrupt, events);
        string csv = ExposureCsv(dir, original);

        var r = Run("bundle", "--events", corrupt, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv,
            "--clock-offset-us", original.Manifest.Sync.ClockOffsetUs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", Path.Combine(dir, "b"));

        Assert.Equal(1, r.Code);
        Assert.Contains("problem:", r.Out);
        Assert.Contains("events.aedat4", r.Out);
        Assert.Contains("packet skipped", r.Out);
    }

    /// <summary>
    /// <c>report RUN --html RUN/run.json</c> overwrote the run it reported on (the next report of it failed: not valid
    /// JSON). Now an --html path that is not a .html file, or is a folder, is refused before anything is written.
    /// </summary>
    [Fact]
    public void ReportRefusesToOverwriteAnythingButAnHtmlFile()
    {
        string run = NewOut();
        Assert.Equal(0, Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt").Code);
        byte[] runJson = File.ReadAllBytes(Path.Combine(run, "run.json"));
        byte[] parquet = File.ReadAllBytes(Path.Combine(run, "frames.parquet"));

        foreach (string target in new[] { Path.Combine(run, "run.json"), Path.Combine(run, "frames.parquet"), Path.Combine(run, "frames") })
        {
            var r = Run("report", run, "--html", target);
            Assert.Equal(2, r.Code);
            Assert.Contains("--html", r.Err);
        }
        Assert.Equal(runJson, File.ReadAllBytes(Path.Combine(run, "run.json")));
        Assert.Equal(parquet, File.ReadAllBytes(Path.Combine(run, "frames.parquet")));
        Assert.Equal(0, Run("report", run, "--html", Path.Combine(run, "report.html")).Code);

        // A replay run given beside an evaluation folder was left out of the table without a word.
        string eval = NewOut();
        Assert.Equal(0, Run("eval", Sample, "--out", eval, "--methods", "blurry").Code);
        var mixed = Run("report", run, eval);
        Assert.Equal(2, mixed.Code);
        Assert.Contains("not an evaluation folder", mixed.Err);
    }

    /// <summary>
    /// <c>serve --speed 0</c> crashed with an internal error once a client connected (TimeSpan overflow), negative speeds
    /// and one port for both streams were accepted, and <c>live --duration-s -5</c> crashed: all are usage errors now.
    /// </summary>
    [Fact]
    public void ServeAndLiveRefuseImpossibleOptions()
    {
        foreach (string speed in new[] { "0", "-1", "NaN" })
        {
            var r = Run("serve", Sample, "--events-port", "7793", "--triggers-port", "7794", "--speed", speed);
            Assert.Equal(2, r.Code);
            Assert.Contains("--speed", r.Err);
        }
        var same = Run("serve", Sample, "--events-port", "7777", "--triggers-port", "7777");
        Assert.Equal(2, same.Code);
        Assert.Contains("both 7777", same.Err);

        var live = Run("live", "--events", "tcp://127.0.0.1:7797", "--triggers", "tcp://127.0.0.1:7798", "--rgb", "x/%06d.png",
            "--rig", Path.Combine(Sample, "recording.json"), "--out", NewOut(), "--duration-s", "-5");
        Assert.Equal(2, live.Code);
        Assert.Contains("--duration-s -5", live.Err);
    }

    /// <summary>
    /// <c>eval --methods ""</c> did nothing with exit 0, <c>--methods blurry,blurry</c> wrote every row twice (and report
    /// then flagged a duplicated shard), and an evaluation whose every frame was rejected exited 0.
    /// </summary>
    [Fact]
    public void EvalRefusesEmptyAndRepeatedMethodsAndDoesNotPassAnEmptyEvaluation()
    {
        var empty = Run("eval", Sample, "--out", NewOut(), "--methods", "");
        Assert.Equal(2, empty.Code);
        Assert.Contains("--methods is empty", empty.Err);
        var twice = Run("eval", Sample, "--out", NewOut(), "--methods", "blurry,blurry");
        Assert.Equal(2, twice.Code);
        Assert.Contains("--methods lists blurry 2 times", twice.Err);

        // Every frame of the bundle rejected: RGBA frames (left out by the PNG check).
        string bundle = CopyOfSample();
        foreach (string png in Directory.GetFiles(Path.Combine(bundle, "rgb"), "*.png"))
        {
            using var img = OpenCvSharp.Cv2.ImRead(png, OpenCvSharp.ImreadModes.Unchanged);
            using var rgba = new OpenCvSharp.Mat();
            OpenCvSharp.Cv2.CvtColor(img, rgba, OpenCvSharp.ColorConversionCodes.BGR2BGRA);
            OpenCvSharp.Cv2.ImWrite(png, rgba);
        }
        var none = Run("eval", bundle, "--out", NewOut(), "--methods", "blurry");
        Assert.Equal(1, none.Code);
        Assert.Contains("no frame was evaluated", none.Err);
    }

    /// <summary><c>--kernels gt</c> on an input without ground-truth kernels failed every frame (exit 1, an exception type in each error); now refused up front.</summary>
    [Fact]
    public void KernelsGtWithoutGroundTruthIsAUsageError()
    {
        string bundle = CopyOfSample();
        string manifest = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json.Remove("ground_truth");
        File.WriteAllText(manifest, json.ToJsonString());
        string outDir = NewOut();
        var r = Run("replay", bundle, "--out", outDir, "--kernels", "gt", "--deconvolver", "none");
        Assert.Equal(2, r.Code);
        Assert.Contains("--kernels gt needs ground-truth kernels", r.Err);
        Assert.False(File.Exists(Path.Combine(outDir, "run.json")));
    }

    /// <summary>
    /// <c>--resume</c> kept a frame whose PNG had been damaged since (8 bytes of garbage) as complete; and a rerun into a
    /// run folder where 'kernels' had become a file deleted run.json and frames.parquet, then stopped. Now the progress
    /// record's SHA-256 of the PNG and kernels decides, and a file in the way is refused before anything is removed.
    /// </summary>
    [Fact]
    public void ResumeRedoesADamagedFrameAndARerunChecksBeforeRemoving()
    {
        string run = NewOut();
        Assert.Equal(0, Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt").Code);
        string png = Path.Combine(run, "frames", "000002.png");
        byte[] good = File.ReadAllBytes(png);
        File.WriteAllText(png, "garbage\n");

        var r = Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt", "--resume");
        Assert.Equal(0, r.Code);
        Assert.Equal(good, File.ReadAllBytes(png));

        string kernels = Path.Combine(run, "kernels");
        Directory.Delete(kernels, recursive: true);
        File.WriteAllText(kernels, "x");
        r = Run("replay", Sample, "--out", run, "--deconvolver", "none", "--kernels", "gt");
        Assert.Equal(2, r.Code);
        Assert.Contains("'kernels' is a file", r.Err);
        Assert.True(File.Exists(Path.Combine(run, "run.json")));
        Assert.True(File.Exists(Path.Combine(run, "frames.parquet")));
    }

    /// <summary>A replay whose input is not usable exited 2 but left an empty OUT folder behind.</summary>
    [Fact]
    public void AnUnusableInputLeavesNoOutFolder()
    {
        string outDir = NewOut();
        var r = Run("replay", TestPaths.NewTempDir(), "--out", outDir);
        Assert.Equal(2, r.Code);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>
    /// <c>convert IN DIR/x.aedat4</c> with DIR missing, or with a file in the path, reported the hidden temporary file
    /// (".x.aedat4.PID.GUID.partial"). Now a missing folder is made (as report --html does) and a file in the way is named.
    /// </summary>
    [Fact]
    public void ConvertNamesTheUsersPathNotATemporaryFile()
    {
        string input = Path.Combine(TestPaths.NewTempDir(), "in.aedat4");
        SyntheticRecording.Random(300, 8, frames: 0, triggers: 0, imu: 0).WriteAedat4(input, EventDeblur.Formats.Aedat.Aedat4Compression.Lz4);
        string dir = TestPaths.NewTempDir();
        var made = Run("convert", input, Path.Combine(dir, "new", "deeper", "x.aedat4"));
        Assert.Equal(0, made.Code);
        Assert.True(File.Exists(Path.Combine(dir, "new", "deeper", "x.aedat4")));

        File.WriteAllText(Path.Combine(dir, "afile"), "x");
        foreach (string target in new[] { Path.Combine(dir, "afile", "x.aedat4"), Path.Combine(dir, "afile", "x.parquet") })
        {
            var r = Run("convert", input, target);
            Assert.Equal(2, r.Code);
            Assert.Contains("afile is a file", r.Err);
            Assert.DoesNotContain(".partial", r.Err + r.Out);
        }
    }

    /// <summary>
    /// inspect passed ground-truth kernels whose one tile covered half the frame, tiles that overlapped or lay partly off
    /// the frame, and a missing kernel file, all with exit 0 (replay --kernels gt then used them, or failed that frame).
    /// </summary>
    [Fact]
    public void InspectChecksThatGroundTruthKernelsCoverTheFrame()
    {
        Assert.Equal(0, Run("inspect", Sample).Code);
        string line0 = File.ReadAllLines(Path.Combine(Sample, "gt", "kernels", "000000.csv")).First(l => l.StartsWith("0,0,400,300,", StringComparison.Ordinal));
        string weights = line0["0,0,400,300,".Length..];
        var cases = new (string Name, Action<string> Break, string Expect)[]
        {
            ("half", k => File.WriteAllText(Path.Combine(k, "000000.csv"), "0,0,200,300," + weights + "\n"), "cover 60,000 of the frame's 120,000 pixels"),
            ("overlap", k => File.WriteAllText(Path.Combine(k, "000000.csv"), "0,0,400,300," + weights + "\n0,0,10,10," + weights + "\n"), "overlap"),
            ("outside", k => File.WriteAllText(Path.Combine(k, "000000.csv"), "-5,-5,400,300," + weights + "\n"), "inside the 400×300 frame"),
            ("missing", k => File.Delete(Path.Combine(k, "000001.csv")), "000001.csv: missing"),
        };
        foreach (var (name, breakIt, expect) in cases)
        {
            string bundle = CopyOfSample();
            breakIt(Path.Combine(bundle, "gt", "kernels"));
            var r = Run("inspect", bundle);
            Assert.True(r.Code == 1, $"{name}: exit {r.Code}\n{r.Out}\n{r.Err}");
            Assert.Contains(expect, r.Out + r.Err);
        }
    }

    /// <summary>
    /// <c>simulate --set</c> kept any existing bundle under a row's name ("exists, kept") whatever parameters made it, and
    /// silently skipped a second row of the same name. Now a bundle is kept only when its README states this row's
    /// arguments, and repeated names are refused.
    /// </summary>
    [Fact]
    public void SimulateSetKeepsOnlyTheSameBundleAndRefusesRepeatedNames()
    {
        string dir = TestPaths.NewTempDir();
        string set = Path.Combine(dir, "set.csv"), outDir = Path.Combine(dir, "out");
        File.WriteAllText(set, "name,preset,seed,frames,rgb_size\na,night,1,1,64x48\n");
        Assert.Equal(0, Run("simulate", "--set", set, "--out", outDir).Code);
        var again = Run("simulate", "--set", set, "--out", outDir);
        Assert.Equal(0, again.Code);
        Assert.Contains("a: exists, kept", again.Out);

        File.WriteAllText(set, "name,preset,seed,frames,rgb_size\na,night-hard,5,2,96x64\n");
        var changed = Run("simulate", "--set", set, "--out", outDir);
        Assert.Equal(2, changed.Code);
        Assert.Contains("was not made with '--preset night-hard --seed 5 --frames 2 --rgb-size 96x64'", changed.Err);

        File.WriteAllText(set, "name,preset,seed,frames,rgb_size\nb,night,1,1,64x48\nb,night,2,1,64x48\n");
        var twice = Run("simulate", "--set", set, "--out", Path.Combine(dir, "out2"));
        Assert.Equal(2, twice.Code);
        Assert.Contains("name 'b' is already used on line 2", twice.Err);
    }

    /// <summary>inspect of a bundle's recording.json, its frames.csv or a Parquet export said "expected a version line … (AEDAT 1.0 has no version line …)".</summary>
    [Fact]
    public void InspectNamesABundlesOwnFilesForWhatTheyAre()
    {
        var m = Run("inspect", Path.Combine(Sample, "recording.json"));
        Assert.Equal(2, m.Code);
        Assert.Contains("a bundle's manifest, not an event file; inspect the bundle folder", m.Out + m.Err);
        var c = Run("inspect", Path.Combine(Sample, "rgb", "frames.csv"));
        Assert.Equal(2, c.Code);
        Assert.Contains("a CSV table, not an event file", c.Out + c.Err);
    }

    /// <summary>
    /// live with readable RGB frames and nothing listening on the stream ports exited 1 saying only that each frame's
    /// events never arrived; now the first problems say that each stream never connected, and why. Since stop 39 such a
    /// run, which deblurred nothing, is a usage error (exit 2, as a run that got no data at all), not a data problem.
    /// Since stop 43 the wait is said while it lasts, from 2 s on (stop 42's trial: nothing was printed for 20 s).
    /// </summary>
    [Fact]
    public void LiveSaysWhichStreamNeverConnected()
    {
        var r = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", Path.Combine(Sample, "rgb", "%06d.png"),
            "--rig", Path.Combine(Sample, "recording.json"), "--out", NewOut(), "--duration-s", "4", "--deconvolver", "none");
        Assert.Equal(2, r.Code);
        foreach (string stream in new[] { "events stream tcp://127.0.0.1:1", "triggers stream tcp://127.0.0.1:2" })
            Assert.Contains(r.Out.Split('\n'), l => l.StartsWith($"{stream}: not connected after ", StringComparison.Ordinal) && l.EndsWith("; retrying every 0.1–2 s", StringComparison.Ordinal)
                                                    && l.Contains("(last attempt: ", StringComparison.Ordinal));
        var problems = r.Out.Split('\n').Where(l => l.StartsWith("problem: ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("problem: events stream tcp://127.0.0.1:1: never connected during the run", problems[0]);
        Assert.StartsWith("problem: triggers stream tcp://127.0.0.1:2: never connected during the run", problems[1]);
    }

    /// <summary>
    /// bundle's option errors cited a recording.json the user never wrote ("…/recording.json: rgb.white_level (65535)
    /// must exceed rgb.black_level (70000)"), and --homography "1,0,1e308,…" was called "singular (determinant 1)".
    /// </summary>
    [Fact]
    public void BundleNamesTheOptionsThatAreWrong()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = ExposureCsv(dir, original);
        string[] Base(string outName) => ["bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--clock-offset-us", "1234567", "--out", Path.Combine(dir, outName)];

        var black = Run([.. Base("b1"), "--black", "70000"]);
        Assert.Equal(2, black.Code);
        Assert.Contains("--black 70000: must lie below the white level of 16-bit frames (65535)", black.Err);
        Assert.DoesNotContain("recording.json", black.Err);

        var sat = Run([.. Base("b2"), "--black", "1024", "--saturation", "70000"]);
        Assert.Equal(2, sat.Code);
        Assert.Contains("--saturation 70000", sat.Err);

        var h = Run([.. Base("b3"), "--homography", "1,0,1e308,0,1,0,0,0,1"]);
        Assert.Equal(2, h.Code);
        Assert.Contains("--homography is singular or too badly scaled", h.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "b3")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir, "b3")).Any());
    }

    /// <summary>A damaged HDF5 dataspace with a negative length was reported as "the first -2502383152226453716 events are read".</summary>
    [Fact]
    public void ANegativeHdf5LengthIsNamedAsDamage()
    {
        var r = Run("inspect", Path.Combine(TestPaths.RepoRoot, "tests", "EventDeblur.Tests", "Formats", "Hdf5", "fuzz-crashes", "huge-ms-to-idx-1.h5"));
        Assert.Equal(1, r.Code);
        Assert.Contains("events/t declares -2502383152226453716 elements: a damaged HDF5 dataspace", r.Out + r.Err);
        Assert.DoesNotContain("the first -", r.Out + r.Err);
    }

    /// <summary>preview --out BUNDLE/rgb wrote its PNGs among the bundle's frames and serve --rig-dir BUNDLE wrote into the bundle (replay refuses both).</summary>
    [Fact]
    public void PreviewAndServeDoNotWriteIntoTheInputBundle()
    {
        string bundle = CopyOfSample();
        var before = FilesOf(bundle);
        var p = Run("preview", bundle, "--frame", "0", "--out", Path.Combine(bundle, "rgb"));
        Assert.Equal(2, p.Code);
        Assert.Contains("inside the recording bundle", p.Err);
        var s = Run("serve", bundle, "--events-port", "0", "--triggers-port", "0", "--rig-dir", bundle);
        Assert.Equal(2, s.Code);
        Assert.Contains("--rig-dir", s.Err);
        Assert.Equal(before, FilesOf(bundle));
    }

    /// <summary>eval rerun into its OUT with another --quality told the user to "rerun without --resume", an option they never gave.</summary>
    [Fact]
    public void EvalWithOtherOptionsInItsOutSaysSoWithoutMentioningResume()
    {
        string outDir = NewOut();
        Assert.Equal(0, Run("eval", Sample, "--out", outDir, "--methods", "gt+robust", "--quality", "best").Code);
        var r = Run("eval", Sample, "--out", outDir, "--methods", "gt+robust", "--quality", "fast");
        Assert.Equal(2, r.Code);
        Assert.Contains("holds a run of this pair with other options", r.Err);
        Assert.DoesNotContain("--resume", r.Err);
    }

    /// <summary>preview --frame 15 on a bundle whose frames are indexed 15..17 said "outside 0..2" without saying that --frame counts positions.</summary>
    [Fact]
    public void PreviewSaysFramePositionsAreNotIndices()
    {
        string bundle = CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        File.WriteAllLines(csv, [lines[0], .. lines.Skip(1).Select(l => (int.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture) + 15).ToString(System.Globalization.CultureInfo.InvariantCulture) + l[l.IndexOf(',')..])]);
        var r = Run("preview", bundle, "--frame", "15", "--out", NewOut());
        Assert.Equal(2, r.Code);
        Assert.Contains("--frame 15 is outside 0..2 (positions in the frame list: this bundle's frames have indices 15..17, and --frame 0 is index 15)", r.Err);
    }

    /// <summary>--device cuda without CUDA printed ONNX Runtime's own coloured error line before the clean message.</summary>
    [Fact]
    public void DeviceCudaWithoutCudaSaysItOnceWithoutNativeNoise()
    {
        var r = Run("--device", "cuda", "replay", Sample, "--out", NewOut(), "--deconvolver", "learned", "--kernels", "gt");
        if (r.Code == 0) return; // CUDA started: a normal run
        Assert.Equal(2, r.Code);
        Assert.DoesNotContain("\u001b[", r.Err);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("CUDA", StringComparison.Ordinal));
    }

    /// <summary>bundle --events BUNDLE said "no such event file"; a DAT without geometry said "pass --width and --height", options bundle does not have.</summary>
    [SkippableFact]
    public void BundleSaysWhatToGiveAsEvents()
    {
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "t.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "0,1000"]);
        var folder = Run("bundle", "--events", Sample, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--out", Path.Combine(dir, "b1"));
        Assert.Equal(2, folder.Code);
        Assert.Contains("is a folder; give the event file itself", folder.Err);
        Assert.Contains("already a bundle", folder.Err);

        TestPaths.RequireShared();
        string dat = Path.Combine(TestPaths.RealRecordingsDir, "prophesee", "dat", "expelliarmus_ncars_obj_004397_event2d.dat");
        var noSize = Run("bundle", "--events", dat, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--out", Path.Combine(dir, "b2"));
        Assert.Equal(2, noSize.Code);
        // Since stop 41 the file's path as given, not its bare name (which did not run from another folder).
        Assert.Contains($"convert the file first, giving the size: 'eventdeblur convert {dat} events.aedat4 --width W --height H'", noSize.Err);
    }

    /// <summary>report given an event file said "no such folder".</summary>
    [Fact]
    public void ReportGivenAFileSaysWhatItReads()
    {
        var r = Run("report", Path.Combine(Sample, "events.aedat4"));
        Assert.Equal(2, r.Code);
        Assert.Contains("a file; report reads the output folders of replay, eval and live", r.Err);
    }
}
