using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Streaks;

namespace EventDeblur.Tests.Kernels;

/// <summary>
/// Lights whose streaks' bounding boxes overlap (two lamps side by side, blurred diagonally): kept as candidates when the
/// gap between their bright pixels is wide enough (<see cref="StreakOptions.SeparateAtGapPx"/>), each traced with the
/// events on its own side of the gap (<see cref="Streak.Ownership"/>).
/// </summary>
public class OverlappingLightsTests
{
    private const int W = 200, H = 140;

    /// <summary>The camera's blur path, frame = event pixels, relative to mid-exposure, t in [0, 1]: a diagonal 24 px long.</summary>
    private static (double X, double Y) Path(double t) => (17 * (t - 0.5), 17 * (t - 0.5));

    /// <summary>A blurry frame with a 2-px-wide saturated diagonal streak per light (mid positions given).</summary>
    private static LinearImage Frame(params (double X, double Y)[] lights)
    {
        var plane = Enumerable.Repeat(0.02f, W * H).ToArray();
        var sat = new bool[W * H];
        foreach (var (mx, my) in lights)
            for (int k = 0; k <= 200; k++)
            {
                var p = Path(k / 200.0);
                int x = (int)Math.Round(mx + p.X), y = (int)Math.Round(my + p.Y);
                foreach (int dx in new[] { 0, 1 }) { plane[y * W + x + dx] = 1f; sat[y * W + x + dx] = true; }
            }
        return new LinearImage(W, H, [plane], [sat]);
    }

    /// <summary>Events of point lights following <see cref="Path"/>: ON ahead of each, OFF behind, 0.6-px jitter.</summary>
    private static EventSlice Events(TimeRangeUs exposure, int seed, params (double X, double Y)[] lights)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var ev = new List<(long T, short X, short Y, bool P)>();
        for (long t = exposure.StartUs - 5000; t < exposure.EndUs + 5000; t += 40)
        {
            var p = Path(Math.Clamp((t - exposure.StartUs) / (double)exposure.DurationUs, 0, 1));
            foreach (var (mx, my) in lights)
                for (int s = -1; s <= 1; s += 2)
                {
                    double x = mx + p.X + s * 1.5 / Math.Sqrt(2) + 0.6 * Gauss(), y = my + p.Y + s * 1.5 / Math.Sqrt(2) + 0.6 * Gauss();
                    ev.Add((t + rng.Next(40), (short)Math.Round(x), (short)Math.Round(y), s > 0));
                }
        }
        ev.Sort((a, b) => a.T.CompareTo(b.T));
        return new EventSlice(ev.Select(e => e.T).ToArray(), ev.Select(e => e.X).ToArray(), ev.Select(e => e.Y).ToArray(), ev.Select(e => e.P).ToArray());
    }

    private static readonly StreakOptions Separating = new(MaxWidthPx: 20, IsolationPx: 0, SeparateAtGapPx: 4);

    [Fact]
    public void LightsWithOverlappingBoxesAreKeptWhenTheirGapIsWideAndEachOwnsItsSide()
    {
        (double X, double Y) a = (90, 70), b = (100, 70); // 10 px apart across a diagonal: a gap of about 5 px
        var img = Frame(a, b);
        var d = StreakDetector.Detect(img, 1.0, Separating);
        Assert.Equal(2, d.Streaks.Count);
        Assert.Empty(d.Rejected);
        var sa = d.Streaks.MinBy(s => s.CentroidX)!;
        var sb = d.Streaks.MaxBy(s => s.CentroidX)!;
        Assert.True(sa.X0 + sa.Width > sb.X0, "the test needs the boxes to overlap");
        Assert.NotNull(sa.Ownership);
        Assert.NotNull(sb.Ownership);
        Assert.True(sa.Ownership!.Owns(a.X, a.Y) && !sa.Ownership.Owns(b.X, b.Y));
        Assert.True(sb.Ownership!.Owns(b.X, b.Y) && !sb.Ownership.Owns(a.X, a.Y));
        // Past the frame's edge a point is judged at the edge's pixel; NaN (a degenerate homography) is nobody's.
        Assert.Equal(sa.Ownership.Owns(0, 10), sa.Ownership.Owns(-5, 10));
        Assert.Equal(sb.Ownership.Owns(W - 1, H - 1), sb.Ownership.Owns(W + 3, H + 7));
        Assert.False(sa.Ownership.Owns(double.NaN, 10) || sb.Ownership.Owns(double.NaN, 10));

        // Without SeparateAtGapPx both are rejected as before, with the reason.
        var strict = StreakDetector.Detect(img, 1.0, Separating with { SeparateAtGapPx = null });
        Assert.Empty(strict.Streaks);
        Assert.All(strict.Rejected, r => Assert.Equal("not isolated (its bounding box overlaps 1 other bright component(s))", r.Reason));
    }

    [Fact]
    public void LightsTooCloseToTellApartAreRejectedNamingTheGap()
    {
        var img = Frame((90, 70), (94, 70)); // 4 px apart across the diagonal: about 1 dark px between
        var d = StreakDetector.Detect(img, 1.0, Separating);
        Assert.Empty(d.Streaks);
        Assert.Equal(2, d.Rejected.Count);
        Assert.All(d.Rejected, r => Assert.Matches(@"^not isolated \(its bounding box overlaps 1 other bright component\(s\), the nearest [0-3]\.[0-9] px away < 4\.0\)$", r.Reason));
    }

    [Fact]
    public void EachOfTwoOverlappingLightsIsTracedFromItsOwnEvents()
    {
        (double X, double Y) a = (90, 70), b = (100, 70);
        var exposure = new TimeRangeUs(1_000_000, 1_050_000);
        var events = Events(exposure, 11, a, b);
        var d = StreakDetector.Detect(Frame(a, b), 1.0, Separating);
        Assert.Equal(2, d.Streaks.Count);
        var tracer = new StreakTracer();
        foreach (var s in d.Streaks)
        {
            var truth = s.CentroidX < 95 ? a : b;
            var trace = tracer.Trace(events, s, Homography.Identity, Homography.Identity, exposure, 200);
            Assert.True(trace.Path != null, trace.Failure);
            var p = trace.Path!;
            Assert.InRange(p.Mid.X, truth.X - 0.5, truth.X + 0.5);
            Assert.InRange(p.Mid.Y, truth.Y - 0.5, truth.Y + 0.5);
            var end = Path((199 + 0.5) / 200);
            Assert.InRange(p.Offsets[^1].X, end.X - 0.7, end.X + 0.7);
            Assert.InRange(p.Offsets[^1].Y, end.Y - 0.7, end.Y + 0.7);

            // The box alone holds both lights' events: the path it gives is not this light's (or there is none).
            var mixed = tracer.Trace(events, s with { Ownership = null }, Homography.Identity, Homography.Identity, exposure, 200);
            if (mixed.Path is { } m)
                Assert.True(Math.Abs(m.Mid.X - truth.X) > 1.5 || Math.Abs(m.Offsets[^1].X - end.X) > 1.5,
                    $"the mixed events gave this light's path: mid ({m.Mid.X:F1},{m.Mid.Y:F1})");
            // The same box with the other light's cell traces the other light: the cell, not the box, picks the events.
            var other = d.Streaks.Single(o => !ReferenceEquals(o, s));
            var swapped = tracer.Trace(events, s with { Ownership = other.Ownership }, Homography.Identity, Homography.Identity, exposure, 200);
            var otherTruth = truth == a ? b : a;
            Assert.True(swapped.Path != null, swapped.Failure);
            Assert.InRange(swapped.Path!.Mid.X, otherTruth.X - 0.5, otherTruth.X + 0.5);
        }
    }

    [Fact]
    public void WithAnIsolationDistanceTheRejectionNamesItAndTheGap()
    {
        var d = StreakDetector.Detect(Frame((90, 70), (94, 70)), 1.0, Separating with { IsolationPx = 12 });
        Assert.Empty(d.Streaks);
        Assert.All(d.Rejected, r => Assert.Matches(@"^not isolated \(1 bright component\(s\) within 12 px, the nearest [0-3]\.[0-9] px away < 4\.0\)$", r.Reason));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(-3)]
    public void TheDetectorRefusesAGapOutsideItsRange(double gap)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StreakDetector.Detect(Frame((90, 70)), 1.0, Separating with { SeparateAtGapPx = gap }));
        Assert.Equal("SeparateAtGapPx", e.ParamName);
        Assert.Contains("[1, 1000]", e.Message);
    }
}
