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

    /// <summary>The definition, pair by pair: another event in the 3×3 neighbourhood within ±window (the same pixel only with another timestamp).</summary>
    private static List<int> Reference(EventSlice ev, IReadOnlyList<int> idx, long window) =>
        idx.Where(i => idx.Any(j => Math.Abs(ev.X[j] - ev.X[i]) <= 1 && Math.Abs(ev.Y[j] - ev.Y[i]) <= 1 && Math.Abs(ev.T[j] - ev.T[i]) <= window
                                    && (ev.X[j] != ev.X[i] || ev.Y[j] != ev.Y[i] || ev.T[j] != ev.T[i]))).ToList();

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public void AgreesWithThePairwiseDefinitionOnDenseEventsWithDuplicates(int seed, bool timeOrdered)
    {
        var rng = new Random(seed);
        int n = 3000;
        var t = new long[n]; var x = new short[n]; var y = new short[n]; var p = new bool[n];
        long now = 0;
        for (int i = 0; i < n; i++)
        {
            // Runs of equal timestamps and repeated pixels, so duplicates and ties are frequent.
            now += rng.Next(3) == 0 ? 0 : rng.Next(1, 400);
            t[i] = now;
            x[i] = (short)rng.Next(5, 25);
            y[i] = (short)rng.Next(3, 18);
            if (i > 0 && rng.Next(5) == 0) { x[i] = x[i - 1]; y[i] = y[i - 1]; }
            p[i] = rng.Next(2) == 0;
        }
        var ev = new EventSlice(t, x, y, p);
        // A subset of the candidates, in time order or shuffled.
        var idx = Enumerable.Range(0, n).Where(_ => rng.Next(4) != 0).ToList();
        if (!timeOrdered) idx = idx.OrderBy(_ => rng.Next()).ToList();
        foreach (long window in new long[] { 0, 150, 2_500 })
        {
            var expected = Reference(ev, idx, window);
            var kept = new BackgroundActivityFilter(window).Filter(ev, idx);
            Assert.Equal(expected, kept);
            Assert.InRange(kept.Count, 1, idx.Count - 1);
        }
    }
}
