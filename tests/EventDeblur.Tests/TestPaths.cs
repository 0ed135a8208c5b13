using System.Text.Json;

namespace EventDeblur.Tests;

/// <summary>Locations of the repository, ../shared and scratch folders.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string RealRecordingsDir => Path.Combine(SharedDir, "recordings", "real");

    /// <summary>
    /// Returns when ../shared/recordings/real is present. When it is absent the calling test fails
    /// under CI (environment variable <c>CI</c> set, as <c>.ci/run</c> does) and is skipped, with a
    /// clear message, on a developer machine.
    /// </summary>
    public static void RequireShared() => RequireShared(RealRecordingsDir, IsCi);

    /// <summary><see cref="RequireShared()"/> for a given folder and CI setting.</summary>
    internal static void RequireShared(string realRecordingsDir, bool ci)
    {
        if (Directory.Exists(realRecordingsDir)) return;
        string why = $"../shared/recordings/real is absent (looked in {realRecordingsDir}); real-recording tests need it";
        if (ci) throw new InvalidOperationException($"{why}. CI is set, so this is a failure, not a skip: check out ../shared beside the repository");
        Skip.If(true, $"{why} (a skip on this machine; under CI it fails)");
    }

    /// <summary><c>true</c> when the environment variable <c>CI</c> is set to anything but empty, <c>0</c> or <c>false</c>.</summary>
    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);

    public static JsonElement ExpectedJson()
    {
        RequireShared();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RealRecordingsDir, "expected.json")));
        return doc.RootElement.GetProperty("files").Clone();
    }

    /// <summary>A copy of the shipped sample bundle (recordings/sample-night) in a new scratch folder, to be edited by a test.</summary>
    public static string CopyOfSample()
    {
        string sample = Path.Combine(RepoRoot, "recordings", "sample-night");
        string to = Path.Combine(NewTempDir(), "bundle");
        Directory.CreateDirectory(to);
        foreach (string d in Directory.GetDirectories(sample, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(sample, d)));
        foreach (string f in Directory.GetFiles(sample, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(sample, f)));
        return to;
    }

    /// <summary>
    /// A copy of the shipped sample whose rgb/frames.csv exposure times (µs) are rewritten by <paramref name="exposure"/>
    /// (start, end → new start, new end), e.g. moved or lengthened.
    /// </summary>
    public static string CopyOfSampleWithExposures(Func<long, long, (long Start, long End)> exposure)
    {
        string bundle = CopyOfSample();
        RewriteExposures(bundle, exposure);
        return bundle;
    }

    /// <summary>Rewrites <paramref name="bundle"/>'s rgb/frames.csv, each row's (start, end) µs through <paramref name="exposure"/>.</summary>
    public static void RewriteExposures(string bundle, Func<long, long, (long Start, long End)> exposure)
    {
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            var (start, end) = exposure(long.Parse(f[2], ci), long.Parse(f[3], ci));
            lines[i] = $"{f[0]},{f[1]},{start.ToString(ci)},{end.ToString(ci)}";
        }
        File.WriteAllLines(csv, lines);
    }

    /// <summary>
    /// A new empty scratch folder in the temp folder's <c>eventdeblur-tests</c>, named by this process's id (8 hex digits)
    /// and 24 random ones; removed by the next test run once this process has ended.
    /// </summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(ScratchParent.Value, $"{Environment.ProcessId:x8}{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    // A full run writes a few GB of scratch bundles and replays, which used to stay in the temp folder after every run
    // (57 GB had piled up and filled a disk). The test host is ended by the runner right after the tests, too soon to
    // delete gigabytes at its exit, so each run removes the folders of test processes that have ended (by the process
    // id in their name, once untouched for an hour: another container's ids are not ours to check) and any folder
    // untouched for a day. The names keep the length they had: a test runs Slurm's munged with a socket inside its
    // folder, and a Unix socket path holds at most 108 bytes.
    private static readonly Lazy<string> ScratchParent = new(() =>
    {
        string parent = Path.Combine(Path.GetTempPath(), "eventdeblur-tests");
        Directory.CreateDirectory(parent);
        var now = DateTime.UtcNow;
        foreach (var old in new DirectoryInfo(parent).EnumerateDirectories())
        {
            try
            {
                bool ended = old.Name.Length == 32 && int.TryParse(old.Name[..8], System.Globalization.NumberStyles.HexNumber, null, out int pid)
                             && pid != Environment.ProcessId && !EventDeblur.IO.AtomicFile.IsRunning(pid);
                if ((ended && old.LastWriteTimeUtc < now.AddMinutes(-60)) || old.LastWriteTimeUtc < now.AddDays(-1)) old.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return parent;
    });

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "EventDeblur.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EventDeblur.sln not found above " + AppContext.BaseDirectory);
    }
}
