using System.Text.RegularExpressions;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// The run folders an evaluation leaves under <c>runs/</c>, reported as replays, carry the method names users typed:
/// <c>blurry</c>, never the internal <c>identity+none</c>, and no kernel similarity for its delta kernels.
/// </summary>
public class EvalRunNamesTests
{
    [Fact]
    public void AnEvaluationsRunsReportUnderTheNamesUsersTyped()
    {
        string dir = TestPaths.NewTempDir();
        string eval = Path.Combine(dir, "eval");
        var e = CliTests.RunWithin(TimeSpan.FromMinutes(4), "eval", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), "--methods", "blurry,events+wiener", "--out", eval);
        Assert.True(e.Code == 0, e.Err);

        string html = Path.Combine(dir, "runs.html");
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "report", Path.Combine(eval, "runs"), "--html", html);
        Assert.True(r.Code == 0, r.Err);
        Assert.DoesNotContain("identity", r.Out);
        Assert.DoesNotContain("identity+none", File.ReadAllText(html)); // (run.json's options, shown raw, still say kernels "identity")
        // group | method | frames | PSNR | SSIM | blurry PSNR | blurry SSIM | band | kernel sim. | ...
        var blurry = Regex.Match(r.Out, @"^\| sample-night \| blurry \| 3 \| ([0-9.]+) \| [0-9.]+ \| ([0-9.]+) \| [^|]+\| [^|]+\| ([^|]+) \|", RegexOptions.Multiline);
        Assert.True(blurry.Success, r.Out);
        Assert.Equal(blurry.Groups[1].Value, blurry.Groups[2].Value); // the blurry method scores the blurry input
        Assert.Equal("–", blurry.Groups[3].Value.Trim());
        Assert.Matches(@"\| sample-night \| events\+wiener \| 3 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [^|]+\| 0\.[0-9]{3} \|", r.Out);
    }
}
