using EventDeblur.Calibration;
using EventDeblur.Imaging;

namespace EventDeblur.Tests.Calibration;

/// <summary><see cref="CalibrationVerdict"/> judges the search's ambiguity and the fit's precision apart, by the bounds it states.</summary>
public class CalibrationVerdictTests
{
    private static CalibrationResult Result(double ambiguity, double standardError, int used, int tried) =>
        new(Homography.FromRowMajor([1, 0, 0, 0, 1, 0, 0, 0, 1]), standardError * Math.Sqrt(used), standardError, used, tried,
            (1 - ambiguity) * used / (double)tried / (1 + standardError * Math.Sqrt(used)), ambiguity, 0.5, 0, []);

    [Fact]
    public void APreciseFitWithAModerateRivalIsReliable()
    {
        // The shipped sample's figures: confidence 0.41, yet 0.2 event px from the manifest's calibration.
        var v = CalibrationVerdict.Judge(Result(0.47, 0.17, 3, 3));
        Assert.Equal(CalibrationVerdict.Reliable, v.Level);
        Assert.Empty(v.Reasons);
        Assert.Null(v.Advice);
    }

    [Theory]
    [InlineData(0.65, 0.2, 8, 8, "usable", "0.65")]
    [InlineData(0.3, 0.7, 8, 8, "usable", "standard error 0.70")]
    [InlineData(0.3, 0.2, 3, 8, "usable", "5 of 8 frames were left out")]
    [InlineData(0.3, 0.2, 2, 3, "usable", "only 2 frame(s)")]
    [InlineData(0.78, 0.2, 8, 8, "doubtful", "wrong one")]
    [InlineData(0.3, 1.3, 8, 8, "doubtful", "standard error 1.30")]
    [InlineData(0.3, double.NaN, 8, 8, "doubtful", "standard error")]
    public void EachWeakPartLowersTheVerdictAndIsNamed(double ambiguity, double se, int used, int tried, string level, string named)
    {
        var v = CalibrationVerdict.Judge(Result(ambiguity, se, used, tried));
        Assert.Equal(level, v.Level);
        Assert.Contains(v.Reasons, x => x.Contains(named, StringComparison.Ordinal));
        Assert.Contains("--checkerboard", v.Advice);
    }

    [Fact]
    public void TheWorstPartDecides()
    {
        var v = CalibrationVerdict.Judge(Result(0.65, 1.5, 2, 8));
        Assert.Equal(CalibrationVerdict.Doubtful, v.Level);
        Assert.Equal(4, v.Reasons.Count);
    }
}
