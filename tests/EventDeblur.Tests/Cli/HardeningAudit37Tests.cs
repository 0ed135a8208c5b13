using EventDeblur.Events;
using EventDeblur.IO;
using EventDeblur.Recording;
using EventDeblur.Sync;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// What a new user met in stop 37's trial (a fresh clone, the README followed step by step): traps in the exposure CSV,
/// a white level that left every frame out of the bundle, silent trigger sync, a run folder replaced without a word,
/// a replay summary that counted frames of an earlier run that never was, a dead end for DAT files without a size.
/// </summary>
public partial class HardeningAuditTests
{
    private static BundleSources SampleSources(string csv)
    {
        var original = RecordingBundle.Load(Sample);
        return new BundleSources
        {
            EventsPath = original.EventsPath, RgbPath = Path.Combine(Sample, "rgb"), ExposureCsvPath = csv, ClockOffsetUs = original.Manifest.Sync.ClockOffsetUs,
            Encoding = "linear", BlackLevel = 1024, WhiteLevel = 65535, SaturationLevel = 65000, Homography = original.Manifest.RgbToEventsHomography,
        };
    }

    /// <summary>
    /// The exposure CSV's first line is its header. Before: a CSV without one lost its first row ("2 exposure rows for 3
    /// RGB frames"), a bundle's frames.csv got a generic message, columns named end-then-start only failed "end > start",
    /// and rows out of time order were paired with the wrong images without a word. Each is now refused with its line,
    /// and nothing is written.
    /// </summary>
    [Fact]
    public void ExposureCsvTrapsAreRefusedWithTheirLine()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "times.csv");
        var rows = original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}").ToList();
        BundleException Refused(params string[] lines)
        {
            File.WriteAllLines(csv, lines);
            string target = Path.Combine(dir, $"b{Guid.NewGuid():N}");
            var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(SampleSources(csv), target));
            Assert.False(Directory.Exists(target), "a refused bundle leaves nothing behind");
            return e;
        }

        var e = Refused([.. rows]);
        Assert.Contains($"line 1 holds times ('{rows[0]}'), not the header", e.Message, StringComparison.Ordinal);

        e = Refused([FrameTable.Header, .. original.Frames.Select((f, i) => $"{i},{i:D6}.png,{f.ExposureStartUs},{f.ExposureEndUs}")]);
        Assert.Contains($"is a bundle's frames.csv ('{FrameTable.Header}'); --exposure-csv takes two columns", e.Message, StringComparison.Ordinal);

        e = Refused(["exposure_end_us,exposure_start_us", .. original.Frames.Select(f => $"{f.ExposureEndUs},{f.ExposureStartUs}")]);
        Assert.Contains("line 1: the columns are 'exposure_end_us' then 'exposure_start_us'; the start comes first", e.Message, StringComparison.Ordinal);

        e = Refused(["exposure_start_us,exposure_end_us", rows[0], rows[2], rows[1]]);
        var f2 = original.Frames[2];
        Assert.Contains($"line 4: the exposure starts at {original.Frames[1].ExposureStartUs} µs, not after line 3's start ({f2.ExposureStartUs} µs)", e.Message, StringComparison.Ordinal);

        // The same rows in order make the bundle, and so do the ways real files differ: a UTF-8 BOM, CRLF line ends,
        // spaces around the header's names, a trailing comma on the header, other column names, negative RGB-clock times.
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", .. rows]);
        var bundle = BundleBuilder.Build(SampleSources(csv), Path.Combine(dir, "ok"));
        Assert.Equal(original.Frames.Select(f => f.ExposureStartUs), bundle.Frames.Select(f => f.ExposureStartUs));
        File.WriteAllText(csv, "\uFEFF exposure_start_us , exposure_end_us ,\r\n" + string.Join("\r\n", rows) + "\r\n", new System.Text.UTF8Encoding(true));
        bundle = BundleBuilder.Build(SampleSources(csv), Path.Combine(dir, "ok2"));
        Assert.Equal(original.Frames.Select(f => f.ExposureEndUs), bundle.Frames.Select(f => f.ExposureEndUs));
        const long shift = 10_000_000;
        File.WriteAllLines(csv, ["start (us),end (us)", .. original.Frames.Select(f => $"{f.ExposureStartUs - shift},{f.ExposureEndUs - shift}")]);
        bundle = BundleBuilder.Build(SampleSources(csv) with { ClockOffsetUs = original.Manifest.Sync.ClockOffsetUs + shift }, Path.Combine(dir, "ok3"));
        Assert.Equal(original.Frames.Select(f => f.ExposureStartUs - shift), bundle.Frames.Select(f => f.ExposureStartUs));
        // "send", "rendered": not the word "end".
        File.WriteAllLines(csv, ["sender_start,rendered_stop", .. rows]);
        BundleBuilder.Build(SampleSources(csv), Path.Combine(dir, "ok4"));
    }

    /// <summary>A frames.csv whose times go back (rows paired with the wrong images, typically) gets a note on its line; the rows are kept.</summary>
    [Fact]
    public void FramesCsvTimesGoingBackGetANote()
    {
        string bundle = CopyOfSample();
        string table = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(table);
        var f1 = lines[2].Split(','); var f2 = lines[3].Split(',');
        // Swap the times of rows 1 and 2, keeping their indices and files.
        lines[2] = string.Join(',', f1[0], f1[1], f2[2], f2[3]);
        lines[3] = string.Join(',', f2[0], f2[1], f1[2], f1[3]);
        File.WriteAllLines(table, lines);
        var problems = new List<Problem>();
        var rows = FrameTable.Read(table, bundle, problems);
        Assert.Equal(3, rows.Count);
        var note = Assert.Single(problems);
        Assert.Equal(ProblemSeverity.Note, note.Severity);
        Assert.Contains($"line 4", note.ToString(), StringComparison.Ordinal);
        Assert.Contains($"exposure_start_us {f1[2]} is not after the previous row's ({f2[2]}, index 1): the rows are not in time order", note.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>bundle --white 255</c> on 16-bit frames wrote a bundle whose every frame the check left out, said "next:
    /// calibrate … replay" and exited 1. It is now refused before anything is written, naming the level that fits.
    /// </summary>
    [Fact]
    public void AWhiteLevelThatFitsNoFrameIsRefusedBeforeWriting()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = ExposureCsv(dir, original);
        string target = Path.Combine(dir, "b");
        var r = Run("bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv, "--clock-offset-us", "1234567", "--white", "255", "--out", target);
        Expect(2, r);
        Assert.Contains("--white 255: the frames are 16-bit (the first: ", r.Err);
        Assert.Contains("give --white 65535 (full scale of 16-bit frames)", r.Err);
        Assert.False(Directory.Exists(target));
    }

    /// <summary>
    /// A bundle edited by hand so that the check leaves every frame out: the replay summary said "3 of them kept from the
    /// earlier run, 0 worked on now" on a folder that never held a run.
    /// </summary>
    [Fact]
    public void FramesTheCheckLeftOutAreNotCountedAsKeptFromAnEarlierRun()
    {
        string bundle = CopyOfSample();
        EditManifest(bundle, m => { m["rgb"]!["black_level"] = 0; m["rgb"]!["white_level"] = 255; m["rgb"]!["saturation_level"] = 255; });
        var r = Run("replay", bundle, "--deconvolver", "none", "--out", NewOut());
        Expect(1, r);
        Assert.Contains("completed: 0 frames deblurred, 3 failed ->", r.Out);
        Assert.DoesNotContain("kept from the earlier run", r.Out);
    }

    /// <summary>A plain replay into the folder of another bundle's run starts it afresh, as documented, and now says whose run it replaced.</summary>
    [Fact]
    public void AReplayOverAnotherBundlesRunSaysSo()
    {
        string first = CopyOfSample(), second = CopyOfSample();
        string output = NewOut();
        Expect(0, Run("replay", first, "--deconvolver", "none", "--out", output));
        var again = Run("replay", first + Path.DirectorySeparatorChar, "--deconvolver", "none", "--out", output);
        Expect(0, again);
        Assert.DoesNotContain("held a run of another bundle", again.Err);   // the same bundle, written with a trailing slash
        Expect(0, Run("replay", first + Path.DirectorySeparatorChar, "--deconvolver", "none", "--out", output, "--resume"));
        var other = Run("replay", second, "--deconvolver", "none", "--out", output);
        Expect(0, other);
        Assert.Contains($"note: --out {Path.GetFullPath(output)} held a run of another bundle ({Path.GetFullPath(first)}", other.Err);   // as the last run wrote it (with its slash)
        Assert.Contains("its outputs are replaced by this run's", other.Err);
        // It is about OUT, not the input: not among run.json's input problems, and report of the run exits 0.
        Assert.DoesNotContain("held a run of another bundle", File.ReadAllText(Path.Combine(output, "run.json")));
        Expect(0, Run("report", output));
    }

    /// <summary>Trigger sync with no external-input edges said only "no trigger exposure matches this row", frame by frame; it now says what triggers the file has.</summary>
    [Fact]
    public void TriggerSyncWithoutExternalEdgesSaysWhatTheFileHas()
    {
        var rows = new List<FrameRow> { new(0, "a.png", 0, 10_000), new(1, "b.png", 100_000, 110_000) };
        var triggers = new List<TriggerEvent>
        {
            new(1_000, TriggerType.ApsExposureStart), new(9_000, TriggerType.ApsExposureEnd),
            new(101_000, TriggerType.ApsExposureStart), new(109_000, TriggerType.ApsExposureEnd), new(50_000, TriggerType.TimestampReset),
        };
        var match = TriggerMatcher.Match(rows, triggers);
        Assert.All(match.Windows, w => Assert.Null(w.Exposure));
        var why = Assert.Single(match.Problems, p => p.Message.StartsWith("no exposure from the event file's", StringComparison.Ordinal));
        Assert.Contains("no exposure from the event file's 5 trigger events: 0 external-input rising and 0 falling edges, 4 of them the DAVIS's own APS frame triggers, which never define RGB exposures", why.Message, StringComparison.Ordinal);
        Assert.Contains("or use table sync (--exposure-csv with --clock-offset-us)", why.Message, StringComparison.Ordinal);

        match = TriggerMatcher.Match(rows, []);
        Assert.Contains(match.Problems, p => p.Message.StartsWith("the event file has no trigger events", StringComparison.Ordinal));
    }

    /// <summary>End to end on a real DAVIS recording whose 15 triggers are all APS ones: said once, and the next step is not "calibrate". Skipped only when ../shared is absent.</summary>
    [SkippableFact]
    public void TriggerSyncOnARealRecordingWithOnlyApsTriggersSaysSo()
    {
        string real = Path.Combine(TestPaths.RealRecordingsDir, "aedat4", "aestream_davis346_evts_frames_imu_trig.aedat4");
        Skip.IfNot(File.Exists(real), $"{real} is absent (../shared/recordings/real)");
        string dir = TestPaths.NewTempDir();
        var r = Run("bundle", "--events", real, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", ExposureCsv(dir, RecordingBundle.Load(Sample)), "--sync", "triggers", "--out", Path.Combine(dir, "b"));
        Expect(1, r);
        Assert.Contains("no exposure from the event file's 15 trigger events: 0 external-input rising and 0 falling edges, 15 of them the DAVIS's own APS frame triggers", r.Out);
        string next = r.Out.Split("next:")[^1].Split('\n')[0];
        Assert.Contains("no frame has an exposure window on the event clock (the problems above say why)", next);
        Assert.DoesNotContain("'eventdeblur calibrate", next);
    }

    /// <summary>
    /// A real Prophesee DAT file that states no sensor size: <c>bundle</c> said "convert it first with it" and nothing
    /// showed how large the sensor must be. It now gives the events' extent and the command. Skipped only when
    /// ../shared is absent.
    /// </summary>
    [SkippableFact]
    public void ADatFileWithoutASensorSizeGetsItsEventExtent()
    {
        string dat = Path.Combine(TestPaths.RealRecordingsDir, "prophesee", "dat", "expelliarmus_ncars_obj_004397_event2d.dat");
        Skip.IfNot(File.Exists(dat), $"{dat} is absent (../shared/recordings/real)");
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        var r = Run("bundle", "--events", dat, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", ExposureCsv(dir, original), "--out", Path.Combine(dir, "b"));
        Expect(2, r);
        Assert.Matches(@"the file states no sensor size, which a bundle needs; its [\d,]+ events reach x = \d+ and y = \d+, so the sensor is at least \d+×\d+", r.Err);
        Assert.Contains($"'eventdeblur convert {dat} events.aedat4 --width W --height H'", r.Err);
        // inspect shows the same extent, so the size can be chosen before converting.
        var m = System.Text.RegularExpressions.Regex.Match(r.Err, @"reach x = (\d+) and y = (\d+)");
        var inspect = Run("inspect", dat);
        Expect(0, inspect);
        Assert.Contains($"sensor size not stated in the file (its events reach x = {m.Groups[1].Value}, y = {m.Groups[2].Value}: at least ", inspect.Out);
    }

    /// <summary>A damaged AEDAT file is copied into the bundle byte for byte: its problems name the user's file as well as the copy.</summary>
    [Fact]
    public void ProblemsOfACopiedEventFileNameTheUsersFile()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string cut = Path.Combine(dir, "cut.aedat4");
        var bytes = File.ReadAllBytes(original.EventsPath);
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        string target = Path.Combine(dir, "b");
        var r = Run("bundle", "--events", cut, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", ExposureCsv(dir, original), "--clock-offset-us", "1234567", "--out", target);
        Expect(1, r);
        Assert.Contains($"{Path.GetFullPath(cut)} (copied to {Path.Combine(Path.GetFullPath(target), "events.aedat4")}): byte ", r.Out);
    }
    /// <summary>
    /// convert replaced an existing file without a word, and <c>convert x.aedat4 x.aedat4</c> replaced its own input; a
    /// folder as OUT got "unknown output type". Each is now refused (exit 2) with what to do; --force replaces another file.
    /// </summary>
    [Fact]
    public void ConvertRefusesItsOwnInputAFolderAndAnExistingFileWithoutForce()
    {
        string dir = TestPaths.NewTempDir();
        string events = Path.Combine(dir, "in.aedat4");
        File.Copy(Path.Combine(Sample, "events.aedat4"), events);
        byte[] before = File.ReadAllBytes(events);
        var self = Run("convert", events, events);
        Expect(2, self);
        Assert.Contains("is the input itself", self.Err);
        Assert.Equal(before, File.ReadAllBytes(events));

        var folder = Run("convert", events, dir);
        Expect(2, folder);
        // Not the input's own name (stop 43: following that advice met the refusal above).
        Assert.Contains($"{dir}: is a folder; give the output file's name, e.g. {Path.Combine(dir, "in-converted.aedat4")}", folder.Err);

        string output = Path.Combine(dir, "out.aedat4");
        File.WriteAllText(output, "keep me");
        var existing = Run("convert", events, output);
        Expect(2, existing);
        Assert.Contains("exists; give a new name, or --force to replace it", existing.Err);
        Assert.Equal("keep me", File.ReadAllText(output));
        Expect(0, Run("convert", events, output, "--force"));
        Assert.Equal(0, Run("inspect", output).Code);
    }

    /// <summary>A stream that ended was said to end "after 1700000001850100 µs", a timestamp read as a duration; it is now named as the last event's time.</summary>
    [Fact]
    public void AStreamEndNamesTheLastEventsTimeNotADuration()
    {
        var gap = new EventDeblur.Live.StreamGap("events", 1_700_000_001_850_100, null, "connection closed by the server");
        Assert.Equal("events stream: connection closed by the server after its last data at t = 1700000001850100 µs (on the source's clock) and did not resume (end of stream, or everything after it lost)", gap.ToString());
        Assert.Contains("before any data", new EventDeblur.Live.StreamGap("events", null, null, "refused").ToString());
    }
    /// <summary>An empty or damaged .h5 file was told it lacked an AEDAT version line; it is now named as not HDF5.</summary>
    [Fact]
    public void ABrokenHdf5FileIsNamedAsSuch()
    {
        string dir = TestPaths.NewTempDir();
        string empty = Path.Combine(dir, "events.h5");
        File.WriteAllBytes(empty, []);
        var r = Run("inspect", empty);
        Expect(2, r);
        Assert.Contains($"{empty}: byte 0: expected an HDF5 file (its 8-byte signature \\x89HDF\\r\\n\\x1a\\n at byte 0), found an empty file", r.Err);
        Assert.DoesNotContain("AER-DAT", r.Err);
    }
    /// <summary>
    /// eval took a mistyped option for a dataset ("--bogus: not a bundle or a folder of bundles"), and told a user whose
    /// --out was a replay run to "choose a folder outside the input". Both now say what is wrong.
    /// </summary>
    [Fact]
    public void EvalNamesAMistypedOptionAndAReplayRunAsOut()
    {
        var bogus = Run("eval", Sample, "--out", NewOut(), "--bogus");
        Expect(2, bogus);
        Assert.Contains("--bogus: not an option of eval (see 'eventdeblur eval --help')", bogus.Err);

        string run = NewOut();
        Expect(0, Run("replay", CopyOfSample(), "--deconvolver", "none", "--out", run));
        var intoRun = Run("eval", Sample, "--out", run, "--methods", "blurry");
        Expect(2, intoRun);
        Assert.Contains("is a replay run (run.json)", intoRun.Err);
        Assert.Contains("choose another folder, new or empty", intoRun.Err);
        Assert.DoesNotContain("outside the input", intoRun.Err);
    }
    /// <summary>Shard 2/2 run with other --methods than shard 1/2 in the same folder was accepted silently (only report caught it); it is now refused unless --force.</summary>
    [Fact]
    public void AShardWithOtherMethodsThanItsSiblingsIsRefused()
    {
        string output = NewOut();
        Expect(0, Run("eval", Sample, "--out", output, "--methods", "blurry", "--shard", "1/2"));
        var other = Run("eval", Sample, "--out", output, "--methods", "blurry,gt+wiener", "--shard", "2/2");
        Expect(2, other);
        Assert.Contains("results-shard-1-of-2.parquet was run with --methods blurry, this shard with --methods blurry,gt+wiener: report merges only shards of the same methods", other.Err);
        Assert.False(File.Exists(Path.Combine(output, "results-shard-2-of-2.parquet")));
        var same = Run("eval", Sample, "--out", output, "--methods", "blurry", "--shard", "2/2");
        Assert.True(same.Code is 0 or 1, same.Err);   // a shard of two may hold no frame of a one-bundle set
        Assert.DoesNotContain("report merges only", same.Err);
    }
}
