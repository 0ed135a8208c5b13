using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Kernels;

/// <summary>Contrast maximisation per region: blur that varies across the frame without a light to trace.</summary>
public class LocalPathFieldTests
{
    /// <summary>Texture whose velocity (event px per exposure) changes linearly from the left edge to the right edge.</summary>
    private static EventSlice ShearedTexture(int width, int height, (double X, double Y) left, (double X, double Y) right, TimeRangeUs exposure, int points, int seed)
    {
        var rng = new Random(seed);
        var ev = new List<(long T, short X, short Y, bool P)>();
        for (int i = 0; i < points; i++)
        {
            double px = 10 + rng.NextDouble() * (width - 20), py = 10 + rng.NextDouble() * (height - 20), f = px / width;
            double vx = left.X + f * (right.X - left.X), vy = left.Y + f * (right.Y - left.Y);
            bool pol = rng.Next(2) == 0;
            for (int j = 0; j < 60; j++)
            {
                long t = exposure.StartUs + (long)(rng.NextDouble() * exposure.DurationUs);
                double tau = (t - exposure.StartUs) / (double)exposure.DurationUs - 0.5;
                ev.Add((t, (short)Math.Round(px + vx * tau), (short)Math.Round(py + vy * tau), pol));
            }
        }
        ev.Sort((a, b) => a.T.CompareTo(b.T));
        return new EventSlice(ev.Select(e => e.T).ToArray(), ev.Select(e => e.X).ToArray(), ev.Select(e => e.Y).ToArray(), ev.Select(e => e.P).ToArray());
    }

    private static (double X, double Y) Span((double X, double Y)[] offsets) => (offsets[^1].X - offsets[0].X, offsets[^1].Y - offsets[0].Y);

    /// <summary>
    /// Motion 14 px right on the left of the sensor and 14 px down on its right (no single translation stacks both): the
    /// regions find their own paths, and the field's path near each edge spans what the texture there moved (the frame has
    /// twice the event resolution: frame px = 2 × event px), within 3 frame px; the frame's one path matches neither.
    /// </summary>
    [Fact]
    public void RegionsFindTheirOwnPathsWhereTheBlurVaries()
    {
        var exposure = new TimeRangeUs(0, 60_000);
        var events = ShearedTexture(240, 120, (14, 0), (0, 14), exposure, 1500, 3);
        var eventsToFrame = Homography.FromRowMajor([2, 0, 0, 0, 2, 0, 0, 0, 1]);
        var r = new ContrastMaximizer(new ContrastMaximizationOptions { Rotation = false }).Estimate(events, (240, 120), eventsToFrame, exposure, 200);
        var field = Assert.IsType<LocalPathField>(r.LocalPaths);
        Assert.True(field.Refined >= 4, r.Note);

        var frameToEvents = eventsToFrame.Inverse();
        // Region centres of the 3 × 3 grid: x = 40 and 200 event px (frame 80 and 400), where the velocity is 14·(1 − x/240) right and 14·x/240 down.
        foreach (var (ex, expected) in new[] { (40.0, (14 * 200 / 240.0, 14 * 40 / 240.0)), (200.0, (14 * 40 / 240.0, 14 * 200 / 240.0)) })
        {
            var got = Span(field.OffsetsAt(2 * ex, 120, frameToEvents, eventsToFrame, 200));
            double wx = 2 * expected.Item1 * 199 / 200, wy = 2 * expected.Item2 * 199 / 200;
            Assert.True(Math.Abs(got.X - wx) < 3 && Math.Abs(got.Y - wy) < 3, $"at event x {ex}: span ({got.X:F1}, {got.Y:F1}) frame px, expected ({wx:F1}, {wy:F1}); {r.Note}");
        }
        var one = Span(r.Offsets);
        Assert.True(Math.Abs(one.X - one.Y) < 8, $"the frame's one path spans ({one.X:F1}, {one.Y:F1}): a compromise");

        // Per-tile kernels cover the frame once.
        var tiles = field.Tiles(480, 240, 160, frameToEvents, eventsToFrame, 200);
        Assert.Equal(480L * 240, tiles.Sum(t => t.Area));
    }

    /// <summary>A uniform translation keeps (almost) every region on the frame's path: the margin keeps uniform blur uniform.</summary>
    [Fact]
    public void UniformBlurStaysUniform()
    {
        var exposure = new TimeRangeUs(0, 60_000);
        var events = KernelPartsTests.TextureEvents(240, 120, 10, -6, exposure, 1500, 5);
        var eventsToFrame = Homography.FromRowMajor([2, 0, 0, 0, 2, 0, 0, 0, 1]);
        var r = new ContrastMaximizer(new ContrastMaximizationOptions { Rotation = false }).Estimate(events, (240, 120), eventsToFrame, exposure, 200);
        var one = Span(r.Offsets);
        var frameToEvents = eventsToFrame.Inverse();
        foreach (var (x, y) in new[] { (60.0, 60.0), (240.0, 120.0), (420.0, 180.0) })
        {
            var got = r.LocalPaths is { } f ? Span(f.OffsetsAt(x, y, frameToEvents, eventsToFrame, 200)) : one;
            Assert.True(Math.Abs(got.X - one.X) < 1.5 && Math.Abs(got.Y - one.Y) < 1.5, $"at ({x}, {y}): ({got.X:F1}, {got.Y:F1}) vs the frame's ({one.X:F1}, {one.Y:F1}); {r.Note}");
        }
    }

    [Fact]
    public void TheFieldBlendsRegionPathsBilinearlyAndClampsAtTheBorder()
    {
        double[] a = [1, 0, 0, 0, 0, 0], b = [3, 0, 0, 2, 0, 0];
        var field = new LocalPathField(2, 1, (100, 50), [a, b], 1);
        Assert.Equal(a, field.CoefficientsAt(24.5, 25));
        Assert.Equal(b, field.CoefficientsAt(74.5, 25));
        Assert.Equal(a, field.CoefficientsAt(0, 0));
        Assert.Equal(b, field.CoefficientsAt(99, 49));
        var mid = field.CoefficientsAt(49.5, 10);
        Assert.Equal(2, mid[0], 9);
        Assert.Equal(1, mid[3], 9);
        Assert.Throws<ArgumentException>(() => new LocalPathField(2, 2, (100, 50), [a, b], 0));
    }
}
