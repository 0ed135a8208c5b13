namespace EventDeblur.Tests.Cli;

/// <summary>
/// Findings of stop 43's README audit (a new user running every command the README shows), fixed at stop 43.
/// </summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// A bundle simulated again in place with fewer frames kept the earlier simulation's later frames, ground-truth frames
    /// and kernels, and a cancelled simulation's hidden event file stayed for good. Both are removed now, and said.
    /// </summary>
    [Fact]
    public void SimulateInPlaceRemovesWhatAnEarlierSimulationLeft()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "sim");
        string[] args = ["simulate", "--preset", "night", "--seed", "1", "--rgb-size", "64x48", "--out", dir];
        Expect(0, Run([.. args, "--frames", "3"]));
        Assert.True(File.Exists(Path.Combine(dir, "rgb", "000002.png")));
        // What a killed writer leaves (a process number that runs no process, the name of a release before stop 39).
        string partial = Path.Combine(dir, ".events.aedat4.999999999.0123456789abcdef0123456789abcdef.partial");
        File.WriteAllBytes(partial, new byte[100]);
        // A file of the user's beside the frames, not named like a frame, is kept.
        File.WriteAllText(Path.Combine(dir, "rgb", "notes.png"), "mine");

        var r = Run([.. args, "--frames", "1"]);
        Expect(0, r);
        Assert.Contains("removed 6 frame, ground-truth or kernel file(s) numbered past this bundle's 1 frame(s) and 1 .partial file(s) of a killed writer, left by an earlier simulation there", r.Out);
        Assert.Equal(["000000.png", "notes.png"], Directory.GetFiles(Path.Combine(dir, "rgb"), "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["000000.csv"], Directory.GetFiles(Path.Combine(dir, "gt", "kernels")).Select(Path.GetFileName));
        Assert.False(File.Exists(partial));
    }
}
