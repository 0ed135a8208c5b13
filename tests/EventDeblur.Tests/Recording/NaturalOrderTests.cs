using EventDeblur.Recording;

namespace EventDeblur.Tests.Recording;

/// <summary>
/// Stop 39's new-user trial: frames named by their decimal timestamps (t_0.0, t_0.25, t_0.5) were ordered t_0.0, t_0.5,
/// t_0.25 — each digit run by its integer value — so bundle paired frames with the wrong exposure rows and replay said
/// 'ok' at 24 dB instead of 34. Reading a run after "digits." as a decimal fraction fixes those names but breaks
/// counters (take1.9 before take1.10, as the review found), so a folder whose names sort differently the two ways is
/// refused with the reason; names that sort alike either way (zero-padded numbers, fixed-width times) are taken.
/// </summary>
public class NaturalOrderTests
{
    [Fact]
    public void CountersAndDecimalsHaveTheirOwnOrders()
    {
        string[] counters = ["frame1.png", "frame2.png", "frame10.png", "take1.1.png", "take1.2.png", "take1.9.png", "take1.10.png", "take1.11.png"];
        var c = counters.Reverse().ToList();
        c.Sort(NaturalOrder.Instance);
        Assert.Equal(counters, c);
        string[] times = ["t_0.0.png", "t_0.05.png", "t_0.25.png", "t_0.5.png", "t_0.75.png", "t_1.0.png", "t_1.5.png", "t_2.png", "t_10.125.png"];
        var t = times.Reverse().ToList();
        t.Sort(NaturalOrder.Decimal);
        Assert.Equal(times, t);
        Assert.True(NaturalOrder.Instance.Compare("frame7.png", "frame007.png") < 0); // 007 after 7, as before
    }

    [Fact]
    public void AFolderReadableBothWaysIsAmbiguous()
    {
        Assert.NotNull(NaturalOrder.Ambiguity(["t_0.0.png", "t_0.25.png", "t_0.5.png"]));
        Assert.NotNull(NaturalOrder.Ambiguity(["take1.1.png", "take1.2.png", "take1.10.png"]));
        Assert.Null(NaturalOrder.Ambiguity(["000000.png", "000001.png", "000010.png"]));
        Assert.Null(NaturalOrder.Ambiguity(["1700000000.125000.png", "1700000000.250000.png", "1700000001.000000.png"]));
        Assert.Null(NaturalOrder.Ambiguity(["IMG 9.png", "IMG 10.png"]));
    }

    [Fact]
    public void BundleRefusesAFolderOfAmbiguousNames()
    {
        var sample = RecordingBundle.Load(Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"));
        string dir = TestPaths.NewTempDir(), rgb = Path.Combine(dir, "rgb");
        Directory.CreateDirectory(rgb);
        string[] names = ["t_0.0.png", "t_0.25.png", "t_0.5.png"];
        for (int i = 0; i < 3; i++) File.Copy(sample.Frames[i].File, Path.Combine(rgb, names[i]));
        string csv = Path.Combine(dir, "t.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", .. sample.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        var e = Assert.Throws<BundleException>(() => BundleBuilder.Build(new BundleSources { EventsPath = sample.EventsPath, RgbPath = rgb, ExposureCsvPath = csv }, Path.Combine(dir, "b")));
        Assert.Contains("the frame names sort one way read as counters and another read as decimal numbers", e.Message);
    }
}
