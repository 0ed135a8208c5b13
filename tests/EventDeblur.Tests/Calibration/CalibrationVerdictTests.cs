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

    /// <summary>
    /// Trial 47a: an ambiguity just above 0.75 read "scored 0.75 of the best (> 0.75)". A number next to a bound it
    /// exceeds is printed with the decimals that show it above (2 where they do, as before).
    /// </summary>
    [Theory]
    [InlineData(0.7504, 0.2, "scored 0.7504 of the best (> 0.75)")]
    [InlineData(0.752, 0.2, "scored 0.752 of the best (> 0.75)")]
    [InlineData(0.75000001, 0.2, "scored 0.7501 of the best (> 0.75)")]
    [InlineData(0.78, 0.2, "scored 0.78 of the best (> 0.75)")]
    [InlineData(0.6003, 0.2, "scored 0.6003 of the best (> 0.6)")]
    [InlineData(0.3, 1.004, "standard error 1.004 event px (> 1)")]
    [InlineData(0.3, 0.5001, "standard error 0.5001 event px (> 0.5)")]
    [InlineData(0.3, 0.70, "standard error 0.70 event px (> 0.5)")]
    public void ANumberAboveItsBoundIsPrintedAboveIt(double ambiguity, double se, string reason)
    {
        var v = CalibrationVerdict.Judge(Result(ambiguity, se, 8, 8));
        Assert.Contains(v.Reasons, r => r.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void NoReasonPrintsItsNumberAtOrBelowItsBound()
    {
        var numbers = new System.Text.RegularExpressions.Regex(@"(\d+\.\d+)(?: of the best| event px) \(> (\d+(?:\.\d+)?)\)");
        var rng = new Random(47);
        for (int i = 0; i < 2000; i++)
        {
            // Values just above each bound (0.6, 0.75; 0.5, 1), down to 1e-9 above.
            double Near(double bound) => bound + Math.Pow(10, -2 - 7 * rng.NextDouble());
            var v = CalibrationVerdict.Judge(Result(Near(i % 2 == 0 ? 0.6 : 0.75), Near(i % 4 < 2 ? 0.5 : 1.0), 8, 8));
            foreach (var reason in v.Reasons)
            {
                var m = numbers.Match(reason);
                Assert.True(m.Success, reason);
                Assert.True(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), reason);
            }
        }
    }

    [Fact]
    public void TheWorstPartDecides()
    {
        var v = CalibrationVerdict.Judge(Result(0.65, 1.5, 2, 8));
        Assert.Equal(CalibrationVerdict.Doubtful, v.Level);
        Assert.Equal(4, v.Reasons.Count);
    }
}
