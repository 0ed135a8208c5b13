namespace EventDeblur.Tests.Cli;

/// <summary>Findings of stop 48's contract audit (a lab whose own tools read the output folders), fixed at stop 48.</summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// RECORDING_FORMAT.md: frames.parquet holds one row per frame. A frames.csv row skipped for its times (end ≤ start, a
    /// time with a fraction) or its file (an absolute path) had no row at all, where one whose image failed the check had a
    /// failed row: a reader joining frames.csv to frames.parquet on index found the frame missing.
    /// </summary>
    [Theory]
    [InlineData("1,000001.png,1699999999015433,1699999999015433", "exposure_end_us 1699999999015433 must exceed exposure_start_us")]
    [InlineData("1,000001.png,1699999999015433.0,1699999999055733", "with integer times")]
    [InlineData("1,/tmp/000001.png,1699999999015433,1699999999055733", "row skipped")]
    public async Task AFramesCsvRowSkippedForItsTimesOrFileGetsAFailedRow(string row, string reason)
    {
        string bundle = CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        lines[2] = row;
        File.WriteAllLines(csv, lines);
        string out1 = NewOut();
        var replay = Run("replay", bundle, "--out", out1, "--deconvolver", "none");
        Assert.Equal(1, replay.Code);
        Assert.Contains("2 frames deblurred, 1 failed", replay.Out + replay.Err);
        var rows = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(out1, "frames.parquet"));
        Assert.Equal([0L, 1, 2], rows.Select(r => r.Index).Order());
        var failed = rows.Single(r => r.Index == 1);
        Assert.Equal("failed", failed.Status);
        Assert.Contains(reason, failed.Error);
        Assert.Contains("(frames.csv line 3)", failed.Error);
        // An index that does not read (or does not rise) still cannot have a row: nothing to join it to.
        lines[2] = "x,000001.png,1699999999015433,1699999999055733";
        File.WriteAllLines(csv, lines);
        string out2 = NewOut();
        Run("replay", bundle, "--out", out2, "--deconvolver", "none");
        Assert.Equal([0L, 2], (await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(out2, "frames.parquet"))).Select(r => r.Index).Order());
    }

    /// <summary>
    /// A malformed ground-truth kernel file (an even size; weights summing to 2) only scores the kernels: with event kernels
    /// the frame keeps its result, its PNG and an `ok`, and its kernel similarity is left out with the reason, as for tiles
    /// that overlap (stop 48's contract audit: the frame failed and its deblurred PNG was removed).
    /// </summary>
    [Theory]
    [InlineData("even")]
    [InlineData("sum2")]
    public async Task AMalformedGroundTruthKernelLeavesTheFrameOkWithoutItsKernelSimilarity(string damage)
    {
        string bundle = CopyOfSample();
        string csv = Path.Combine(bundle, "gt", "kernels", "000000.csv");
        var f = File.ReadAllText(csv).Trim().Split(',');
        int size = int.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture);
        string broken = damage == "even"
            ? string.Join(",", f.Take(4).Append("2").Concat(["0.25", "0.25", "0.25", "0.25"]))
            : string.Join(",", f.Take(5).Concat(f.Skip(5).Select(v => (2 * double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(damage == "even" ? 9 : 5 + size * size, broken.Split(',').Length);
        File.WriteAllText(csv, broken + "\n");
        string out1 = NewOut();
        Run("replay", bundle, "--out", out1, "--deconvolver", "wiener");
        var rows = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(out1, "frames.parquet"));
        var frame0 = rows.Single(r => r.Index == 0);
        Assert.Equal("ok", frame0.Status);
        Assert.True(File.Exists(Path.Combine(out1, "frames", "000000.png")));
        Assert.NotNull(frame0.Psnr);
        Assert.Null(frame0.KernelSimilarity);
        Assert.Contains(frame0.Diagnostics, d => d.Text.StartsWith("ground truth: rejected: kernel similarity not scored", StringComparison.Ordinal));
        Assert.All(rows.Where(r => r.Index != 0), r => Assert.NotNull(r.KernelSimilarity));
    }

    /// <summary>
    /// A bundle made elsewhere whose saturation level lies above where its frames clip: bundle notes that plateau, inspect
    /// and replay did not (stop 48's contract audit: gamma frames clipping at 65288 with saturation_level 65400 replayed
    /// 6.4 dB below the same bundle with the right level, with no word). Now both name the value to set.
    /// </summary>
    [Fact]
    public void ASaturationLevelAboveTheFramesClipIsNotedByInspectAndReplay()
    {
        string bundle = CopyOfSample();
        string path = Path.Combine(bundle, "recording.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        double clip = (double)json["rgb"]!["saturation_level"]!;
        json["rgb"]!["saturation_level"] = clip + 400;
        File.WriteAllText(path, json.ToJsonString());
        string value = clip.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string expected = $"none reach the saturation level {clip + 400}: if {value} is where these frames clip";
        var inspect = Run("inspect", bundle, "--no-hash");
        Assert.Equal(0, inspect.Code);
        Assert.Contains(expected, inspect.Out);
        Assert.Contains($"set rgb.saturation_level to {value} in recording.json", inspect.Out);
        var replay = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none");
        Assert.Contains(expected, replay.Err);
        // At the level where they clip: no note.
        Assert.DoesNotContain("none reach the saturation level", Run("inspect", Sample, "--no-hash").Out);
    }
}
