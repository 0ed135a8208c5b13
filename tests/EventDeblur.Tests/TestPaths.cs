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

    /// <summary>A new empty scratch folder under this test run's own folder, which is removed when the run's process exits.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(RunRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    // One folder per test process (eventdeblur-tests/run-PID-GUID), deleted at exit: a full run writes a few GB of
    // scratch bundles and replays, which used to stay in /tmp after every run. Folders of runs that died without
    // cleaning up (killed) are removed once they are a day old.
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        string parent = Path.Combine(Path.GetTempPath(), "eventdeblur-tests");
        Directory.CreateDirectory(parent);
        foreach (var old in new DirectoryInfo(parent).EnumerateDirectories())
        {
            try
            {
                if (old.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-1)) old.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        string root = Path.Combine(parent, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        };
        return root;
    });

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "EventDeblur.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EventDeblur.sln not found above " + AppContext.BaseDirectory);
    }
}
