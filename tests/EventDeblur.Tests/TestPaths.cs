using System.Text.Json;

namespace EventDeblur.Tests;

/// <summary>Locations of the repository, ../shared and scratch folders.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string RealRecordingsDir => Path.Combine(SharedDir, "recordings", "real");

    /// <summary>Skips the calling test, with a clear message, only when ../shared is absent.</summary>
    public static void RequireShared()
    {
        Skip.IfNot(Directory.Exists(RealRecordingsDir), $"../shared/recordings/real is absent (looked in {RealRecordingsDir}); real-recording tests need it");
    }

    public static JsonElement ExpectedJson()
    {
        RequireShared();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RealRecordingsDir, "expected.json")));
        return doc.RootElement.GetProperty("files").Clone();
    }

    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "eventdeblur-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "EventDeblur.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EventDeblur.sln not found above " + AppContext.BaseDirectory);
    }
}
