using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventDeblur.Tests.Cli;

/// <summary>inspect shows what a bundle's calibration does, and notes one that maps most of the RGB frame off the event sensor.</summary>
public class InspectCalibrationTests
{
    private static string CopyOfSample() => TestPaths.CopyOfSample();

    [Fact]
    public void TheSamplesCalibrationPutsTheWholeRgbFrameOnTheSensorAtItsScale()
    {
        var (code, stdout, stderr) = CliTests.Run("inspect", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), "--json");
        Assert.True(code == 0, stderr);
        var c = JsonDocument.Parse(stdout).RootElement.GetProperty("bundle").GetProperty("calibration");
        var h = c.GetProperty("rgb_to_events_homography").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(9, h.Length);
        // The RGB frame's top-left corner lands at the homography's translation.
        var tl = c.GetProperty("rgb_corners_on_event_sensor")[0].EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(h[2], tl[0], 0.01);
        Assert.Equal(h[5], tl[1], 0.01);
        // Scale and rotation: |(h0, h3)| event px per RGB px.
        Assert.Equal(Math.Sqrt(h[0] * h[0] + h[3] * h[3]), c.GetProperty("event_px_per_rgb_px").GetDouble(), 3);
        Assert.Equal(1.0, c.GetProperty("rgb_on_event_sensor").GetDouble());
        var text = CliTests.Run("inspect", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"));
        Assert.Contains("calibration: 0.477 event px per RGB px at the centre; 100 % of the RGB frame lands on the event sensor", text.Out);
    }

    [Fact]
    public void ACalibrationThatMissesTheSensorIsNoted()
    {
        string bundle = CopyOfSample();
        string manifest = Path.Combine(bundle, "recording.json");
        var root = JsonNode.Parse(File.ReadAllText(manifest))!;
        var h = root["calibration"]!["rgb_to_events_homography"]!;
        h[0]![2] = 300.0; // the frame starts at x = 300 of a 346-px-wide sensor
        File.WriteAllText(manifest, root.ToJsonString());
        var (code, stdout, _) = CliTests.Run("inspect", bundle, "--json");
        Assert.Equal(0, code);
        var doc = JsonDocument.Parse(stdout).RootElement;
        double share = doc.GetProperty("bundle").GetProperty("calibration").GetProperty("rgb_on_event_sensor").GetDouble();
        Assert.InRange(share, 0.05, 0.3);
        var note = Assert.Single(doc.GetProperty("problems").EnumerateArray(), p => p.GetProperty("message").GetString()!.Contains("the calibration maps only"));
        Assert.Equal("note", note.GetProperty("severity").GetString());
    }

    /// <summary>A homography whose horizon crosses the RGB frame folds it through infinity: noted as such (found by a new-user review).</summary>
    [Fact]
    public void AHomographyThatFoldsTheFrameAcrossItsHorizonIsNoted()
    {
        string bundle = CopyOfSample();
        string manifest = Path.Combine(bundle, "recording.json");
        var root = JsonNode.Parse(File.ReadAllText(manifest))!;
        root["calibration"]!["rgb_to_events_homography"] = JsonNode.Parse("[[1,0,0],[0,1,0],[-0.01,0,1]]");
        File.WriteAllText(manifest, root.ToJsonString());
        var (code, stdout, _) = CliTests.Run("inspect", bundle, "--json");
        Assert.Equal(0, code);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.True(doc.GetProperty("bundle").GetProperty("calibration").GetProperty("folds_across_horizon").GetBoolean());
        var note = Assert.Single(doc.GetProperty("problems").EnumerateArray(), p => p.GetProperty("message").GetString()!.Contains("has its horizon"));
        Assert.Equal("note", note.GetProperty("severity").GetString());
        Assert.DoesNotContain(doc.GetProperty("problems").EnumerateArray(), p => p.GetProperty("message").GetString()!.Contains("the calibration maps only"));
    }
}
