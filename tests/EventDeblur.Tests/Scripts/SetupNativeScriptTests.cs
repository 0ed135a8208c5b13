using System.Diagnostics;

namespace EventDeblur.Tests.Scripts;

/// <summary>
/// scripts/setup-native.sh, sourced by ./eventdeblur and ./test.sh, run with stand-ins for ldconfig, id and
/// apt-get on PATH so that each branch (installed, missing as root, missing as a user) is exercised for real.
/// </summary>
public class SetupNativeScriptTests
{
    private sealed class Sandbox
    {
        public string Dir { get; } = TestPaths.NewTempDir();
        public string Bin => Path.Combine(Dir, "bin");
        public string LibDir => Path.Combine(Dir, "lib");
        public string AptLog => Path.Combine(Dir, "apt.log");

        public Sandbox(bool ldconfigListsGtk, int uid)
        {
            Directory.CreateDirectory(Bin);
            Directory.CreateDirectory(LibDir);
            // A cache far larger than a pipe buffer, with the library on its first line: a reader that stops
            // early (grep -q) makes the writer die of SIGPIPE, which is what broke one start in four.
            string cache = Path.Combine(Dir, "ldconfig-cache.txt");
            using (var w = new StreamWriter(cache))
            {
                w.WriteLine("4000 libs found in cache `/etc/ld.so.cache'");
                if (ldconfigListsGtk) w.WriteLine("\tlibgtk-3.so.0 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libgtk-3.so.0");
                for (int i = 0; i < 40000; i++) w.WriteLine($"\tlibstandin{i}.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libstandin{i}.so.1");
            }
            Script("ldconfig", $"cat '{cache}'");
            Script("id", $"echo {uid}");
            // apt-get "installs" the library into the searched folder, slowly, and logs every call.
            Script("apt-get", $"echo \"$*\" >> '{AptLog}'; case \"$*\" in *install*) sleep 0.5; touch '{LibDir}/libgtk-3.so.0';; esac; exit 0");
        }

        private void Script(string name, string body)
        {
            string path = Path.Combine(Bin, name);
            File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public Process Start()
        {
            string script = Path.Combine(TestPaths.RepoRoot, "scripts", "setup-native.sh");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            // The callers (./eventdeblur, ./test.sh) run under pipefail; so does this.
            psi.ArgumentList.Add($"set -uo pipefail; source '{script}'; echo READY");
            psi.Environment["PATH"] = Bin + ":" + Environment.GetEnvironmentVariable("PATH");
            psi.Environment["EVENTDEBLUR_LIB_DIRS"] = LibDir;
            psi.Environment["TMPDIR"] = Dir;
            return Process.Start(psi)!;
        }

        public (int Code, string Out, string Err) Run()
        {
            using var p = Start();
            var err = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout, err.Result);
        }

        public string[] AptCalls => File.Exists(AptLog) ? File.ReadAllLines(AptLog) : [];
    }

    [Fact]
    public void AnInstalledLibraryIsFoundEveryTimeAndAptIsNeverRun()
    {
        foreach (int uid in new[] { 0, 1000 })
        {
            var box = new Sandbox(ldconfigListsGtk: true, uid);
            for (int i = 0; i < 25; i++)
            {
                var (code, stdout, stderr) = box.Run();
                Assert.True(code == 0 && stdout.Contains("READY"), $"uid {uid}, run {i}: exit {code}, stderr: {stderr}");
            }
            Assert.Empty(box.AptCalls);
        }
    }

    [Fact]
    public void AMissingLibraryAsAUserGivesTheInstallCommandAndRunsNothing()
    {
        var box = new Sandbox(ldconfigListsGtk: false, uid: 1000);
        var (code, stdout, stderr) = box.Run();
        Assert.Equal(1, code);
        Assert.DoesNotContain("READY", stdout);
        Assert.Contains("not installed", stderr);
        Assert.Contains("sudo apt-get install -y --no-install-recommends libgtk-3-0", stderr);
        Assert.Empty(box.AptCalls);
    }

    [Fact]
    public void AMissingLibraryAsRootIsInstalledOnceEvenByProcessesStartedTogether()
    {
        var box = new Sandbox(ldconfigListsGtk: false, uid: 0);
        var procs = Enumerable.Range(0, 3).Select(_ => box.Start()).ToList();
        foreach (var p in procs)
        {
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            Assert.Contains("READY", stdout);
            p.Dispose();
        }
        Assert.Single(box.AptCalls, c => c.Contains("install"));
        // Once installed, later starts find it and leave apt-get alone.
        int callsBefore = box.AptCalls.Length;
        Assert.Equal(0, box.Run().Code);
        Assert.Equal(callsBefore, box.AptCalls.Length);
    }
}
