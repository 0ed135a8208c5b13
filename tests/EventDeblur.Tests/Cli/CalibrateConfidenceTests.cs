using System.Globalization;
using System.Text.RegularExpressions;
using EventDeblur.Calibration;
using EventDeblur.Cli;
using EventDeblur.Imaging;

namespace EventDeblur.Tests.Cli;

/// <summary><c>calibrate</c> says what its confidence is made of, and the parts multiply to it.</summary>
public class CalibrateConfidenceTests
{
    [Fact]
    public void TheConfidenceLineShowsItsFactors()
    {
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "calibrate", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"));
        Assert.True(r.Code == 0, r.Err);
        var m = Regex.Match(r.Out, @"confidence ([0-9.]+) = \(1 - ambiguity ([0-9.]+)\) × (\d+)/(\d+) frames used × 1/\(1 \+ residual ([0-9.]+) px\)");
        Assert.True(m.Success, r.Out);
        double D(int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        double product = (1 - D(2)) * D(3) / D(4) / (1 + D(5));
        // Each factor is printed to 2 decimals, so the product agrees with the printed confidence to about 0.01.
        Assert.InRange(product, D(1) - 0.015, D(1) + 0.015);
        Assert.InRange(D(1), 0.01, 1);
        // The sample's fit is precise (standard error 0.17 event px, 0.2 px from the manifest's calibration) with a
        // moderate rival (ambiguity 0.47): the verdict reads it as reliable although the confidence product is 0.41.
        Assert.Contains("verdict: reliable (", r.Out);
        Assert.Contains("not written: run again with --write", r.Out);
    }

    [Fact]
    public void TheJsonHasTheVerdictAndTheSearchsSimilarity()
    {
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "calibrate", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("reliable", root.GetProperty("verdict").GetString());
        Assert.Equal(0, root.GetProperty("verdict_reasons").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("advice").ValueKind);
        // The rig's scale is 0.47 event px per RGB px (the homography's first entry); the search's finer level steps 2 %.
        Assert.InRange(root.GetProperty("search_scale").GetDouble(), 0.47 * 0.96, 0.47 * 1.04);
        Assert.InRange(root.GetProperty("search_rotation_deg").GetDouble(), -3, 3);
        Assert.False(root.TryGetProperty("coarse_scale", out _));
        // The sample's exposure windows are on time (since stop 49: +0.4 ms when written), with no latency suggested.
        Assert.InRange(root.GetProperty("window_offset_us").GetInt64(), -2000, 2000);
        Assert.False(root.GetProperty("window_offset_clear").GetBoolean());
        Assert.Equal(3, root.GetProperty("window_offset_frames_us").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("suggested_event_latency_us").ValueKind);
    }

    [Fact]
    public void TheTextNamesEachFrameLeftOutAndTheVerdictsReasons()
    {
        var frames = new List<FrameCalibration>
        {
            new(0, 150_000, 0.9, 0.2, true, null),
            new(3, 800, double.NaN, double.NaN, false, "too few events in the exposure (800 < 2000)"),
            new(5, 90_000, 0.1, double.NaN, false, "events and frame disagree (ECC correlation 0.100 < 0.25)"),
            new(7, 120_000, 0.8, 0.3, true, null),
            new(9, 110_000, 0.85, 0.25, true, null),
        };
        var result = new CalibrationResult(Homography.FromRowMajor([0.47, 0, 80, 0, 0.47, 50, 0, 0, 1]), 0.9, 0.52, 3, 5, 0.2, 0.65, 0.47, 0, frames);
        var verdict = CalibrationVerdict.Judge(result);
        var lines = CalibrateCommand.TextReport(result, verdict, double.NaN).ToList();
        Assert.Contains("left out: frame 3 (800 events): too few events in the exposure (800 < 2000)", lines);
        Assert.Contains("left out: frame 5 (90,000 events): events and frame disagree (ECC correlation 0.100 < 0.25)", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("left out:", StringComparison.Ordinal)));
        var v = Assert.Single(lines, l => l.StartsWith("verdict:", StringComparison.Ordinal));
        Assert.StartsWith("verdict: usable: ", v);
        Assert.Contains("0.65 of the best", v);
        Assert.Contains("standard error 0.52", v);
        Assert.Contains("--checkerboard", v);
        Assert.Contains(lines, l => l.Contains("maps no grid point", StringComparison.Ordinal));
    }
}
