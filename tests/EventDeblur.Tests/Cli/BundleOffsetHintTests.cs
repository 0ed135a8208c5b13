using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventDeblur.Events;
using EventDeblur.Recording;
using EventDeblur.Sync;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// A bundle made with no clock offset (frames.csv on the RGB clock, events on theirs) gets one note with the offset that
/// brings its exposures onto the events, and <c>bundle --force</c> rebuilds it in place with that offset.
/// </summary>
public class BundleOffsetHintTests
{
    [Fact]
    public void AMissingOffsetIsSuggestedAndTheForcedRebuildWithItPairsEveryFrame()
    {
        string sample = Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night");
        var original = RecordingBundle.Load(sample);
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "exposures.csv");
        // The sample's frames.csv is on the RGB clock; its recording.json adds 1 234 567 µs to reach the event clock.
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", .. original.Frames.Select(f => $"{f.ExposureStartUs},{f.ExposureEndUs}")]);
        string h = string.Join(",", original.Manifest.RgbToEventsHomography.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        string outDir = Path.Combine(dir, "b");
        string[] args = ["bundle", "--events", original.EventsPath, "--rgb", Path.Combine(sample, "rgb"), "--exposure-csv", csv, "--encoding", "linear", "--black", "1024", "--homography", h, "--out", outDir];

        var first = CliTests.RunWithin(TimeSpan.FromMinutes(2), args);
        Assert.True(first.Code == 1, first.Out + first.Err);
        var m = Regex.Match(first.Out, @"a clock offset of (-?\d+) µs would start the first exposure at the first event \(the exposures \(0\.\d+ s\) then fall within the events");
        Assert.True(m.Success, first.Out);
        long suggested = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        // The true offset is 1 234 567 µs; the events start ~10 ms before the first exposure, so the suggestion lies within 20 ms of it.
        Assert.InRange(suggested, 1_234_567 - 20_000, 1_234_567 + 20_000);
        Assert.Contains($"'bundle --clock-offset-us {suggested}'", first.Out);
        Assert.Contains("next: no exposure meets the events; run the same command again with the rig's clock offset, --clock-offset-us N --force, or with --sync triggers", first.Out);
        Assert.Contains($"--clock-offset-us {suggested} only starts the first exposure at the first event, a guess to check", first.Out);
        Assert.Contains("only a starting point, not a measurement", first.Out);

        // Without --force the bundle is refused as one that exists; with it, rebuilt in place.
        var refused = CliTests.RunWithin(TimeSpan.FromMinutes(2), [.. args, "--clock-offset-us", suggested.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(2, refused.Code);
        Assert.Contains("is a bundle already; give a new folder, or --force to replace it", refused.Err);
        var second = CliTests.RunWithin(TimeSpan.FromMinutes(2), [.. args, "--clock-offset-us", suggested.ToString(CultureInfo.InvariantCulture), "--force"]);
        Assert.True(second.Code == 0, second.Out + second.Err);
        Assert.DoesNotContain("problem:", second.Out);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "recording.json")));
        Assert.Equal(suggested, manifest.RootElement.GetProperty("sync").GetProperty("clock_offset_us").GetInt64());
    }

    [Fact]
    public void NoHintWhenAnyExposureMeetsTheEventsOrTheSyncHasNoOffset()
    {
        TimeRangeUs[] before = [new(0, 100), new(200, 300)];
        Assert.Equal(1_000L, ExposureCoverage.SuggestedOffsetUs(before, 1_000, 5_000, 0, "table"));
        Assert.Equal(-9_000L, ExposureCoverage.SuggestedOffsetUs([new(10_000, 10_100)], 1_000, 5_000, 0, "table"));
        Assert.Null(ExposureCoverage.SuggestedOffsetUs([new(0, 100), new(900, 1_100)], 1_000, 5_000, 0, "table")); // the second overlaps
        Assert.Null(ExposureCoverage.SuggestedOffsetUs(before, 1_000, 5_000, 0, "triggers"));
        Assert.Null(ExposureCoverage.SuggestedOffsetUs(before, null, null, 0, "table"));
        Assert.Null(ExposureCoverage.SuggestedOffsetUs([], 1_000, 5_000, 0, "table"));
        Assert.Null(ExposureCoverage.SuggestedOffsetUs([new(long.MinValue + 1, long.MinValue + 2)], long.MaxValue - 1, long.MaxValue, long.MaxValue, "table"));
        var note = ExposureCoverage.OffsetHint(before, 1_000, 5_000, 250, "table");
        Assert.NotNull(note);
        Assert.Contains("a clock offset of 1250 µs", note!.ToString());
        Assert.Contains("with clock offset 250 µs", note.ToString());
    }
}
