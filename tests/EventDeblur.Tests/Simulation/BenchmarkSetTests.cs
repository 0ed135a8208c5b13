using EventDeblur.Simulation;

namespace EventDeblur.Tests.Simulation;

/// <summary>Benchmark-set CSV files, and since stop 54 their optional <c>flicker_hz</c> column (recordings/flicker-set.csv).</summary>
public class BenchmarkSetTests
{
    private static string Csv(string text)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "set.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EveryShippedSetReadsAndItsEntriesAreValid()
    {
        string dir = Path.Combine(TestPaths.RepoRoot, "recordings");
        var files = Directory.GetFiles(dir, "*.csv");
        Assert.Contains(files, f => Path.GetFileName(f) == "flicker-set.csv");
        foreach (string file in files)
        {
            var entries = BenchmarkSet.Read(file);
            Assert.NotEmpty(entries);
            foreach (var e in entries) e.Options().Validate();
        }
        // The flicker set: three presets × two seeds, steady and at 50, 60, 100 and 120 Hz, 320×240.
        var flicker = BenchmarkSet.Read(Path.Combine(dir, "flicker-set.csv"));
        Assert.Equal(30, flicker.Count);
        Assert.Equal([null, 50.0, 60.0, 100.0, 120.0], flicker.Select(e => e.FlickerHz).Distinct().Order());
        Assert.All(flicker, e => Assert.Equal(6, flicker.Count(o => o.FlickerHz == e.FlickerHz)));
        Assert.All(flicker, e => Assert.Equal((320, 240), (e.Options().RgbWidth, e.Options().RgbHeight)));
    }

    [Fact]
    public void AFlickerColumnGivesTheLightsTheirFrequencyAndTheBundleItsCommand()
    {
        var entries = BenchmarkSet.Read(Csv("name,preset,seed,frames,rgb_size,flicker_hz\nsteady,night,2,1,64x48,\nlamps,night,2,1,64x48,100\n"));
        Assert.Null(entries[0].FlickerHz);
        Assert.Null(entries[0].Options().FlickerHz);
        Assert.Equal(100, entries[1].FlickerHz);
        Assert.Equal(100, entries[1].Options().FlickerHz);
        Assert.EndsWith(" --rgb-size 64x48 --flicker-hz 100", entries[1].CommandArguments(), StringComparison.Ordinal);
        // The bundle's README states the same command, so that `simulate --set` recognises the bundle as this row's.
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(entries[1].Options(), entries[1].Seed, dir);
        Assert.Contains($"simulate {entries[1].CommandArguments()} --out", File.ReadAllText(Path.Combine(dir, "README.md")), StringComparison.Ordinal);
        // Without the column, as before.
        Assert.Null(Assert.Single(BenchmarkSet.Read(Csv("name,preset,seed,frames,rgb_size\na,night,1,1,64x48\n"))).FlickerHz);
    }

    [Theory]
    [InlineData("name,preset,seed,frames,rgb_size,flicker_hz\na,night,1,1,64x48,abc\n", "line 2: flicker_hz 'abc'")]
    [InlineData("name,preset,seed,frames,rgb_size,flicker_hz\na,night,1,1,64x48,0\n", "line 2: flicker_hz '0'")]
    [InlineData("name,preset,seed,frames,rgb_size,flicker_hz\na,night,1,1,64x48\n", "line 2: expected 'name,preset,seed,frames,WxH,HZ'")]
    [InlineData("name,preset,seed,frames,rgb_size\na,night,1,1,64x48,100\n", "line 2: expected 'name,preset,seed,frames,WxH'")]
    [InlineData("name,preset,seed,frames,rgb_size,flicker\n", "line 1: expected header")]
    public void ABadFlickerColumnIsRefusedWithItsLine(string csv, string expected)
    {
        var e = Assert.Throws<FormatException>(() => BenchmarkSet.Read(Csv(csv)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlickerOnADomainBRowIsRefusedByItsOptions()
    {
        var entry = Assert.Single(BenchmarkSet.Read(Csv("name,preset,seed,frames,rgb_size,flicker_hz\nb,b-night,1,1,64x48,100\n")));
        Assert.Contains("domain A", Assert.Throws<ArgumentException>(() => entry.Options().Validate()).Message, StringComparison.Ordinal);
    }
}
