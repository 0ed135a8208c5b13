using EventDeblur.Calibration;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Calibration;

/// <summary>
/// The exposure windows' offset from where the events match the frames (stop 49's trial: frames.csv times 5 ms early cost
/// 4.3 dB with no word; `calibrate` now says it and names the replay option). A simulated rig, its windows as written and
/// moved 6 ms early.
/// </summary>
public class WindowOffsetScanTests(ITestOutputHelper output)
{
    /// <summary>A copy of <paramref name="dir"/> whose frames.csv times are moved by <paramref name="shiftUs"/>.</summary>
    private static string Shifted(string dir, long shiftUs)
    {
        string copy = TestPaths.NewTempDir();
        foreach (var f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(copy, Path.GetRelativePath(dir, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        string csv = Path.Combine(copy, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            var ci = System.Globalization.CultureInfo.InvariantCulture;
            lines[i] = $"{f[0]},{f[1]},{long.Parse(f[2], ci) + shiftUs},{long.Parse(f[3], ci) + shiftUs}";
        }
        File.WriteAllLines(csv, lines);
        return copy;
    }

    [Fact]
    public void WindowsMovedEarlyAreFoundAndOnTimeOnesAreNot()
    {
        string dir = TestPaths.NewTempDir();
        var sim = HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 4, RgbWidth = 320, RgbHeight = 240 }, 4901, dir);
        var truth = Homography.FromRowMajor(sim.Homography);

        var onTime = WindowOffsetScan.Scan(RecordingBundle.Load(dir), truth, 0, 8);
        var early = WindowOffsetScan.Scan(RecordingBundle.Load(Shifted(dir, -6000)), truth, 0, 8);
        Assert.NotNull(onTime);
        Assert.NotNull(early);
        output.WriteLine($"on time: {onTime.OffsetUs} µs ({string.Join(", ", onTime.Frames.Select(f => f.BestUs))}), clear {onTime.Clear}; " +
                         $"6 ms early: {early.OffsetUs} µs ({string.Join(", ", early.Frames.Select(f => f.BestUs))}), clear {early.Clear}");
        Assert.Equal(4, onTime.Frames.Count);
        // Stated tolerances: on time within ±2 ms and no replay option suggested; 6 ms early found 6 ms later than the
        // windows to within 2.5 ms (the on-time bundle's own offset included), and suggested.
        Assert.InRange(onTime.OffsetUs, -2000, 2000);
        Assert.False(onTime.Clear);
        Assert.InRange(early.OffsetUs - onTime.OffsetUs, 3500, 8500);
        Assert.True(early.Clear);
        // The latency in use moves the windows the same way: with 6 ms of it, the early bundle is on time again.
        var corrected = WindowOffsetScan.Scan(RecordingBundle.Load(Shifted(dir, -6000)), truth, 6000, 8);
        Assert.NotNull(corrected);
        Assert.InRange(corrected.OffsetUs - onTime.OffsetUs, -1500, 1500);

        // The latency to replay with: none for the on-time bundle; for the early one the offset found, scanned again from
        // there (the refining scan lands within 1 ms of it under the true homography), to within 2.5 ms of 6 ms plus the
        // on-time bundle's own reading.
        Assert.Null(WindowOffsetScan.Suggest(RecordingBundle.Load(dir), truth, 0, onTime, 8));
        var suggestion = WindowOffsetScan.Suggest(RecordingBundle.Load(Shifted(dir, -6000)), truth, 0, early, 8);
        Assert.NotNull(suggestion);
        output.WriteLine($"suggested {suggestion.LatencyUs} µs, refinements {string.Join(", ", suggestion.RefinementsUs)}");
        Assert.Same(early, suggestion.First);
        Assert.InRange(suggestion.LatencyUs - early.OffsetUs, -1000, 1000);
        Assert.InRange(suggestion.LatencyUs - onTime.OffsetUs, 3500, 8500);
    }

    [Fact]
    public void TheTextSaysWhatToDoOnlyWhenTheOffsetIsClear()
    {
        var clear = new WindowOffsetResult(5400, [(0, 4700), (1, 8700), (2, 7400)]);
        var unclear = new WindowOffsetResult(2800, [(0, 2300), (1, 5000), (2, 1200)]);
        Assert.True(clear.Clear);
        Assert.False(unclear.Clear);
        Assert.Equal("exposure windows: the events match the frames best +5.4 ms from the windows (per frame: +4.7, +8.7, +7.4 ms): a camera latency or frames.csv times off by that much; replay with --event-latency-us 6400 (or --event-latency-us auto, which scans the same way), or correct the times",
            EventDeblur.Cli.CalibrateCommand.OffsetLine(clear, 1000));
        Assert.Contains("within what a scan of ±50 ms in 1-ms steps tells from on time", EventDeblur.Cli.CalibrateCommand.OffsetLine(unclear, 0));
        Assert.Equal("exposure windows: too few frames with events to compare their timing", EventDeblur.Cli.CalibrateCommand.OffsetLine(null, 0));
        // Frames that scatter (stop 49's second trial: a no-streaks bundle on time, −0.4, +3.0, +10.1 and +10.4 ms) get
        // no option, however many lie on one side; an offset at the edge of the search says the windows may be off by more.
        var scattered = new WindowOffsetResult(3800, [(0, -400), (1, 3000), (2, 10100), (3, 10400)]);
        Assert.False(scattered.Clear);
        Assert.Equal(3700, scattered.ScatterUs);
        Assert.Contains("but the frames do not agree on it", EventDeblur.Cli.CalibrateCommand.OffsetLine(scattered, 0));
        Assert.DoesNotContain("tells from on time", EventDeblur.Cli.CalibrateCommand.OffsetLine(scattered, 0));
        var edge = new WindowOffsetResult(49_600, [(0, 49_000), (1, 50_000), (2, 49_800)]);
        Assert.True(edge.AtEdge);
        Assert.False(edge.Clear);
        Assert.StartsWith("exposure windows: the events match the frames best at the edge of the ±50-ms search (+49.6 ms; per frame: +49, +50, +49.8 ms): the windows may be off by more",
            EventDeblur.Cli.CalibrateCommand.OffsetLine(edge, 0));
    }
}
