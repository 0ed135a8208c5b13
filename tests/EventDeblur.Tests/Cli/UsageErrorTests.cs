namespace EventDeblur.Tests.Cli;

/// <summary>A mistyped value is reported in a user's words, not as a .NET type name.</summary>
public class UsageErrorTests
{
    [Fact]
    public void ANonNumberForANumericOptionNamesWhatItTakes()
    {
        var r = CliTests.Run("replay", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--event-latency-us", "abc");
        Assert.Equal(2, r.Code);
        Assert.Contains("Cannot parse argument 'abc' for option '--event-latency-us' as a whole number", r.Err);
        Assert.DoesNotContain("System.", r.Err);
    }

    [Theory]
    [InlineData("as expected type 'System.Int64'.", "as a whole number.")]
    [InlineData("as expected type 'System.Double'", "as a number")]
    [InlineData("nothing to change", "nothing to change")]
    public void PlainRewritesOnlyTheTypeName(string from, string to) => Assert.Equal(to, EventDeblur.Cli.UsageErrors.Plain(from));

    [Fact]
    public void OnlyTheVerbsThatRunTheNetworkOfferModelAndDevice()
    {
        foreach (var verb in new[] { "replay", "eval", "live" })
            Assert.Contains("--device <auto|cpu|cuda>", CliTests.Run(verb, "--help").Out);
        foreach (var verb in new[] { "inspect", "convert", "simulate", "calibrate", "preview", "report", "serve", "bundle" })
        {
            var help = CliTests.Run(verb, "--help").Out;
            Assert.DoesNotContain("--device", help);
            Assert.DoesNotContain("--model", help);
        }
    }
}
