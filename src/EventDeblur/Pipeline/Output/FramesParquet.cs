using EventDeblur.IO;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// <c>frames.parquet</c> (RECORDING_FORMAT.md, "What a run writes"): one <see cref="FrameResult"/> per
/// row, written and read with the same record and column list, so what a run writes is what reports read.
/// </summary>
public static class FramesParquet
{
    private static readonly DataField<long> Index = new("index");
    private static readonly DataField<string> Status = new("status");
    private static readonly DataField<string> Error = new("error", true);
    private static readonly DataField<string> Source = new("kernel_source");
    private static readonly DataField<string> Diagnostics = new("diagnostics", true);

    private static readonly (DataField<double> Field, Func<FrameResult, double> Get, Func<FrameResult, double, FrameResult> Set)[] Doubles =
    [
        (new("seconds_ingest"), r => r.SecondsIngest, (r, v) => r with { SecondsIngest = v }),
        (new("seconds_kernels"), r => r.SecondsKernels, (r, v) => r with { SecondsKernels = v }),
        (new("seconds_deconvolve"), r => r.SecondsDeconvolve, (r, v) => r with { SecondsDeconvolve = v }),
        (new("seconds_write"), r => r.SecondsWrite, (r, v) => r with { SecondsWrite = v }),
        (new("seconds_total"), r => r.SecondsTotal, (r, v) => r with { SecondsTotal = v }),
        (new("kernel_confidence"), r => r.KernelConfidence, (r, v) => r with { KernelConfidence = v }),
    ];

    private static readonly (DataField<long> Field, Func<FrameResult, long> Get, Func<FrameResult, long, FrameResult> Set)[] Counts =
    [
        (new("streaks"), r => r.Streaks, (r, v) => r with { Streaks = v }),
        (new("kernels"), r => r.Kernels, (r, v) => r with { Kernels = v }),
        (new("events_used"), r => r.EventsUsed, (r, v) => r with { EventsUsed = v }),
        (new("events_window"), r => r.EventsInWindow, (r, v) => r with { EventsInWindow = v }),
    ];

    private static readonly (DataField<double?> Field, Func<FrameResult, double?> Get, Func<FrameResult, double?, FrameResult> Set)[] Optional =
    [
        (new("psnr"), r => r.Psnr, (r, v) => r with { Psnr = v }),
        (new("ssim"), r => r.Ssim, (r, v) => r with { Ssim = v }),
        (new("kernel_similarity"), r => r.KernelSimilarity, (r, v) => r with { KernelSimilarity = v }),
        (new("psnr_blurry"), r => r.PsnrBlurry, (r, v) => r with { PsnrBlurry = v }),
        (new("ssim_blurry"), r => r.SsimBlurry, (r, v) => r with { SsimBlurry = v }),
        (new("latency_s"), r => r.LatencySeconds, (r, v) => r with { LatencySeconds = v }),
        (new("backlog_frames"), r => r.BacklogFrames, (r, v) => r with { BacklogFrames = v }),
        (new("psnr_sat_band"), r => r.PsnrSaturationBand, (r, v) => r with { PsnrSaturationBand = v }),
        (new("psnr_sat_band_blurry"), r => r.PsnrSaturationBandBlurry, (r, v) => r with { PsnrSaturationBandBlurry = v }),
    ];

    private static ParquetSchema Schema { get; } = new([Index, Status, Error, .. Doubles.Select(d => d.Field), .. Counts.Select(c => c.Field), Source, Diagnostics, .. Optional.Select(o => o.Field)]);

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically (one row group).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<FrameResult> rows)
    {
        string tmp = AtomicFile.TempPathFor(path);
        try
        {
            await using (var fs = new FileStream(tmp, FileMode.CreateNew))
            await using (var pw = await ParquetWriter.CreateAsync(Schema, fs))
            {
                using var rg = pw.CreateRowGroup();
                await rg.WriteAsync<long>(Index, rows.Select(r => r.Index).ToArray());
                await rg.WriteAsync(Status, rows.Select(r => r.Status).ToArray());
                await rg.WriteAsync(Error, rows.Select(r => r.Error!).ToArray());
                foreach (var d in Doubles) await rg.WriteAsync<double>(d.Field, rows.Select(d.Get).ToArray());
                foreach (var c in Counts) await rg.WriteAsync<long>(c.Field, rows.Select(c.Get).ToArray());
                await rg.WriteAsync(Source, rows.Select(r => r.KernelSource).ToArray());
                await rg.WriteAsync(Diagnostics, rows.Select(r => r.Diagnostics!).ToArray());
                foreach (var o in Optional) await rg.WriteAsync<double>(o.Field, (ReadOnlyMemory<double?>)rows.Select(o.Get).ToArray());
            }
            AtomicFile.Commit(tmp, path);
        }
        catch
        {
            AtomicFile.TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Reads every row of a <c>frames.parquet</c>; a column the file lacks keeps the record's default.</summary>
    /// <exception cref="IOException">The file is missing or not Parquet.</exception>
    public static async Task<List<FrameResult>> ReadAsync(string path)
    {
        var rows = new List<FrameResult>();
        await using var reader = await ParquetReader.CreateAsync(path);
        var present = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var group = new FrameResult[n];
            var index = new long[n];
            await rg.ReadAsync<long>(present[Index.Name], index);
            var status = await ReadStrings(Status.Name);
            var error = await ReadStrings(Error.Name);
            var source = await ReadStrings(Source.Name);
            var diagnostics = await ReadStrings(Diagnostics.Name);
            for (int i = 0; i < n; i++)
                group[i] = new FrameResult { Index = index[i], Status = status?[i] ?? "ok", Error = error?[i], KernelSource = source?[i] ?? "", Diagnostics = diagnostics?[i] };
            foreach (var d in Doubles)
            {
                if (!present.TryGetValue(d.Field.Name, out var f)) continue;
                var v = new double[n];
                await rg.ReadAsync<double>(f, v);
                for (int i = 0; i < n; i++) group[i] = d.Set(group[i], v[i]);
            }
            foreach (var c in Counts)
            {
                if (!present.TryGetValue(c.Field.Name, out var f)) continue;
                var v = new long[n];
                await rg.ReadAsync<long>(f, v);
                for (int i = 0; i < n; i++) group[i] = c.Set(group[i], v[i]);
            }
            foreach (var o in Optional)
            {
                if (!present.TryGetValue(o.Field.Name, out var f)) continue;
                var v = new double?[n];
                await rg.ReadAsync<double>(f, v);
                for (int i = 0; i < n; i++) group[i] = o.Set(group[i], v[i]);
            }
            rows.AddRange(group);

            async Task<string?[]?> ReadStrings(string name)
            {
                if (!present.TryGetValue(name, out var f)) return null;
                var v = new string?[n];
                await rg.ReadAsync(f, v!);
                return v;
            }
        }
        return rows;
    }
}
