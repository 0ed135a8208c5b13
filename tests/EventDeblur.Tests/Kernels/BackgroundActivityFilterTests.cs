using EventDeblur.Events;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Kernels;

public class BackgroundActivityFilterTests
{
    [Fact]
    public void KeepsEventsWithSupportInTheNeighbourhoodAndWindowOnly()
    {
        // 0, 1: neighbours 3 ms apart (kept at ±5 ms); 2: alone (noise); 3: a neighbour of 0 but 20 ms later;
        // 4, 5: the same pixel at the same time (a duplicate is no support).
        var ev = new EventSlice([1_000, 4_000, 2_000, 21_000, 50_000, 50_000], [10, 11, 100, 9, 200, 200], [10, 11, 50, 10, 80, 80], [true, false, true, true, true, false]);
        var kept = new BackgroundActivityFilter(5_000).Filter(ev, [0, 1, 2, 3, 4, 5]);
        Assert.Equal([0, 1], kept);
        Assert.Equal([0, 1, 3], new BackgroundActivityFilter(20_000).Filter(ev, [0, 1, 2, 3, 4, 5]));
        Assert.Equal([1], new BackgroundActivityFilter(5_000).Filter(ev, [1, 0]).Take(1));
    }
}
