using EventDeblur.Events;
using EventDeblur.Recording;
using EventDeblur.Sync;

namespace EventDeblur.Tests.Sync;

/// <summary>
/// RECORDING_FORMAT.md: with trigger sync, "never pair a frame with the wrong exposure". Rows missing at the start of
/// frames.csv fit the first exposures as well as their own when the spacing is regular (found by the stop 34 contract
/// audit: every frame took the exposure before its own); durations, then the rows' own times, tell the shifts apart,
/// and a tie nothing breaks is reported.
/// </summary>
public class TriggerMatcherTests
{
    private const long Period = 250_000, Origin = 1_700_000_000_000_000;
    private static readonly long[] Lengths = [107_800, 40_300, 101_500, 66_000, 90_000, 55_000];

    private static List<TimeRangeUs> Exposures(int n, bool regular) =>
        Enumerable.Range(0, n).Select(k => new TimeRangeUs(Origin + k * Period, Origin + k * Period + (regular ? 50_000 : Lengths[k]))).ToList();

    /// <summary>Rows for exposures <paramref name="keep"/>, on an RGB clock <paramref name="clockShiftUs"/> behind the event clock.</summary>
    private static List<FrameRow> Rows(IEnumerable<int> keep, bool regular, long clockShiftUs) =>
        keep.Select(k => new FrameRow(k, $"{k:D6}.png", Origin - clockShiftUs + k * Period, Origin - clockShiftUs + k * Period + (regular ? 50_000 : Lengths[k]))).ToList();

    [Fact]
    public void RowsMissingAtTheStartKeepTheirOwnExposuresByTheirDurations()
    {
        var exposures = Exposures(6, regular: false);
        // Rows 0 and 1 are missing; the rows' clock is 1.234567 s away from the event clock (unknown to the bundle).
        var m = TriggerMatcher.MatchExposures(Rows([2, 3, 4, 5], regular: false, 1_234_567), exposures);
        Assert.Equal(exposures.Skip(2), m.Windows.Select(w => w.Exposure!.Value));
        Assert.Equal(2, m.Problems.Count(p => p.ToString().Contains("matches no frames.csv row", StringComparison.Ordinal)));
        Assert.Contains(m.Problems, p => p.ToString().Contains(exposures[0].ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(m.Problems, p => p.ToString().Contains("equally well", StringComparison.Ordinal));
    }

    [Fact]
    public void RegularRowsAreToldApartByTheirTimesWhenTheClockOffsetPlacesThem()
    {
        var exposures = Exposures(6, regular: true);
        var rows = Rows([1, 2, 3, 4, 5], regular: true, 1_234_567);
        var m = TriggerMatcher.MatchExposures(rows, exposures, null, clockOffsetUs: 1_234_567);
        Assert.Equal(exposures.Skip(1), m.Windows.Select(w => w.Exposure!.Value));
        Assert.DoesNotContain(m.Problems, p => p.ToString().Contains("equally well", StringComparison.Ordinal));
    }

    [Fact]
    public void ATieNothingBreaksIsReportedNotPassedOver()
    {
        var exposures = Exposures(6, regular: true);
        // Regular durations and an RGB clock the bundle does not relate to the event clock: shifts 0 and 1 fit alike.
        var m = TriggerMatcher.MatchExposures(Rows([1, 2, 3, 4, 5], regular: true, 987_654_321), exposures);
        Assert.Contains(m.Problems, p => p.ToString().Contains("the frames.csv rows fit the trigger exposures equally well at 2 shifts (5 rows paired each", StringComparison.Ordinal));
    }

    [Fact]
    public void EqualCountsPairInOrderWithoutATie()
    {
        var exposures = Exposures(6, regular: true);
        var m = TriggerMatcher.MatchExposures(Rows(Enumerable.Range(0, 6), regular: true, 987_654_321), exposures);
        Assert.Equal(exposures, m.Windows.Select(w => w.Exposure!.Value));
        Assert.Empty(m.Problems);
    }
}
