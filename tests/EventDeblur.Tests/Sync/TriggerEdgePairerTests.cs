using EventDeblur.Events;
using EventDeblur.Sync;

namespace EventDeblur.Tests.Sync;

public class TriggerEdgePairerTests
{
    private static TriggerEvent Rise(long t) => new(t, TriggerType.ExternalSignalRisingEdge);
    private static TriggerEvent Fall(long t) => new(t, TriggerType.ExternalSignalFallingEdge);

    [Fact]
    public void EdgesPairIntoEndExclusiveExposuresAndEveryOrphanIsReported()
    {
        var p = new TriggerEdgePairer();
        var exposures = new[] { Fall(5), Rise(10), Fall(30), Rise(50), Rise(60), Fall(90), Rise(100) }
            .Select(p.Add).OfType<TimeRangeUs>().ToList();
        p.Finish();
        Assert.Equal([new TimeRangeUs(10, 30), new TimeRangeUs(60, 90)], exposures);
        Assert.Equal(3, p.Problems.Count);
        Assert.Contains(p.Problems, m => m.ToString().Contains("falling edge at 5 µs without a preceding rising edge"));
        Assert.Contains(p.Problems, m => m.ToString().Contains("rising edge at 50 µs has no falling edge before the next rising edge at 60 µs"));
        Assert.Contains(p.Problems, m => m.ToString().Contains("rising edge at 100 µs has no falling edge (recording ends)"));
    }
}
