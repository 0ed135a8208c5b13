using EventDeblur.Imaging;

namespace EventDeblur.Tests.Imaging;

public class HomographyTests
{
    [Fact]
    public void TheInverseMapsEveryPointBack()
    {
        var h = Homography.FromRowMajor([0.52, 0.013, 4.5, -0.009, 0.535, 3.25, 1e-5, -2e-5, 1]);
        var inv = h.Inverse();
        foreach (var (x, y) in new[] { (0.0, 0.0), (639.0, 0.0), (320.5, 240.25), (12.0, 470.0) })
        {
            var (u, v) = h.Apply(x, y);
            var (bx, by) = inv.Apply(u, v);
            Assert.Equal(x, bx, 9);
            Assert.Equal(y, by, 9);
        }
        var twice = inv.Inverse().ToRowMajor();
        for (int i = 0; i < 9; i++) Assert.Equal(h.ToRowMajor()[i], twice[i], 9);
    }

    [Fact]
    public void ASingularMatrixIsRefused() =>
        Assert.Throws<ArgumentException>(() => Homography.FromRowMajor([1, 2, 3, 2, 4, 6, 0, 0, 1]).Inverse());

    [Fact]
    public void TheSrgbCurveIsItsOwnInverseAndMeetsTheStandardsPoints()
    {
        Assert.Equal(12.92 * 0.002, TransferCurve.SrgbEncode(0.002), 15);
        Assert.Equal(1.0, TransferCurve.SrgbEncode(1.0), 12);
        for (double v = 0; v <= 1; v += 1 / 64.0)
            Assert.Equal(v, TransferCurve.SrgbDecode(TransferCurve.SrgbEncode(v)), 12);
    }
}
