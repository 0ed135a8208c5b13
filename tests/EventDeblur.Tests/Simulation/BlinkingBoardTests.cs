using EventDeblur.Simulation;

namespace EventDeblur.Tests.Simulation;

/// <summary>The blinking checkerboard of the <c>checkerboard</c> preset: its timing and its drawing.</summary>
public class BlinkingBoardTests
{
    [Theory]
    [InlineData(0, 40_000)]
    [InlineData(13_000, 31_000)]
    [InlineData(-7_000, 95_500)]
    [InlineData(19_999, 20_001)]
    public void TheLitFractionIsTheTimeTheScreenShowsTheBoard(long start, long end)
    {
        var model = new BlinkingBoardModel { BlinkPeriodUs = 40_000 };
        const long phase = 5_000;
        long lit = 0;
        for (long t = start; t < end; t++) if (BlinkingBoardScene.IsLit(model, phase, t)) lit++;
        Assert.Equal(lit / (double)(end - start), BlinkingBoardScene.LitFraction(model, phase, start, end), 12);
        Assert.True(BlinkingBoardScene.IsLit(model, phase, phase));
        Assert.False(BlinkingBoardScene.IsLit(model, phase, phase + 20_000));
        Assert.True(BlinkingBoardScene.IsLit(model, phase, phase - 40_000));
    }

    [Fact]
    public void InnerCornersAreWhereFourSquaresMeetAndTheDarkScreenIsUniform()
    {
        var model = new BlinkingBoardModel();
        var pose = BlinkingBoardScene.DrawPose(model, new Random(2), 640, 480);
        var (lit, dark) = BlinkingBoardScene.Render(model, pose, 640, 480, 16);
        using (lit)
        using (dark)
        using (var on = lit.Luminance())
        using (var off = dark.Luminance())
        {
            float At(OpenCvSharp.Mat m, double x, double y) => m.At<float>((int)Math.Round(y) + 16, (int)Math.Round(x) + 16);
            var corners = BlinkingBoardScene.InnerCornersRgb(model, pose);
            Assert.Equal(54, corners.Length);
            foreach (var (x, y) in corners)
            {
                // A third of a square along the board's diagonals: white, black, white, black around the corner.
                var h = EventDeblur.Imaging.Homography.FromRowMajor(pose);
                var inv = h.Inverse();
                var (u, v) = inv.Apply(x, y);
                float[] around = [.. new[] { (0.33, 0.33), (-0.33, 0.33), (-0.33, -0.33), (0.33, -0.33) }
                    .Select(d => h.Apply(u + d.Item1, v + d.Item2)).Select(p => At(on, p.X, p.Y))];
                // Square (0, 0) is black: the square at board (u + 0.33, v + 0.33) is black when its indices sum to an even number.
                bool firstBlack = (((int)Math.Floor(u + 0.33) + (int)Math.Floor(v + 0.33)) & 1) == 0;
                float black = firstBlack ? around[0] : around[1], white = firstBlack ? around[1] : around[0];
                Assert.True(white > 10 * black && around[0] == around[2] && around[1] == around[3], $"corner ({x:F1}, {y:F1}): {string.Join(", ", around)}");
                Assert.Equal((float)model.BlackRadiance, At(off, x, y), 1);
            }
            // Squares of 30–38 px (the tilt makes them up to 12 % smaller or larger across the board).
            double side = corners[0].X - corners[1].X is var dx && corners[0].Y - corners[1].Y is var dy ? Math.Sqrt(dx * dx + dy * dy) : 0;
            Assert.InRange(side, 30 * 0.85, 38 * 1.15);
        }
    }
}
