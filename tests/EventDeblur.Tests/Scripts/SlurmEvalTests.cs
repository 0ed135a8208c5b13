using System.Diagnostics;

namespace EventDeblur.Tests.Scripts;

/// <summary>
/// tools/slurm-eval.sbatch: the shard each array task runs and the arguments it passes on (with a stand-in CLI that
/// prints its arguments), and the whole array job on a real single-node Slurm cluster (scripts/slurm-eval-test.sh).
/// </summary>
public class SlurmEvalTests
{
    private static (int Code, string Out, string Err) RunBash(string command, IReadOnlyDictionary<string, string?> env, string cwd)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        foreach (string key in new[] { "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP", "SLURM_JOB_ID", "SLURM_SUBMIT_DIR", "EVENTDEBLUR_HOME" })
            psi.Environment.Remove(key);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }

    private static (int Code, string Out, string Err) Task(int? id, int min, int count, int step, params string[] args)
    {
        string dir = TestPaths.NewTempDir();
        string cli = Path.Combine(dir, "cli");
        File.WriteAllText(cli, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string?> { ["EVENTDEBLUR_CLI"] = cli, ["EVENTDEBLUR_HOME"] = TestPaths.RepoRoot };
        if (id is int i)
        {
            env["SLURM_ARRAY_TASK_ID"] = i.ToString();
            env["SLURM_ARRAY_TASK_MIN"] = min.ToString();
            env["SLURM_ARRAY_TASK_COUNT"] = count.ToString();
            env["SLURM_ARRAY_TASK_STEP"] = step.ToString();
        }
        string script = Path.Combine(TestPaths.RepoRoot, "tools", "slurm-eval.sbatch");
        string quoted = string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        return RunBash($"bash '{script}' {quoted}", env, dir);
    }

    private static string ShardOf(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(lines, "--shard");
        Assert.True(at >= 0 && at + 1 < lines.Length, "no --shard argument in: " + stdout);
        return lines[at + 1];
    }

    [Theory]
    [InlineData(0, 0, 4, 1, "1/4")]
    [InlineData(3, 0, 4, 1, "4/4")]
    [InlineData(1, 1, 4, 1, "1/4")]
    [InlineData(4, 1, 4, 1, "4/4")]
    [InlineData(10, 10, 3, 5, "1/3")]
    [InlineData(20, 10, 3, 5, "3/3")]
    public void EachArrayTaskRunsItsShardWhateverTheArrayBase(int id, int min, int count, int step, string shard)
    {
        var (code, stdout, stderr) = Task(id, min, count, step, "data", "out");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal(shard, ShardOf(stdout));
    }

    [Fact]
    public void EveryShardOfAnArrayIsRunExactlyOnce()
    {
        foreach (var (min, count, step) in new[] { (0, 5, 1), (1, 5, 1), (3, 4, 2) })
        {
            var shards = Enumerable.Range(0, count).Select(k => ShardOf(Task(min + k * step, min, count, step, "d", "o").Out)).ToList();
            Assert.Equal(Enumerable.Range(1, count).Select(k => $"{k}/{count}"), shards);
        }
    }

    [Fact]
    public void WithoutAnArrayTheWholeEvaluationIsOneShard()
    {
        var (code, stdout, stderr) = Task(null, 0, 0, 1, "data", "out");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("1/1", ShardOf(stdout));
    }

    [Fact]
    public void EvalOptionsAfterDatasetAndOutArePassedOnUnchanged()
    {
        var (code, stdout, stderr) = Task(2, 1, 3, 1, "my data", "out dir", "--methods", "blurry,gt+hl", "--quality", "fast");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "eval", "my data", "--out", "out dir", "--shard", "2/3", "--methods", "blurry,gt+hl", "--quality", "fast" }, lines);
    }

    [Fact]
    public void ATaskOutsideAContiguousArrayAndMissingArgumentsAreRefused()
    {
        var (code, _, stderr) = Task(11, 10, 3, 5, "d", "o");
        Assert.Equal(2, code);
        Assert.Contains("not in a contiguous range", stderr);
        (code, _, stderr) = Task(0, 0, 1, 1, "only-dataset");
        Assert.Equal(2, code);
        Assert.Contains("usage", stderr);
    }

    /// <summary>
    /// The array job on a real Slurm engine: a single-node cluster (slurmctld + slurmd + munge on 127.0.0.1), a
    /// 0-based and a 1-based array submitted from outside the repository; both merged tables must equal an
    /// unsharded eval. Needs root (daemons, apt-get); under CI it always runs (CI runs as root).
    /// </summary>
    [SkippableFact]
    public void AnArrayJobOnARealSlurmClusterEqualsTheUnshardedEvaluation()
    {
        bool root = RunBash("id -u", new Dictionary<string, string?>(), TestPaths.RepoRoot).Out.Trim() == "0";
        if (!root)
        {
            if (TestPaths.IsCi) throw new InvalidOperationException("the Slurm test needs root (daemons, apt-get); CI must run as root");
            Skip.If(true, "the Slurm test needs root to start slurmctld/slurmd/munged (a skip on this machine; under CI it fails)");
        }
        string work = TestPaths.NewTempDir();
        var (code, stdout, stderr) = RunBash($"'{Path.Combine(TestPaths.RepoRoot, "scripts", "slurm-eval-test.sh")}' '{work}'",
            new Dictionary<string, string?>(), TestPaths.RepoRoot);
        string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        Assert.True(code == 0 && last.StartsWith("slurm-eval-test: OK", StringComparison.Ordinal),
            $"exit {code}; last line '{last}'; stderr: {stderr}");
    }
}
