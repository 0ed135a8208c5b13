using EventDeblur.Live;

namespace EventDeblur.Tests.Live;

/// <summary>The arrival log behind live's latency (stop 46).</summary>
public class ArrivalLogTests
{
    [Fact]
    public void TheExposuresEndArrivesWithTheFirstBatchThatReachesIt()
    {
        var log = new ArrivalLog();
        Assert.Null(log.EndArrival(5));
        log.Add(1_000, 10_000);
        log.Add(2_000, 12_000);
        log.Add(1_500, 13_000); // not later than the last: ignored
        log.Add(3_000, 20_000);
        log.Add(4_000, 20_100);
        Assert.Equal(4, log.Count);
        // Reached by the first batch: its arrival less the 400 µs of the batch after the end.
        Assert.Equal(9_600, log.EndArrival(600));
        // The second batch reaches 2 000: 12 000 − 100, no earlier than the first batch's arrival.
        Assert.Equal(11_900, log.EndArrival(1_900));
        Assert.Equal(19_500, log.EndArrival(2_500));
        // The fourth reaches 3 001 at 20 100 − 999, but its events after 3 000 cannot have come before the third batch
        // arrived (20 000): a batch that came soon after the one ahead of it is not taken back further.
        Assert.Equal(20_000, log.EndArrival(3_001));
        // Beyond every batch: the latest arrival (the stream stopped before the end).
        Assert.Equal(20_100, log.EndArrival(9_999));
    }

    [Fact]
    public void TrimmingKeepsTheLastBatchBeforeAndClearingForgetsAll()
    {
        var log = new ArrivalLog();
        for (int k = 1; k <= 5000; k++) log.Add(k * 100, k * 1_000);
        log.TrimBefore(250_050);
        // Kept: the batch ending at 250 000 (the last before) and every later one.
        Assert.Equal(5000 - 2500 + 1, log.Count);
        Assert.Equal(2_500_000 - 50, log.EndArrival(249_950));
        Assert.Equal(2_501_000 - 50, log.EndArrival(250_050));
        log.Clear();
        Assert.Equal(0, log.Count);
        Assert.Null(log.EndArrival(1));
    }

    [Fact]
    public void TheLogStaysBoundedWithoutTrimming()
    {
        var log = new ArrivalLog();
        for (long k = 1; k <= ArrivalLog.Capacity + 10; k++) log.Add(k, 2 * k);
        Assert.Equal(ArrivalLog.Capacity, log.Count);
        // The oldest went: the first entry left is the 11th (arrived at 22), so the time 5 is found in it (22 − 6), not
        // in the 5th (10).
        Assert.Equal(16, log.EndArrival(5));
    }
}
