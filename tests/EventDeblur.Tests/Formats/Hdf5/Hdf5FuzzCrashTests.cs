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
}
