using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Pipeline.Output;

/// <summary>frames.parquet is written and read with the same record: what a run writes is what reports read — and DuckDB reads it too.</summary>
public class FramesParquetTests
{
    private static List<FrameResult> SampleRows() =>
    [
        new()
        {
            Index = 0, Status = "ok", ExposureStartUs = 1_000_000, ExposureEndUs = 1_040_000,
            SecondsIngest = 0.125, SecondsKernels = 1.5, SecondsDeconvolve = 2.25, SecondsWrite = 0.0625, SecondsTotal = 3.9375,
            Streaks = 3, Kernels = 12, EventsUsed = 4567, EventsInWindow = 89012,
            Diagnostics = [.. FrameDiagnostic.ParseAll("streak at (1,2): 40 events, path RMS 0.31 event px, end offset (3.0,-1.5) px\nstreak at (40,9) 3×4 rejected: too small\ncamera motion: rotation, 3 of 4 light paths agree")],
            KernelSource = "events:streaks", KernelConfidence = 0.875, Psnr = 33.3, Ssim = 0.97, PsnrBlurry = 25.9, SsimBlurry = 0.9,
            KernelSimilarity = 0.947, PsnrSaturationBand = 28.1, PsnrSaturationBandBlurry = 22.4,
            GuardTiles = 36, GuardFallbackTiles = 5, GuardInputTiles = 2,
        },
        new() { Index = 7, Status = "failed", Error = "frame 7: no exposure window", KernelSource = "" },
        new() { Index = 8, Status = "ok", ExposureStartUs = 2_000_000, ExposureEndUs = 2_030_000, KernelSource = "gt", KernelConfidence = 1, KernelSimilarity = 1, LatencySeconds = 0.42, BacklogFrames = 2 },
    ];

    [Fact]
    public async Task EveryFieldOfEveryRowSurvivesTheRoundTrip()
    {
        var rows = SampleRows();
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        await FramesParquet.WriteAsync(path, rows);
        var back = await FramesParquet.ReadAsync(path);
        // Field by field (the diagnostics list by its records): what was written, plus the output file of the frames written.
        var expected = rows.Select(r => r with { OutputFile = r.Status == "ok" ? FramesParquet.OutputFileOf(r.Index) : null });
        Assert.Equal(expected.Select(r => System.Text.Json.JsonSerializer.Serialize(r)), back.Select(r => System.Text.Json.JsonSerializer.Serialize(r)));
        Assert.Equal("frames/000008.png", back[2].OutputFile);
        Assert.Null(back[1].OutputFile);
        Assert.Equal(3, back[0].Diagnostics.Count);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.partial"));
        var meta = await FramesParquet.ReadMetadataAsync(path);
        Assert.Equal("run_frames", meta["table"]);
        Assert.Equal("us", meta["time_unit"]);
    }

    [Fact]
    public async Task AnEmptyRunWritesAReadableEmptyTable()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        await FramesParquet.WriteAsync(path, []);
        Assert.Empty(await FramesParquet.ReadAsync(path));
    }

    [Fact]
    public async Task AFileThatIsNotAFramesTableIsAnIOErrorNamingIt()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        await File.WriteAllTextAsync(path, "not parquet");
        var e = await Assert.ThrowsAsync<IOException>(() => FramesParquet.ReadAsync(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DiagnosticsBecomeRecordsWithCandidateVerdictReasonAndFit()
    {
        var d = SampleRows()[0].Diagnostics;
        Assert.Equal(3, d.Count);
        Assert.Equal(new FrameDiagnostic("streak at (1,2)", "traced", null, "40 events, path RMS 0.31 event px, end offset (3.0,-1.5) px", "streak at (1,2): 40 events, path RMS 0.31 event px, end offset (3.0,-1.5) px"), d[0]);
        Assert.Equal(("streak at (40,9) 3×4", "rejected", "too small"), (d[1].Candidate, d[1].Verdict, d[1].Reason));
        Assert.Equal(("camera motion", "model", "rotation, 3 of 4 light paths agree"), (d[2].Candidate, d[2].Verdict, d[2].Fit));
        var outlier = FrameDiagnostic.Parse("streak at (10,20) set aside by the consensus: its path is 4.2 px from the camera motion (tolerance 1.0 px)");
        Assert.Equal(("streak at (10,20)", "outlier"), (outlier.Candidate, outlier.Verdict));
        Assert.Equal(("tiles", "model"), (FrameDiagnostic.Parse("rotation motion modelled: paths differ by up to 3.1 px between the centre and the corners; 96-px tiles") is var t ? (t.Candidate, t.Verdict) : default));
        Assert.Equal(("texture", "rejected"), (FrameDiagnostic.Parse("texture: only 12 events in the exposure; no blur assumed") is var x ? (x.Candidate, x.Verdict) : default));
        Assert.Equal(("", "note", "something new"), (FrameDiagnostic.Parse("something new") is var n ? (n.Candidate, n.Verdict, n.Reason) : default));
    }

    [SkippableFact]
    public async Task DuckDbReadsTheTypedColumnsNestedDiagnosticsAndMetadata()
    {
        DuckDb.Require();
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        var run = new RunManifest { Mode = "live", Status = "completed", Started = DateTimeOffset.UnixEpoch, Options = new JsonObject { ["kernels"] = "events", ["deconvolver"] = "robust" } };
        await FramesParquet.WriteAsync(path, SampleRows(), FramesParquet.RunMetadata(run, null, "tcp://127.0.0.1:7777"));
        var cols = DuckDb.Columns(path);
        foreach (var c in new[] { "index", "exposure_start_us", "exposure_end_us", "streaks", "kernels", "events_used", "events_window", "backlog_frames" })
            Assert.Equal("BIGINT", cols[c]);
        foreach (var c in new[] { "seconds_total", "psnr", "latency_s" }) Assert.Equal("DOUBLE", cols[c]);
        foreach (var c in new[] { "guard_tiles", "guard_fallback_tiles", "guard_input_tiles" }) Assert.Equal("INTEGER", cols[c]);
        Assert.Equal("STRUCT(candidate VARCHAR, verdict VARCHAR, reason VARCHAR, fit VARCHAR, \"text\" VARCHAR)[]", cols["diagnostics"]);
        Assert.DoesNotContain("group", cols.Keys);

        var r = DuckDb.Query($"SELECT index, output_file, exposure_end_us - exposure_start_us AS exposure_us, backlog_frames, len(diagnostics) AS notes FROM {DuckDb.Literal(path)} ORDER BY index");
        Assert.Equal([0L, 7L, 8L], r.EnumerateArray().Select(x => x.GetProperty("index").GetInt64()));
        Assert.Equal("frames/000000.png", r[0].GetProperty("output_file").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, r[1].GetProperty("output_file").ValueKind);
        Assert.Equal(40_000, r[0].GetProperty("exposure_us").GetInt64());
        Assert.Equal(2, r[2].GetProperty("backlog_frames").GetInt64());
        Assert.Equal(3, r[0].GetProperty("notes").GetInt64());
        var verdicts = DuckDb.Query($"SELECT d.candidate AS c, d.verdict AS v, d.reason AS r FROM (SELECT unnest(diagnostics) AS d FROM {DuckDb.Literal(path)}) ORDER BY c");
        Assert.Contains(verdicts.EnumerateArray(), v => v.GetProperty("v").GetString() == "rejected" && v.GetProperty("r").GetString() == "too small");

        var m = DuckDb.Metadata(path);
        Assert.Equal(("eventdeblur-parquet/1", "run_frames", "live", "events+robust"), (m["format"], m["table"], m["mode"], m["method"]));
        Assert.Equal("robust", JsonNode.Parse(m["options"])!["deconvolver"]!.GetValue<string>());
        Assert.Equal("tcp://127.0.0.1:7777", m["source_file"]);
        Assert.False(m.ContainsKey("source_sha256"), "a network stream has no file hash");
    }

    [SkippableFact]
    public async Task AReplaysFramesParquetJoinsTheBundleByExposureAndNamesItsSource()
    {
        DuckDb.Require();
        string bundle = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 200, RgbHeight = 150, PointLights = 2 }, 17, bundle);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator());
        string path = Path.Combine(outDir, "frames.parquet");
        var b = RecordingBundle.Load(bundle);

        // The rows join the bundle's frames.csv on the exposure window: table sync, so event clock = table time + the manifest's offset.
        Assert.Equal("table", b.Manifest.Sync.Source);
        long offset = b.Manifest.Sync.ClockOffsetUs;
        Assert.NotEqual(0, offset);
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var joined = DuckDb.Query($"SELECT f.index, f.output_file FROM {DuckDb.Literal(path)} f JOIN read_csv({DuckDb.Literal(csv)}) c ON c.index = f.index AND c.exposure_start_us + {offset} = f.exposure_start_us AND c.exposure_end_us + {offset} = f.exposure_end_us ORDER BY f.index");
        Assert.Equal(2, joined.GetArrayLength());
        foreach (var row in joined.EnumerateArray())
            Assert.True(File.Exists(Path.Combine(outDir, row.GetProperty("output_file").GetString()!)));

        var m = DuckDb.Metadata(path);
        Assert.Equal("replay", m["mode"]);
        Assert.Equal("gt+wiener", m["method"]);
        Assert.Equal(b.Manifest.Events.Width.ToString(), m["sensor_width"]);
        Assert.Equal(b.Manifest.Events.Height.ToString(), m["sensor_height"]);
        Assert.Equal(b.Manifest.Events.Camera, m["camera"]);
        Assert.Equal(("200", "150"), (m["frame_width"], m["frame_height"]));
        Assert.Equal(Path.GetFullPath(b.EventsPath), m["source_file"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(b.EventsPath))), m["source_sha256"]);
        Assert.Equal(Path.GetFullPath(bundle), m["bundle"]);
        Assert.Equal("us", m["time_unit"]);
        Assert.Contains("event clock", m["time_origin"]);
        Assert.Equal("0.1.0", m["tool_version"]);
        Assert.Equal("wiener", JsonNode.Parse(m["options"])!["deconvolver"]!.GetValue<string>());
    }

    /// <summary>
    /// RECORDING_FORMAT.md allows the statuses "ok" and "failed" alone: a live run's dropped frame is "failed" with the
    /// column <c>dropped</c> true, and a live run written before that column (status "dropped") reads the same way.
    /// </summary>
    [Fact]
    public async Task ADroppedFrameIsFailedWithItsOwnColumnAndOldRunsReadTheSame()
    {
        string dir = TestPaths.NewTempDir();
        string now = Path.Combine(dir, "now.parquet"), before = Path.Combine(dir, "before.parquet");
        await FramesParquet.WriteAsync(now, [new FrameResult { Index = 0 }, new FrameResult { Index = 1, Status = "failed", Dropped = true, Error = "dropped (pipeline behind)" }]);
        await FramesParquet.WriteAsync(before, [new FrameResult { Index = 0 }, new FrameResult { Index = 1, Status = "dropped", Error = "dropped (pipeline behind)" }]);
        foreach (string path in new[] { now, before })
        {
            var rows = await FramesParquet.ReadAsync(path);
            Assert.Equal(("ok", (bool?)null), (rows[0].Status, rows[0].Dropped));
            Assert.Equal(("failed", (bool?)true), (rows[1].Status, rows[1].Dropped));
        }
        var statuses = DuckDb.Query($"SELECT DISTINCT status FROM {DuckDb.Literal(now)} ORDER BY status").EnumerateArray().Select(r => r.GetProperty("status").GetString()).ToList();
        Assert.Equal(["failed", "ok"], statuses);
    }
}
