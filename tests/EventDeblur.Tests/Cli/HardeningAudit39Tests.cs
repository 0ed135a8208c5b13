using EventDeblur.Metrics;
using EventDeblur.Live;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// Live-rig findings of stop 38's new-user trial, fixed at stop 39: a missing local <c>--rgb</c> source made OUT before
/// live refused it, and wrong stream ports with a working RGB source ended as exit 1 (data problems) after the whole run
/// instead of a usage error.
/// </summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// A video file or an image-sequence folder that is not there is refused at once (exit 2, naming it), and OUT is not
    /// made; a camera number or a URL is left to OpenCV.
    /// </summary>
    [Fact]
    public void LiveRefusesAMissingRgbSourceBeforeMakingItsOutputFolder()
    {
        string dir = TestPaths.NewTempDir();
        string rig = Path.Combine(Sample, "recording.json");
        // Stop 42: a video OpenCV cannot open (here 3 000 bytes of a real AVI, cut inside its header) is refused as well.
        string cutVideo = Path.Combine(dir, "cut.avi");
        var bundle = RecordingBundle.Load(Sample);
        string whole = Path.Combine(dir, "whole.avi");
        Assert.True(RigVideo.Write(bundle, whole, Path.Combine(dir, "whole.rig.json")) > 0);
        File.WriteAllBytes(cutVideo, File.ReadAllBytes(whole)[..3000]);
        foreach (var (source, says) in new[]
                 {
                     (Path.Combine(dir, "none.avi"), "no such video file"),
                     (cutVideo, "OpenCV cannot open it as a video"),
                     (Path.Combine(dir, "nofolder", "%06d.png"), "the folder of the image sequence"),
                     (Path.Combine(dir, "%06d.png"), "no first frame of the image sequence (index 0 or 1)"),
                     (dir, "a folder, not a video file"),
                 })
        {
            string output = Path.Combine(dir, "out");
            var r = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", source, "--rig", rig, "--out", output, "--duration-s", "1");
            Expect(2, r);
            Assert.Contains($"--rgb {source}: ", r.Err);
            Assert.Contains(says, r.Err);
            Assert.False(Directory.Exists(output), $"{source}: OUT was made before the refusal");
        }
        Assert.Null(RigVideo.MissingLocalSource("0"));
        Assert.Null(RigVideo.MissingLocalSource("rtsp://camera.local/stream"));
        File.WriteAllBytes(Path.Combine(dir, "000001.png"), []);
        Assert.Null(RigVideo.MissingLocalSource(Path.Combine(dir, "%06d.png")));
        Assert.Contains("no first frame", RigVideo.MissingLocalSource(Path.Combine(dir, "%d.png")));
    }

    /// <summary>
    /// Wrong ports (no server) with an RGB source that works: the frames came, no stream ever connected, nothing was
    /// deblurred. That is a rig given wrong, as a run that got nothing at all: exit 2, naming both streams; the run's
    /// folder still records the frames that came and why they failed.
    /// </summary>
    [Fact]
    public void LiveWithWrongPortsAndAWorkingRgbSourceIsAUsageError()
    {
        string dir = TestPaths.NewTempDir();
        var bundle = RecordingBundle.Load(Sample);
        string sequence = Path.Combine(dir, "rgb"), rig = Path.Combine(dir, "rig.json"), output = Path.Combine(dir, "out");
        Assert.True(RigVideo.WriteImageSequence(bundle, sequence, rig) > 0);
        var r = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", RigVideo.SequenceSource(sequence), "--rig", rig,
            "--out", output, "--duration-s", "3", "--deconvolver", "none");
        Expect(2, r);
        Assert.Contains("no frame deblurred: the events and triggers streams (tcp://127.0.0.1:1, tcp://127.0.0.1:2) never connected", r.Err);
        Assert.Contains("never connected during the run", r.Out);
        Assert.True(File.Exists(Path.Combine(output, "run.json")));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// The partial-exposure note said an exposure [start, last + 40 000) "ends 39.999 ms after the last event": it ends
    /// 40 ms after it (the end is exclusive), and one starting 25 ms before the first event says 25 ms.
    /// </summary>
    [Fact]
    public void ThePartialExposureNoteStatesRoundDistances()
    {
        var late = EventDeblur.Sync.ExposureCoverage.Partial(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_140_000), 0, 1_100_000);
        Assert.Equal("exposure [1000000, 1140000) µs ends 40 ms after the last event (at 1100000 µs): 29 % of it has no events, so its kernel comes from part of the motion", late);
        var early = EventDeblur.Sync.ExposureCoverage.Partial(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), 1_025_000, 2_000_000);
        Assert.Equal("exposure [1000000, 1100000) µs starts 25 ms before the first event (at 1025000 µs): 25 % of it has no events, so its kernel comes from part of the motion", early);
        // The last event inside the exposure's last microsecond: the exposure is covered.
        Assert.Null(EventDeblur.Sync.ExposureCoverage.Partial(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), 0, 1_099_999));
        // Stop 48's trial: an 8-ms stretch without events inside an exposure (a sensor's event-rate controller) got no note.
        var steady = Enumerable.Range(0, 1000).Select(i => 1_000_000L + i * 100).ToArray();
        Assert.Null(EventDeblur.Sync.ExposureCoverage.Silence(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), steady));
        var gapped = steady.Where(t => t < 1_040_000 || t >= 1_048_000).ToArray();
        Assert.Equal("exposure [1000000, 1100000) µs has no event from 1039900 to 1048000 µs (8.1 ms; stretches of 2 ms or more without events make 8 % of it) while 920 fall in the rest: the sensor dropped events there (an event-rate controller, a full bus) or nothing moved; its kernel bridges the gap",
            EventDeblur.Sync.ExposureCoverage.Silence(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), gapped));
        // Too few events to judge (a dark, still scene), or a gap shorter than 2 ms: nothing said.
        Assert.Null(EventDeblur.Sync.ExposureCoverage.Silence(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), gapped.Take(90).ToArray()));
        Assert.Null(EventDeblur.Sync.ExposureCoverage.Silence(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), steady.Where(t => t < 1_040_000 || t >= 1_041_500).ToArray()));
        // Stop 48's trial: a first event 8 µs into a 100-ms exposure got a note saying "0 % of it has no events".
        Assert.Null(EventDeblur.Sync.ExposureCoverage.Partial(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), 1_000_008, 2_000_000));
        Assert.NotNull(EventDeblur.Sync.ExposureCoverage.Partial(new EventDeblur.Events.TimeRangeUs(1_000_000, 1_100_000), 1_000_500, 2_000_000));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// A <c>.partial</c> of a writer in another PID namespace (a container sharing the folder) or on another machine was
    /// removed whenever its process number named no process here, under a writer still at work. Temporary names now carry
    /// a token of the machine's boot and the PID namespace; a foreign one is kept until it has not been written for an
    /// hour. Names of this process table (and those without a token, as releases before stop 39 wrote) are judged by the
    /// process number, as before.
    /// </summary>
    [Fact]
    public void APartialOfAWriterInAnotherPidNamespaceIsKeptWhileItMayBeWritten()
    {
        string dir = TestPaths.NewTempDir();
        string ours = EventDeblur.IO.AtomicFile.TempPathFor(Path.Combine(dir, "o.aedat4"));
        Assert.Matches($@"^\.o\.aedat4\.{Environment.ProcessId}\.h{EventDeblur.IO.AtomicFile.HostToken}\.[0-9a-f]{{32}}\.partial$", Path.GetFileName(ours));
        string otherToken = EventDeblur.IO.AtomicFile.HostToken == "00000000" ? "11111111" : "00000000";
        int deadPid = int.MaxValue - 7;
        string foreignFresh = Path.Combine(dir, $".o.aedat4.{deadPid}.h{otherToken}.{Guid.NewGuid():N}.partial");
        string foreignOld = Path.Combine(dir, $".o.aedat4.{deadPid + 1}.h{otherToken}.{Guid.NewGuid():N}.partial");
        string oursDead = Path.Combine(dir, $".o.aedat4.{deadPid}.h{EventDeblur.IO.AtomicFile.HostToken}.{Guid.NewGuid():N}.partial");
        string oldStyleDead = Path.Combine(dir, $".o.aedat4.{deadPid}.{Guid.NewGuid():N}.partial");
        foreach (string f in new[] { ours, foreignFresh, foreignOld, oursDead, oldStyleDead }) File.WriteAllText(f, "x");
        File.SetLastWriteTimeUtc(foreignOld, DateTime.UtcNow - EventDeblur.IO.AtomicFile.ForeignPartialAge - TimeSpan.FromMinutes(1));
        Assert.Equal(3, EventDeblur.IO.AtomicFile.RemoveStalePartials(Path.Combine(dir, "o.aedat4")));
        Assert.True(File.Exists(ours), "this process's own partial was removed");
        Assert.True(File.Exists(foreignFresh), "a foreign writer's fresh partial was removed");
        Assert.False(File.Exists(foreignOld));
        Assert.False(File.Exists(oursDead));
        Assert.False(File.Exists(oldStyleDead));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>replay EVENTFILE</c> of a real DAVIS346 recording whose first event packet is damaged (its LZ4 header): the
    /// packet is skipped, so APS frame 0's exposure ends before the first event left, and the frame was deblurred "ok" from
    /// no events (a 1×1 kernel) without a word — the exposure check skipped APS frames. It fails now, naming the gap and
    /// the likely cause, as an RGB frame does; the frames after it are deblurred. Skipped only when ../shared is absent.
    /// </summary>
    [SkippableFact]
    public void AnApsFrameWhoseExposureLostItsEventsFailsInsteadOfPassingAsOk()
    {
        string real = Path.Combine(TestPaths.RealRecordingsDir, "aedat4", "aestream_davis346_evts_frames_imu_trig.aedat4");
        Skip.IfNot(File.Exists(real), $"{real} is absent (../shared/recordings/real)");
        byte[] bytes = File.ReadAllBytes(real);
        bytes[3226 + 13] ^= 1; // the first events packet's LZ4 frame header
        string dir = TestPaths.NewTempDir();
        string damaged = Path.Combine(dir, "damaged.aedat4");
        File.WriteAllBytes(damaged, bytes);
        var r = Run("replay", damaged, "--out", Path.Combine(dir, "out"), "--deconvolver", "wiener");
        Expect(1, r);
        Assert.Contains("frame 0: exposure [", r.Out + r.Err);
        Assert.Contains("before the first event", r.Out + r.Err);
        Assert.Contains("the APS frame and the events share the camera's clock", r.Out + r.Err);
        string parquet = Path.Combine(dir, "out", "frames.parquet");
        Assert.True(File.Exists(parquet));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>Passes a reader's packets through, with APS frame 0's exposure start moved past its end.</summary>
    private sealed class ReversedFirstExposure(EventDeblur.Formats.Aedat.IAedatReader inner) : EventDeblur.Formats.Aedat.IAedatReader
    {
        private bool _done;

        public EventDeblur.Formats.Aedat.AedatFileInfo Info => inner.Info;

        public IReadOnlyList<EventDeblur.IO.Problem> Problems => inner.Problems;

        public bool TryRead(out EventDeblur.Formats.Aedat.AedatPacket? packet)
        {
            if (!inner.TryRead(out packet)) return false;
            if (!_done && packet is EventDeblur.Formats.Aedat.FramePacket fp)
            {
                _done = true;
                packet = fp with { Frame = fp.Frame with { StartOfExposureUs = fp.Frame.EndOfExposureUs + 1000 } };
            }
            return true;
        }

        public void Dispose() => inner.Dispose();
    }

    /// <summary>
    /// An AEDAT 4.0 APS frame whose exposure ends before it starts: inspect said "problems: none", and replay failed the
    /// frame with .NET's "Non-negative number required (Parameter 'capacity')" — no file, no offset. inspect now reports the
    /// frame's packet, and replay fails that frame naming its exposure, and deblurs the others. Skipped only when ../shared is absent.
    /// </summary>
    [SkippableFact]
    public void AnApsFrameWhoseExposureEndsBeforeItStartsIsNamed()
    {
        string real = Path.Combine(TestPaths.RealRecordingsDir, "aedat4", "aestream_davis346_evts_frames_imu_trig.aedat4");
        Skip.IfNot(File.Exists(real), $"{real} is absent (../shared/recordings/real)");
        string dir = TestPaths.NewTempDir();
        string bad = Path.Combine(dir, "reversed.aedat4");
        using (var reader = new ReversedFirstExposure(EventDeblur.Formats.Aedat.AedatReader.Open(real)))
            EventDeblur.Formats.AedatConverter.ToAedat4(reader, bad, EventDeblur.Formats.Aedat.Aedat4Compression.Lz4);
        var inspect = Run("inspect", bad);
        Expect(1, inspect);
        Assert.Contains("that ends before it starts (expected start ≤ end)", inspect.Out);
        var r = Run("replay", bad, "--out", Path.Combine(dir, "out"), "--deconvolver", "wiener");
        Expect(1, r);
        Assert.Contains("ends before it starts; no events can be collected for it (the event file's frame timestamps are damaged)", r.Out + r.Err);
        Assert.DoesNotContain("capacity", r.Out + r.Err);
        Assert.Contains("2 frames deblurred, 1 failed", r.Out + r.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// A header value holding terminal control sequences (here the AEDAT 2.0 hardware-interface line of a real DAVIS240C
    /// recording set to <c>ESC ] 0 ; pwned BEL ESC [ 2 J</c>) was printed raw by inspect: it retitled the terminal and
    /// cleared the screen. Control characters from the file are now printed as <c>\xNN</c>. Skipped only when ../shared is absent.
    /// </summary>
    [SkippableFact]
    public void HeaderTextWithControlSequencesIsPrintedEscaped()
    {
        string real = Path.Combine(TestPaths.RealRecordingsDir, "aedat2", "sensorfusion_s9-bbae5s_davis240c.aedat");
        Skip.IfNot(File.Exists(real), $"{real} is absent (../shared/recordings/real)");
        byte[] bytes = File.ReadAllBytes(real);
        byte[] from = "# AEChip: eu.seebetter.ini.chips.davis.DAVIS240C"u8.ToArray();
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at > 0);
        byte[] to = [.. from, .. "\u001b]0;pwned\u0007\u001b[2J"u8];
        string hostile = Path.Combine(TestPaths.NewTempDir(), "hostile.aedat");
        File.WriteAllBytes(hostile, [.. bytes.AsSpan(0, at), .. to, .. bytes.AsSpan(at + from.Length)]);
        var r = Run("inspect", hostile);
        Assert.DoesNotContain('\u001b', r.Out + r.Err);
        Assert.DoesNotContain('\u0007', r.Out + r.Err);
        Assert.Contains("\\x1b]0;pwned\\x07\\x1b[2J", r.Out + r.Err);
        Assert.Equal("a\\x1bb\\x9bc\td\ne", EventDeblur.IO.TerminalText.Safe("a\u001bb\u009bc\td\ne"));
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// Stop 39's new-user trial: 640×480 frames downscaled to 320×240 and bundled with the 640×480 calibration. inspect and
    /// bundle said nothing ("100 % … lands on the event sensor") and replay gave 25.52 dB, below the blurry 25.91 (36.97
    /// with the homography rescaled). The frame covering under 40 % of the sensor where the same homography for frames
    /// 2× larger would cover most of it is now a note saying how to rescale; a rig whose RGB frame sits in the middle of
    /// a wider event view (the sample) gets none.
    /// </summary>
    [Fact]
    public void ACalibrationForFramesOfAnotherSizeIsNoted()
    {
        // 640×480 frames onto a 346×260 sensor at 0.5 event px per RGB px, centred: the 320×240 frames give a quarter.
        var made = EventDeblur.Imaging.Homography.FromRowMajor([0.5, 0, 13, 0, 0.5, 10, 0, 0, 1]);
        var right = EventDeblur.Cli.CalibrationView.Of(made, 640, 480, (346, 260));
        Assert.Null(right.OtherFrameSize);
        Assert.InRange(right.SensorCoverageFraction, 0.8, 0.9);
        var small = EventDeblur.Cli.CalibrationView.Of(made, 320, 240, (346, 260));
        Assert.Equal(1.0, small.CoverageFraction);
        Assert.Equal(2, small.OtherFrameSize?.Factor);
        // The review: no such note for the identity (no calibration at all), and a near-singular homography does not throw.
        Assert.Null(EventDeblur.Cli.CalibrationView.Of(EventDeblur.Imaging.Homography.Identity, 160, 120, (346, 260)).OtherFrameSize);
        Assert.Null(EventDeblur.Cli.CalibrationView.Of(EventDeblur.Imaging.Homography.FromRowMajor([1e-6, 0, 0, 0, 1e-6, 0, 0, 0, 1e-6]), 160, 120, (346, 260)).OtherFrameSize);
        // The sample's own calibration (400×300 frames in the middle of the sensor): no note.
        var bundle = RecordingBundle.Load(Sample);
        var notes = new List<EventDeblur.IO.Problem>();
        EventDeblur.Cli.InspectCommand.Calibration(bundle, notes);
        Assert.Empty(notes);
        // And through inspect, on a copy whose homography is the one made for frames twice as large.
        string copy = CopyOfSample();
        string manifest = Path.Combine(copy, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
        json["calibration"]!["rgb_to_events_homography"] = System.Text.Json.Nodes.JsonNode.Parse("[[0.4325, 0, 0.5], [0, 0.4333, 0.3], [0, 0, 1]]");
        File.WriteAllText(manifest, json.ToJsonString());
        var r = Run("inspect", copy);
        Assert.Contains("the 400×300 RGB frame covers only 25 % of the 346×260 event sensor, and the same homography for frames 2× larger (800×600) would cover 100 %", r.Out);
        Assert.Contains("multiply the homography's first two columns by 2", r.Out);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// Stop 39's new-user trial: 8-bit frames that clip at 254 (serve's video of a 16-bit bundle) bundled with the default
    /// saturation (255) replayed at 29.48 dB, 33.88 with --saturation 254, with no hint. bundle now notes a plateau of
    /// pixels at the frames' brightest value below the saturation it assumed, naming the value; and says nothing when
    /// --saturation is given.
    /// </summary>
    [Fact]
    public void BundleNotesFramesThatClipBelowTheAssumedSaturation()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string csv = ExposureCsv(dir, original);
        string[] common = ["bundle", "--events", original.EventsPath, "--rgb", Path.Combine(Sample, "rgb"), "--exposure-csv", csv,
            "--clock-offset-us", original.Manifest.Sync.ClockOffsetUs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--encoding", "linear", "--black", "1024"];
        var r = Run([.. common, "--out", Path.Combine(dir, "a")]);
        Assert.Contains("sit at 65000, their brightest, and none reach the saturation level 65535", r.Out);
        Assert.Contains("--saturation 65000 --force", r.Out);
        var given = Run([.. common, "--saturation", "65000", "--out", Path.Combine(dir, "b")]);
        Assert.DoesNotContain("their brightest", given.Out);
        Assert.DoesNotContain("taken as sRGB-encoded", given.Out);
        // The sample's 16-bit linear frames with --encoding left out: taken as sRGB, which is now said.
        var srgb = Run([.. common[..^4], "--out", Path.Combine(dir, "c")]);
        Assert.Contains("the frames are 16-bit and were taken as sRGB-encoded, the default", srgb.Out);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// Stop 39's new-user trial: convert's own Parquet events table given to bundle, replay or convert said "expected a
    /// version line '#!AER-DAT2.0' … (AEDAT 1.0 has no version line)"; and replay of an event file without APS frames
    /// suggested 'bundle --events my events.aedat4 …' unquoted, which the shell splits.
    /// </summary>
    [Fact]
    public void AParquetTableAndAPathWithASpaceAreNamedRight()
    {
        string dir = TestPaths.NewTempDir();
        string parquet = Path.Combine(dir, "ev out.parquet");
        Expect(0, Run("convert", Path.Combine(Sample, "events.aedat4"), parquet));
        foreach (var r in new[] { Run("convert", parquet, Path.Combine(dir, "x.aedat4")), Run("replay", parquet, "--out", Path.Combine(dir, "o")) })
        {
            Expect(2, r);
            Assert.Contains("is a Parquet file (e.g. the events table 'convert' writes, or a run's frames.parquet), not an event file this reads", r.Err);
            Assert.DoesNotContain("AEDAT 1.0", r.Err);
        }
        string spaced = Path.Combine(dir, "my events.aedat4");
        File.Copy(Path.Combine(Sample, "events.aedat4"), spaced);
        var noFrames = Run("replay", spaced, "--out", Path.Combine(dir, "o2"));
        Expect(2, noFrames);
        Assert.Contains("('bundle --events \"my events.aedat4\" --rgb FRAMES …'", noFrames.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// Stop 39's output-contract trial: frames.parquet's PSNR / SSIM were those of the unrounded result, not of the PNG
    /// written (8-bit APS output: 35.0295 dB / 0.94993 in the table, 34.9994 / 0.94835 from the file). They are now the
    /// metrics of the file, recomputed here from the written PNG and the ground truth.
    /// </summary>
    [Fact]
    public async Task TheTablesMetricsAreThoseOfTheWrittenFrames()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Path.Combine(dir, "aps");
        Expect(0, Run("simulate", "--preset", "aps", "--seed", "3", "--frames", "1", "--out", bundle));
        string output = Path.Combine(dir, "out");
        Expect(0, Run("replay", bundle, "--out", output, "--deconvolver", "wiener"));
        var row = Assert.Single(await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(output, "frames.parquet")));
        var b = RecordingBundle.Load(bundle);
        var gt = b.GroundTruthFrames!.Single(g => g.Index == row.Index);
        var truth = EventDeblur.Imaging.LinearImage.Read(gt.File, EventDeblur.Imaging.PixelEncoding.Linear, 0, 65535, 65536).ToMetricImage();
        string png = Path.Combine(output, "frames", $"{row.Index:D6}.png");
        using var raw = OpenCvSharp.Cv2.ImRead(png, OpenCvSharp.ImreadModes.Unchanged);
        Assert.Equal(OpenCvSharp.MatType.CV_8UC1, raw.Type());
        var written = EventDeblur.Imaging.LinearImage.FromRaw(raw, EventDeblur.Imaging.PixelEncoding.Linear, 0, 255, 256).ToMetricImage();
        var (psnr, ssim) = EventDeblur.Metrics.ImageMetrics.FrameQuality(written, truth);
        Assert.Equal(psnr, row.Psnr!.Value, 9);
        Assert.Equal(ssim, row.Ssim!.Value, 9);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// An event file whose time goes back (two recordings joined, the later one first): inspect's and bundle's exposure
    /// check used the first and last events in file order, so an exposure within the earlier part was reported as lying
    /// wholly before the events (and a clock offset was suggested). It uses the events' true time span now; the backward
    /// step itself is still reported by the reader.
    /// </summary>
    [Fact]
    public void AnExposureWithinEventsThatComeLaterInTheFileIsNotCalledOutside()
    {
        string root = TestPaths.CopyOfSample();
        var bundle = EventDeblur.Recording.RecordingBundle.Load(root);
        long cut = bundle.Frames[0].ExposureEndUs + bundle.Manifest.Sync.ClockOffsetUs + 5_000;
        var early = new List<(long T, short X, short Y, bool P)>();
        var late = new List<(long T, short X, short Y, bool P)>();
        using (var r = EventDeblur.Formats.Aedat.AedatReader.Open(bundle.EventsPath))
            while (r.TryRead(out var p))
                if (p is EventDeblur.Formats.Aedat.EventsPacket ep)
                    using (var b = ep.Events)
                        for (int i = 0; i < b.Count; i++)
                            (b.Timestamps[i] < cut ? early : late).Add((b.Timestamps[i], b.Xs[i], b.Ys[i], b.Polarities[i]));
        Assert.NotEmpty(early);
        Assert.NotEmpty(late);
        var (w, h) = bundle.EventSensorSize;
        using (var writer = EventDeblur.Formats.Aedat.Aedat4Writer.Create(bundle.EventsPath, new EventDeblur.Formats.Aedat.Aedat4WriterOptions { Width = w, Height = h }))
        {
            foreach (var part in new[] { late, early })
                writer.WriteEvents(part.Select(e => e.T).ToArray(), part.Select(e => e.X).ToArray(), part.Select(e => e.Y).ToArray(), part.Select(e => e.P).ToArray());
            writer.Complete();
        }

        var r1 = Run("inspect", root);
        Assert.Contains("earlier than the previous event", r1.Out + r1.Err);
        Assert.DoesNotContain("before the first event", r1.Out + r1.Err);
        Assert.DoesNotContain("clock offset of", r1.Out + r1.Err);
    }
}

public partial class HardeningAuditTests
{
    /// <summary>
    /// Stop 40's convert trial: <c>convert link.aedat4 rec.aedat4 --force</c>, with link.aedat4 a symbolic or hard link to
    /// rec.aedat4, replaced the recording being read (the check compared path strings). Both are refused now, naming the
    /// link, and the recording is untouched.
    /// </summary>
    [Fact]
    public void ConvertRefusesALinkToItsOutputEvenWithForce()
    {
        string dir = TestPaths.NewTempDir();
        string rec = Path.Combine(dir, "rec.aedat4");
        File.Copy(Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night", "events.aedat4"), rec);
        byte[] before = File.ReadAllBytes(rec);
        string soft = Path.Combine(dir, "soft.aedat4");
        File.CreateSymbolicLink(soft, rec);
        var viaSoft = Run("convert", soft, rec, "--force");
        Expect(2, viaSoft);
        Assert.Contains("is the input itself (a link to it, or one it links to)", viaSoft.Err);
        Assert.Equal(before, File.ReadAllBytes(rec));

        string hard = Path.Combine(dir, "hard.aedat4");
        var ln = System.Diagnostics.Process.Start("ln", [rec, hard])!;
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
        var viaHard = Run("convert", hard, rec, "--force");
        Expect(2, viaHard);
        Assert.Contains("is the input itself (a link to it, or one it links to)", viaHard.Err);
        Assert.Equal(before, File.ReadAllBytes(rec));
        // And the other way round: the output a link to the input.
        var toLink = Run("convert", rec, soft, "--force");
        Expect(2, toLink);
        Assert.Equal(before, File.ReadAllBytes(rec));
    }
}
