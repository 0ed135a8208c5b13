using System.Text.Json;
using EventDeblur.IO;
using EventDeblur.Tests.Cli;

namespace EventDeblur.Tests.IO;

/// <summary>The one problem record: its text, its parsing from located messages, and inspect's JSON records.</summary>
public class ProblemTests
{
    [Fact]
    public void TextNamesSourceLocationAndMarksOnlyNotes()
    {
        Assert.Equal("a.aedat4: byte 18: truncated packet", new Problem("a.aedat4", 18, ProblemSeverity.Error, "truncated packet").ToString());
        Assert.Equal("a.aedat4: note: header only", new Problem("a.aedat4", -1, ProblemSeverity.Note, "header only").ToString());
        Assert.Equal("f.csv: line 3: bad row", Problem.Error("f.csv", ProblemLocation.AtLine(3), "bad row").ToString());
        Assert.Equal("frame 7: no exposure", Problem.Error("", ProblemLocation.AtFrame(7), "no exposure").ToString());
        Assert.Equal(18, new Problem("a", 18, ProblemSeverity.Error, "m").ByteOffset);
        Assert.Equal(-1, Problem.Error("f.csv", ProblemLocation.AtLine(3), "m").ByteOffset);
        Assert.Equal(ProblemLocation.None, ProblemLocation.AtByte(-1));
    }

    [Theory]
    [InlineData("k.csv: line 7: weight NaN", ProblemLocationKind.Line, 7L, "weight NaN")]
    [InlineData("k.csv: byte 12: cut", ProblemLocationKind.Byte, 12L, "cut")]
    [InlineData("k.csv: frame 2: late", ProblemLocationKind.Frame, 2L, "late")]
    [InlineData("k.csv: line x: odd", ProblemLocationKind.None, 0L, "line x: odd")]
    [InlineData("k.csv: no place", ProblemLocationKind.None, 0L, "no place")]
    [InlineData("other.csv: line 7: elsewhere", ProblemLocationKind.None, 0L, "other.csv: line 7: elsewhere")]
    public void AMessageThatNamesItsSourceKeepsItsTextAndGainsItsLocation(string message, ProblemLocationKind kind, long value, string rest)
    {
        var p = Problem.FromMessage("k.csv", message);
        Assert.Equal(new ProblemLocation(kind, value), p.Location);
        Assert.Equal(rest, p.Message);
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.Equal(message.StartsWith("k.csv: ", StringComparison.Ordinal) ? message : $"k.csv: {message}", p.ToString());
    }

    /// <summary>inspect --json lists every problem of a bundle as a record (source, location, severity, message) beside its line of text.</summary>
    [Fact]
    public void InspectJsonListsBundleProblemsAsRecords()
    {
        string bundle = TestPaths.CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        File.AppendAllLines(csv, ["9,000009.png,1,2"]);
        int line = File.ReadAllLines(csv).Length;

        var (code, stdout, _) = CliTests.Run("inspect", bundle, "--json");
        Assert.Equal(1, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        var record = Assert.Single(root.GetProperty("problems").EnumerateArray(), r => r.GetProperty("message").GetString()!.Contains("frame file '000009.png' is missing"));
        Assert.Equal(csv, record.GetProperty("source").GetString());
        Assert.Equal("line", record.GetProperty("location_kind").GetString());
        Assert.Equal(line, record.GetProperty("location").GetInt64());
        Assert.Equal("error", record.GetProperty("severity").GetString());
        Assert.Contains(root.GetProperty("errors").EnumerateArray(), e => e.GetString() == $"{csv}: line {line}: frame file '000009.png' is missing");
    }

    /// <summary>run.json lists a replay's problems as records too (problem_records), one per line of problems, in the same order.</summary>
    [Fact]
    public void ReplayRunJsonListsProblemsAsRecords()
    {
        string root = TestPaths.NewTempDir();
        string bundle = TestPaths.CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        File.AppendAllLines(csv, ["9,000009.png,1,2"]);
        int line = File.ReadAllLines(csv).Length;
        string outDir = Path.Combine(root, "out");

        var (code, _, stderr) = CliTests.Run("replay", bundle, "--out", outDir, "--deconvolver", "wiener");
        Assert.True(code is 0 or 1, stderr);
        var frames = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement.GetProperty("frames");
        var texts = frames.GetProperty("problems").EnumerateArray().Select(e => e.GetString()).ToList();
        var records = frames.GetProperty("problem_records").EnumerateArray().ToList();
        Assert.Equal(texts.Count, records.Count);
        int i = texts.FindIndex(t => t!.Contains("frame file '000009.png' is missing"));
        Assert.True(i >= 0, string.Join("\n", texts));
        Assert.Equal(csv, records[i].GetProperty("source").GetString());
        Assert.Equal("line", records[i].GetProperty("location_kind").GetString());
        Assert.Equal(line, records[i].GetProperty("location").GetInt64());
        Assert.Equal("error", records[i].GetProperty("severity").GetString());
    }
}
