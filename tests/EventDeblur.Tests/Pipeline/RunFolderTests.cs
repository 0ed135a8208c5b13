using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Pipeline;

/// <summary>
/// Output folders are owned (issue 15, items 7 and 8): failed frames leave no final-named files, a replay refuses a
/// folder that is not one of its runs unless forced, <c>--resume</c> continues only the same bundle, method and
/// options and retries failed frames, and the <c>.partial</c> files of killed runs are cleaned.
/// </summary>
public class RunFolderTests
{
    private static readonly ReplayOptions Wiener = new() { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" };

    private static Task<ReplaySummary> Replay(string bundle, string outDir, ReplayOptions? o = null, IKernelEstimator? k = null) =>
        ReplayPipeline.RunAsync(bundle, outDir, o ?? Wiener, k ?? new GroundTruthKernelEstimator());

    private static string OutDir() => Path.Combine(TestPaths.NewTempDir(), "out");

    private static bool Final(string outDir, string sub, int index) =>
        File.Exists(Path.Combine(outDir, sub, $"{index:D6}.{(sub == "frames" ? "png" : "csv")}"));

    [Fact]
    public async Task AFrameThatFailsScoringLeavesNoFinalNamedFiles()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        // Frame 1's PNG cannot take its final name (a folder stands there, made once frame 0 was finished): the frame is
        // deblurred and scored, then fails while its outputs are written. (Before stop 48 an unreadable ground-truth kernel
        // failed it at scoring; since then such a kernel only leaves the kernel similarity out.)
        string outDir = OutDir();
        var s = await ReplayPipeline.RunAsync(bundle, outDir, Wiener, new EventKernelEstimator(),
            p => { if (p.Done == 1) Directory.CreateDirectory(Path.Combine(outDir, "frames", "000001.png")); });
        Assert.Equal(["ok", "failed"], s.Results.Select(r => r.Status));
        Assert.StartsWith("writing outputs", s.Results[1].Error);
        Assert.True(Final(outDir, "frames", 0) && Final(outDir, "kernels", 0));
        Assert.False(Final(outDir, "frames", 1), "a failed frame left frames/000001.png");
        Assert.False(Final(outDir, "kernels", 1), "a failed frame left kernels/000001.csv");
    }

    [Fact]
    public async Task ARerunThatFailsAFrameRemovesTheEarlierRunsFilesForIt()
    {
        string bundle = ReplayTests.SmallBundle(frames: 3);
        string outDir = OutDir();
        Assert.All((await Replay(bundle, outDir)).Results, r => Assert.Equal("ok", r.Status));
        Assert.True(Final(outDir, "frames", 1));

        File.Delete(Path.Combine(bundle, "rgb", "000001.png"));
        var second = await Replay(bundle, outDir);
        Assert.Equal(["ok", "failed", "ok"], second.Results.Select(r => r.Status));
        Assert.False(Final(outDir, "frames", 1), "the earlier run's frames/000001.png survived a rerun that failed the frame");
        Assert.False(Final(outDir, "kernels", 1), "the earlier run's kernels/000001.csv survived a rerun that failed the frame");
    }

    [Fact]
    public async Task AFreshRunIntoAnEarlierRunStartsAfreshAndKeepsNoStaleRows()
    {
        string bundle = ReplayTests.SmallBundle(frames: 3);
        string outDir = OutDir();
        await Replay(bundle, outDir);
        // The bundle now has two frames: the old frame 2 must not come back from the earlier run's progress record.
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        File.WriteAllLines(csv, File.ReadAllLines(csv).Take(3));
        var s = await Replay(bundle, outDir);
        Assert.Equal([0L, 1L], s.Results.Select(r => r.Index));
        Assert.False(Final(outDir, "frames", 2));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(outDir, ".progress")).Length);
    }

    [Fact]
    public async Task AFolderThatIsNotARunIsRefusedUnlessForced()
    {
        string bundle = ReplayTests.SmallBundle(frames: 1);
        string outDir = OutDir();
        Directory.CreateDirectory(Path.Combine(outDir, "frames"));
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(outDir, "frames", "000000.png"), "not a frame");
        File.WriteAllText(Path.Combine(outDir, "frames", "holiday.png"), "mine too");

        var e = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir));
        Assert.Equal(UserInputKind.Unusable, e.Kind);
        Assert.Contains(Path.GetFullPath(outDir), e.Message);
        Assert.Contains("notes.txt", e.Message);
        Assert.Contains("frames/", e.Message);
        Assert.Contains("--force", e.Message);
        Assert.Equal("not a frame", File.ReadAllText(Path.Combine(outDir, "frames", "000000.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "run.json")));
        // --resume is no way round it either.
        var r = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, Wiener with { Resume = true }));
        Assert.Contains("notes.txt", r.Message);

        var s = await Replay(bundle, outDir, Wiener with { Force = true });
        Assert.Equal("ok", Assert.Single(s.Results).Status);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
        Assert.Equal("mine too", File.ReadAllText(Path.Combine(outDir, "frames", "holiday.png")));
        Assert.NotEqual("not a frame", File.ReadAllText(Path.Combine(outDir, "frames", "000000.png")));
        // Now it is a replay run: a plain rerun is allowed.
        Assert.Equal("completed", (await Replay(bundle, outDir)).Status);
    }

    [Fact]
    public async Task ALiveRunsFolderIsNotAReplayRun()
    {
        string bundle = ReplayTests.SmallBundle(frames: 1);
        string outDir = OutDir();
        Directory.CreateDirectory(outDir);
        new EventDeblur.Pipeline.Output.RunManifest { Mode = "live", Status = "completed", Started = DateTimeOffset.UtcNow, Options = new() }.Write(outDir);
        var e = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir));
        Assert.Contains("live run", e.Message);
    }

    [Fact]
    public async Task PartialFilesOfKilledRunsAreCleanedAtStart()
    {
        string bundle = ReplayTests.SmallBundle(frames: 1);
        string outDir = OutDir();
        await Replay(bundle, outDir);
        int dead = DeadPid();
        var leftovers = new[]
        {
            Path.Combine(outDir, "frames", $".000000.png.{dead}.{Guid.NewGuid():N}.partial"),
            Path.Combine(outDir, "kernels", $".000000.csv.{dead}.{Guid.NewGuid():N}.partial"),
            Path.Combine(outDir, $".frames.parquet.{dead}.{Guid.NewGuid():N}.partial"),
        };
        foreach (var f in leftovers) File.WriteAllText(f, "half");
        // A temporary file of a process that is still running (this one's parent, say) is not a leftover.
        string live = Path.Combine(outDir, "frames", $".000009.png.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        File.WriteAllText(live, "being written");

        await Replay(bundle, outDir, Wiener with { Resume = true });
        Assert.All(leftovers, f => Assert.False(File.Exists(f), f));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public async Task ResumeRefusesAnotherLearnedModelOrDevice()
    {
        // The pipeline records model and device whenever they are set (the CLI sets them for --deconvolver learned only).
        string bundle = ReplayTests.SmallBundle(frames: 2);
        string outDir = OutDir();
        var first = Wiener with { Model = "/models/a.onnx", Device = "cpu" };
        await Replay(bundle, outDir, first);
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement.GetProperty("options");
        Assert.Equal("/models/a.onnx", run.GetProperty("model").GetString());
        Assert.Equal("cpu", run.GetProperty("device").GetString());

        var m = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, first with { Resume = true, Model = "/models/b.onnx" }));
        Assert.Contains("model \"/models/a.onnx\", now \"/models/b.onnx\"", m.Message);
        var d = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, first with { Resume = true, Device = "cuda" }));
        Assert.Contains("device \"cpu\", now \"cuda\"", d.Message);
        Assert.Equal("completed", (await Replay(bundle, outDir, first with { Resume = true })).Status);
    }

    [Fact]
    public async Task ResumeRefusesAnotherMethodOrOptions()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        string outDir = OutDir();
        await Replay(bundle, outDir);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", "000000.png"));

        var d = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "rl", Resume = true }));
        Assert.Contains("deconvolver \"wiener\", now \"rl\"", d.Message);
        Assert.Contains("without --resume", d.Message);
        var k = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, Wiener with { Resume = true }, new StreakShapeKernelEstimator()));
        Assert.Contains("kernels \"gt\", now \"streak\"", k.Message);
        var l = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, Wiener with { Resume = true, EventLatencyUs = 500 }));
        Assert.Contains("event_latency_us 0, now 500", l.Message);
        // Nothing was touched by the refusals; run.json still names the first run's method.
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", "000000.png")));
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement;
        Assert.Equal("wiener", run.GetProperty("options").GetProperty("deconvolver").GetString());
        Assert.Equal("completed", run.GetProperty("status").GetString());

        // Run-control options are not the method: another channel capacity resumes.
        var same = await Replay(bundle, outDir, Wiener with { Resume = true, ChannelCapacity = 3, FailFast = true });
        Assert.Equal("completed", same.Status);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", "000000.png")));
    }

    [Fact]
    public async Task ResumeRefusesAnotherBundleOrAChangedOne()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        string outDir = OutDir();
        await Replay(bundle, outDir);

        string copy = Path.Combine(TestPaths.NewTempDir(), "copy");
        CopyDir(bundle, copy);
        var other = await Assert.ThrowsAsync<UserInputException>(() => Replay(copy, outDir, Wiener with { Resume = true }));
        Assert.Contains($"input bundle {Path.GetFullPath(bundle)}, now {Path.GetFullPath(copy)}", other.Message);

        // Same folder, edited frame table (frame 1's exposure moved by 1 µs).
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        var f = lines[2].Split(',');
        f[2] = (long.Parse(f[2]) + 1).ToString();
        lines[2] = string.Join(',', f);
        File.WriteAllLines(csv, lines);
        var changed = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, Wiener with { Resume = true }));
        Assert.Contains("manifest or frame table changed", changed.Message);
    }

    /// <summary>
    /// Stop 55's review: a bundle simulated again with finer truth tiles changes only gt/kernels, which the input
    /// fingerprint did not cover, so --resume kept frames scored against the old truth. Now refused, naming the change;
    /// a run.json written before the truth was fingerprinted (no key) still resumes.
    /// </summary>
    [Fact]
    public async Task ResumeRefusesChangedGroundTruthKernelsButNotAnOlderRun()
    {
        string bundle = ReplayTests.SmallBundle(frames: 2);
        string outDir = OutDir();
        await Replay(bundle, outDir);
        string runJson = Path.Combine(outDir, "run.json");
        string? recorded = JsonNode.Parse(File.ReadAllText(runJson))!["ground_truth_kernels_fingerprint"]?.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", recorded);

        string kernels = Directory.GetFiles(Path.Combine(bundle, "gt", "kernels"), "*.csv").Order(StringComparer.Ordinal).First();
        File.AppendAllText(kernels, "\n");
        var changed = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir, Wiener with { Resume = true }));
        Assert.Contains($"the bundle's ground-truth kernels changed since (fingerprint {recorded![..12]}, now ", changed.Message);
        Assert.DoesNotContain("manifest or frame table changed", changed.Message);

        // An older build's run.json has no such key: not checked on it, and the resume records it.
        var run = JsonNode.Parse(File.ReadAllText(runJson))!.AsObject();
        run.Remove("ground_truth_kernels_fingerprint");
        File.WriteAllText(runJson, run.ToJsonString());
        Assert.Equal("completed", (await Replay(bundle, outDir, Wiener with { Resume = true })).Status);
        string? now = JsonNode.Parse(File.ReadAllText(runJson))!["ground_truth_kernels_fingerprint"]?.GetValue<string>();
        Assert.NotEqual(recorded, now);
        Assert.Matches("^[0-9a-f]{64}$", now);
    }

    [Fact]
    public async Task ResumeRetriesFailedFramesAndKeepsCompletedOnes()
    {
        string bundle = ReplayTests.SmallBundle(frames: 3);
        string png = Path.Combine(bundle, "rgb", "000001.png");
        string saved = png + ".saved";
        File.Move(png, saved);
        string outDir = OutDir();
        var first = await Replay(bundle, outDir);
        Assert.Equal(["ok", "failed", "ok"], first.Results.Select(r => r.Status));
        var stamps = new[] { 0, 2 }.Select(i => File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", $"{i:D6}.png"))).ToList();

        File.Move(saved, png);
        var redone = new List<long>();
        var second = await ReplayPipeline.RunAsync(bundle, outDir, Wiener with { Resume = true }, new GroundTruthKernelEstimator(), p => redone.Add(p.Last.Index));
        Assert.Equal([1L], redone);
        Assert.Equal(["ok", "ok", "ok"], second.Results.Select(r => r.Status));
        Assert.True(Final(outDir, "frames", 1) && Final(outDir, "kernels", 1));
        Assert.Equal(stamps, new[] { 0, 2 }.Select(i => File.GetLastWriteTimeUtc(Path.Combine(outDir, "frames", $"{i:D6}.png"))).ToList());
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement;
        Assert.Equal(3, run.GetProperty("frames").GetProperty("ok").GetInt32());
        Assert.Equal(0, run.GetProperty("frames").GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task ResumeRedoesAFrameWhoseFilesAreThereButWhoseRecordIsNot()
    {
        // A run killed between a frame's files and its progress record: the files are not trusted.
        string bundle = ReplayTests.SmallBundle(frames: 2);
        string outDir = OutDir();
        await Replay(bundle, outDir);
        File.Delete(Path.Combine(outDir, ".progress", "000001.json"));
        File.WriteAllText(Path.Combine(outDir, "frames", "000001.png"), "half-done");
        var redone = new List<long>();
        await ReplayPipeline.RunAsync(bundle, outDir, Wiener with { Resume = true }, new GroundTruthKernelEstimator(), p => redone.Add(p.Last.Index));
        Assert.Equal([1L], redone);
        Assert.NotEqual("half-done", File.ReadAllText(Path.Combine(outDir, "frames", "000001.png")));
    }

    [Fact]
    public async Task ResumeRedoesAFrameWhoseInputImageOrGroundTruthWasReplaced()
    {
        // Before stop 42 --resume kept a frame's output after its input image had been replaced (e.g. re-exported).
        string bundle = ReplayTests.SmallBundle(frames: 3);
        string outDir = OutDir();
        await Replay(bundle, outDir);
        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ".progress", "000000.json"))).RootElement.GetProperty("input_sha256");
        Assert.Equal(64, record.GetProperty("image").GetString()!.Length);
        Assert.Equal(64, record.GetProperty("truth").GetString()!.Length);

        // Frame 1's image becomes frame 0's; frame 2's ground truth becomes frame 0's; frame 0 is untouched.
        File.Copy(Path.Combine(bundle, "rgb", "000000.png"), Path.Combine(bundle, "rgb", "000001.png"), overwrite: true);
        File.Copy(Path.Combine(bundle, "gt", "000000.png"), Path.Combine(bundle, "gt", "000002.png"), overwrite: true);
        var redone = new List<long>();
        var second = await ReplayPipeline.RunAsync(bundle, outDir, Wiener with { Resume = true }, new GroundTruthKernelEstimator(), p => redone.Add(p.Last.Index));
        Assert.Equal([1L, 2L], redone);
        Assert.Equal(["ok", "ok", "ok"], second.Results.Select(r => r.Status));

        // Resumed again with nothing changed: nothing is redone.
        redone.Clear();
        await ReplayPipeline.RunAsync(bundle, outDir, Wiener with { Resume = true }, new GroundTruthKernelEstimator(), p => redone.Add(p.Last.Index));
        Assert.Empty(redone);
    }

    [Fact]
    public void AnOutputThatCannotBeWrittenIsNamedWithoutItsTemporaryName()
    {
        string target = Path.Combine(TestPaths.NewTempDir(), "gone", "frames.parquet");
        var e = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Contains(target + ": cannot be written", e.Message);
        Assert.DoesNotContain(".partial", e.Message);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Path.GetDirectoryName(target))!, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void AFreshLiveRunRemovesTheEarlierLiveRunsEventsFilesAndTheirKilledWrites()
    {
        string outDir = OutDir();
        Directory.CreateDirectory(Path.Combine(outDir, FrameEventsFile.Folder));
        new RunManifest { Mode = "live", Status = "completed", Started = DateTimeOffset.UtcNow, Options = new() }.Write(outDir);
        string earlier = Path.Combine(outDir, FrameEventsFile.FileOf(3));
        string killed = Path.Combine(outDir, FrameEventsFile.Folder, $".000004.parquet.{DeadPid()}.{Guid.NewGuid():N}.partial");
        string usersOwn = Path.Combine(outDir, FrameEventsFile.Folder, "notes.txt");
        foreach (var f in new[] { earlier, killed, usersOwn }) File.WriteAllText(f, "x");
        RunFolder.Claim(outDir, new RunIdentity("live", null, null, []), RunFolderUse.Fresh);
        Assert.False(File.Exists(earlier), "an earlier live run's events file survived a fresh run");
        Assert.False(File.Exists(killed), "a killed write's .partial survived");
        Assert.True(File.Exists(usersOwn)); // only files named like a run's outputs are removed
    }

    [Fact]
    public void ALiveRunRefusesAFileWhereItWritesItsEventsFolder()
    {
        string outDir = OutDir();
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, FrameEventsFile.Folder), "in the way");
        var e = Assert.Throws<UserInputException>(() => RunFolder.Claim(outDir, new RunIdentity("live", null, null, []), RunFolderUse.Force));
        Assert.Contains("'events' is a file", e.Message);
    }

    private static int DeadPid()
    {
        for (int pid = 4_000_000; ; pid--)
        {
            try { using var p = System.Diagnostics.Process.GetProcessById(pid); }
            catch (ArgumentException) { return pid; }
        }
    }

    internal static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
    }

    /// <summary>
    /// Two replays into one OUT at once both said "completed" and OUT held only the second's frames. Now OUT is locked
    /// while a run works in it; the lock goes with the run (or with its process, when killed).
    /// </summary>
    [Fact]
    public async Task ASecondRunIntoAnOutInUseIsRefusedAndTheLockGoesWithTheRun()
    {
        string bundle = ReplayTests.SmallBundle(frames: 1);
        string outDir = OutDir();
        using (RunFolder.Lock(outDir))
        {
            var e = await Assert.ThrowsAsync<UserInputException>(() => Replay(bundle, outDir));
            Assert.Contains("in use by another eventdeblur run", e.Message);
        }
        Assert.Equal("completed", (await Replay(bundle, outDir)).Status);
        Assert.False(File.Exists(Path.Combine(outDir, RunFolder.LockFile)));
        Assert.Equal("completed", (await Replay(bundle, outDir)).Status); // a rerun: the folder is one of its runs, no lock left
    }
}
