using System.Diagnostics;
using System.Text.Json;

namespace EventDeblur.Tests;

/// <summary>
/// Reads our files with an engine that is not ours: DuckDB through its npm package (<c>tools/duckdb-check</c>,
/// pinned by its package-lock.json). The package is installed on first use with <c>npm ci</c> (idempotent:
/// skipped when present); a test using it is skipped, with the reason, only when node or npm is absent.
/// </summary>
internal static class DuckDb
{
    private static readonly Lazy<string?> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string ToolDir => Path.Combine(TestPaths.RepoRoot, "tools", "duckdb-check");

    /// <summary>Skips the calling test when node/npm are missing; fails it when the install fails.</summary>
    public static void Require()
    {
        string? problem = Installed.Value;
        Skip.If(problem != null, problem);
    }

    /// <summary>Runs <paramref name="sql"/> and returns its rows (a JSON array of objects).</summary>
    public static JsonElement Query(string sql)
    {
        Require();
        var (code, stdout, stderr) = Run("node", ToolDir, Path.Combine(ToolDir, "query.mjs"), sql);
        Assert.True(code == 0, $"DuckDB failed on: {sql}\n{stderr}");
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>The one value of a one-row, one-column query.</summary>
    public static JsonElement Scalar(string sql)
    {
        var rows = Query(sql);
        Assert.Equal(1, rows.GetArrayLength());
        return rows[0].EnumerateObject().Single().Value;
    }

    /// <summary>The footer key-value metadata of a Parquet file as DuckDB reads it.</summary>
    public static Dictionary<string, string> Metadata(string parquetPath) =>
        Query($"SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata({Literal(parquetPath)})").EnumerateArray()
            .ToDictionary(r => r.GetProperty("k").GetString()!, r => r.GetProperty("v").GetString()!);

    /// <summary>Column name → DuckDB type of a Parquet file's top-level columns.</summary>
    public static Dictionary<string, string> Columns(string parquetPath) =>
        Query($"DESCRIBE SELECT * FROM {Literal(parquetPath)}").EnumerateArray()
            .ToDictionary(r => r.GetProperty("column_name").GetString()!, r => r.GetProperty("column_type").GetString()!);

    /// <summary>A path as an SQL string literal.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''") + "'";

    private static string? Install()
    {
        if (!OnPath("node") || !OnPath("npm"))
            return "node and npm are needed to read our Parquet files with DuckDB (apt-get install nodejs npm; ./test.sh installs them as root)";
        if (Directory.Exists(Path.Combine(ToolDir, "node_modules", "@duckdb", "node-api"))) return null;
        // Several test processes may start at once: one installs, the others wait on the lock file.
        using var gate = AcquireLock(Path.Combine(ToolDir, ".install.lock"));
        if (Directory.Exists(Path.Combine(ToolDir, "node_modules", "@duckdb", "node-api"))) return null;
        var (code, stdout, stderr) = Run("npm", ToolDir, "ci", "--no-audit", "--no-fund");
        Assert.True(code == 0, $"npm ci in {ToolDir} failed:\n{stdout}\n{stderr}");
        return null;
    }

    private static FileStream AcquireLock(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose); }
            catch (IOException) when (attempt < 600) { Thread.Sleep(500); }
        }
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, name)));

    private static (int Code, string Out, string Err) Run(string file, string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
