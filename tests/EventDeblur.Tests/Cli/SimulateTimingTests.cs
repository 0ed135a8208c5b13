using System.Globalization;

namespace EventDeblur.Tests.Cli;

/// <summary>simulate --frame-period-us and --exposure-us: a rig at another frame rate, checked before anything is written.</summary>
public class SimulateTimingTests
{
    [Fact]
    public void ATenFramesPerSecondRigHasItsPeriodAndExposuresInTheFrameTable()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "b");
        var (code, stdout, stderr) = CliTests.Run("simulate", "--preset", "night", "--seed", "3", "--frames", "3", "--rgb-size", "96x64",
            "--frame-period-us", "100000", "--exposure-us", "30000:50000", "--out", dir);
        Assert.True(code == 0, $"exit {code}: {stdout} {stderr}");
        var rows = File.ReadAllLines(Path.Combine(dir, "rgb", "frames.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(f => (Start: long.Parse(f[2], CultureInfo.InvariantCulture), End: long.Parse(f[3], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(3, rows.Count);
        for (int i = 1; i < rows.Count; i++) Assert.Equal(100_000, rows[i].Start - rows[i - 1].Start);
        Assert.All(rows, r => Assert.InRange(r.End - r.Start, 30_000, 50_000));
        Assert.Contains("--frame-period-us 100000 --exposure-us 30000:50000 --out DIR", File.ReadAllText(Path.Combine(dir, "README.md")));
    }

    [Theory]
    [InlineData("--frame-period-us", "50000", "frame period must be at least the longest exposure plus both event margins (120000 + 2 × 10000 = 140000 µs), got 50000 µs")]
    [InlineData("--frame-period-us", "0", "got 0 µs")]
    [InlineData("--frame-period-us", "4611686018427387904", "frame period must be at most 60 s")]
    [InlineData("--exposure-us", "50000", "--exposure-us '50000' is not MIN:MAX in µs")]
    [InlineData("--exposure-us", "60000:40000", "exposure range must be ordered and within 1 ms .. 10 s, got 60000:40000 µs")]
    [InlineData("--exposure-us", "30000:9223372036854775807", "exposure range must be ordered and within 1 ms .. 10 s")]
    public void AnImpossibleTimingIsAUsageErrorAndWritesNothing(string option, string value, string message)
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "b");
        var (code, _, stderr) = CliTests.Run("simulate", "--preset", "night", "--frames", "1", "--rgb-size", "64x48", option, value, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.False(Directory.Exists(dir));
    }
}
