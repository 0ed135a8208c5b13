using System.Globalization;
using System.Text.RegularExpressions;

namespace EventDeblur.Tests.Cli;

/// <summary><c>calibrate</c> says what its confidence is made of, and the parts multiply to it.</summary>
public class CalibrateConfidenceTests
{
    [Fact]
    public void TheConfidenceLineShowsItsFactors()
    {
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "calibrate", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"));
        Assert.True(r.Code == 0, r.Err);
        var m = Regex.Match(r.Out, @"confidence ([0-9.]+) = \(1 - ambiguity ([0-9.]+)\) × (\d+)/(\d+) frames used × 1/\(1 \+ residual ([0-9.]+) px\)");
        Assert.True(m.Success, r.Out);
        double D(int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        double product = (1 - D(2)) * D(3) / D(4) / (1 + D(5));
        // Each factor is printed to 2 decimals, so the product agrees with the printed confidence to about 0.01.
        Assert.InRange(product, D(1) - 0.015, D(1) + 0.015);
        Assert.InRange(D(1), 0.01, 1);
    }
}
