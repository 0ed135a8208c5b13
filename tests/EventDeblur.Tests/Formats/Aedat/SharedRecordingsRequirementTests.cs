namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>Issue 15 item 14: a missing ../shared fails the run under CI instead of skipping 28 cases.</summary>
public class SharedRecordingsRequirementTests
{
    private static string Missing() => Path.Combine(TestPaths.NewTempDir(), "no-such-shared", "recordings", "real");

    [Fact]
    public void MissingSharedIsAFailureUnderCi()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TestPaths.RequireShared(Missing(), ci: true));
        Assert.Contains("CI is set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSharedIsASkipWithAReasonLocally()
    {
        var e = Assert.Throws<Xunit.SkipException>(() => TestPaths.RequireShared(Missing(), ci: false));
        Assert.Contains("recordings/real is absent", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PresentSharedPassesEitherWay()
    {
        string dir = TestPaths.NewTempDir();
        TestPaths.RequireShared(dir, ci: true);
        TestPaths.RequireShared(dir, ci: false);
    }
}
