using EventDeblur.Tests.Cli;

namespace EventDeblur.Tests.Formats.Hdf5;

/// <summary>
/// Inputs the <c>h5</c> fuzz target found crashing, replayed as the user meets them (<c>inspect</c> as a child process, so that
/// a stack overflow, which no catch can stop, fails this test instead of ending the test run).
/// </summary>
public class Hdf5FuzzCrashTests
{
    /// <summary>
    /// A mutated DSEC-like file whose root group holds a soft link that leads back to itself: listing the root's children made
    /// PureHDF follow it until the stack overflowed (CI's 11 s of fuzzing, 1 314 executions in). Now: a clear error, exit 2.
    /// </summary>
    [Fact]
    public void ASoftLinkCycleIsAnErrorNotAStackOverflow()
    {
        string file = Path.Combine(TestPaths.RepoRoot, "tests", "EventDeblur.Tests", "Formats", "Hdf5", "fuzz-crashes", "soft-link-cycle.h5");
        var (code, _, err) = CliTests.Run("inspect", file);
        Assert.DoesNotContain("Stack overflow", err);
        Assert.True(code == 2, $"exit {code}, expected 2; stderr: {err}");
        Assert.Contains("h5_tools layout: dataset events/ys is missing", err);
    }

    /// <summary>
    /// Mutated DSEC-like files whose ms_to_idx states 429 496 729 606 and 65 020 719 620 161 542 entries: checking the
    /// entries after the last event walked all of them (AFL++'s hangs, still running after 10 s on their own). Now the
    /// table is refused as implausible (more than one entry per ms of 27.8 h), exit 1, within seconds.
    /// </summary>
    [Theory]
    [InlineData("huge-ms-to-idx-0.h5", "65020719620161542")]
    [InlineData("huge-ms-to-idx-1.h5", "429496729606")]
    public void AnAbsurdMsToIdxLengthIsReportedNotWalked(string name, string entries)
    {
        string file = Path.Combine(TestPaths.RepoRoot, "tests", "EventDeblur.Tests", "Formats", "Hdf5", "fuzz-crashes", name);
        var (code, stdout, stderr) = CliTests.RunWithin(TimeSpan.FromSeconds(120), "inspect", file);
        string all = stdout + stderr;
        Assert.True(code == 1, $"exit {code}, expected 1; output: {all}");
        Assert.Contains($"dataset ms_to_idx has {entries} entries (expected at most 100000000", all);
    }

    /// <summary>
    /// A mutated DSEC-like file, cut to 2 528 bytes, whose chunk index (a fixed array) declares millions of chunk addresses
    /// past the end of the file: PureHDF read them one 8-byte address at a time from the file, each an empty read (CI's h5
    /// fuzzing: a hang, 45 s with 17 s of system time on its own). Now reads past the end of the file are bounded
    /// (PastEndGuardStream): a clear error naming the dataset and the file's length, exit 2, well under a second.
    /// </summary>
    [Fact]
    public void AChunkIndexPastTheEndOfTheFileIsAnErrorNotAWalk()
    {
        string file = Path.Combine(TestPaths.RepoRoot, "tests", "EventDeblur.Tests", "Formats", "Hdf5", "fuzz-crashes", "chunk-index-past-end.h5");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, stdout, stderr) = CliTests.RunWithin(TimeSpan.FromSeconds(120), "inspect", file);
        string all = stdout + stderr;
        Assert.True(code == 2, $"exit {code} after {clock.Elapsed.TotalSeconds:F1} s, expected 2; output: {all}");
        Assert.Contains("dataset events/p: cannot be read", all);
        Assert.Contains("reads past the end of the file (2528 bytes", all);
    }
}
