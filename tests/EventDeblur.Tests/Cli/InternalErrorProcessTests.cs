using System.Diagnostics;
using System.Text.RegularExpressions;
using EventDeblur.Cli;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// Exit code 3 of a real CLI process: an internal error (injected through the documented test hook
/// <see cref="ExitCodes.FaultHookVariable"/>) gives one line naming the log file, and the log holds the exception.
/// </summary>
public class InternalErrorProcessTests
{
    private static (int Code, string Out, string Err) RunWith(string? hookValue, string tmp, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TMPDIR"] = tmp;
        if (hookValue != null) psi.Environment[ExitCodes.FaultHookVariable] = hookValue;
        else psi.Environment.Remove(ExitCodes.FaultHookVariable);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void AnInternalErrorExitsWith3AndNamesItsLogFile()
    {
        string tmp = TestPaths.NewTempDir();
        string missing = Path.Combine(tmp, "no-such-bundle");
        var (code, _, err) = RunWith(ExitCodes.FaultHookValue, tmp, "replay", missing, "--out", Path.Combine(tmp, "out"));
        Assert.Equal(3, code);
        var m = Regex.Match(err, @"^internal error: fault injected by the test hook EVENTDEBLUR_TEST_HOOK_FAULT \(details: (?<log>\S+\.log)\)\r?\n$");
        Assert.True(m.Success, err);
        string log = m.Groups["log"].Value;
        Assert.Equal(Path.GetFullPath(tmp).TrimEnd('/'), Path.GetDirectoryName(log));
        string text = File.ReadAllText(log);
        Assert.Contains("System.InvalidOperationException: fault injected by the test hook", text);
        Assert.Contains("args: replay " + missing, text);
        Assert.Contains("ReplayCommand", text); // the stack trace
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    [InlineData("true")]
    public void AnyOtherValueOfTheHookDoesNothing(string? value)
    {
        string tmp = TestPaths.NewTempDir();
        var (code, _, err) = RunWith(value, tmp, "replay", Path.Combine(tmp, "no-such-bundle"), "--out", Path.Combine(tmp, "out"));
        Assert.Equal(2, code); // the usual usage error about the missing bundle
        Assert.DoesNotContain("internal error", err);
        Assert.Empty(Directory.GetFiles(tmp, "eventdeblur-error-*.log"));
    }
}
