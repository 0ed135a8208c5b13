using EventDeblur.IO;
using EventDeblur.Recording;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// What stop 38's new-user trials met: convert replacing a Parquet output's sibling tables without --force, and convert
/// going on to the end after Ctrl+C or SIGTERM (the AEDAT 4.0 writer never saw the token).
/// </summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>convert IN NAME.parquet</c> writes NAME.frames / .triggers / .imu.parquet beside it when the recording has them,
    /// and replaced an existing one silently though NAME.parquet itself was protected. Now refused (exit 2) without
    /// --force, naming the file.
    /// </summary>
    [Fact]
    public void ConvertToParquetRefusesToReplaceASiblingTableWithoutForce()
    {
        string dir = TestPaths.NewTempDir();
        string output = Path.Combine(dir, "o.parquet"), sibling = Path.Combine(dir, "o.triggers.parquet");
        File.WriteAllText(sibling, "precious");
        var refused = Run("convert", Path.Combine(Sample, "events.aedat4"), output);
        Expect(2, refused);
        Assert.Contains($"{sibling}: exists, and converting to {output} writes the recording's frames, triggers or IMU samples there; give a new name, or --force to replace it", refused.Err);
        Assert.Equal("precious", File.ReadAllText(sibling));
        Assert.False(File.Exists(output));
        Expect(0, Run("convert", Path.Combine(Sample, "events.aedat4"), output, "--force"));
        Assert.True(File.Exists(output));
    }

    /// <summary>
    /// Ctrl+C during <c>convert … .aedat4</c> (and <c>bundle</c> of a Prophesee / HDF5 file, which converts the same way)
    /// went on to the end and exited 0. The conversion now stops at the next packet and leaves nothing at OUT (the
    /// writer's partial file is removed), which the CLI reports as cancelled (exit 130).
    /// </summary>
    [Fact]
    public void ACancelledConversionStopsAndLeavesNoOutput()
    {
        string dir = TestPaths.NewTempDir();
        string output = Path.Combine(dir, "o.aedat4");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        using (var reader = AedatReader.Open(Path.Combine(Sample, "events.aedat4")))
            Assert.ThrowsAny<OperationCanceledException>(() => AedatConverter.ToAedat4(reader, output, Aedat4Compression.Lz4, ct: cancel.Token));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>replay FILE.h5</c> said "expected an HDF5 file (its 8-byte signature \x89HDF…), found '\x89HDF…': not HDF5",
    /// the same bytes as expected and found; an HDF5 event file given where AEDAT is read is now named as such, with the
    /// two commands that take it.
    /// </summary>
    [Fact]
    public void AnHdf5EventFileGivenToReplayIsNamedWithWhatToDo()
    {
        string dir = TestPaths.NewTempDir();
        string h5 = Path.Combine(dir, "dsec.h5");
        File.WriteAllBytes(h5, [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0]);
        var r = Run("replay", h5, "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.Code);
        Assert.Contains($"{h5}: byte 0: is an HDF5 event file, not AEDAT: make a bundle of it ('eventdeblur bundle --events {h5} --rgb …') or convert it ('eventdeblur convert {h5} OUT.aedat4')", r.Err);
        Assert.DoesNotContain("found '\\x89HDF", r.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>calibrate --event-latency-us</c> refused 5 000 000 (±1 s) where replay, whose windows it should match, takes ±10 s:
    /// both now take the same range, and calibrate's refusal is the same usage error as replay's (exit 2).
    /// </summary>
    [Fact]
    public void CalibrateTakesTheSameEventLatencyRangeAsReplay()
    {
        var far = Run("calibrate", Sample, "--frames", "3", "--event-latency-us", "10000001");
        Expect(2, far);
        Assert.Contains("--event-latency-us 10000001: expected -10000000..10000000 µs (±10 s)", far.Err);
        Assert.Null(Record.Exception(() => new EventDeblur.Calibration.CalibrationOptions { EventLatencyUs = 5_000_000 }.Validate()));
        Assert.Null(Record.Exception(() => new EventDeblur.Calibration.BoardCalibrationOptions { EventLatencyUs = -10_000_000 }.Validate()));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>report</c> counted a run given twice (another spelling of its path) twice, and averaged runs of one method made
    /// with different options (quality rung, event latency) into one row without a word. A repeated run is now counted
    /// once, with a note, and runs that differ in their options get one row per option set, named by what differs.
    /// </summary>
    [Fact]
    public void ReportCountsARunOnceAndKeepsRunsWithOtherOptionsApart()
    {
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "a"), b = Path.Combine(dir, "b");
        Expect(0, Run("replay", Sample, "--out", a, "--deconvolver", "none"));
        Expect(0, Run("replay", Sample, "--out", b, "--deconvolver", "none", "--event-latency-us", "2000"));

        var twice = Run("report", a, a + "/", Path.Combine(dir, ".", "a"));
        Expect(0, twice);
        Assert.Contains($"note: {a}/ is the run {a} again: counted once", twice.Err);
        Assert.Contains("| sample-night | events+none | 3 |", twice.Out);

        // With a ground-truth run beside them, each labelled row keeps its error ratio (the ratio pairs runs by their
        // method, not by the label: a review found the column empty once rows were labelled).
        string c = Path.Combine(dir, "c");
        Expect(0, Run("replay", Sample, "--out", c, "--deconvolver", "none", "--kernels", "gt"));
        var both = Run("report", a, b, c);
        Expect(0, both);
        Assert.Contains("note: runs of events+none were made with different options: one row per option set (event latency 0 µs; event latency 2000 µs)", both.Err);
        Assert.Matches(@"\| sample-night \| events\+none \(event latency 0 µs\) \| 3 \|.*\| 1\.00, 100 % \|", both.Out);
        Assert.Matches(@"\| sample-night \| events\+none \(event latency 2000 µs\) \| 3 \|.*\| 1\.00, 100 % \|", both.Out);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>preview --run</c> of an APS bundle left the ground truth out of <c>-compare.png</c> (two panels where the RGB
    /// path gives three), and <c>preview --frames all --run</c> of a run that did not reach every frame stopped at the
    /// first missing one with "not found (run replay first)", after writing part of the pictures. The APS compare now has
    /// the ground truth, and a frame the run lacks is a problem of that frame (exit 1, with how to finish the run) while
    /// every other picture is written.
    /// </summary>
    [Fact]
    public void PreviewOfARunShowsApsGroundTruthAndSkipsFramesTheRunLacks()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Path.Combine(dir, "aps");
        EventDeblur.Simulation.HybridRigSimulator.Simulate(EventDeblur.Simulation.SimulationPresets.Get("aps") with { Frames = 2 }, 3, bundle);
        string run = Path.Combine(dir, "run");
        Expect(0, Run("replay", bundle, "--out", run, "--deconvolver", "edi"));
        string pictures = Path.Combine(dir, "pictures");
        Expect(0, Run("preview", bundle, "--frame", "0", "--run", run, "--out", pictures));
        using (var blurry = OpenCvSharp.Cv2.ImRead(Path.Combine(pictures, "000000-blurry.png")))
        using (var compare = OpenCvSharp.Cv2.ImRead(Path.Combine(pictures, "000000-compare.png")))
            Assert.Equal(3 * blurry.Cols, compare.Cols);

        // The run as a cancelled one that did not reach frame 1.
        File.Delete(Path.Combine(run, "frames", "000001.png"));
        string manifest = Path.Combine(run, "run.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"status\": \"completed\"", "\"status\": \"cancelled\"", StringComparison.Ordinal));
        string all = Path.Combine(dir, "all");
        var r = Run("preview", bundle, "--frames", "all", "--run", run, "--out", all);
        Expect(1, r);
        Assert.Contains("000001.png: frame 1: not found: the run, 'cancelled', did not reach it (finish it with 'eventdeblur replay", r.Err);
        Assert.True(File.Exists(Path.Combine(all, "000000-compare.png")));
        Assert.False(File.Exists(Path.Combine(all, "000001-compare.png")));
        Assert.True(File.Exists(Path.Combine(all, "000001-blurry.png")));
        Assert.True(File.Exists(Path.Combine(all, "000001-events.png")));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>replay --deconvolver edi --kernels gt</c> wrote frames identical to <c>--kernels events</c> (EDI uses no kernel)
    /// while frames.parquet claimed ground-truth kernels with similarity 1, and <c>--kernels events</c> spent its time
    /// estimating kernels EDI ignores. EDI now runs with delta kernels, as eval's edi method, and says so when --kernels is given.
    /// </summary>
    [Fact]
    public async Task EdiRecordsNoKernelsItDidNotUse()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Path.Combine(dir, "aps");
        EventDeblur.Simulation.HybridRigSimulator.Simulate(EventDeblur.Simulation.SimulationPresets.Get("aps") with { Frames = 1 }, 4, bundle);
        string gt = Path.Combine(dir, "gt"), plain = Path.Combine(dir, "plain");
        var withGt = Run("replay", bundle, "--out", gt, "--deconvolver", "edi", "--kernels", "gt");
        Expect(0, withGt);
        Assert.Contains("note: --kernels gt changes nothing for edi: it integrates the events and uses no kernel; the run records none (identity), as eval's edi method", withGt.Err);
        Expect(0, Run("replay", bundle, "--out", plain, "--deconvolver", "edi"));
        var rows = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(gt, "frames.parquet"));
        var row = Assert.Single(rows);
        Assert.Equal("identity", row.KernelSource);
        Assert.Equal("identity", EventDeblur.Pipeline.Output.RunManifest.Read(gt).Options["kernels"]!.GetValue<string>());
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, "frames", "000000.png")), File.ReadAllBytes(Path.Combine(gt, "frames", "000000.png")));
        Assert.Equal("edi", EventDeblur.Pipeline.Output.RunManifest.Read(plain).Method);
        // No kernel similarity for delta kernels that estimate nothing (a review found "kernel similarity 0.52" printed).
        Assert.Null(row.KernelSimilarity);
        Assert.DoesNotContain("kernel similarity", withGt.Out);

        // A cancelled edi run recorded before stop 38, with the --kernels it was given, still resumes.
        string manifest = Path.Combine(plain, "run.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["status"] = "cancelled";
        json["options"]!["kernels"] = "events";
        File.WriteAllText(manifest, json.ToJsonString());
        var resumed = Run("replay", bundle, "--out", plain, "--deconvolver", "edi", "--resume");
        Expect(0, resumed);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>simulate --set FILE</c> ignored --preset, --frames and --exposure-us given with it (exit 0, the rows' own values
    /// used), said nothing for a file with only its header, and named a bad row's frames without the file or row.
    /// </summary>
    [Fact]
    public void SimulateSetRefusesOptionsItWouldIgnoreAndNamesBadRows()
    {
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "s.csv");
        File.WriteAllText(csv, "name,preset,seed,frames,rgb_size\nz,night,2,1,64x48\n");
        var ignored = Run("simulate", "--set", csv, "--out", Path.Combine(dir, "set"), "--preset", "aps", "--frames", "5");
        Expect(2, ignored);
        Assert.Contains($"--preset, --frames: not used with --set (each row of {csv} gives its own name, preset, seed, frames, rgb_size and, where the set has that column, flicker_hz); leave them out", ignored.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "set", "z")));

        File.WriteAllText(csv, "name,preset,seed,frames,rgb_size\n");
        var empty = Run("simulate", "--set", csv, "--out", Path.Combine(dir, "set"));
        Expect(2, empty);
        Assert.Contains($"{csv}: holds no rows", empty.Err);

        File.WriteAllText(csv, "name,preset,seed,frames,rgb_size\nok,night,2,1,64x48\nbad,night,3,0,64x48\n");
        var bad = Run("simulate", "--set", csv, "--out", Path.Combine(dir, "set"));
        Expect(2, bad);
        Assert.Contains($"{csv}: row 'bad': frames must be 1..10000, got 0", bad.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "set", "ok")));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// Smaller things stop 38's trial met in convert and bundle: "note: FILE: note: …" (the prefix twice), counts without
    /// thousands separators, a "not checked against one" note when --width/--height gave the size that is checked, and
    /// next-step commands whose paths with spaces were not quoted.
    /// </summary>
    [Fact]
    public void ConvertAndBundleMessagesReadRight()
    {
        string dir = TestPaths.NewTempDir();
        string dat = Path.Combine(dir, "no size.dat");
        // A DAT file whose header states no size (CD events, 8 bytes each).
        var header = System.Text.Encoding.ASCII.GetBytes("% Data file containing CD events.\n% Version 2\n");
        var ev = new List<byte>(header) { 12, 8 };
        for (int i = 0; i < 50; i++)
        {
            ev.AddRange(BitConverter.GetBytes((uint)(1000 + i * 10)));
            ev.AddRange(BitConverter.GetBytes((uint)((i % 20) | ((i % 10) << 14) | (1u << 28))));
        }
        File.WriteAllBytes(dat, [.. ev]);
        string output = Path.Combine(dir, "o.aedat4");
        var r = Run("convert", dat, output, "--width", "32", "--height", "16");
        Expect(0, r);
        Assert.DoesNotContain("note: " + dat + ": note:", r.Err);
        Assert.DoesNotContain("events are not checked against one", r.Err);
        Assert.Contains("the size given, 32×16, is written and events outside it are dropped", r.Err);
        Assert.Contains("wrote 50 events, 0 frames, 0 triggers, 0 IMU samples", r.Out);
        Assert.Equal("\"/tmp/a b/c\"", EventDeblur.IO.ToolCommand.Word("/tmp/a b/c"));
        Assert.Equal("/tmp/a_b/c-1.2", EventDeblur.IO.ToolCommand.Word("/tmp/a_b/c-1.2"));
        // Stop 43: one quoting for every suggested command; what double quotes would expand goes in single quotes.
        Assert.Equal("'/tmp/$x/it'\\''s'", EventDeblur.IO.ToolCommand.Word("/tmp/$x/it's"));
        Assert.Equal("'/tmp/a\"b'", EventDeblur.IO.ToolCommand.Word("/tmp/a\"b"));
        Assert.Equal("\"\"", EventDeblur.IO.ToolCommand.Word(""));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// A conversion killed with SIGKILL leaves its hidden <c>.OUT.PID.GUID.partial</c> (52 MB in the trial), and the next
    /// conversion to the same name left it there. It is now removed (the writer's process is gone), with a note; a
    /// .partial of a process still running is kept.
    /// </summary>
    [Fact]
    public void AConversionRemovesWhatAKilledOneLeftBesideItsOutput()
    {
        string dir = TestPaths.NewTempDir();
        string output = Path.Combine(dir, "o.aedat4");
        string dead = Path.Combine(dir, $".o.aedat4.{int.MaxValue - 7}.{Guid.NewGuid():N}.partial");
        string live = Path.Combine(dir, $".o.aedat4.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        File.WriteAllText(dead, "left by a killed conversion");
        File.WriteAllText(live, "being written");
        var r = Run("convert", Path.Combine(Sample, "events.aedat4"), output);
        Expect(0, r);
        Assert.Contains($"note: removed 1 .partial file(s) beside {output} left by a conversion that was killed", r.Err);
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// A mistyped option: its "Did you mean" went to standard output while the error went to standard error, and the
    /// option's value got a useless suggestion of its own (<c>--kernel gt</c>: "'gt' was not matched. Did you mean -h").
    /// <c>report OUT --htm x.html</c> said "--htm: no such folder".
    /// </summary>
    [Fact]
    public void AMistypedOptionIsReportedOnStandardErrorWithOneUsefulSuggestion()
    {
        var r = Run("replay", Sample, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--kernel", "gt");
        Expect(2, r);
        Assert.DoesNotContain("Did you mean", r.Out);
        Assert.Contains("'--kernel' was not matched. Did you mean one of the following?", r.Err);
        Assert.Contains("--kernels", r.Err);
        Assert.DoesNotContain("'gt' was not matched", r.Err);

        // A mistyped verb keeps its suggestion (a review found the first version of this filter dropping it).
        var verb = Run("replya", Sample);
        Expect(2, verb);
        Assert.Contains("'replya' was not matched. Did you mean one of the following?", verb.Err);
        Assert.Contains("replay", verb.Err.Split("Did you mean one of the following?")[1]);

        var report = Run("report", "--htm", "x.html");
        Expect(2, report);
        Assert.Contains("--htm: not an option of report (it takes --html FILE) nor a folder", report.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>report</c> of a run still working (its process holds OUT) told the user to finish it with --resume, which the
    /// lock would refuse; it now says the run is still working. A run left 'running' by a killed process keeps the advice.
    /// </summary>
    [Fact]
    public void ReportOfARunStillWorkingSaysSo()
    {
        string dir = TestPaths.NewTempDir();
        string run = Path.Combine(dir, "run");
        Expect(0, Run("replay", Sample, "--out", run, "--deconvolver", "none"));
        string manifest = Path.Combine(run, "run.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"status\": \"completed\"", "\"status\": \"running\"", StringComparison.Ordinal));
        using (EventDeblur.Pipeline.Output.RunFolder.Lock(run))
        {
            // The report runs as a child process, as a user's would beside the working run (this process holds OUT).
            var working = Run("report", run);
            Assert.Contains("the run is still working (another process holds it; 3 frame(s) recorded so far)", working.Err);
            Assert.DoesNotContain("--resume", working.Err);
        }
        Assert.False(EventDeblur.Pipeline.Output.RunFolder.IsLocked(run));
        var killed = Run("report", run);
        Assert.Contains("the run is 'running', not completed", killed.Err);
        Assert.Contains("--resume", killed.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// A bundle made from a damaged Prophesee file: <c>bundle</c> reported the damage, but the bundle's events.aedat4 is a
    /// clean conversion, so <c>inspect</c> of the bundle said "problems: none in the event file" and replay exited 0 as if
    /// it came from a whole recording. The source's errors are now recorded beside it (events-source.json) and listed as
    /// notes of the bundle by inspect and replay. Skipped only when ../shared is absent.
    /// </summary>
    [SkippableFact]
    public void ABundleFromADamagedFileRemembersTheDamage()
    {
        string raw = Path.Combine(TestPaths.RealRecordingsDir, "prophesee", "evt2", "faery_evt2_sparklers_gen3vga.raw");
        Skip.IfNot(File.Exists(raw), $"{raw} is absent (../shared/recordings/real)");
        string dir = TestPaths.NewTempDir();
        string damaged = Path.Combine(dir, "flip.raw");
        var bytes = File.ReadAllBytes(raw);
        bytes[1_000_000] ^= 0xFF;
        File.WriteAllBytes(damaged, bytes);
        string bundle = Path.Combine(dir, "b");
        var made = Run("bundle", "--events", damaged, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", ExposureCsv(dir, RecordingBundle.Load(Sample)), "--out", bundle);
        Assert.True(made.Code is 0 or 1, made.Err);
        Assert.True(File.Exists(Path.Combine(bundle, EventDeblur.Recording.ConversionRecord.FileName)));
        var notes = RecordingBundle.Load(bundle).Problems.Where(p => p.Severity == ProblemSeverity.Note).Select(p => p.Message).ToList();
        Assert.Contains(notes, n => n.StartsWith($"events.aedat4 was converted from {damaged}, whose reader found", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains($"{damaged}: byte 999998:", StringComparison.Ordinal));
        var inspect = Run("inspect", bundle);
        Assert.Contains($"events.aedat4 was converted from {damaged}", inspect.Out + inspect.Err);

        // A whole file leaves no record.
        string clean = Path.Combine(dir, "clean");
        Run("bundle", "--events", raw, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", ExposureCsv(dir, RecordingBundle.Load(Sample)), "--out", clean);
        Assert.DoesNotContain(RecordingBundle.Load(clean).Problems, p => p.Message.Contains("was converted from", StringComparison.Ordinal));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>report E1 E2</c> of two evaluation folders run at different --quality merged them into one table with no word
    /// (within one folder, shards of different rungs were already caught). Now a warning names each folder's rung, exit 1.
    /// </summary>
    [Fact]
    public void ReportOfEvaluationsAtDifferentRungsSaysSo()
    {
        string dir = TestPaths.NewTempDir();
        EventDeblur.Simulation.HybridRigSimulator.Simulate(EventDeblur.Simulation.SimulationPresets.Get("night") with { Frames = 1, RgbWidth = 160, RgbHeight = 120 }, 7, Path.Combine(dir, "ds", "night-7"));
        string e1 = Path.Combine(dir, "e1"), e3 = Path.Combine(dir, "e3");
        Expect(0, Run("eval", Path.Combine(dir, "ds"), "--out", e1, "--methods", "blurry"));
        Expect(0, Run("eval", Path.Combine(dir, "ds"), "--out", e3, "--methods", "blurry", "--quality", "fast"));
        Expect(0, Run("report", e1));
        var mixed = Run("report", e1, e3);
        Expect(1, mixed);
        Assert.Contains($"the evaluation folders ran at different --quality ({e1}: balanced; {e3}: fast)", mixed.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>The eval table's 95 % interval uses Student's t (n = 2: t = 12.706), not 1.96 for every n (stop 38's trial).</summary>
    [Fact]
    public void TheEvalTablesIntervalUsesStudentsT()
    {
        var ci = EventDeblur.Evaluation.Evaluator.Ci([1, 3]).Replace(',', '.').Replace(". ", ", ");
        Assert.Equal("2.00 [-10.71, 14.71]", ci);
        // Many frames: close to the normal interval (n = 400, t = 1.966).
        var many = Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? 1.0 : 3.0).ToList();
        Assert.Equal("2.00 [1.90, 2.10]", EventDeblur.Evaluation.Evaluator.Ci(many).Replace(',', '.').Replace(". ", ", "));
    }
}

public partial class HardeningAuditTests
{
    /// <summary><c>serve</c> of an APS bundle served silently, with no next step; it now says why live has nothing to pair there.</summary>
    [Fact]
    public void ServeOfAnApsBundleSaysLiveHasNoRgbSourceToPair()
    {
        string bundle = Path.Combine(TestPaths.NewTempDir(), "aps");
        EventDeblur.Simulation.HybridRigSimulator.Simulate(EventDeblur.Simulation.SimulationPresets.Get("aps") with { Frames = 1 }, 5, bundle);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"), "serve", bundle, "--events-port", "0", "--triggers-port", "0" }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        try
        {
            while (DateTime.UtcNow < deadline && p.StandardOutput.ReadLine() is { } line)
            {
                seen.Add(line);
                if (line.StartsWith("note:", StringComparison.Ordinal)) break;
            }
        }
        finally { p.Kill(entireProcessTree: true); }
        Assert.Contains(seen, l => l.Contains("live pairs an RGB source's frames with the trigger stream and has none to pair here: the streams are for other DV clients (Ctrl+C stops serve); replay the bundle", StringComparison.Ordinal));
    }
}
