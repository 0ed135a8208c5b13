using System.Text;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Evaluation;

/// <summary>One row of a summary table: a method on a group of bundles.</summary>
/// <param name="Group">Group name (the bundle name without its trailing seed, e.g. <c>night-hard</c>).</param>
/// <param name="Method">Kernel source + deconvolver, e.g. <c>events+hl</c>.</param>
/// <param name="Frames">Frames with ground truth.</param>
/// <param name="Psnr">Mean PSNR, dB.</param>
/// <param name="Ssim">Mean SSIM.</param>
/// <param name="PsnrBlurry">Mean PSNR of the blurry input, dB.</param>
/// <param name="SsimBlurry">Mean SSIM of the blurry input.</param>
/// <param name="KernelSimilarity">Mean kernel similarity (null when not measured).</param>
/// <param name="SecondsPerFrame">Mean seconds per frame (all stages).</param>
/// <param name="SecondsDeconvolve">Mean seconds of deconvolution per frame.</param>
/// <param name="SecondsKernels">Mean seconds of kernel estimation per frame.</param>
/// <param name="ErrorRatioMedian">Median error ratio against the same deconvolver with ground-truth kernels (null without that run).</param>
/// <param name="ErrorRatioSuccess">Fraction of frames with error ratio ≤ 2 (null without that run).</param>
/// <param name="BandPsnr">Mean PSNR within 15 px of saturated pixels, dB.</param>
/// <param name="BandPsnrBlurry">The same for the blurry input, dB.</param>
public sealed record SummaryRow(string Group, string Method, int Frames, double Psnr, double Ssim, double PsnrBlurry, double SsimBlurry, double? KernelSimilarity,
    double SecondsPerFrame, double SecondsDeconvolve, double SecondsKernels, double? ErrorRatioMedian = null, double? ErrorRatioSuccess = null,
    double? BandPsnr = null, double? BandPsnrBlurry = null);

/// <summary>Reads replay output folders (run.json + frames.parquet) and summarises them per bundle group and method.</summary>
public static class RunSummary
{
    /// <summary>Per-frame rows of one run folder with the run's bundle name and method.</summary>
    public static async Task<(string Bundle, string Method, List<Dictionary<string, object?>> Rows)> ReadRunAsync(string runDir)
    {
        var run = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(runDir, "run.json")))!;
        string bundle = Path.GetFileName(run["input_bundle"]!.GetValue<string>().TrimEnd('/'));
        string method = $"{run["options"]!["kernels"]!.GetValue<string>()}+{run["options"]!["deconvolver"]!.GetValue<string>()}";
        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await ParquetReader.CreateAsync(Path.Combine(runDir, "frames.parquet"));
        var fields = reader.Schema.GetDataFields();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var cols = new Dictionary<string, object?[]>();
            foreach (var f in fields)
            {
                object?[] vals = new object?[n];
                if (f.ClrType == typeof(double) && f.IsNullable) { var a = new double?[n]; await rg.ReadAsync<double>(f, a); vals = a.Cast<object?>().ToArray(); }
                else if (f.ClrType == typeof(double)) { var a = new double[n]; await rg.ReadAsync<double>(f, a); vals = a.Cast<object?>().ToArray(); }
                else if (f.ClrType == typeof(long)) { var a = new long[n]; await rg.ReadAsync<long>(f, a); vals = a.Cast<object?>().ToArray(); }
                else if (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>)) { var a = new string[n]; await rg.ReadAsync(f, a); vals = a.Cast<object?>().ToArray(); }
                cols[f.Name] = vals;
            }
            for (int i = 0; i < n; i++) rows.Add(cols.ToDictionary(c => c.Key, c => c.Value[i]));
        }
        return (bundle, method, rows);
    }

    /// <summary>
    /// Replay runs as evaluation rows (a row per frame; method <c>KERNELS+DECONVOLVER</c> from run.json), with the run
    /// folder of each (method, bundle) pair, so replay runs get the same HTML report as evaluations.
    /// </summary>
    public static async Task<(List<EvalRow> Rows, Dictionary<(string Method, string Bundle), string> Dirs)> ReadAsEvalRowsAsync(IEnumerable<string> runDirs)
    {
        var rows = new List<EvalRow>();
        var dirs = new Dictionary<(string, string), string>();
        foreach (var d in runDirs)
        {
            var (bundle, method, frames) = await ReadRunAsync(d);
            dirs[(method, bundle)] = d;
            foreach (var f in frames)
                rows.Add(new EvalRow(bundle, Evaluator.GroupOf(bundle), method, (long)f["index"]!, (string)f["status"]!,
                    f.GetValueOrDefault("psnr") as double?, f.GetValueOrDefault("ssim") as double?, f.GetValueOrDefault("kernel_similarity") as double?,
                    (double)f["seconds_total"]!));
        }
        return (rows, dirs);
    }

    /// <summary>Groups rows by bundle group (name without its trailing <c>-NNN</c>) and method.</summary>
    public static async Task<List<SummaryRow>> SummariseAsync(IEnumerable<string> runDirs)
    {
        var all = new List<(string Group, string Method, Dictionary<string, object?> Row)>();
        var psnrByKey = new Dictionary<(string Bundle, long Index, string Method), double>();
        var bundleOf = new Dictionary<Dictionary<string, object?>, string>();
        foreach (var dir in runDirs)
        {
            var (bundle, method, rows) = await ReadRunAsync(dir);
            int dash = bundle.LastIndexOf('-');
            string group = dash > 0 && bundle[(dash + 1)..].All(char.IsDigit) ? bundle[..dash] : bundle;
            foreach (var r in rows.Where(r => (string?)r["status"] == "ok"))
            {
                all.Add((group, method, r));
                bundleOf[r] = bundle;
                if (r["psnr"] is double p) psnrByKey[(bundle, (long)r["index"]!, method)] = p;
            }
        }
        // Error ratio (Levin et al.): MSE with the estimated kernel over MSE with the true kernel, same
        // deconvolver, in the metric space of METRICS.md (sRGB, 16-px crop) = 10^((PSNR_gt − PSNR_est)/10).
        double? Ratio(string method, Dictionary<string, object?> r)
        {
            string deconv = method[(method.IndexOf('+') + 1)..];
            if (method.StartsWith("gt+", StringComparison.Ordinal) || r["psnr"] is not double est) return null;
            return psnrByKey.TryGetValue((bundleOf[r], (long)r["index"]!, "gt+" + deconv), out double gt) ? Math.Pow(10, (gt - est) / 10) : null;
        }
        return all.GroupBy(x => (x.Group, x.Method)).Select(g =>
        {
            var rows = g.Select(x => x.Row).Where(r => r["psnr"] is double).ToList();
            double Mean(string k) => rows.Count == 0 ? double.NaN : rows.Average(r => (double)r[k]!);
            var ks = g.Select(x => x.Row["kernel_similarity"]).OfType<double>().ToList();
            var er = g.Select(x => Ratio(x.Method, x.Row)).OfType<double>().OrderBy(v => v).ToList();
            return new SummaryRow(g.Key.Group, g.Key.Method, rows.Count, Mean("psnr"), Mean("ssim"), Mean("psnr_blurry"), Mean("ssim_blurry"),
                ks.Count > 0 ? ks.Average() : null,
                g.Average(x => (double)x.Row["seconds_total"]!), g.Average(x => (double)x.Row["seconds_deconvolve"]!), g.Average(x => (double)x.Row["seconds_kernels"]!),
                er.Count > 0 ? er[er.Count / 2] : null, er.Count > 0 ? er.Count(v => v <= 2) / (double)er.Count : null,
                MeanOf(g.Select(x => x.Row), "psnr_sat_band"), MeanOf(g.Select(x => x.Row), "psnr_sat_band_blurry"));
        }).OrderBy(r => r.Group).ThenBy(r => r.Method).ToList();
    }

    private static double? MeanOf(IEnumerable<Dictionary<string, object?>> rows, string key)
    {
        var v = rows.Select(r => r.TryGetValue(key, out var o) ? o : null).OfType<double>().ToList();
        return v.Count > 0 ? v.Average() : null;
    }

    /// <summary>A Markdown table of the summary.</summary>
    public static string Markdown(IEnumerable<SummaryRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| preset | method | frames | PSNR dB | SSIM | blurry PSNR | blurry SSIM | PSNR ≤ 15 px from saturation (blurry) | kernel sim. | error ratio (median, ≤ 2) | s/frame (kernels, deconv.) |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Group} | {r.Method} | {r.Frames} | {r.Psnr:F2} | {r.Ssim:F4} | {r.PsnrBlurry:F2} | {r.SsimBlurry:F4} | {(r.BandPsnr is double bp ? $"{bp:F2} ({r.BandPsnrBlurry:F2})" : "–")} | {(r.KernelSimilarity is double k ? k.ToString("F3") : "–")} | " +
                          $"{(r.ErrorRatioMedian is double e ? $"{e:F2}, {r.ErrorRatioSuccess:P0}" : "–")} | {r.SecondsPerFrame:F2} ({r.SecondsKernels:F2}, {r.SecondsDeconvolve:F2}) |");
        return sb.ToString();
    }
}
