using System.Text.Json;

namespace EventDeblur.Tests.Cli;

/// <summary>A tiny simulated bundle (one 160×120 frame), made once by the CLI itself for the exit-code tests.</summary>
public sealed class TinyBundleFixture
{
    /// <summary>Makes the bundle.</summary>
    public TinyBundleFixture()
    {
        Dir = Path.Combine(TestPaths.NewTempDir(), "tiny");
        (SimulateCode, _, SimulateErr) = CliTests.Run("simulate", "--preset", "night", "--seed", "1", "--frames", "1", "--rgb-size", "160x120", "--out", Dir);
    }

    /// <summary>The bundle folder.</summary>
    public string Dir { get; }

    /// <summary>Exit code of the <c>simulate</c> run that made it.</summary>
    public int SimulateCode { get; }

    /// <summary>Standard error of that run.</summary>
    public string SimulateErr { get; }
}

/// <summary>
/// The exit-code contract (README, CLI section): 0 success; 1 completed with data problems or failed frames; 2 unusable
/// input or arguments; 3 internal error; 130 cancelled. A normal run and a bad-argument run of every verb, and the
/// crashes of issue 15 item 5, each as a child process; none may print a stack trace.
/// </summary>
public class ExitCodeTests(TinyBundleFixture tiny) : IClassFixture<TinyBundleFixture>
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var r = CliTests.Run(args);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Unhandled exception", r.Err);
        return r;
    }

    private static void Expect(int expected, (int Code, string Out, string Err) r) =>
        Assert.True(r.Code == expected, $"exit {r.Code}, expected {expected}; stdout: {r.Out}; stderr: {r.Err}");

    private string Replay(string deconvolver = "none")
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "run");
        Expect(0, Run("replay", tiny.Dir, "--out", outDir, "--deconvolver", deconvolver));
        return outDir;
    }

    [Fact]
    public void Simulate()
    {
        Assert.True(tiny.SimulateCode == 0, tiny.SimulateErr);
        Expect(2, Run("simulate", "--preset", "night", "--rgb-size", "big", "--out", Path.Combine(TestPaths.NewTempDir(), "b")));
        Expect(2, Run("simulate", "--out", Path.Combine(TestPaths.NewTempDir(), "b")));
    }

    [Fact]
    public void Inspect()
    {
        Expect(0, Run("inspect", tiny.Dir));
        var r = Run("inspect", Path.Combine(TestPaths.NewTempDir(), "missing"));
        Expect(2, r);
        Assert.Contains("no such file or folder", r.Err);
    }

    [Fact]
    public void Convert()
    {
        string dir = TestPaths.NewTempDir();
        Expect(0, Run("convert", Path.Combine(tiny.Dir, "events.aedat4"), Path.Combine(dir, "e.parquet")));
        var r = Run("convert", tiny.Dir, Path.Combine(dir, "f.parquet"));
        Expect(2, r);
        Assert.Contains("is a folder", r.Err);
    }

    [Fact]
    public void ReplayAndTheVersionOfRunJson()
    {
        string outDir = Replay("wiener");
        var version = Run("--version");
        Expect(0, version);
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement;
        Assert.Equal(version.Out.Trim(), run.GetProperty("version").GetString());

        var missing = Run("replay", Path.Combine(TestPaths.NewTempDir(), "nope"), "--out", Path.Combine(TestPaths.NewTempDir(), "o"));
        Expect(2, missing);
        Assert.Contains("nope: no such file or folder", missing.Err);
        var notBundle = Run("replay", TestPaths.NewTempDir(), "--out", Path.Combine(TestPaths.NewTempDir(), "o"));
        Expect(2, notBundle);
        Assert.Contains("not a recording bundle (no recording.json)", notBundle.Err);
        Expect(2, Run("replay", tiny.Dir, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--deconvolver", "nosuch"));
        Expect(2, Run("replay", tiny.Dir, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--no-such-option"));
    }

    [Fact]
    public void ReplayRefusesEdiOnAnRgbBundleUpFront()
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "o");
        var r = Run("replay", tiny.Dir, "--out", outDir, "--deconvolver", "edi");
        Expect(2, r);
        Assert.Contains("APS bundle", r.Err);
        Assert.False(File.Exists(Path.Combine(outDir, "run.json")));
    }

    [Fact]
    public void ReplayWhereEveryFramesCsvRowIsRejectedExitsOne()
    {
        string bundle = Path.Combine(TestPaths.NewTempDir(), "bad");
        CopyDir(tiny.Dir, bundle);
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        File.WriteAllLines(csv, lines.Select((l, i) => i == 0 ? l : string.Join(',', l.Split(',').Select((f, k) => k == 2 ? "abc" : f))));
        Expect(1, Run("inspect", bundle));
        var r = Run("replay", bundle, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--deconvolver", "none");
        Expect(1, r);
        Assert.Contains("row skipped", r.Err);
    }

    [Fact]
    public void Preview()
    {
        string dir = TestPaths.NewTempDir();
        Expect(0, Run("preview", tiny.Dir, "--frame", "0", "--out", Path.Combine(dir, "p")));
        var r = Run("preview", tiny.Dir, "--frame", "99", "--out", Path.Combine(dir, "q"));
        Expect(2, r);
        Assert.Contains("--frame 99", r.Err);
    }

    [Fact]
    public void Eval()
    {
        string dir = TestPaths.NewTempDir();
        Expect(0, Run("eval", tiny.Dir, "--out", Path.Combine(dir, "e"), "--methods", "blurry"));
        Expect(2, Run("eval", tiny.Dir, "--out", Path.Combine(dir, "f"), "--methods", "blurry", "--shard", "x"));
        Expect(2, Run("eval", tiny.Dir, "--out", Path.Combine(dir, "g"), "--methods", "bogus"));
    }

    [Fact]
    public void Report()
    {
        string run = Replay();
        Expect(0, Run("report", run));
        Expect(2, Run("report", Path.Combine(TestPaths.NewTempDir(), "none")));
    }

    [Fact]
    public void ReportHtmlIntoAMissingFolderCreatesIt()
    {
        string run = Replay();
        string html = Path.Combine(TestPaths.NewTempDir(), "new", "sub", "r.html");
        Expect(0, Run("report", run, "--html", html));
        Assert.True(File.Exists(html));
    }

    /// <summary>An RGB source that is there but that OpenCV cannot open (an empty file): refused before OUT since stop 42.</summary>
    private static string EmptyVideoFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "none.avi");
        File.WriteAllBytes(path, []);
        return path;
    }

    /// <summary>The tiny bundle's frames as an image sequence with its rig manifest: a source that opens.</summary>
    private (string Sequence, string Rig) TinySequence()
    {
        string dir = TestPaths.NewTempDir(), sequence = Path.Combine(dir, "rgb"), rig = Path.Combine(dir, "rig.json");
        Assert.True(EventDeblur.Live.RigVideo.WriteImageSequence(EventDeblur.Recording.RecordingBundle.Load(tiny.Dir), sequence, rig) > 0);
        return (EventDeblur.Live.RigVideo.SequenceSource(sequence), rig);
    }

    [Fact]
    public void ReportOnALiveOutputFolderSummarisesItWithoutACrash()
    {
        // A live run whose streams never connected still writes its run.json (mode live, no input bundle).
        string liveOut = Path.Combine(TestPaths.NewTempDir(), "live");
        var (sequence, rig) = TinySequence();
        Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", sequence,
            "--rig", rig, "--out", liveOut, "--duration-s", "1", "--deconvolver", "none");
        Assert.True(File.Exists(Path.Combine(liveOut, "run.json")));
        string html = Path.Combine(TestPaths.NewTempDir(), "live.html");
        var r = Run("report", liveOut, "--html", html);
        // It got no data, which its run.json records as an error: report warns and exits 1, as live did (stop 37).
        Expect(1, r);
        Assert.Contains("the live run recorded", r.Err);
        Assert.Contains("0 frames ok, ", r.Out);
        Assert.DoesNotContain("NullReference", r.Err);
        Assert.Contains("<h1>EventDeblur live run report</h1>", File.ReadAllText(html));
    }

    [Fact]
    public void LiveThatNeverGotDataIsNotSuccess()
    {
        var r = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", EmptyVideoFile(),
            "--rig", Path.Combine(tiny.Dir, "recording.json"), "--out", Path.Combine(TestPaths.NewTempDir(), "live"), "--duration-s", "1", "--deconvolver", "none");
        // Since stop 42 a local video OpenCV cannot open is refused before OUT is made, naming it.
        Expect(2, r);
        Assert.Contains("OpenCV cannot open it as a video", r.Err);
        // A network source is left to OpenCV (not checked before): one that cannot be opened gives no data at all.
        r = Run("live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", "rtsp://127.0.0.1:1/none",
            "--rig", Path.Combine(tiny.Dir, "recording.json"), "--out", Path.Combine(TestPaths.NewTempDir(), "live"), "--duration-s", "1", "--deconvolver", "none");
        Expect(2, r);
        Assert.Contains("no data received", r.Err);
        Expect(2, Run("live", "--events", "tcp://127.0.0.1:1"));
    }

    [Fact]
    public void ServeWithAPortOver65535()
    {
        var r = Run("serve", tiny.Dir, "--events-port", "70000", "--triggers-port", "7001");
        Expect(2, r);
        Assert.Contains("70000", r.Err);
        Expect(2, Run("serve", Path.Combine(TestPaths.NewTempDir(), "nope"), "--events-port", "7000", "--triggers-port", "7001"));
    }

    [Fact]
    public void DeviceGpuIsABadOptionValueAndHelpShowsLowercaseValues()
    {
        var r = Run("replay", tiny.Dir, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--device", "gpu");
        Expect(2, r);
        Assert.Contains("gpu", r.Err);
        var help = Run("--help");
        Expect(0, help);
        Assert.Contains("--device <auto|cpu|cuda>", help.Out);
    }

    [Fact]
    public void DeviceCudaWithoutCudaIsAClearError()
    {
        var r = Run("--device", "cuda", "replay", tiny.Dir, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--deconvolver", "none");
        // Where CUDA starts this is a normal run; elsewhere a usage error that says so.
        if (r.Code != 0)
        {
            Expect(2, r);
            Assert.Contains("--device cuda", r.Err);
        }
    }

    [Fact]
    public void ModelThatIsNotOnnxIsAClearError()
    {
        string model = Path.Combine(TestPaths.NewTempDir(), "model.onnx");
        File.WriteAllText(model, "not a model");
        var r = Run("--model", model, "--device", "cpu", "replay", tiny.Dir, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--deconvolver", "learned");
        Expect(2, r);
        Assert.Contains("not a loadable ONNX model", r.Err);
        Assert.Contains(model, r.Err);
    }

    [Fact]
    public void UnwritableOutIsAClearErrorNamingThePath()
    {
        // Under a regular file no folder can be made, as root too (a read-only folder would not stop root).
        string file = Path.Combine(TestPaths.NewTempDir(), "file");
        File.WriteAllText(file, "");
        string outDir = Path.Combine(file, "out");
        var r = Run("replay", tiny.Dir, "--out", outDir, "--deconvolver", "none");
        Expect(2, r);
        Assert.Contains(outDir, r.Err);
        Assert.Contains("--out", r.Err);
    }

    [Fact]
    public void HelpNamesTheProgramAndListsTheExitCodes()
    {
        var r = Run("--help");
        Expect(0, r);
        Assert.Contains("eventdeblur [command]", r.Out);
        Assert.DoesNotContain("EventDeblur.Cli", r.Out);
        Assert.Contains("Exit codes: 0 success; 1", r.Out);
        Assert.Contains("130 cancelled", r.Out);
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
