using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Cli;

/// <summary>A simulated bundle of three 640×480 frames (issue 15 item 10 was seen at this size), made once by the CLI.</summary>
public sealed class Vga640BundleFixture
{
    /// <summary>Makes the bundle.</summary>
    public Vga640BundleFixture()
    {
        Dir = Path.Combine(TestPaths.NewTempDir(), "vga");
        var (code, _, err) = CliTests.Run("simulate", "--preset", "night", "--seed", "5", "--frames", "3", "--rgb-size", "640x480", "--out", Dir);
        Assert.True(code == 0, err);
    }

    /// <summary>The bundle folder.</summary>
    public string Dir { get; }
}

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM in the middle of a replay, as a user sends them to the real CLI: exit 130, run.json
/// "cancelled", frames.parquet readable with exactly the completed frames, and no final-named output of a frame that did
/// not complete; with the learned deconvolver no ONNX Runtime error on the console. No timing is asserted (the latency
/// is printed for the record); the deadlines only stop a hung child.
/// </summary>
public partial class CancellationTests(Vga640BundleFixture vga) : IClassFixture<Vga640BundleFixture>
{
    private const int Sigint = 2, Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>The signal mask line (<c>SigIgn</c>, <c>SigBlk</c>…) of a process's <c>/proc/PID/status</c>, as a bit set.</summary>
    private static ulong SignalMask(int pid, string line) =>
        Convert.ToUInt64(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith(line + ":")).Split(':')[1].Trim(), 16);

    [SkippableTheory]
    [InlineData(Sigint, "learned")]
    [InlineData(Sigterm, "robust")]
    public async Task ASignalMidRunWritesTheFinalRunJsonAndTheCompletedFrames(int signal, string deconvolver)
    {
        // A shell starts background jobs with SIGINT ignored, and children inherit that (as they should: Ctrl+C is not
        // theirs); then no child of this test process can be interrupted by SIGINT. That is the test's environment.
        Skip.If((SignalMask(Environment.ProcessId, "SigIgn") & (1UL << (signal - 1))) != 0,
            $"signal {signal} is ignored by the test process (started in the background by a shell?), so its children cannot receive it; run the tests in the foreground");
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"), "--device", "cpu", "replay", vga.Dir, "--out", outDir, "--deconvolver", deconvolver })
            psi.ArgumentList.Add(a);
        using var p = new Process { StartInfo = psi };
        var output = new System.Text.StringBuilder();
        var errors = new System.Text.StringBuilder();
        var firstFrame = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith("frame 1/", StringComparison.Ordinal)) firstFrame.TrySetResult();
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (errors) errors.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var exited = p.WaitForExitAsync();
        // Mid-run, as a user would: once the first frame's line is printed, the second frame is being worked on.
        var first = await Task.WhenAny(firstFrame.Task, exited, Task.Delay(TimeSpan.FromMinutes(5)));
        Assert.True(first == firstFrame.Task, $"no first frame before the run ended (exited {exited.IsCompleted}): {output} {errors}");
        string masks = $"child SigIgn {SignalMask(p.Id, "SigIgn"):x}, SigBlk {SignalMask(p.Id, "SigBlk"):x}, SigCgt {SignalMask(p.Id, "SigCgt"):x}";
        var sent = Stopwatch.StartNew();
        Assert.Equal(0, Kill(p.Id, signal));
        if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(2))) != exited) p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
        Console.WriteLine($"signal {signal} with {deconvolver}: exit {p.ExitCode} {sent.Elapsed.TotalSeconds:F2} s after the signal");
        string err, log;
        lock (errors) err = errors.ToString();
        lock (output) log = $"{masks}; stdout: {output}; stderr: {err}";

        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}; {log}");
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))).RootElement;
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, run.GetProperty("finished").ValueKind);

        // One row per frame (the contract; stop 39): the frames the run never reached are failed rows that say so.
        var rows = await FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"));
        Assert.Equal(3, rows.Count);
        var okRows = rows.Where(r => r.Status == "ok").ToList();
        Assert.NotEmpty(okRows);
        Assert.True(okRows.Count < 3, $"all {rows.Count} frames completed: the signal did not interrupt the run");
        Assert.All(rows.Where(r => r.Status != "ok"), r => Assert.StartsWith("not processed: the run was cancelled before this frame", r.Error));
        Assert.Equal(run.GetProperty("frames").GetProperty("ok").GetInt32(), okRows.Count);
        Assert.Equal(3, run.GetProperty("frames").GetProperty("total").GetInt32());
        var done = okRows.Select(r => r.Index).ToHashSet();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(done.Contains(k), File.Exists(Path.Combine(outDir, "frames", $"{k:D6}.png")));
            Assert.Equal(done.Contains(k), File.Exists(Path.Combine(outDir, "kernels", $"{k:D6}.csv")));
        }
        Assert.Empty(Directory.GetFiles(outDir, "*.partial", SearchOption.AllDirectories));
        Assert.DoesNotContain("onnxruntime", err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", err);
        // What to do next: the exact command, with the run's own options (a bare --resume was refused for robust: stop 38).
        var finish = System.Text.RegularExpressions.Regex.Match(err, "to finish it: eventdeblur (.*) \\(the frames done are kept\\)");
        Assert.True(finish.Success, err);
        var command = System.Text.RegularExpressions.Regex.Matches(finish.Groups[1].Value, "\"([^\"]*)\"|(\\S+)")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToArray();
        Assert.Equal(["replay", vga.Dir, "--out", outDir, "--resume"], command[..5]);
        Assert.Equal(deconvolver == "learned" ? ["--device", "cpu"] : ["--deconvolver", deconvolver], command[5..]);

        if (signal != Sigterm) return;
        // The cancelled run resumes with the printed command: the completed frames are kept and the rest is done.
        var resumed = CliTests.Run(command);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(3, (await FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"))).Count(r => r.Status == "ok"));
    }
}
