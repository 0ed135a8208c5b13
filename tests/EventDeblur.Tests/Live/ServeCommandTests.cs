using System.Diagnostics;
using EventDeblur.Simulation;

namespace EventDeblur.Tests.Live;

/// <summary><c>serve</c> leaves the bundle alone: the rig video and manifest go to a folder of the user's (made once, reused), and it prints the live command.</summary>
public class ServeCommandTests
{
    /// <summary>Starts <c>serve</c>, reads its output until the live command is printed, then stops it.</summary>
    private static List<string> ServeUntilReady(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"));
        foreach (var a in new[] { "serve" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        try
        {
            while (p.StandardOutput.ReadLine() is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("next, in another shell:", StringComparison.Ordinal)) break;
            }
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.True(lines.Any(l => l.StartsWith("next, in another shell:", StringComparison.Ordinal)), $"no live command printed:\n{string.Join("\n", lines)}\n{err.Result}");
        return lines;
    }

    [Fact]
    public void ServeWritesTheRigIntoTheNamedFolderOnceAndPrintsTheLiveCommand()
    {
        string parent = TestPaths.NewTempDir();
        string bundle = Path.Combine(parent, "night-061");
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 160, RgbHeight = 120, PointLights = 2 }, 61, bundle);
        var before = Directory.GetFileSystemEntries(parent, "*", SearchOption.AllDirectories).Order().ToList();
        string rigDir = Path.Combine(TestPaths.NewTempDir(), "rig");

        var first = ServeUntilReady(bundle, "--events-port", "0", "--triggers-port", "0", "--rig-dir", rigDir);
        string sequence = Path.Combine(rigDir, "night-061-rgb"), video = Path.Combine(sequence, "%06d.png"), rig = Path.Combine(rigDir, "night-061-rgb.rig.json");
        Assert.Contains(first, l => l == $"wrote 2 RGB frames to {video} and the rig manifest {rig}");
        Assert.True(File.Exists(Path.Combine(sequence, "000000.png")) && File.Exists(Path.Combine(sequence, "000001.png")) && File.Exists(rig));
        string live = first.Single(l => l.StartsWith("next, in another shell:", StringComparison.Ordinal));
        Assert.Matches(@"live --events tcp://127\.0\.0\.1:\d+ --triggers tcp://127\.0\.0\.1:\d+ --rgb ", live);
        Assert.Contains($"--rgb {video} --rig {rig} --out ", live);
        Assert.DoesNotContain(":0 ", live);
        // Nothing written beside or into the bundle.
        Assert.Equal(before, Directory.GetFileSystemEntries(parent, "*", SearchOption.AllDirectories).Order().ToList());

        var stamp = File.GetLastWriteTimeUtc(Path.Combine(sequence, "000000.png"));
        var second = ServeUntilReady(bundle, "--events-port", "0", "--triggers-port", "0", "--rig-dir", rigDir);
        Assert.Contains(second, l => l.StartsWith($"reusing {video}", StringComparison.Ordinal));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(sequence, "000000.png")));

        // Without --rig-dir: a folder under the system temp folder, named in the output.
        var third = ServeUntilReady(bundle, "--events-port", "0", "--triggers-port", "0");
        string wrote = third.First(l => l.StartsWith("wrote ", StringComparison.Ordinal) || l.StartsWith("reusing ", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(Path.GetTempPath(), "eventdeblur-serve", "night-061-"), wrote);
        Assert.Equal(before, Directory.GetFileSystemEntries(parent, "*", SearchOption.AllDirectories).Order().ToList());
    }
}
