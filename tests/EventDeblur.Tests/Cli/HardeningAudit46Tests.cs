using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EventDeblur.Live;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Cli;

/// <summary>Findings of stop 45's live-rig trial fixed at stop 46: exit codes of live with peers that are not DV servers, and of a signal before any data.</summary>
public partial class HardeningAuditTests
{
    /// <summary>The shipped sample's RGB frames as serve's image sequence with its rig manifest, and a live OUT beside them.</summary>
    private static (string Sequence, string Rig, string Output) SampleRig()
    {
        string dir = TestPaths.NewTempDir();
        string sequence = Path.Combine(dir, "rgb"), rig = Path.Combine(dir, "rig.json");
        Assert.True(RigVideo.WriteImageSequence(RecordingBundle.Load(Sample), sequence, rig) > 0);
        return (sequence, rig, Path.Combine(dir, "out"));
    }

    /// <summary>
    /// Both stream ports on a server that accepts and says nothing (the trial's web server): exit 1 after the run, the
    /// only problem naming the events stream as "not connected". The README's exit code for a live run that received no
    /// data is 2: it is now, naming both streams as connected but silent.
    /// </summary>
    [Fact]
    public async Task LiveWithPeersThatSendNoDvStreamIsAUsageError()
    {
        var (sequence, rig, output) = SampleRig();
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        using var other = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        other.Start();
        using var stop = new CancellationTokenSource();
        var held = new System.Collections.Concurrent.ConcurrentBag<TcpClient>();
        async Task Hold(TcpListener l)
        {
            while (!stop.IsCancellationRequested)
                try { held.Add(await l.AcceptTcpClientAsync(stop.Token)); } catch (OperationCanceledException) { return; }
        }
        var holding = Task.WhenAll(Hold(peer), Hold(other));
        string events = $"tcp://127.0.0.1:{((IPEndPoint)peer.LocalEndpoint).Port}", triggers = $"tcp://127.0.0.1:{((IPEndPoint)other.LocalEndpoint).Port}";
        var r = await Task.Run(() => Run("live", "--events", events, "--triggers", triggers, "--rgb", RigVideo.SequenceSource(sequence), "--rig", rig,
            "--out", output, "--duration-s", "3", "--deconvolver", "none"));
        await stop.CancelAsync();
        await holding;
        foreach (var c in held) c.Dispose();
        Expect(2, r);
        Assert.Contains($"no frame deblurred: the events and triggers streams ({events}, {triggers}) connected but sent no DV packet", r.Err);
        Assert.Contains($"problem: events stream {events}: connected (", r.Out);
        Assert.Contains("sent nothing during the run, not even a DV stream header", r.Out);
        Assert.True(File.Exists(Path.Combine(output, "run.json")));
    }

    /// <summary>
    /// SIGTERM moments after start, before any data (the trial: 20–100 ms after OUT was made, 5 of 5 runs): "error: no data
    /// received" and exit 2, with run.json saying "cancelled". A stopped run exits 130 (README), whatever had arrived.
    /// </summary>
    [Fact]
    public async Task LiveStoppedBeforeAnyDataExitsAsCancelled()
    {
        var (sequence, rig, output) = SampleRig();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"), "live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2",
                     "--rgb", RigVideo.SequenceSource(sequence), "--rig", rig, "--out", output, "--deconvolver", "none" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (!Directory.Exists(output) && !p.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(1);
        Assert.True(Directory.Exists(output), "live made no OUT");
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(limit.Token);
        string o = await stdout, e = await stderr;
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}; stdout: {o}; stderr: {e}");
        Assert.DoesNotContain("no data received", e);
        Assert.Contains("\"status\": \"cancelled\"", File.ReadAllText(Path.Combine(output, "run.json")));
    }
}
