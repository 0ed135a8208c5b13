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
        foreach (var (source, says) in new[]
                 {
                     (Path.Combine(dir, "none.avi"), "no such video file"),
                     (Path.Combine(dir, "nofolder", "%06d.png"), "the folder of the image sequence"),
                     (Path.Combine(dir, "%06d.png"), "no first frame of the image sequence (index 0 or 1)"),
                     (dir, "a folder, not a video file"),
                 })
        {
            string output = Path.Combine(dir, "out");
            var r = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:1", "--rgb", source, "--rig", rig, "--out", output, "--duration-s", "1");
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
