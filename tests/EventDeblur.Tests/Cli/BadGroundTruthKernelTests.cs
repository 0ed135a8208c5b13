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
