using EventDeblur.Cli;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Cli;

/// <summary>The one mapping from an exception that ends a command to an exit code and a one-line message.</summary>
public class ExitCodeMappingTests
{
    private static (int Code, string Text) Report(Exception e, string? logFolder = null)
    {
        var w = new StringWriter();
        int code = ExitCodes.Report(e, w, logFolder);
        return (code, w.ToString());
    }

    [Fact]
    public void UserErrorsAreTwoOrOneWithTheirMessage()
    {
        Assert.Equal((2, "error: --x: bad\n"), Report(new UserInputException("--x: bad")));
        Assert.Equal(1, Report(new UserInputException("nothing valid", UserInputKind.DataProblem)).Code);
        Assert.Equal(2, Report(new BundleException("b: not a recording bundle")).Code);
        Assert.Equal(2, Report(new AedatFormatException(new Problem("f", 18, ProblemSeverity.Error, "expected a version line"))).Code);
        Assert.Equal(2, Report(new UnauthorizedAccessException("Access to the path '/x' is denied.")).Code);
        Assert.Equal(2, Report(new ArgumentException("sigma must be > 0")).Code);
        Assert.Equal(130, Report(new OperationCanceledException()).Code);
    }

    [Fact]
    public void AnUnexpectedExceptionIsThreeWithOneLineAndTheFullExceptionInALog()
    {
        string folder = TestPaths.NewTempDir();
        Exception bug;
        try { throw new InvalidOperationException("boom\nsecond line"); }
        catch (InvalidOperationException e) { bug = e; }
        var (code, text) = Report(bug, folder);
        Assert.Equal(3, code);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("internal error: boom (details: ", text);
        Assert.DoesNotContain("   at ", text);
        string log = Assert.Single(Directory.GetFiles(folder));
        Assert.Contains(log, text);
        string logText = File.ReadAllText(log);
        Assert.Contains("InvalidOperationException", logText);
        Assert.Contains("   at ", logText);
        // A programming error dressed as an argument error is a bug too.
        Assert.Equal(3, Report(new ArgumentOutOfRangeException("i"), folder).Code);
    }
}
