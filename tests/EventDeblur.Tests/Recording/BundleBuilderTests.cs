using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.IO;
using OpenCvSharp;

namespace EventDeblur.Tests.Recording;

/// <summary><c>bundle</c>: a bundle from an event file, RGB frames, exposure times and a calibration (issue 13).</summary>
public class BundleBuilderTests
{
    private static string Sample => Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night");

    /// <summary>The sample's parts as a lab would have them: its event file, its RGB folder, an exposure CSV (written into a new folder) and its levels and calibration.</summary>
    private static (RecordingBundle Original, string Dir, BundleSources Sources) SampleParts()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "exposures.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", .. original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        return (original, dir, new BundleSources
        {
            EventsPath = original.EventsPath, RgbPath = Path.Combine(Sample, "rgb"), ExposureCsvPath = csv, ClockOffsetUs = original.Manifest.Sync.ClockOffsetUs,
            Encoding = "linear", BlackLevel = 1024, WhiteLevel = 65535, SaturationLevel = 65000, Homography = original.Manifest.RgbToEventsHomography,
        });
    }

    [Fact]
    public void SampleRigPartsMakeABundleWithTheSameExposuresAndNoProblems()
    {
        var (original, dir, sources) = SampleParts();
        var h = original.Manifest.RgbToEventsHomography;
        var bundle = BundleBuilder.Build(sources, Path.Combine(dir, "bundle"));

        Assert.Empty(bundle.Problems);
        Assert.Equal(original.Frames.Count, bundle.Frames.Count);
        Assert.Equal(h, bundle.Manifest.RgbToEventsHomography);
        Assert.Equal((400, 300), (bundle.Manifest.Rgb!.Width, bundle.Manifest.Rgb.Height));
        var a = original.ResolveExposures();
        var b = bundle.ResolveExposures();
        Assert.Empty(b.Problems);
        Assert.Equal(a.Windows.Select(w => w.Exposure), b.Windows.Select(w => w.Exposure));
        for (int i = 0; i < original.Frames.Count; i++)
            Assert.Equal(File.ReadAllBytes(original.Frames[i].File), File.ReadAllBytes(bundle.Frames[i].File));
        Assert.Equal(File.ReadAllBytes(original.EventsPath), File.ReadAllBytes(bundle.EventsPath));
    }

    /// <summary>A lossless FFV1 video at <paramref name="path"/> of four 64×48 grey frames (levels 10, 50, 90, 130), 10 frames/s.</summary>
    private static string FourGreyFrames(string path)
    {
        using var vw = new VideoWriter(path, FourCC.FromString("FFV1"), 10, new Size(64, 48), true);
        Assert.True(vw.IsOpened(), "OpenCV cannot write FFV1 here");
        for (int i = 0; i < 4; i++)
        {
            using var img = new Mat(48, 64, MatType.CV_8UC3, Scalar.All(40 * i + 10));
            vw.Write(img);
        }
        return path;
    }

    [Fact]
    public void PropheseeRawWithTriggersAndAVideoMakeATriggerSyncedBundle()
    {
        string dir = TestPaths.NewTempDir();
        string raw = Path.Combine(dir, "rec.raw");
        var exposures = new[] { (100_000L, 140_000L), (200_000L, 230_000L), (300_000L, 345_000L), (400_000L, 420_000L) };
        using (var w = PropheseeRawWriter.Create(raw, new PropheseeRawWriterOptions { Encoding = AedatVersion.Evt3, Width = 320, Height = 240 }))
        {
            long t = 50_000;
            foreach (var (s, e) in exposures)
            {
                for (; t < s; t += 997) w.WriteEvents([t], [(short)(t % 320)], [(short)(t % 240)], [t % 2 == 0]);
                w.WriteTrigger(s, 0, rising: true);
                for (; t < e; t += 997) w.WriteEvents([t], [(short)(t % 320)], [(short)(t % 240)], [t % 2 == 0]);
                w.WriteTrigger(e, 0, rising: false);
            }
        }
        string video = FourGreyFrames(Path.Combine(dir, "rgb.mkv"));

        var bundle = BundleBuilder.Build(new BundleSources { EventsPath = raw, RgbPath = video, Sync = "triggers", Encoding = "srgb" }, Path.Combine(dir, "bundle"));
        Assert.Empty(bundle.Problems);
        Assert.Equal(4, bundle.Frames.Count);
        Assert.Equal((320, 240), bundle.EventSensorSize);
        Assert.EndsWith("events.aedat4", bundle.EventsPath, StringComparison.Ordinal);
        var match = bundle.ResolveExposures();
        Assert.Empty(match.Problems);
        Assert.Equal(exposures.Select(x => (TimeRangeUs?)new TimeRangeUs(x.Item1, x.Item2)), match.Windows.Select(w => w.Exposure));
        using var frame2 = Cv2.ImRead(bundle.Frames[2].File, ImreadModes.Unchanged);
        Assert.Equal((64, 48, 90), (frame2.Cols, frame2.Rows, (int)frame2.At<Vec3b>(10, 10).Item0)); // FFV1 is lossless
    }

    /// <summary>
    /// Stop 48's trial (a Prophesee rig with a second trigger channel: an LED strobe, a PPS): the conversion merged both
    /// channels, their edges were paired with one another, 26 problems named no channel, and a frame was written `ok` at
    /// its input, paired with a 1-ms pulse. Now a file with triggers on several channels is refused with each channel's
    /// count, and --trigger-channel keeps the one named.
    /// </summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void ARawFileWithTwoTriggerChannelsNeedsTheChannelOfTheExposures(int exposureChannel, int strobeChannel)
    {
        string dir = TestPaths.NewTempDir();
        string raw = Path.Combine(dir, "rec.raw");
        var exposures = new[] { (100_000L, 140_000L), (200_000L, 230_000L), (300_000L, 345_000L), (400_000L, 420_000L) };
        using (var w = PropheseeRawWriter.Create(raw, new PropheseeRawWriterOptions { Encoding = AedatVersion.Evt3, Width = 320, Height = 240 }))
        {
            long t = 50_000, strobe = 60_000;
            bool high = false;
            void Until(long end)
            {
                for (; t < end; t += 997)
                {
                    // A 1-ms pulse every 33 ms on the other channel, its edges in time order with the events.
                    if (!high && t >= strobe) { w.WriteTrigger(strobe, strobeChannel, rising: true); high = true; }
                    if (high && t >= strobe + 1000) { w.WriteTrigger(strobe + 1000, strobeChannel, rising: false); high = false; strobe += 33_000; }
                    w.WriteEvents([t], [(short)(t % 320)], [(short)(t % 240)], [t % 2 == 0]);
                }
            }
            foreach (var (s, e) in exposures)
            {
                Until(s);
                w.WriteTrigger(s, exposureChannel, rising: true);
                Until(e);
                w.WriteTrigger(e, exposureChannel, rising: false);
            }
            Until(450_000);
        }
        string video = FourGreyFrames(Path.Combine(dir, "rgb.mkv"));
        // inspect counts the triggers per channel (stream 1 + channel).
        using (var reader = EventDeblur.Formats.Prophesee.EventFile.Open(raw))
            Assert.Equal(new Dictionary<int, long> { [1 + exposureChannel] = 8, [1 + strobeChannel] = 24 }, EventDeblur.Formats.Aedat.AedatSummary.Compute(reader, hash: false).TriggersByStream);
        var sources = new BundleSources { EventsPath = raw, RgbPath = video, Sync = "triggers", Encoding = "srgb" };
        var e1 = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources, Path.Combine(dir, "b1")));
        string a = exposureChannel == 0 ? "EXT_TRIGGER id 0: 8 edges" : "EXT_TRIGGER id 0: 24 edges", b = exposureChannel == 0 ? "EXT_TRIGGER id 1: 24 edges" : "EXT_TRIGGER id 1: 8 edges";
        Assert.Contains($"triggers on 2 channels ({a}, {b}), while the exposures must come from one; give --trigger-channel", e1.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "b1")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir, "b1")).Any());

        var bundle = BundleBuilder.Build(sources with { TriggerChannel = exposureChannel }, Path.Combine(dir, "b2"));
        var match = bundle.ResolveExposures();
        Assert.Empty(match.Problems);
        Assert.Equal(exposures.Select(x => (TimeRangeUs?)new TimeRangeUs(x.Item1, x.Item2)), match.Windows.Select(w => w.Exposure));
        var e3 = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { TriggerChannel = 5 }, Path.Combine(dir, "b3")));
        Assert.Contains("no trigger on channel 5; the file has EXT_TRIGGER id 0", e3.Message);
        // A DAVIS has one external input: a channel is refused there.
        var (_, _, sample) = SampleParts();
        Assert.Throws<BundleException>(() => BundleBuilder.Build(sample with { Sync = "triggers", TriggerChannel = 0 }, Path.Combine(dir, "b4")));
    }

    /// <summary>
    /// Stop 39's new-user trial: an exposure CSV headed 'start_ms,end_ms' was read as µs, and bundle, inspect and replay
    /// all said 'ok' (22.88 dB where the right units give 33.92). A unit named in the header (ms, s, µs) is now used,
    /// and times that give exposures all under 200 µs are noted as probably in another unit.
    /// </summary>
    [Fact]
    public void ExposureTimesAreReadInTheUnitTheHeaderNames()
    {
        var (original, dir, sources) = SampleParts();
        var expected = original.ResolveExposures().Windows.Select(w => w.Exposure).ToList();
        foreach (var (header, scale) in new[] { ("start_ms,end_ms", 1e-3), ("Start (s), End (s)", 1e-6), ("exposure_start_us,exposure_end_us", 1.0) })
        {
            string csv = Path.Combine(dir, $"t{scale}.csv");
            File.WriteAllLines(csv, [header, .. original.Frames.Select(f => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{f.ExposureStartUs * scale:R},{f.ExposureEndUs * scale:R}"))]);
            var notes = new List<Problem>();
            var bundle = BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, $"b{scale}"), notes);
            Assert.Equal(expected, bundle.ResolveExposures().Windows.Select(w => w.Exposure));
            if (scale != 1) Assert.Contains(notes, n => n.Message.StartsWith($"times read in {(scale == 1e-3 ? "ms" : "s")}, as the header names them", StringComparison.Ordinal));
            else Assert.DoesNotContain(notes, n => n.Source == csv);
        }
        // Milliseconds under a header without a unit: read as µs, with a note.
        string bare = Path.Combine(dir, "bare.csv");
        File.WriteAllLines(bare, ["start,end", "0,108", "250,290", "500,602"]);
        var said = new List<Problem>();
        var odd = sources with { ExposureCsvPath = bare, RgbPath = Path.Combine(Sample, "rgb") };
        try { BundleBuilder.Build(odd, Path.Combine(dir, "bare"), said); } catch (BundleException) { }
        Assert.Contains(said, n => n.Message.StartsWith("every exposure lasts under 200 µs (40–108 µs): the header names no unit", StringComparison.Ordinal));
        string mixed = Path.Combine(dir, "mixed.csv");
        File.WriteAllLines(mixed, ["start_ms,end_us", "0,108"]);
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = mixed }, Path.Combine(dir, "mixed")));
        Assert.Contains("name different units", e.Message);
        // The review: 's' in only one column is not a unit ('t_s,t_e': start and end), and ns is refused, not read as µs.
        string ts = Path.Combine(dir, "ts.csv");
        File.WriteAllLines(ts, ["t_s,t_e", .. original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        Assert.Equal(expected, BundleBuilder.Build(sources with { ExposureCsvPath = ts }, Path.Combine(dir, "ts")).ResolveExposures().Windows.Select(w => w.Exposure));
        string ns = Path.Combine(dir, "ns.csv");
        File.WriteAllLines(ns, ["exposure_start_ns,exposure_end_ns", "0,108000000"]);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = ns }, Path.Combine(dir, "ns")));
        Assert.Contains("names the unit 'ns', which is not read", e.Message);
    }

    /// <summary>
    /// Trial 47a: a CSV written with pandas' quoting=ALL (or by Excel) passed its quoted header and was refused at line 2
    /// ("expected … integers"). RFC 4180 quotes are now taken off, a unit in a quoted header is read, and a quote left
    /// open is refused with its line.
    /// </summary>
    [Fact]
    public void QuotedFieldsAreReadAsTheirValues()
    {
        var (original, dir, sources) = SampleParts();
        var expected = original.ResolveExposures().Windows.Select(w => w.Exposure).ToList();
        string csv = Path.Combine(dir, "quoted.csv");
        File.WriteAllLines(csv, ["\"exposure_start_us\",\"exposure_end_us\"", .. original.Frames.Select(f => $"\"{f.ExposureStartUs}\",\"{f.ExposureEndUs}\"")]);
        var notes = new List<Problem>();
        Assert.Equal(expected, BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "us"), notes).ResolveExposures().Windows.Select(w => w.Exposure));
        Assert.DoesNotContain(notes, n => n.Source == csv);

        // Quoted ms, some fields quoted and some not, spaces around the quotes, a trailing comma, CRLF: the same exposures.
        File.WriteAllText(csv, "\"start_ms\" , \"end_ms\",\r\n" + string.Join("\r\n", original.Frames.Select(f => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" \"{f.ExposureStartUs * 1e-3:R}\",{f.ExposureEndUs * 1e-3:R},"))) + "\r\n");
        notes.Clear();
        Assert.Equal(expected, BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "ms"), notes).ResolveExposures().Windows.Select(w => w.Exposure));
        Assert.Contains(notes, n => n.Source == csv && n.Message.StartsWith("times read in ms, as the header names them", StringComparison.Ordinal));

        // A quote left open, or text after the closing one: refused with the line, as any malformed row is.
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "\"1,2", "3,4", "5,6"]);
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "open")));
        Assert.Contains("line 2: expected 'exposure_start_us,exposure_end_us' (integers, µs, end > start), found '\"1,2'", e.Message, StringComparison.Ordinal);
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "1,2", "\"3\"x,4", "5,6"]);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "after")));
        Assert.Contains("line 3: expected 'exposure_start_us,exposure_end_us'", e.Message, StringComparison.Ordinal);
        File.WriteAllLines(csv, ["\"exposure_start_us,exposure_end_us", "1,2"]);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "header")));
        Assert.Contains("line 1: a double quote opens a column name and does not close it", e.Message, StringComparison.Ordinal);
        // Quoted times on line 1 are times, not a header.
        File.WriteAllLines(csv, original.Frames.Select(f => $"\"{f.ExposureStartUs}\",\"{f.ExposureEndUs}\""));
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "times")));
        Assert.Contains("line 1 holds times", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Trial 47a: a camera SDK's 'timestamp_us,exposure_time_us' (a start and a duration) failed only at line 2, "expected …
    /// end > start". A second column that names a duration is refused at line 1, saying how to write the end; columns that
    /// name an end in other words are read as before.
    /// </summary>
    [Theory]
    [InlineData("timestamp_us,exposure_time_us", "exposure_time_us")]
    [InlineData("start_us,duration_us", "duration_us")]
    [InlineData("exposure_start_us,exposure_us", "exposure_us")]
    [InlineData("exposure_start_ms,exposure_duration_ms", "exposure_duration_ms")]
    [InlineData("Timestamp (µs), Exposure Time (µs)", "Exposure Time (µs)")]
    [InlineData("\"t\",\"ExposureTime\"", "ExposureTime")]
    [InlineData("start,time", "time")]
    public void ADurationColumnIsRefusedAtLine1(string header, string column)
    {
        var (original, dir, sources) = SampleParts();
        string csv = Path.Combine(dir, "sdk.csv");
        File.WriteAllLines(csv, [header, .. original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs - f.ExposureStartUs}")]);
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "b")));
        Assert.Equal($"{csv}: line 1: column 2 '{column}' looks like the exposure's duration, not its end; the CSV takes each exposure's start and end: " +
                     "write the end as start + duration (both in one unit) in column 2, under the header 'exposure_start_us,exposure_end_us' (or 'start_ms,end_ms', … naming the unit)", e.Message);
    }

    [Theory]
    [InlineData("start_time,stop_time")]
    [InlineData("exposure_start,exposure_stop")]
    [InlineData("exposure_time_start_us,exposure_time_end_us")]
    [InlineData("shutter_open_us,shutter_close_us")]
    [InlineData("a,b")]
    public void AnEndNamedInOtherWordsIsNotTakenForADuration(string header)
    {
        var (original, dir, sources) = SampleParts();
        string csv = Path.Combine(dir, "ends.csv");
        File.WriteAllLines(csv, [header, .. original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        Assert.Equal(original.Frames.Select(f => f.ExposureEndUs), BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "b")).Frames.Select(f => f.ExposureEndUs));
    }

    /// <summary>
    /// Trial 47a: night exposures of 250 ms written in ms under a '_us' header last 250 "µs", so the under-200-µs note
    /// missed them; frames 300 "µs" apart (over 1000 frames/s) now get the same note.
    /// </summary>
    [Fact]
    public void FramesUnderAMillisecondApartAreNotedAsProbablyAnotherUnit()
    {
        var (_, dir, sources) = SampleParts();
        string csv = Path.Combine(dir, "ms.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "1699999998765,1699999999015", "1699999999065,1699999999315", "1699999999380,1699999999630"]);
        var notes = new List<Problem>();
        try { BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "ms"), notes); } catch (BundleException) { }
        var note = Assert.Single(notes, n => n.Source == csv);
        Assert.Equal(ProblemSeverity.Note, note.Severity);
        Assert.Equal("the frames start every 307 µs (the median from one row's start to the next), over 1000 frames/s: the header says µs; if they are ms or s, name the unit in the header (e.g. 'start_ms,end_ms') or convert them", note.Message);

        // Without a unit in the header, the note says so; frames 1 ms apart (1000 frames/s, a fast camera) get none.
        File.WriteAllLines(csv, ["start,end", "0,250", "300,550", "615,865"]);
        notes.Clear();
        try { BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "bare"), notes); } catch (BundleException) { }
        Assert.StartsWith("the frames start every 307 µs (the median from one row's start to the next), over 1000 frames/s: the header names no unit, so the times are read as µs", Assert.Single(notes, n => n.Source == csv).Message, StringComparison.Ordinal);
        File.WriteAllLines(csv, ["start,end", "0,250", "1000,1250", "2000,2250"]);
        notes.Clear();
        try { BundleBuilder.Build(sources with { ExposureCsvPath = csv }, Path.Combine(dir, "fast"), notes); } catch (BundleException) { }
        Assert.DoesNotContain(notes, n => n.Source == csv);
    }

    /// <summary>
    /// Trial 47a: a folder copied from a Mac to a USB disk holds '._frame1.png' (an AppleDouble resource fork) beside each
    /// frame, and the first of them stopped the bundle: "not an image OpenCV can decode". Hidden files are skipped, with a note.
    /// </summary>
    [Fact]
    public void HiddenFilesAreSkippedWithANote()
    {
        var (original, dir, sources) = SampleParts();
        string rgb = Path.Combine(dir, "rgb");
        Directory.CreateDirectory(rgb);
        // An AppleDouble header (magic 0x00051607), as macOS writes it.
        byte[] fork = [0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, .. new byte[4088]];
        for (int i = 0; i < original.Frames.Count; i++)
        {
            File.Copy(original.Frames[i].File, Path.Combine(rgb, $"frame{i + 1}.png"));
            File.WriteAllBytes(Path.Combine(rgb, $"._frame{i + 1}.png"), fork);
        }
        File.WriteAllBytes(Path.Combine(rgb, ".DS_Store"), [0, 0, 0, 1]);
        File.WriteAllBytes(Path.Combine(rgb, ".hidden.tif"), fork);
        var notes = new List<Problem>();
        var bundle = BundleBuilder.Build(sources with { RgbPath = rgb }, Path.Combine(dir, "b"), notes);
        Assert.Equal(original.Frames.Count, bundle.Frames.Count);
        for (int i = 0; i < original.Frames.Count; i++)
            Assert.Equal(File.ReadAllBytes(original.Frames[i].File), File.ReadAllBytes(bundle.Frames[i].File));
        Assert.Equal(["index,source", .. original.Frames.Select((_, i) => $"{i},frame{i + 1}.png")], File.ReadAllLines(Path.Combine(bundle.Root, "rgb", BundleBuilder.SourcesFile)));
        var note = Assert.Single(notes, n => n.Source == rgb);
        Assert.Equal(ProblemSeverity.Note, note.Severity);
        Assert.Equal($"{original.Frames.Count + 1} hidden file(s) named like pictures skipped, not taken as frames (e.g. ._frame1.png): names starting with '._' are the resource forks macOS writes " +
                     $"beside each file it copies to an exFAT or FAT disk, not images; 'find {ToolCommand.Word(rgb)} -name \"._*\" -delete' removes them", note.Message);

        // A row too few: the hidden files are named as not counted.
        string shortCsv = Path.Combine(dir, "short.csv");
        File.WriteAllLines(shortCsv, File.ReadAllLines(sources.ExposureCsvPath!)[..^1]);
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { RgbPath = rgb, ExposureCsvPath = shortCsv }, Path.Combine(dir, "b2")));
        Assert.Contains($"also holds {original.Frames.Count + 1} hidden file(s) that were skipped and not counted, e.g. ._frame1.png: names starting with '._' are the resource forks", e.Message, StringComparison.Ordinal);

        // Only hidden files: the folder has no frames, as before, and says what it holds.
        foreach (var frame in Directory.GetFiles(rgb, "frame*.png")) File.Delete(frame);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { RgbPath = rgb }, Path.Combine(dir, "b3")));
        Assert.StartsWith($"{rgb}: no PNG, TIFF or OpenEXR (.exr) images; the {original.Frames.Count + 1} hidden file(s) named like pictures in it (e.g. ._frame1.png) are skipped", e.Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(rgb, ".hidden.tif"));
        foreach (var f in Directory.GetFiles(rgb, "._*")) File.Delete(f);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { RgbPath = rgb }, Path.Combine(dir, "b4")));
        Assert.Equal($"{rgb}: no PNG, TIFF or OpenEXR (.exr) images", e.Message);
    }

    /// <summary>
    /// Stop 39's new-user trial: one JPEG given as --rgb was taken for a one-frame video; a folder of JPEGs said only "no
    /// PNG, TIFF or OpenEXR images"; a folder of PNGs and a JPEG counted the wrong number of frames without naming the JPEG.
    /// </summary>
    [Fact]
    public void JpegsAreNamedAsNotFrames()
    {
        var (_, dir, sources) = SampleParts();
        string jpgs = Path.Combine(dir, "jpg"), mixed = Path.Combine(dir, "mixed");
        Directory.CreateDirectory(jpgs);
        Directory.CreateDirectory(mixed);
        using (var img = new Mat(300, 400, MatType.CV_8UC3, Scalar.All(90)))
        {
            Cv2.ImWrite(Path.Combine(jpgs, "IMG_0.JPG"), img);
            Cv2.ImWrite(Path.Combine(mixed, "c.jpg"), img);
        }
        var sample = RecordingBundle.Load(Sample);
        File.Copy(sample.Frames[0].File, Path.Combine(mixed, "a.png"));
        File.Copy(sample.Frames[1].File, Path.Combine(mixed, "b.png"));
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { RgbPath = jpgs }, Path.Combine(dir, "b1")));
        Assert.Contains("no PNG, TIFF or OpenEXR (.exr) images; it holds 1 JPG file(s), which are not read", e.Message);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { RgbPath = Path.Combine(jpgs, "IMG_0.JPG") }, Path.Combine(dir, "b2")));
        Assert.Contains("--rgb names one image", e.Message);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { RgbPath = mixed }, Path.Combine(dir, "b3")));
        Assert.Contains("3 exposure rows for 2 RGB frames; expected one row per frame (", e.Message);
        Assert.Contains("also holds 1 picture(s) that are not frames and were not counted, e.g. c.jpg", e.Message);
    }

    [Fact]
    public void RowCountMismatchAndNonEmptyOutputAreRefusedWithTheReason()
    {
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "exposures.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "1,2"]);
        var sources = new BundleSources { EventsPath = Path.Combine(Sample, "events.aedat4"), RgbPath = Path.Combine(Sample, "rgb"), ExposureCsvPath = csv };
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources, Path.Combine(dir, "b1")));
        Assert.Contains("1 exposure rows for 3 RGB frames", e.Message, StringComparison.Ordinal);

        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "5,2"]);
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources, Path.Combine(dir, "b2")));
        Assert.Contains("line 2: expected 'exposure_start_us,exposure_end_us'", e.Message, StringComparison.Ordinal);

        string full = Path.Combine(dir, "full");
        Directory.CreateDirectory(full);
        File.WriteAllText(Path.Combine(full, "x"), "");
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources, full));
        Assert.Contains("is not empty", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = null }, Path.Combine(dir, "b3")));
        Assert.Contains("table sync needs --exposure-csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FramesAreTakenInNaturalOrder()
    {
        var names = new[] { "frame10.png", "frame2.png", "frame1.png", "frame11.png", "frame02b.png", "frame007.png" };
        Assert.Equal(["frame1.png", "frame2.png", "frame02b.png", "frame007.png", "frame10.png", "frame11.png"], names.Order(NaturalOrder.Instance));
    }

    [Fact]
    public void OneImageAnAlphaChannelAndAHugeHeaderAreRefusedBeforeDecoding()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "exposures.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", .. original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        BundleSources With(string rgb) => new()
        {
            EventsPath = original.EventsPath, RgbPath = rgb, ExposureCsvPath = csv, ClockOffsetUs = original.Manifest.Sync.ClockOffsetUs,
            Encoding = "linear", BlackLevel = 1024, WhiteLevel = 65535, SaturationLevel = 65000, Homography = original.Manifest.RgbToEventsHomography,
        };

        var one = Assert.Throws<BundleException>(() => BundleBuilder.Build(With(original.Frames[0].File), Path.Combine(dir, "b1")));
        Assert.Contains("--rgb names one image", one.Message);

        string rgba = Path.Combine(dir, "rgba");
        Directory.CreateDirectory(rgba);
        for (int i = 0; i < 3; i++)
        {
            using var img = new Mat(300, 400, MatType.CV_16UC4, new Scalar(1000, 2000, 3000, 65535));
            Cv2.ImWrite(Path.Combine(rgba, $"{i:D6}.png"), img);
        }
        var alpha = Assert.Throws<BundleException>(() => BundleBuilder.Build(With(rgba), Path.Combine(dir, "b2")));
        Assert.Contains("alpha channel", alpha.Message);

        string huge = Path.Combine(dir, "huge");
        Directory.CreateDirectory(huge);
        // A PNG signature and an IHDR declaring 30000 × 30000 pixels: refused from the header, never decoded.
        byte[] header = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 2, 0, 0, 0, 0, 0, 0, 0];
        // Its IHDR's CRC-32, as a well-formed PNG has (a wrong one is refused as damage since stop 34).
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(29), System.IO.Hashing.Crc32.HashToUInt32(header.AsSpan(12, 17)));
        File.WriteAllBytes(Path.Combine(huge, "000000.png"), header);
        var big = Assert.Throws<BundleException>(() => BundleBuilder.Build(With(huge), Path.Combine(dir, "b3")));
        Assert.Contains("30000×30000 PNG, over the limit", big.Message);
    }

    [Fact]
    public void ReplaceSwapsABundleInOnlyOnceTheNewOneIsWholeAndRefusesOtherFolders()
    {
        var (original, dir, sources) = SampleParts();
        string target = Path.Combine(dir, "bundle");
        BundleBuilder.Build(sources, target);
        byte[] manifest = File.ReadAllBytes(Path.Combine(target, "recording.json"));

        // Without replace, an existing bundle is refused and named as one.
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources, target));
        Assert.Contains("is a bundle already; give a new folder, or --force to replace it", e.Message, StringComparison.Ordinal);

        // A failed replacement (here: a wrong row count) leaves the old bundle byte for byte, and no leftovers beside it.
        string shortCsv = Path.Combine(dir, "short.csv");
        File.WriteAllLines(shortCsv, ["exposure_start_us,exposure_end_us", "1,2"]);
        Assert.Throws<BundleException>(() => BundleBuilder.Build(sources with { ExposureCsvPath = shortCsv }, target, replace: true));
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(target, "recording.json")));
        Assert.Equal(original.Frames.Count, RecordingBundle.Load(target).Frames.Count);
        Assert.Equal(["bundle", "exposures.csv", "short.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Rebuilt from the old bundle's own files (read before it goes), with another calibration.
        var old = RecordingBundle.Load(target);
        double[] h = [0.5, 0, 80, 0, 0.5, 50, 0, 0, 1];
        var rebuilt = BundleBuilder.Build(sources with { EventsPath = old.EventsPath, RgbPath = Path.Combine(target, "rgb"), Homography = h }, target, replace: true);
        Assert.Equal(h, rebuilt.Manifest.RgbToEventsHomography);
        Assert.Equal(File.ReadAllBytes(original.EventsPath), File.ReadAllBytes(rebuilt.EventsPath));
        for (int i = 0; i < original.Frames.Count; i++)
            Assert.Equal(File.ReadAllBytes(original.Frames[i].File), File.ReadAllBytes(rebuilt.Frames[i].File));
        Assert.Equal(["bundle", "exposures.csv", "short.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A folder that is not a bundle is refused even with replace, and keeps its file.
        string other = Path.Combine(dir, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        e = Assert.Throws<BundleException>(() => BundleBuilder.Build(sources, other, replace: true));
        Assert.Contains("is not a bundle (no recording.json)", e.Message, StringComparison.Ordinal);
        Assert.Contains("--force replaces only a bundle", e.Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "notes.txt")));
    }
}
