using EventDeblur.Kernels;

namespace EventDeblur.Tests.Kernels;

/// <summary><see cref="BlurKernel.LengthPx"/>: how long a blur is (a frame blurred by under 3 px may have one-pixel detail, so its impulse pixels are not repaired).</summary>
public class KernelLengthTests
{
    private static BlurKernel Square(int size, params (int Row, int Col, float W)[] weights)
    {
        var w = new float[size * size];
        foreach (var (r, c, v) in weights) w[r * size + c] = v;
        return new BlurKernel(size, w);
    }

    [Fact]
    public void LengthsOfSimpleBlurs()
    {
        Assert.Equal(1, BlurKernel.Delta.LengthPx());
        Assert.Equal(1, Square(3, (1, 1, 1)).LengthPx());                                            // a delta written 3×3
        Assert.Equal(2, Square(3, (1, 1, 0.5f), (1, 2, 0.5f)).LengthPx());                           // the trial's 2-px blur
        Assert.Equal(5, Square(5, (2, 0, 0.2f), (2, 1, 0.2f), (2, 2, 0.2f), (2, 3, 0.2f), (2, 4, 0.2f)).LengthPx());
        Assert.Equal(5, Square(5, (0, 2, 0.2f), (1, 2, 0.2f), (2, 2, 0.2f), (3, 2, 0.2f), (4, 2, 0.2f)).LengthPx());
        Assert.Equal(2 * Math.Sqrt(2) + 1, Square(3, (0, 0, 1), (1, 1, 1), (2, 2, 1)).LengthPx(), 9);  // three pixels on a diagonal
        Assert.Equal(2 * Math.Sqrt(2) + 1, Square(3, (0, 2, 1), (1, 1, 1), (2, 0, 1)).LengthPx(), 9);  // and on the other
        // Weights under 1 % of the largest do not count; a kernel without a positive weight has no length.
        Assert.Equal(1, Square(5, (2, 2, 1), (2, 4, 0.009f)).LengthPx());
        Assert.Equal(3, Square(5, (2, 2, 1), (2, 4, 0.011f)).LengthPx());
        Assert.Equal(0, new BlurKernel(3, new float[9]).LengthPx());
        // A rasterised 20-px path is about 20 px long, whatever its direction.
        foreach (double angle in new[] { 0, 0.3, Math.PI / 4, 1.2 })
        {
            var k = KernelRaster.FromOffsets(Enumerable.Range(0, 80).Select(i => (X: (-10 + 20.0 * i / 79) * Math.Cos(angle), Y: (-10 + 20.0 * i / 79) * Math.Sin(angle))).ToArray());
            Assert.InRange(k.LengthPx(), 17, 23);
        }
    }
}
