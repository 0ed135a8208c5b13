namespace EventDeblur.Tests.Cli;

/// <summary>
/// Stop 40's evaluation trial (a new user running eval and report over small datasets): two bundles of one folder name
/// mixed their runs and rows; a dataset path that held no bundle was ignored without a word; report of one folder named
/// twice warned of duplicate rows; a job-array-sized --shard N took minutes before any work (a file check per shard) and
/// report then listed every missing shard by name.
/// </summary>
public class EvalTrial40Tests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliTests.RunWithin(TimeSpan.FromMinutes(5), args);

    private static string Sample(string parent, string name)
    {
        string copy = TestPaths.CopyOfSample();
        string to = Path.Combine(parent, name);
        Directory.CreateDirectory(parent);
        Directory.Move(copy, to);
        return to;
    }

    [Fact]
    public void TwoBundlesOfOneNameAreRefusedBeforeAnyWork()
    {
        string dir = TestPaths.NewTempDir();
        string a = Sample(Path.Combine(dir, "A"), "night"), b = Sample(Path.Combine(dir, "B"), "night");
        string outDir = Path.Combine(dir, "E");
        var r = Run("eval", a, b, "--out", outDir, "--methods", "blurry");
        Assert.True(r.Code == 2, r.Out + r.Err);
        Assert.Contains($"{a} and {b}: two bundles named 'night'", r.Err);
        Assert.False(Directory.Exists(Path.Combine(outDir, "runs")));
    }

    [Fact]
    public void APathWithNoBundleIsNamedAndAFolderNamedTwiceIsReportedOnce()
    {
        string dir = TestPaths.NewTempDir();
        string data = Path.Combine(dir, "data");
        Sample(data, "night");
        string empty = Path.Combine(dir, "empty");
        Directory.CreateDirectory(empty);
        string outDir = Path.Combine(dir, "E");
        var r = Run("eval", data, empty, "--out", outDir, "--methods", "blurry");
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Contains($"note: {empty}: no bundle in it", r.Out);
        Assert.DoesNotContain($"note: {data}:", r.Out);

        var once = Run("report", outDir);
        var twice = Run("report", outDir, outDir + Path.DirectorySeparatorChar);
        Assert.True(twice.Code == once.Code, twice.Out + twice.Err);
        Assert.Contains("an evaluation folder was named more than once; it is counted once", twice.Out);
        Assert.DoesNotContain("more than one shard file", twice.Err);
        Assert.Equal(once.Out, twice.Out.Replace("note: an evaluation folder was named more than once; it is counted once\n", ""));
    }

    [Fact]
    public void AJobArraySizedSplitRunsItsShareAndReportCountsTheRest()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Sample(Path.Combine(dir, "data"), "night");
        string outDir = Path.Combine(dir, "E");
        var r = Run("eval", bundle, "--out", outDir, "--methods", "blurry", "--shard", "1/1000000000");
        Assert.True(r.Code == 0, r.Out + r.Err);
        var report = Run("report", outDir);
        Assert.Contains("999,999,999 of 1,000,000,000 shards missing (results-shard-2-of-1000000000.parquet, ", report.Err);
        Assert.Contains("and 999,999,989 more): the table covers only part of the work", report.Err);
        Assert.True(report.Err.Length < 10_000, $"{report.Err.Length} characters of warnings");
    }

    [Fact]
    public void TheHtmlReportNamesACorruptFrameWithoutLibpngsOwnOutput()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Sample(Path.Combine(dir, "data"), "night");
        string outDir = Path.Combine(dir, "E");
        Assert.Equal(0, Run("eval", bundle, "--out", outDir, "--methods", "blurry").Code);
        // The bundle's first frame damaged afterwards, inside its image data (its CRC no longer matches).
        string frame = Directory.GetFiles(Path.Combine(bundle, "rgb"), "*.png").Order(StringComparer.Ordinal).First();
        byte[] png = File.ReadAllBytes(frame);
        for (int i = png.Length / 2; i < png.Length / 2 + 64; i++) png[i] ^= 0x5A;
        File.WriteAllBytes(frame, png);
        string html = Path.Combine(dir, "report.html");
        var r = Run("report", outDir, "--html", html);
        Assert.DoesNotContain("libpng", r.Out + r.Err);
        string page = File.ReadAllText(html);
        Assert.Contains("pictures unavailable (", page);
        Assert.Contains(Path.GetFileName(frame), page);
    }

    [Fact]
    public void TheTextReportWarnsOfARunThatIsNotCompletedAsThePageDoes()
    {
        string dir = TestPaths.NewTempDir();
        string bundle = Sample(Path.Combine(dir, "data"), "night");
        string outDir = Path.Combine(dir, "E");
        Assert.Equal(0, Run("eval", bundle, "--out", outDir, "--methods", "blurry").Code);
        Assert.Equal(0, Run("report", outDir).Code);
        string runJson = Path.Combine(outDir, "runs", "blurry", "night", "run.json");
        string text = File.ReadAllText(runJson);
        Assert.Contains("\"completed\"", text);
        File.WriteAllText(runJson, text.Replace("\"completed\"", "\"running\""));
        var running = Run("report", outDir);
        Assert.True(running.Code == 1, running.Out + running.Err);
        Assert.Contains($"WARNING: {Path.GetDirectoryName(runJson)}: run status 'running'", running.Err);
        File.WriteAllText(runJson, "{ not json");
        var broken = Run("report", outDir);
        Assert.True(broken.Code == 1, broken.Out + broken.Err);
        Assert.Contains($"WARNING: {Path.GetDirectoryName(runJson)}: ", broken.Err);
    }

    [Fact]
    public void AnEvaluationWithoutResultsYetAndAnImpossibleSensorSizeAreNamed()
    {
        string dir = TestPaths.NewTempDir();
        string unfinished = Path.Combine(dir, "E");
        Directory.CreateDirectory(Path.Combine(unfinished, "runs", "blurry", "night"));
        var r = Run("report", unfinished);
        Assert.True(r.Code == 2, r.Out + r.Err);
        Assert.Contains("an evaluation that has not written its results yet", r.Err);

        string events = Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night", "events.aedat4");
        var size = Run("convert", events, Path.Combine(dir, "o.aedat4"), "--width", "-5", "--height", "70000");
        Assert.True(size.Code == 2, size.Out + size.Err);
        Assert.Contains("--width -5 --height 70000: a sensor size is 1..32767 pixels a side", size.Err);
        var parquet = Run("convert", events, Path.Combine(dir, "o.parquet"), "--compression", "zstd");
        Assert.True(parquet.Code == 0, parquet.Out + parquet.Err);
        Assert.Contains("note: --compression zstd applies to AEDAT 4.0 output", parquet.Err);
    }

    /// <summary>Stop 40's DAVIS-alone trial: preview's --gain was ignored for APS frames (always 1); it applies when given.</summary>
    [SkippableFact]
    public void PreviewTakesAGivenGainForApsFrames()
    {
        string real = Path.Combine(TestPaths.RealRecordingsDir, "aedat4", "aestream_davis346_evts_frames_imu_trig.aedat4");
        Skip.IfNot(File.Exists(real), $"{real} is absent (../shared/recordings/real)");
        string dir = TestPaths.NewTempDir();
        Dictionary<string, byte[]> Pictures(params string[] extra)
        {
            string o = Path.Combine(dir, string.Join("-", extra.Prepend("p")));
            var r = Run(["preview", real, "--frame", "0", "--out", o, .. extra]);
            Assert.True(r.Code == 0, r.Out + r.Err);
            return Directory.GetFiles(o, "*.png", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).Contains("events") && !Path.GetFileName(f).Contains("kernel"))
                .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        }
        var byDefault = Pictures();
        var one = Pictures("--gain", "1");
        var four = Pictures("--gain", "4");
        Assert.NotEmpty(byDefault);
        Assert.All(byDefault, kv => Assert.Equal(kv.Value, one[kv.Key]));
        Assert.Contains(byDefault, kv => !kv.Value.AsSpan().SequenceEqual(four[kv.Key]));
    }
}
