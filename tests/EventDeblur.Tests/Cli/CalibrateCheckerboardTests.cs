using System.Text.Json;
using EventDeblur.Calibration;
using EventDeblur.Imaging;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Tests.Calibration;

namespace EventDeblur.Tests.Cli;

/// <summary><c>calibrate BUNDLE --checkerboard COLSxROWS</c> run as a user would (a child process).</summary>
public class CalibrateCheckerboardTests
{
    [Fact]
    public void JsonGivesTheBoardsHomographyAndWriteStoresIt()
    {
        string dir = TestPaths.NewTempDir();
        try { CalibrateAndWrite(dir); }
        finally { Directory.Delete(dir, recursive: true); } // 15 MB of events
    }

    private static void CalibrateAndWrite(string dir)
    {
        var (bundle, truth, _) = BoardCalibratorTests.Simulate(dir, 6, 4);
        var (code, stdout, stderr) = CliTests.RunWithin(TimeSpan.FromMinutes(3), "calibrate", bundle.Root, "--checkerboard", "9x6", "--json", "--write");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("checkerboard", j.GetProperty("method").GetString());
        var rows = j.GetProperty("rgb_to_events_homography").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        var estimate = Homography.FromRowMajor(rows.SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray());
        var rgb = bundle.Manifest.Rgb!;
        double max = HomographyGrid.MaxDistanceEventPx(estimate, truth, rgb.Width, rgb.Height, bundle.EventSensorSize.Width, bundle.EventSensorSize.Height);
        Assert.True(max <= 0.3, $"largest mapping error {max:F3} event px");
        Assert.InRange(j.GetProperty("residual_event_px").GetDouble(), 0, 0.3);
        Assert.Equal(4, j.GetProperty("frames_used").GetInt32());
        Assert.Equal(4, j.GetProperty("frames_tried").GetInt32());
        Assert.Equal(4 * 54, j.GetProperty("corners_matched").GetInt32());
        Assert.Equal(4, j.GetProperty("frames").GetArrayLength());
        Assert.Contains("wrote the homography", stderr);
        // The manifest now holds the estimate (normalised, h22 = 1).
        var written = RecordingManifest.Parse(File.ReadAllText(Path.Combine(bundle.Root, "recording.json")), "recording.json").RgbToEventsHomography;
        Assert.Equal(estimate.ToRowMajor(), written, (x, y) => Math.Abs(x - y) <= 1e-12 * Math.Max(1, Math.Abs(x)));
    }

    [Fact]
    public void ARecordingWithoutTheBoardExitsOneWithTheReasonAndWritesNothing()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 160, RgbHeight = 120 }, 9, dir);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "recording.json"));
        var (code, stdout, stderr) = CliTests.RunWithin(TimeSpan.FromMinutes(2), "calibrate", dir, "--checkerboard", "9x6", "--write");
        Assert.True(code == 1, $"exit {code}: {stdout} {stderr}");
        Assert.Contains("the 9x6 board was not found in the RGB frame", stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "recording.json")));
    }

    /// <summary>With --json a refusal still answers in JSON on stdout: the bundle, the reason and the exit code.</summary>
    [Fact]
    public void ARefusalWithJsonPrintsTheReasonAsJson()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 160, RgbHeight = 120 }, 9, dir);
        var (code, stdout, stderr) = CliTests.RunWithin(TimeSpan.FromMinutes(2), "calibrate", dir, "--checkerboard", "9x6", "--json");
        Assert.True(code == 1, $"exit {code}: {stdout} {stderr}");
        var root = System.Text.Json.JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(dir, root.GetProperty("bundle").GetString());
        Assert.Contains("the 9x6 board was not found in the RGB frame", root.GetProperty("error").GetString());
        Assert.Equal(1, root.GetProperty("exit_code").GetInt32());
        Assert.Contains("the 9x6 board was not found in the RGB frame", stderr);
    }

    [Fact]
    public void ABoardSizeThatIsNotColsByRowsIsAUsageError()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 160, RgbHeight = 120 }, 10, dir);
        var (code, _, stderr) = CliTests.RunWithin(TimeSpan.FromMinutes(2), "calibrate", dir, "--checkerboard", "9by6");
        Assert.Equal(2, code);
        Assert.Contains("--checkerboard board '9by6': expected COLSxROWS", stderr);
    }
}
