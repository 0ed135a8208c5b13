using static EventDeblur.Tests.Cli.CliTests;

namespace EventDeblur.Tests.Cli;

/// <summary><c>preview</c> names every kind of file it wrote, and only those: on a bundle and on an event file with its own APS frames.</summary>
public class PreviewLegendTests
{
    [Fact]
    public void TheLegendNamesTheFilesWrittenForABundle()
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "pv");
        var r = Run("preview", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), "--frame", "0", "--out", outDir);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("NNNNNN-blurry.png: the input frame", r.Out);
        Assert.Contains("-sharp.png: its ground truth", r.Out);
        Assert.Contains("-events.png: the exposure's events", r.Out);
        Assert.Contains("-kernel.png: the ground-truth kernel", r.Out);
        Assert.DoesNotContain("-compare.png", r.Out);
    }

    [SkippableFact]
    public void TheLegendOfAnEventFileNamesOnlyItsFrameAndEvents()
    {
        TestPaths.RequireShared();
        string outDir = Path.Combine(TestPaths.NewTempDir(), "pv");
        var r = Run("preview", Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4"), "--frame", "0", "--out", outDir);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(new[] { "000000-blurry.png", "000000-events.png" }, Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)).Order().ToArray());
        Assert.Contains("NNNNNN-blurry.png: the input frame (RGB, or the APS frame of a DAVIS alone), tone-mapped; -events.png: the exposure's events (ON red, OFF blue)", r.Out);
        Assert.DoesNotContain("-sharp.png", r.Out);
    }
}
