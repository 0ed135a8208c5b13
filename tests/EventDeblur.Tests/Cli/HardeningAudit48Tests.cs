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
}
