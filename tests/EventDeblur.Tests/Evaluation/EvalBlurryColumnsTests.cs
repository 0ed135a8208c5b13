using EventDeblur.Evaluation;
using EventDeblur.Methods;
using EventDeblur.Pipeline.Output;
using EventDeblur.Simulation;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Tests.Evaluation;

/// <summary>
/// The shards carry each frame's blurry-input metrics and the PSNR near saturated pixels, so the summary can compare
/// every method with the blurry input per scene kind (issue 11's tables).
/// </summary>
public class EvalBlurryColumnsTests
{
    private static readonly MethodCatalogue Catalogue = new MethodCatalogueBuilder().Build();

    [Fact]
    public async Task ShardRowsCarryTheRunsBlurryAndBandMetrics()
    {
        string data = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 200, RgbHeight = 150, PointLights = 2 }, 61, Path.Combine(data, "night-061"));
        string outDir = TestPaths.NewTempDir();
        var methods = new[] { "blurry", "gt+wiener" }.Select(Catalogue.ParseMethod).ToList();
        await Evaluator.RunAsync(Catalogue, Evaluator.FindBundles([data]), methods, outDir, 1, 1);
        var rows = await Evaluator.ReadShardsAsync([outDir]);
        Assert.Equal(4, rows.Count);

        var frames = await FramesParquet.ReadAsync(Path.Combine(outDir, "runs", "gt+wiener", "night-061", "frames.parquet"));
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.NotNull(f.PsnrSaturationBand)); // the lights clip: the band exists
        foreach (var f in frames)
        {
            var est = Assert.Single(rows, r => r.Method == "gt+wiener" && r.Index == f.Index);
            Assert.Equal((f.Psnr, f.PsnrBlurry, f.SsimBlurry, f.PsnrSaturationBand, f.PsnrSaturationBandBlurry),
                (est.Psnr, est.PsnrBlurry, est.SsimBlurry, est.PsnrSatBand, est.PsnrSatBandBlurry));
            // The blurry method's metrics are the input's, its band too.
            var blurry = Assert.Single(rows, r => r.Method == "blurry" && r.Index == f.Index);
            Assert.Equal((f.PsnrBlurry, f.SsimBlurry, f.PsnrSaturationBandBlurry, f.PsnrSaturationBandBlurry),
                (blurry.Psnr, blurry.Ssim, blurry.PsnrSatBand, blurry.PsnrSatBandBlurry));
            Assert.NotEqual(f.PsnrSaturationBand, f.PsnrSaturationBandBlurry);
        }

        // The same rows read from the run folders (replay runs' report) agree with the shard's.
        var (fromRuns, _) = await RunSummary.ReadAsEvalRowsAsync([Path.Combine(outDir, "runs", "gt+wiener", "night-061")]);
        Assert.Equal(Evaluator.Canonical(rows.Where(r => r.Method == "gt+wiener")), Evaluator.Canonical(fromRuns.OrderBy(r => r.Index)));
    }

    [Fact]
    public void TheSummaryComparesEachMethodWithTheBlurryInputPerGroup()
    {
        EvalRow Row(string method, long index, double psnr, double blurry, double? band, double? bandBlurry) =>
            new("night-7101", "night", method, index, "ok", psnr, 0.9, method == "blurry" ? null : 0.95, 1.0, blurry, 0.8, band, bandBlurry);
        var rows = new List<EvalRow>
        {
            Row("events+robust", 0, 30, 26, 20, 18), Row("events+robust", 1, 25, 26, 22, 19), Row("events+robust", 2, 28, 26, null, null),
            Row("blurry", 0, 26, 26, 18, 18), Row("blurry", 1, 26, 26, 19, 19), Row("blurry", 2, 26, 26, null, null),
            new("night-7102", "night-old", "events+robust", 0, "ok", 31, 0.9, 0.9, 1.0), // a shard written before the blurry columns
            Row("events+robust", 3, 10, 26, 5, 18) with { Status = "failed" }, // failed frames are not counted
        };
        string md = Evaluator.SummaryMarkdown(rows);
        // Gain (4 − 1 + 2) / 3; two frames of three above the input; band over the two frames that have it. The interval is
        // mean ± t(0.975, 2 df)·s/√3 = 27.67 ± 4.303·2.517/√3 (since stop 38; with 1.96 it was [24.82, 30.51], too narrow).
        Assert.Contains("| night | events+robust | 3 | 27.67 [21.42, 33.92] | 28.00 | 0.9000 | 0.9000 | 0.950 | 26.00 | +1.67 | 2 of 3 | 18.50 → 21.00 (+2.50) |", md);
        Assert.Contains("| night | blurry | 3 | 26.00 [26.00, 26.00] | 26.00 | 0.9000 | 0.9000 | – | 26.00 | – | – | 18.50 |", md);
        Assert.Contains("| night-old | events+robust | 1 | 31.00 | 31.00 | 0.9000 | 0.9000 | 0.900 | – | – | – | – |", md);

        // Stop 42: a frame without ground truth (no PSNR, a kernel similarity) is counted apart from those with PSNR.
        rows.Add(new("night-7103", "night-part", "events+robust", 0, "ok", 30, 0.9, 0.8, 1.0, 26, 0.8));
        rows.Add(new("night-7103", "night-part", "events+robust", 1, "ok", null, null, 0.9, 1.0));
        md = Evaluator.SummaryMarkdown(rows);
        Assert.Contains("| night-part | events+robust | 2 (1 with PSNR) | 30.00 | 30.00 |", md);
    }

    [Fact]
    public async Task ShardsWrittenBeforeTheBlurryColumnsAreStillRead()
    {
        string outDir = TestPaths.NewTempDir();
        var fields = new DataField[]
        {
            new DataField<string>("bundle"), new DataField<string>("scene_group"), new DataField<string>("method"), new DataField<long>("index"),
            new DataField<string>("status"), new DataField<double?>("psnr"), new DataField<double?>("ssim"), new DataField<double?>("kernel_similarity"),
            new DataField<double>("seconds_total"),
        };
        await using (var fs = File.Create(Path.Combine(outDir, "results-shard-1-of-1.parquet")))
        {
            await using var pw = await ParquetWriter.CreateAsync(new ParquetSchema(fields), fs);
            using var rg = pw.CreateRowGroup();
            await rg.WriteAsync((DataField<string>)fields[0], new[] { "night-7101" });
            await rg.WriteAsync((DataField<string>)fields[1], new[] { "night" });
            await rg.WriteAsync((DataField<string>)fields[2], new[] { "events+robust" });
            await rg.WriteAsync<long>((DataField<long>)fields[3], new long[] { 2 });
            await rg.WriteAsync((DataField<string>)fields[4], new[] { "ok" });
            await rg.WriteAsync<double>((DataField<double?>)fields[5], (ReadOnlyMemory<double?>)new double?[] { 31.5 });
            await rg.WriteAsync<double>((DataField<double?>)fields[6], (ReadOnlyMemory<double?>)new double?[] { 0.91 });
            await rg.WriteAsync<double>((DataField<double?>)fields[7], (ReadOnlyMemory<double?>)new double?[] { 0.88 });
            await rg.WriteAsync<double>((DataField<double>)fields[8], new[] { 4.5 });
        }
        var row = Assert.Single(await Evaluator.ReadShardsAsync([outDir]));
        Assert.Equal(new EvalRow("night-7101", "night", "events+robust", 2, "ok", 31.5, 0.91, 0.88, 4.5), row);
    }
}
