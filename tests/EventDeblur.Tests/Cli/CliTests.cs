using System.Diagnostics;
using System.Text.Json;
using EventDeblur.Formats.Aedat;
using EventDeblur.Tests.Formats.Aedat;
using EventDeblur.Tests.Recording;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Tests.Cli;

/// <summary>Runs the real CLI as a user would (a child process) and checks its output.</summary>
public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args) => RunWithin(Timeout.InfiniteTimeSpan, args);

    /// <summary>As <see cref="Run"/>; a CLI still running after <paramref name="limit"/> is killed and the test fails.</summary>
    internal static (int Code, string Out, string Err) RunWithin(TimeSpan limit, params string[] args) => RunWithin(limit, null, args);

    /// <summary>As <see cref="RunWithin(TimeSpan, string[])"/>, with <paramref name="environment"/> set (a null value removes the variable).</summary>
    internal static (int Code, string Out, string Err) RunWithin(TimeSpan limit, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
            if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventDeblur.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"eventdeblur {string.Join(' ', args)}: still running after {limit.TotalSeconds:F0} s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>--rgb-size on a DAVIS-alone preset, which has no RGB camera (stop 42: ignored in silence), is a usage error.</summary>
    [Fact]
    public void SimulateRefusesAnRgbSizeForADavisAlonePreset()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "aps");
        var (code, _, err) = Run("simulate", "--preset", "aps", "--seed", "13", "--frames", "1", "--rgb-size", "320x240", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--rgb-size does not apply to --preset aps: it has no RGB camera, its frames are the DAVIS346's 346×260 APS frames", err);
        Assert.False(Directory.Exists(dir));
    }

    [SkippableFact]
    public void InspectJsonReportsTheExpectedHash()
    {
        TestPaths.RequireShared();
        var (code, stdout, _) = Run("inspect", Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4"), "--json");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("AEDAT4.0", j.GetProperty("format").GetString());
        Assert.Equal(346, j.GetProperty("width").GetInt32());
        Assert.Equal(117667, j.GetProperty("events").GetProperty("count").GetInt64());
        Assert.Equal("b76c70c59d56fab241605ae21b64c4df0736accb70c1cc9ad151f646a812c06a", j.GetProperty("events").GetProperty("sha256").GetString());
        Assert.Equal(3, j.GetProperty("frames").GetProperty("count").GetInt32());
        Assert.Equal(15, j.GetProperty("triggers").GetProperty("count").GetInt32());
        Assert.Equal(130, j.GetProperty("imu").GetProperty("count").GetInt32());
        Assert.Equal(0, j.GetProperty("errors").GetArrayLength());
    }

    /// <summary>
    /// <c>--no-hash</c> skips only the canonical SHA-256: counts, times and problems of a real file are those of the
    /// hashed run (and of expected.json), the hash is null in JSON and named as not computed in text; a truncated file
    /// still gets its error and exit 1.
    /// </summary>
    [SkippableFact]
    public void InspectWithoutTheHashCountsTheSameAndSaysTheHashWasNotComputed()
    {
        TestPaths.RequireShared();
        string file = Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4");
        var (code, stdout, _) = Run("inspect", file, "--json", "--no-hash");
        Assert.Equal(0, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        var events = j.GetProperty("events");
        Assert.Equal(117667, events.GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Null, events.GetProperty("sha256").ValueKind);
        var (hashedCode, hashedOut, _) = Run("inspect", file, "--json");
        Assert.Equal(0, hashedCode);
        var h = JsonDocument.Parse(hashedOut).RootElement;
        foreach (string key in new[] { "count", "first_t_us", "last_t_us", "positive", "negative" })
            Assert.Equal(h.GetProperty("events").GetProperty(key).GetInt64(), events.GetProperty(key).GetInt64());
        Assert.Equal(3, j.GetProperty("frames").GetProperty("count").GetInt32());
        Assert.Equal(15, j.GetProperty("triggers").GetProperty("count").GetInt32());
        Assert.Equal(130, j.GetProperty("imu").GetProperty("count").GetInt32());

        var text = Run("inspect", Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night"), "--no-hash");
        Assert.Equal(0, text.Code);
        Assert.Contains("sha256:    not computed (--no-hash)", text.Out);
        Assert.Contains("events:    597,286 (312,163 ON, 285,123 OFF)", text.Out);

        var (cutCode, cutOut, _) = Run("inspect", TruncatedAedat4(), "--no-hash");
        Assert.Equal(1, cutCode);
        Assert.Contains("ERROR:", cutOut);
    }

    /// <summary>A generated 3 000-event AEDAT 4.0 LZ4 file cut to two thirds of its bytes.</summary>
    private static string TruncatedAedat4()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "t.aedat4");
        SyntheticRecording.Random(3000, 9).WriteAedat4(path, Aedat4Compression.Lz4);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        return path;
    }

    [Fact]
    public void InspectOfATruncatedFileListsTheErrorAndExitsNonZero()
    {
        var (code, stdout, _) = Run("inspect", TruncatedAedat4(), "--json");
        Assert.Equal(1, code);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.True(j.GetProperty("errors").GetArrayLength() > 0);
        Assert.Contains("truncated", j.GetProperty("errors")[0].GetString());
        Assert.True(j.GetProperty("events").GetProperty("count").GetInt64() > 0);
    }

    [Fact]
    public void InspectOfANonAedatFileIsAClearError()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "x.aedat");
        File.WriteAllText(path, "just text, not a recording");
        var (code, _, stderr) = Run("inspect", path);
        Assert.Equal(2, code);
        Assert.Contains("expected a version line", stderr);
    }

    [Fact]
    public void InspectOfABundleValidatesIt()
    {
        // Exposures within the events' ~50 ms (the clock offset puts frames.csv time 0 at the first event): a clean bundle.
        long first = SyntheticRecording.Random(2000, 1, frames: 0, triggers: 0, imu: 0).T[0];
        string dir = BundleTests.MakeBundle(offset: first, csvRows: ["0,000000.png,1000,5000", "1,000001.png,10000,14000", "2,000002.png,20000,24000"]);
        var (code, stdout, _) = Run("inspect", dir, "--json");
        Assert.True(code == 0, stdout);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3, j.GetProperty("bundle").GetProperty("rgb_frames").GetInt32());
        Assert.Equal(3, j.GetProperty("bundle").GetProperty("exposures_matched").GetInt32());
    }

    [Fact]
    public async Task ConvertToParquetKeepsEveryEventAndTheHash()
    {
        string dir = TestPaths.NewTempDir();
        string src = Path.Combine(dir, "in.aedat4");
        var rec = SyntheticRecording.Random(20_000, 3, frames: 2, triggers: 4, imu: 5);
        rec.WriteAedat4(src, Aedat4Compression.Zstd);
        string outPath = Path.Combine(dir, "out.parquet");
        var (code, _, err) = Run("convert", src, outPath);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(dir, "out.frames.parquet")));
        Assert.True(File.Exists(Path.Combine(dir, "out.triggers.parquet")));
        Assert.True(File.Exists(Path.Combine(dir, "out.imu.parquet")));

        await using var reader = await ParquetReader.CreateAsync(outPath);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["t", "x", "y", "p"], fields.Select(f => f.Name));
        var t = new List<long>(); var x = new List<short>(); var y = new List<short>(); var p = new List<bool>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var tt = new long[n]; var xx = new short[n]; var yy = new short[n]; var pp = new bool[n];
            await rg.ReadAsync<long>(fields[0], tt);
            await rg.ReadAsync<short>(fields[1], xx);
            await rg.ReadAsync<short>(fields[2], yy);
            await rg.ReadAsync<bool>(fields[3], pp);
            t.AddRange(tt); x.AddRange(xx); y.AddRange(yy); p.AddRange(pp);
        }
        using var h = new CanonicalEventHash();
        h.Append(t.ToArray(), x.ToArray(), y.ToArray(), p.ToArray());
        Assert.Equal(rec.Hash(), h.Finish());
    }

    [Fact]
    public void ConvertToAedat4AndUnknownExtension()
    {
        string dir = TestPaths.NewTempDir();
        string src = Path.Combine(dir, "in.aedat4");
        var rec = SyntheticRecording.Random(5000, 4);
        rec.WriteAedat4(src, Aedat4Compression.None);
        var (code, _, err) = Run("convert", src, Path.Combine(dir, "out.aedat4"), "--compression", "zstd");
        Assert.True(code == 0, err);
        using (var r = AedatReader.Open(Path.Combine(dir, "out.aedat4")))
        {
            Assert.Equal("ZSTD", r.Info.Compression);
            Assert.Equal(rec.Hash(), Drained.From(r).Hash());
        }
        var (code2, _, err2) = Run("convert", src, Path.Combine(dir, "out.txt"));
        Assert.Equal(2, code2);
        Assert.Contains("expected a name ending in .aedat4 or .parquet", err2);
    }
}
