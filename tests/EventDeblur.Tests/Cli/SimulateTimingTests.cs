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

    [Fact]
    public void AnEventMarginLongerThanTheDefaultHasEventsThatLongBeforeAndAfterEachExposureAndTheReadmeSaysSo()
    {
        // A rig recording events all the time (stop 53: frame tables whose windows outlast the exposures need events there).
        string dir = Path.Combine(TestPaths.NewTempDir(), "b");
        var (code, stdout, stderr) = CliTests.Run("simulate", "--preset", "night", "--seed", "3", "--frames", "2", "--rgb-size", "96x64",
            "--frame-period-us", "400000", "--exposure-us", "30000:50000", "--event-margin-us", "150000", "--out", dir);
        Assert.True(code == 0, $"exit {code}: {stdout} {stderr}");
        var rows = File.ReadAllLines(Path.Combine(dir, "rgb", "frames.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(f => (Start: long.Parse(f[2], CultureInfo.InvariantCulture), End: long.Parse(f[3], CultureInfo.InvariantCulture))).ToList();
        var (ic, json, ie) = CliTests.Run("inspect", Path.Combine(dir, "events.aedat4"), "--json", "--no-hash");
        Assert.True(ic == 0, ie);
        var ev = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("events");
        // The frame table is on the RGB camera's clock: the manifest's offset puts it on the events'.
        long offset = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "recording.json"))).RootElement.GetProperty("sync").GetProperty("clock_offset_us").GetInt64();
        long first = ev.GetProperty("min_t_us").GetInt64() - offset, last = ev.GetProperty("max_t_us").GetInt64() - offset;
        // Events within 1 ms of each margin's far end (the camera moves on, so every 100 µs step has events), none beyond it.
        Assert.InRange(first, rows[0].Start - 150_000, rows[0].Start - 149_000);
        Assert.InRange(last, rows[^1].End + 149_000, rows[^1].End + 150_000);
        string readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        Assert.Contains("--exposure-us 30000:50000 --event-margin-us 150000 --out DIR", readme);
        Assert.Contains("over each exposure ± 150 ms", readme);

        // Too long a margin for the period is refused naming both, before anything is written.
        string refused = Path.Combine(TestPaths.NewTempDir(), "r");
        (code, _, stderr) = CliTests.Run("simulate", "--preset", "night", "--frames", "1", "--rgb-size", "64x48", "--exposure-us", "30000:50000", "--event-margin-us", "200000", "--out", refused);
        Assert.Equal(2, code);
        Assert.Contains("frame period must be at least the longest exposure plus both event margins (50000 + 2 × 200000 = 450000 µs)", stderr);
        Assert.False(Directory.Exists(refused));
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
