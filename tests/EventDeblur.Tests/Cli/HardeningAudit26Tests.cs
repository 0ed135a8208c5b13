using System.Text.Json;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Cli;

/// <summary>The findings left open by the stop-25 audit, each reproduced as a child process.</summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// <c>preview</c> with a frame outside the bundle and <c>eval</c> of a folder without bundles exited 2 but left the
    /// empty OUT folder they had made (replay already did not). A folder that existed before is kept.
    /// </summary>
    [Fact]
    public void PreviewAndEvalLeaveNoEmptyOutBehindOnAUsageError()
    {
        string preview = NewOut();
        var p = Run("preview", Sample, "--frame", "99", "--out", preview);
        Assert.Equal(2, p.Code);
        Assert.Contains("--frame 99 is outside 0..2", p.Err);
        Assert.False(Directory.Exists(preview));

        string eval = NewOut();
        var e = Run("eval", TestPaths.NewTempDir(), "--out", eval, "--methods", "blurry");
        Assert.Equal(2, e.Code);
        Assert.Contains("no bundles found", e.Err);
        Assert.False(Directory.Exists(eval));

        string existing = NewOut();
        Directory.CreateDirectory(existing);
        Assert.Equal(2, Run("preview", Sample, "--frame", "99", "--out", existing).Code);
        Assert.True(Directory.Exists(existing));
    }

    /// <summary>
    /// <c>replay --deconvolver learned --quality fast</c> on the CPU runs the shipped model's int8 version, but run.json
    /// recorded the float model. It now records the file that ran, so --resume compares the right one.
    /// </summary>
    [Fact]
    public void RunJsonRecordsTheModelFileThatRan()
    {
        string Model(string quality)
        {
            string outDir = NewOut();
            var r = Run("replay", Sample, "--out", outDir, "--deconvolver", "learned", "--kernels", "gt", "--quality", quality, "--device", "cpu");
            Assert.True(r.Code == 0, r.Err);
            using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json")));
            return run.RootElement.GetProperty("options").GetProperty("model").GetString()!;
        }
        Assert.Equal("robust-refiner-v5-int8.onnx", Path.GetFileName(Model("fast")));
        Assert.Equal("robust-refiner-v5.onnx", Path.GetFileName(Model("balanced")));
    }

    /// <summary>
    /// <c>bundle</c> renamed the images of a folder to 000000.png… and kept no record of which photo became which frame.
    /// <c>rgb/sources.csv</c> now says it (the original names, in the natural order the frames were taken in), and the
    /// bundle stays clean for inspect.
    /// </summary>
    [Fact]
    public void BundleRecordsWhereEachFrameCameFrom()
    {
        var original = RecordingBundle.Load(Sample);
        string dir = TestPaths.NewTempDir();
        string images = Path.Combine(dir, "photos");
        Directory.CreateDirectory(images);
        // Natural order: "IMG 9" before "IMG 10", then the quoted name; the sample's frames are copied in that order.
        string[] ordered = ["IMG 9.png", "IMG 10.png", "night, \"a\".png"];
        for (int i = 0; i < 3; i++) File.Copy(original.Frames[i].File, Path.Combine(images, ordered[i]));
        string csv = ExposureCsv(dir, original);
        string bundle = Path.Combine(dir, "b");

        var r = Run("bundle", "--events", original.EventsPath, "--rgb", images, "--exposure-csv", csv,
            "--clock-offset-us", original.Manifest.Sync.ClockOffsetUs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", bundle);
        Assert.True(r.Code == 0, r.Err);

        Assert.Equal(["index,source", "0,IMG 9.png", "1,IMG 10.png", "2,\"night, \"\"a\"\".png\""], File.ReadAllLines(Path.Combine(bundle, "rgb", "sources.csv")));
        for (int i = 0; i < 3; i++)
            Assert.Equal(File.ReadAllBytes(original.Frames[i].File), File.ReadAllBytes(Path.Combine(bundle, "rgb", $"{i:D6}.png")));
        Assert.Equal(0, Run("inspect", bundle).Code);
    }

    /// <summary>
    /// One bundle with a broken recording.json aborted a whole <c>eval</c> over a dataset folder (exit 2, nothing
    /// evaluated). Now the others are evaluated, the broken one is named (stderr and the shard's metadata), the exit code
    /// is 1, and <c>report</c> warns that the table does not cover it.
    /// </summary>
    [Fact]
    public void OneBrokenBundleDoesNotStopAnEvaluation()
    {
        string ds = TestPaths.NewTempDir();
        foreach (string name in new[] { "good-001", "broken-001" })
        {
            string b = Path.Combine(ds, name);
            CopySample(b);
        }
        File.WriteAllText(Path.Combine(ds, "broken-001", "recording.json"), "{\"format\": \"eventdeblur-recording/1\", \"events\": ");
        string outDir = NewOut();

        var r = Run("eval", ds, "--out", outDir, "--methods", "blurry");
        Assert.Equal(1, r.Code);
        Assert.Contains("good-001 blurry: 3/3 frames ok", r.Out);
        Assert.Contains("problem: broken-001: not evaluated: ", r.Err);
        Assert.Contains("recording.json", r.Err);

        var report = Run("report", outDir);
        Assert.Equal(1, report.Code);
        Assert.Contains("| good | blurry | 3 |", report.Out);
        Assert.Contains("WARNING: results-shard-1-of-1.parquet: broken-001: not evaluated", report.Err);
    }

    /// <summary>The shipped sample bundle, copied into <paramref name="dir"/>.</summary>
    private static void CopySample(string dir)
    {
        foreach (var f in Directory.GetFiles(Sample, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(dir, Path.GetRelativePath(Sample, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    /// <summary>A rejected frames.csv row gets no frame row; eval's count says so (stop 42: "1/1 frames ok" hid it).</summary>
    [Fact]
    public void EvalSaysARejectedTableRowIsNotCounted()
    {
        string b = Path.Combine(TestPaths.NewTempDir(), "swapped-001");
        CopySample(b);
        string csv = Path.Combine(b, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        (lines[1], lines[2]) = (lines[2], lines[1]);   // index 1 before index 0: the later row is rejected
        File.WriteAllLines(csv, lines);
        var r = Run("eval", b, "--out", NewOut(), "--methods", "blurry");
        Assert.Equal(1, r.Code);
        Assert.Contains("swapped-001 blurry: 2/2 frames ok; 1 row of its frame tables rejected (above), not counted", r.Out);
    }

    /// <summary>
    /// A folder of the dataset that holds a bundle's files but whose recording.json was renamed (stop 42, a new user's
    /// trial: it was left out unseen, exit 0): named as not evaluated, with the file it holds instead, exit 1.
    /// </summary>
    [Fact]
    public void ABundleFolderWithoutItsManifestIsNamedNotSkipped()
    {
        string ds = TestPaths.NewTempDir();
        foreach (string name in new[] { "good-001", "renamed-001" })
        {
            string b = Path.Combine(ds, name);
            CopySample(b);
        }
        File.Move(Path.Combine(ds, "renamed-001", "recording.json"), Path.Combine(ds, "renamed-001", "Recording.json"));
        Directory.CreateDirectory(Path.Combine(ds, "notes"));   // a folder that is no bundle at all: still ignored
        var r = Run("eval", ds, "--out", NewOut(), "--methods", "blurry");
        Assert.Equal(1, r.Code);
        Assert.Contains("good-001 blurry: 3/3 frames ok", r.Out);
        Assert.Contains("problem: renamed-001: not evaluated: ", r.Err);
        Assert.Contains("not a recording bundle (no recording.json; it holds Recording.json: renamed?)", r.Err);
        Assert.DoesNotContain("notes", r.Err);
    }
}
