using EventDeblur.Cli;

namespace EventDeblur.Tests.Cli;

/// <summary>Issue 15 item 12: replay on a video or on a folder of bundles says what it needs and what to do instead.</summary>
public class ReplayHintTests
{
    [Fact]
    public void AVideoIsNamedAsOneWithTheWayToPlayIt()
    {
        string video = Path.Combine(TestPaths.NewTempDir(), "night.MP4");
        File.WriteAllBytes(video, new byte[16]);
        string? hint = ReplayCommand.NotABundleHint(video);
        Assert.NotNull(hint);
        Assert.Contains(video, hint);
        Assert.Contains("not a recording bundle but a video", hint);
        Assert.Contains("live --rgb", hint);
    }

    [Fact]
    public void AFolderOfBundlesNamesTheFirstAndEval()
    {
        string dir = TestPaths.NewTempDir();
        foreach (var name in new[] { "b-002", "a-001" })
        {
            Directory.CreateDirectory(Path.Combine(dir, name));
            File.WriteAllText(Path.Combine(dir, name, "recording.json"), "{}");
        }
        Directory.CreateDirectory(Path.Combine(dir, "notes"));
        string? hint = ReplayCommand.NotABundleHint(dir);
        Assert.NotNull(hint);
        Assert.Contains("a folder of 2 bundles", hint);
        Assert.Contains($"eventdeblur replay {Path.Combine(dir, "a-001")} --out OUT", hint);
        Assert.Contains($"eventdeblur eval {dir} --out OUT", hint);
    }

    [Fact]
    public void ABundleOrAnythingElseGetsNoHint()
    {
        string dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "recording.json"), "{}");
        Assert.Null(ReplayCommand.NotABundleHint(dir));
        Assert.Null(ReplayCommand.NotABundleHint(Path.Combine(dir, "missing")));
        Assert.Null(ReplayCommand.NotABundleHint(TestPaths.NewTempDir()));
        string events = Path.Combine(dir, "e.aedat4");
        File.WriteAllBytes(events, new byte[4]);
        Assert.Null(ReplayCommand.NotABundleHint(events)); // event files are the bundle loader's (and the ownrec work's) to explain
    }
}
