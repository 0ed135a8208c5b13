using System.Text.Json;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// A ground-truth kernel with NaN, ±Infinity, negative or all-zero weights is one frame's data problem: the frame
/// fails with the file and line named, and every other frame is still deblurred (it used to abort the whole replay).
/// </summary>
public class BadGroundTruthKernelTests
{
    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-0.5")]
    public void KernelCsvRefusesWeightsThatAreNotAnExposureDistribution(string bad)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "k.csv");
        File.WriteAllText(path, $"0,0,10,10,3,0,0,0,0.5,{bad},0,0,0,0\n");
        var e = Assert.Throws<FormatException>(() => KernelCsv.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("weight 4", e.Message);
    }

    /// <summary>
    /// The message names the field as a spreadsheet counts it, the weight's row and column, the text as written (a
    /// float overflow such as 1e39 reads as Infinity) and what was expected; an unparsable value or header field is said
    /// the same way instead of .NET's "The input string … was not in a correct format".
    /// </summary>
    [Theory]
    [InlineData("0,0,10,10,3,0,0,0,0.5,Infinity,0,0,0,0", "line 1: field 10 (weight 4: row 1, column 1 of the 3×3 kernel) is 'Infinity'; expected a finite number ≥ 0")]
    [InlineData("0,0,10,10,3,0,0,0,0.5,1,0,0,0,-Infinity", "line 1: field 14 (weight 8: row 2, column 2 of the 3×3 kernel) is '-Infinity'; expected a finite number ≥ 0")]
    [InlineData("0,0,10,10,3,1e39,0,0,0.5,1,0,0,0,0", "line 1: field 6 (weight 0: row 0, column 0 of the 3×3 kernel) is '1e39'; expected a finite number ≥ 0")]
    [InlineData("0,0,10,10,3,0,abc,0,0.5,1,0,0,0,0", "line 1: field 7 (weight 1: row 0, column 1 of the 3×3 kernel) is 'abc'; expected a finite number ≥ 0")]
    [InlineData("0,0,ten,10,1,1", "line 1: field 3 (tile_x1) is 'ten'; expected an integer")]
    [InlineData("0,0,10,10,2,1,1,1,1", "line 1: field 5 (size) is 2; expected an odd kernel size ≥ 1")]
    [InlineData("0,0,10,10,3,1,1", "line 1: 7 values; expected 14 for a 3×3 kernel (5 + 3²)")]
    public void KernelCsvNamesTheFieldAndWhatWasExpected(string line, string expected)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "k.csv");
        File.WriteAllText(path, line + "\n");
        var e = Assert.Throws<FormatException>(() => KernelCsv.Read(path));
        Assert.StartsWith($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void KernelCsvRefusesAKernelWithoutMass()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "k.csv");
        File.WriteAllText(path, "0,0,10,10,1,1\n0,0,10,10,3,0,0,0,0,0,0,0,0,0\n");
        var e = Assert.Throws<FormatException>(() => KernelCsv.Read(path));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("sum to 0", e.Message);
    }

    [Fact]
    public void ReplayWithANaNKernelFailsThatFrameAndFinishesTheRun()
    {
        // The shipped sample, copied, with frame 1's ground-truth kernel poisoned.
        string bundle = Path.Combine(TestPaths.NewTempDir(), "sample");
        CopyDir(Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), bundle);
        string k1 = Path.Combine(bundle, "gt", "kernels", "000001.csv");
        var fields = File.ReadAllText(k1).TrimEnd('\n').Split(',');
        fields[7] = "NaN";
        File.WriteAllText(k1, string.Join(',', fields) + "\n");

        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var (code, stdout, stderr) = CliTests.Run("replay", bundle, "--out", outDir, "--kernels", "gt", "--deconvolver", "wiener");
        Assert.True(code == 1, $"exit {code}; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains("000001.csv", stdout + stderr);

        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement;
        Assert.NotEqual("running", run.GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(outDir, "frames.parquet")));
        Assert.True(File.Exists(Path.Combine(outDir, "frames", "000000.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "frames", "000002.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "frames", "000001.png")));
    }

    private static void CopyDir(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(d.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, f.Replace(from, to));
    }
}
