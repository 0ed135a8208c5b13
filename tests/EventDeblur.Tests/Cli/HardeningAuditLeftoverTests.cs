namespace EventDeblur.Tests.Cli;

/// <summary>
/// Leftovers of issue 15 found after its fixes, each reproduced as a child process on a copy of the shipped sample:
/// a replay into a folder inside its own bundle, ground-truth kernels with non-finite or negative weights, an impossible
/// saturation level, and usage errors that printed the whole help text.
/// </summary>
public partial class HardeningAuditTests
{
    private static string[] FilesOf(string dir) =>
        [.. Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// <c>replay BUNDLE --out BUNDLE/out</c> was accepted (exit 0) and wrote the run (frames/, kernels/, preview/, run.json,
    /// frames.parquet) into the input bundle. Now refused before anything is written, as <c>eval</c> refuses its inputs as
    /// OUT and with the same check (a folder below the bundle, however deep, and eval's OUT inside a bundle are refused
    /// too); <c>--force</c> still writes there.
    /// </summary>
    [Fact]
    public void ReplayRefusesAnOutFolderInsideItsBundle()
    {
        string bundle = CopyOfSample();
        var before = FilesOf(bundle);

        string inside = Path.Combine(bundle, "out");
        var r = Run("replay", bundle, "--out", inside, "--deconvolver", "none");
        Expect(2, r);
        Assert.Contains($"error: --out {inside}: is inside the recording bundle {bundle} ({Path.Combine(bundle, "recording.json")}), not a run folder", r.Err);
        Assert.Contains("choose a folder outside the input", r.Err);

        string deep = Path.Combine(bundle, "rgb", "runs", "a");
        var d = Run("replay", bundle, "--out", deep, "--deconvolver", "none", "--kernels", "gt");
        Expect(2, d);
        Assert.Contains($"--out {deep}: is inside the recording bundle {bundle} ", d.Err);

        var itself = Run("replay", bundle, "--out", bundle, "--deconvolver", "none");
        Expect(2, itself);
        Assert.Contains($"--out {bundle}: is a recording bundle (recording.json), not a run folder", itself.Err);

        var eval = Run("eval", bundle, "--out", Path.Combine(bundle, "eval"), "--methods", "blurry");
        Expect(2, eval);
        Assert.Contains($"--out {Path.Combine(bundle, "eval")}: is inside the recording bundle {bundle} ", eval.Err);
        Assert.Equal(before, FilesOf(bundle));

        // --force: the user insists; the run is written there.
        var forced = Run("replay", bundle, "--out", inside, "--deconvolver", "none", "--kernels", "gt", "--force");
        Expect(0, forced);
        Assert.Contains("3 frames deblurred, 0 failed", forced.Out);
        Assert.True(File.Exists(Path.Combine(inside, "run.json")));
    }

    /// <summary>
    /// A ground-truth kernel with a NaN or negative weight: inspect said "problems: none" (exit 0); replay failed the frame
    /// with ".NET type: … weight 2 is NaN" and eval only counted "1/3 frames ok". Now inspect lists each file with its
    /// line, field and what was expected (exit 1); replay and eval fail just those frames with that message (eval prints
    /// it) and deblur the other one.
    /// </summary>
    [Fact]
    public void NonFiniteOrNegativeGroundTruthKernelWeightsAreNamedByInspectReplayAndEval()
    {
        string bundle = CopyOfSample();
        string k1 = Path.Combine(bundle, "gt", "kernels", "000001.csv"), k2 = Path.Combine(bundle, "gt", "kernels", "000002.csv");
        Poison(k1, 7, "NaN");
        Poison(k2, 5, "-0.25");
        string nan = $"{k1}: line 1: field 8 (weight 2: row 0, column 2 of the 33×33 kernel) is 'NaN'; expected a finite number ≥ 0: a kernel is a distribution of exposure time";
        string negative = $"{k2}: line 1: field 6 (weight 0: row 0, column 0 of the 27×27 kernel) is '-0.25'; expected a finite number ≥ 0";

        var inspect = Run("inspect", bundle);
        Expect(1, inspect);
        Assert.Contains($"  problem: {nan} (frame 1's ground-truth kernel)", inspect.Out);
        Assert.Contains(negative, inspect.Out);
        Assert.DoesNotContain("000000.csv", inspect.Out);

        var replay = Run("replay", bundle, "--out", NewOut(), "--deconvolver", "none", "--kernels", "gt");
        Expect(1, replay);
        Assert.Contains($"index 1: failed ({nan})", replay.Out);
        Assert.Contains($"index 2: failed ({negative}", replay.Out);
        Assert.Contains("index 0: ok", replay.Out);
        Assert.DoesNotContain("Exception", replay.Out);

        var eval = Run("eval", bundle, "--out", NewOut(), "--methods", "gt+wiener");
        Expect(1, eval);
        Assert.Contains("bundle gt+wiener: 1/3 frames ok", eval.Out);
        Assert.Contains($"  bundle gt+wiener index 1: failed ({nan})", eval.Out);
        Assert.Contains($"  bundle gt+wiener index 2: failed ({negative}", eval.Out);

        // The shipped sample's kernels are clean.
        Assert.DoesNotContain("ground-truth kernel", Run("inspect", Sample).Out);
    }

    private static void Poison(string kernelCsv, int field, string value)
    {
        var fields = File.ReadAllText(kernelCsv).TrimEnd('\n').Split(',');
        fields[field] = value;
        File.WriteAllText(kernelCsv, string.Join(',', fields) + "\n");
    }

    /// <summary>
    /// <c>rgb.saturation_level</c> above <c>white_level</c> (no pixel could ever be marked clipped) or at or below
    /// <c>black_level</c> (every pixel would be) was accepted silently: inspect exit 0, replay exit 0. Now the manifest is
    /// refused where it is read, as an inverted black/white level already was (exit 2, the field, its value and the
    /// range); a saturation level equal to the white level (the default) is fine.
    /// </summary>
    [Theory]
    [InlineData(70000, "rgb.saturation_level (70000) must lie above rgb.black_level (1024) and at most rgb.white_level (65535)")]
    [InlineData(500, "rgb.saturation_level (500) must lie above rgb.black_level (1024)")]
    [InlineData(1024, "rgb.saturation_level (1024) must lie above rgb.black_level (1024)")]
    public void ASaturationLevelOutsideBlackToWhiteIsAManifestError(double saturation, string expected)
    {
        string bundle = CopyOfSample();
        EditManifest(bundle, m => m["rgb"]!["saturation_level"] = saturation);
        string manifest = Path.Combine(bundle, "recording.json");

        var inspect = Run("inspect", bundle);
        Expect(2, inspect);
        Assert.Contains($"error: {manifest}: {expected}", inspect.Err);

        string outDir = NewOut();
        var replay = Run("replay", bundle, "--out", outDir, "--deconvolver", "none", "--kernels", "gt");
        Expect(2, replay);
        Assert.Contains($"{manifest}: {expected}", replay.Err);
        Assert.False(File.Exists(Path.Combine(outDir, "run.json")));

        EditManifest(bundle, m => m["rgb"]!["saturation_level"] = 65535);
        Expect(0, Run("inspect", bundle));
    }

    /// <summary>
    /// A usage error (an unknown option, a missing required option or argument, an unknown verb) printed the error and
    /// then the whole help text (≈ 20 lines for replay), burying the error. Now the error and one line pointing to the
    /// verb's help; still exit 2. <c>--help</c> itself is unchanged.
    /// </summary>
    [Theory]
    [InlineData("replay|BUNDLE", "Option '--out' is required.", "eventdeblur replay --help")]
    [InlineData("replay|BUNDLE|--out", "Required argument missing for option: '--out'.", "eventdeblur replay --help")]
    [InlineData("inspect|BUNDLE|--bogus", "Unrecognized command or argument '--bogus'.", "eventdeblur inspect --help")]
    [InlineData("inspect", "Required argument 'PATH' missing for command: 'inspect'.", "eventdeblur inspect --help")]
    [InlineData("frobnicate", "Unrecognized command or argument 'frobnicate'.", "eventdeblur --help")]
    public void AUsageErrorPrintsTheErrorAndWhereHelpIsNotTheWholeHelp(string args, string error, string help)
    {
        var r = Run([.. args.Split('|').Select(a => a == "BUNDLE" ? Sample : a)]);
        Expect(2, r);
        Assert.Contains(error, r.Err);
        Assert.EndsWith($"Run '{help}' for usage.\n", r.Err);
        foreach (string helpText in (string[])["Usage:", "Options:", "Description:"])
        {
            Assert.DoesNotContain(helpText, r.Out);
            Assert.DoesNotContain(helpText, r.Err);
        }

        var full = Run([.. help.Split(' ').Skip(1)]);
        Expect(0, full);
        Assert.Contains("Usage:", full.Out);
    }
}
