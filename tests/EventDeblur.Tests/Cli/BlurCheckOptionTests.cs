using System.Text.Json.Nodes;
using EventDeblur.Cli;
using EventDeblur.Methods;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// <c>replay --blur-check on|off</c> (stop 51's note: the check had no switch, and run.json did not say whether it ran):
/// the sample with its sharp ground-truth frames in place of the blurry ones, whose events still show the camera's motion.
/// </summary>
public class BlurCheckOptionTests
{
    /// <summary>A copy of the sample whose RGB frames are its ground truth: sharp, with the events of a moving camera.</summary>
    private static string SharpSample()
    {
        string bundle = TestPaths.CopyOfSample();
        foreach (string gt in Directory.GetFiles(Path.Combine(bundle, "gt"), "*.png"))
            File.Copy(gt, Path.Combine(bundle, "rgb", Path.GetFileName(gt)), overwrite: true);
        return bundle;
    }

    private static JsonObject Options(string outDir) => JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")))!["options"]!.AsObject();

    [Fact]
    public async Task OffKeepsTheEventsKernelsOnASharpFrameOnChecksThemAndRunJsonAndResumeSayWhich()
    {
        string bundle = SharpSample(), root = TestPaths.NewTempDir();
        string on = Path.Combine(root, "on"), off = Path.Combine(root, "off");
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", on, "--deconvolver", "none");
        Assert.Equal(0, r.Code);
        Assert.Contains("blur check: 3 frame(s) sharper than their event kernels", r.Out);
        Assert.True(Options(on)["blur_check"]!.GetValue<bool>());
        Assert.All(await FramesParquet.ReadAsync(Path.Combine(on, "frames.parquet")), f => Assert.Equal(FrameCheckedKernels.SharpSource, f.KernelSource));

        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", off, "--deconvolver", "none", "--blur-check", "off");
        Assert.Equal(0, r.Code);
        Assert.DoesNotContain("blur check:", r.Out);
        Assert.False(Options(off)["blur_check"]!.GetValue<bool>());
        var rows = await FramesParquet.ReadAsync(Path.Combine(off, "frames.parquet"));
        Assert.Equal(3, rows.Count);
        // The events' own kernels, as before the check: a light's path, not a delta.
        Assert.All(rows, f => Assert.StartsWith("events:", f.KernelSource));
        Assert.All(rows, f => Assert.NotEqual(FrameCheckedKernels.SharpSource, f.KernelSource));
        Assert.All(Directory.GetFiles(Path.Combine(off, "kernels"), "*.csv"), k => Assert.NotEqual(File.ReadAllText(k), File.ReadAllText(Path.Combine(on, "kernels", Path.GetFileName(k)))));

        // --resume compares it: the printed command asks for it, and a resume without it is refused naming it.
        Assert.Contains("--blur-check off", ResumeCommand.For("B", "O", Options(off)));
        Assert.DoesNotContain("--blur-check", ResumeCommand.For("B", "O", Options(on)));
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", off, "--deconvolver", "none", "--resume");
        Assert.Equal(2, r.Code);
        Assert.Contains("blur_check false, now true", r.Err);
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", off, "--deconvolver", "none", "--resume", "--blur-check", "off");
        Assert.Equal(0, r.Code);

        // A run made before blur_check was recorded (stop 51, when the check was already on) resumes under the default.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(on, "run.json")))!.AsObject();
        json["options"]!.AsObject().Remove("blur_check");
        File.WriteAllText(Path.Combine(on, "run.json"), json.ToJsonString());
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", bundle, "--out", on, "--deconvolver", "none", "--resume");
        Assert.Equal(0, r.Code);
    }

    [Fact]
    public void AValueOtherThanOnOrOffIsAUsageErrorAndWithGroundTruthKernelsItIsSaidToChangeNothing()
    {
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(1), "replay", TestPaths.CopyOfSample(), "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--blur-check", "maybe");
        Assert.Equal(2, r.Code);
        Assert.Contains("--blur-check", r.Err);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "gt");
        r = CliTests.RunWithin(TimeSpan.FromMinutes(3), "replay", TestPaths.CopyOfSample(), "--out", outDir, "--deconvolver", "none", "--kernels", "gt", "--blur-check", "off");
        Assert.Equal(0, r.Code);
        Assert.Contains("note: --blur-check off changes nothing with kernels gt", r.Err);
        // Not recorded for a source the check does not judge.
        Assert.Null(Options(outDir)["blur_check"]);
    }
}
