using System.Text;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Evaluation;

/// <summary>Reads replay output folders (run.json + frames.parquet) and summarises them per bundle group and method.</summary>
public static class RunSummary
{
    /// <summary>
    /// Per-frame rows of one run folder (its typed frames.parquet) with the run's bundle name and method (from run.json);
    /// a run that did not complete and ended before writing frames.parquet (killed during its first frames) has no rows.
    /// </summary>
    /// <exception cref="IOException">run.json is missing or unreadable, or frames.parquet is unreadable, or missing from a completed run.</exception>
    public static async Task<(string Bundle, string Method, List<FrameResult> Rows)> ReadRunAsync(string runDir) => await ReadRunAsync(runDir, null);

    private static async Task<(string Bundle, string Method, List<FrameResult> Rows)> ReadRunAsync(string runDir, IReadOnlyDictionary<string, string>? labels)
    {
        var run = RunManifest.Read(runDir);
        string bundle = Path.GetFileName((run.InputBundle ?? throw new IOException($"{Path.Combine(runDir, "run.json")}: no 'input_bundle' (not a replay run)")).TrimEnd('/'));
        string parquet = Path.Combine(runDir, "frames.parquet");
        // Killed before its frames.parquet: the frames it finished are in their progress records.
        var rows = !File.Exists(parquet) && run.Status != "completed" ? RunWriter.ReadProgressRecords(runDir) : await FramesParquet.ReadAsync(parquet);
        // The blurry and edi methods' delta kernels are compared with nothing real: no kernel similarity, as in eval's results.
        if (run.IdentityKernels) rows = rows.Select(r => r with { KernelSimilarity = null }).ToList();
        return (bundle, labels != null && labels.TryGetValue(runDir, out var label) ? label : run.Method, rows);
    }

    /// <summary>
    /// The method label of each run: <c>KERNELS+DECONVOLVER</c>, and where runs of one method were made with different
    /// options (quality rung, event latency, learned model, the checks of kernels from events), the options that differ in brackets, e.g.
    /// <c>events+robust (quality fast)</c>, so that a summary keeps them apart instead of averaging them into one row.
    /// </summary>
    /// <exception cref="IOException">A run.json is missing or unreadable.</exception>
    public static Dictionary<string, string> MethodLabels(IEnumerable<string> runDirs)
    {
        var labels = new Dictionary<string, string>();
        foreach (var g in runDirs.Distinct().Select(d => (Dir: d, Run: RunManifest.Read(d))).GroupBy(x => x.Run.Method))
        {
            var runs = g.Select(x => (x.Dir, Options: Variant(x.Run))).ToList();
            var differing = Enumerable.Range(0, runs[0].Options.Length).Where(k => runs.Select(r => r.Options[k]).Distinct().Count() > 1).ToList();
            foreach (var (dir, options) in runs)
                labels[dir] = differing.Count == 0 ? g.Key : $"{g.Key} ({string.Join(", ", differing.Select(k => options[k]))})";
        }
        return labels;
    }

    /// <summary>
    /// The options that make runs of one method differ: quality rung, event latency, model file, and for kernels from
    /// events the blur and window checks (<see cref="RunManifest.KernelChecks"/>: a run that did not record one ran it).
    /// </summary>
    private static string[] Variant(RunManifest run)
    {
        string? Text(string key) => run.Options[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var t) ? t : null;
        long latency = run.Options["event_latency_us"] is System.Text.Json.Nodes.JsonValue l && l.TryGetValue<long>(out long x) ? x : 0;
        var checks = run.KernelChecks;
        static string OnOff(bool? b) => b switch { true => "on", false => "off", null => "none" };
        return [$"quality {Text("quality") ?? "none"}", $"event latency {latency} µs", $"model {(Text("model") is { } m ? Path.GetFileName(m) : "none")}",
            $"blur check {OnOff(checks?.Blur)}", $"window check {OnOff(checks?.Window)}"];
    }

    /// <summary>
    /// Replay runs as evaluation rows (a row per frame; method <c>KERNELS+DECONVOLVER</c> from run.json), with the run
    /// folder of each (method, bundle) pair, so replay runs get the same HTML report as evaluations.
    /// </summary>
    public static async Task<(List<EvalRow> Rows, Dictionary<(string Method, string Bundle), string> Dirs)> ReadAsEvalRowsAsync(IEnumerable<string> runDirs)
    {
        var rows = new List<EvalRow>();
        var dirs = new Dictionary<(string, string), string>();
        var list = runDirs.ToList();
        var labels = MethodLabels(list);
        foreach (var d in list)
        {
            var (bundle, method, frames) = await ReadRunAsync(d, labels);
            dirs[(method, bundle)] = d;
            foreach (var f in frames)
                rows.Add(new EvalRow(bundle, Evaluator.GroupOf(bundle), method, f.Index, f.Status, f.Psnr, f.Ssim, f.KernelSimilarity, f.SecondsTotal,
                    f.PsnrBlurry, f.SsimBlurry, f.PsnrSaturationBand, f.PsnrSaturationBandBlurry));
        }
        return (rows, dirs);
    }

    /// <summary>Groups rows by bundle group (name without its trailing <c>-NNN</c>) and method.</summary>
    public static async Task<List<SummaryRow>> SummariseAsync(IEnumerable<string> runDirs)
    {
        var all = new List<(string Group, string Method, FrameResult Row)>();
        var psnrByKey = new Dictionary<(string Bundle, long Index, string Method), double>();
        var bundleOf = new Dictionary<FrameResult, string>(ReferenceEqualityComparer.Instance);
        var bareOf = new Dictionary<FrameResult, string>(ReferenceEqualityComparer.Instance);
        var list = runDirs.ToList();
        var labels = MethodLabels(list);
        foreach (var dir in list)
        {
            var (bundle, method, rows) = await ReadRunAsync(dir, labels);
            // The row's label may name its options; the error ratio pairs runs by the method itself.
            string bare = RunManifest.Read(dir).Method;
            int dash = bundle.LastIndexOf('-');
            string group = dash > 0 && bundle[(dash + 1)..].All(char.IsDigit) ? bundle[..dash] : bundle;
            foreach (var r in rows.Where(r => r.Status == "ok"))
            {
                all.Add((group, method, r));
                bundleOf[r] = bundle;
                bareOf[r] = bare;
                if (r.Psnr is double p) psnrByKey[(bundle, r.Index, bare)] = p;
            }
        }
        // Error ratio (Levin et al.): MSE with the estimated kernel over MSE with the true kernel, same
        // deconvolver, in the metric space of METRICS.md (sRGB, 16-px crop) = 10^((PSNR_gt − PSNR_est)/10).
        double? Ratio(string label, FrameResult r)
        {
            string method = bareOf[r];
            string deconv = method[(method.IndexOf('+') + 1)..];
            if (method.StartsWith("gt+", StringComparison.Ordinal) || r.Psnr is not double est) return null;
            return psnrByKey.TryGetValue((bundleOf[r], r.Index, "gt+" + deconv), out double gt) ? Math.Pow(10, (gt - est) / 10) : null;
        }
        return all.GroupBy(x => (x.Group, x.Method)).Select(g =>
        {
            var rows = g.Select(x => x.Row).Where(r => r.Psnr is double).ToList();
            double Mean(Func<FrameResult, double?> k) => rows.Count == 0 ? double.NaN : rows.Average(r => k(r)!.Value);
            var ks = g.Select(x => x.Row.KernelSimilarity).OfType<double>().ToList();
            var er = g.Select(x => Ratio(x.Method, x.Row)).OfType<double>().OrderBy(v => v).ToList();
            return new SummaryRow(g.Key.Group, g.Key.Method, rows.Count, Mean(r => r.Psnr), Mean(r => r.Ssim), Mean(r => r.PsnrBlurry), Mean(r => r.SsimBlurry),
                ks.Count > 0 ? ks.Average() : null,
                g.Average(x => x.Row.SecondsTotal), g.Average(x => x.Row.SecondsDeconvolve), g.Average(x => x.Row.SecondsKernels),
                er.Count > 0 ? er[er.Count / 2] : null, er.Count > 0 ? er.Count(v => v <= 2) / (double)er.Count : null,
                MeanOf(g.Select(x => x.Row.PsnrSaturationBand)), MeanOf(g.Select(x => x.Row.PsnrSaturationBandBlurry)), g.Count());
        }).OrderBy(r => r.Group).ThenBy(r => r.Method).ToList();
    }

    private static double? MeanOf(IEnumerable<double?> values)
    {
        var v = values.OfType<double>().ToList();
        return v.Count > 0 ? v.Average() : null;
    }

    /// <summary>One line about a live run: frames ok / failed / dropped (as live itself counts them), latency (median and maximum, s) and the largest backlog.</summary>
    public static string LiveLine(string runDir, IReadOnlyList<FrameResult> frames)
    {
        var lat = frames.Select(f => f.LatencySeconds).OfType<double>().Order().ToList();
        var backlog = frames.Select(f => f.BacklogFrames).OfType<long>().ToList();
        int dropped = frames.Count(f => f.Dropped == true);
        return $"live run {runDir}: {frames.Count(f => f.Status == "ok")} frames ok, {frames.Count(f => f.Status != "ok" && f.Dropped != true)} failed, {dropped} dropped" +
               (lat.Count > 0 ? $", latency median {lat[lat.Count / 2]:F2} s, max {lat[^1]:F2} s" : "") +
               (backlog.Count > 0 ? $", backlog max {backlog.Max()}" : "");
    }

    /// <summary>A Markdown table of the summary; a group without ground truth says <see cref="SummaryRow.NoGroundTruth"/> instead of metrics.</summary>
    public static string Markdown(IEnumerable<SummaryRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| group | method | frames | PSNR dB | SSIM | blurry PSNR | blurry SSIM | PSNR ≤ 15 px from saturation (blurry) | kernel sim. | error ratio (median, ≤ 2) | s/frame (kernels, deconv.) |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string frames = r.FramesDeblurred is int n && n != r.Frames ? $"{r.Frames} of {n} with ground truth" : $"{r.Frames}";
            string seconds = $"{r.SecondsPerFrame:F2} ({r.SecondsKernels:F2}, {r.SecondsDeconvolve:F2})";
            if (r.Frames == 0)
            {
                // Ground-truth kernels without ground-truth frames: the kernels are scored, the images are not.
                sb.AppendLine(r.KernelSimilarity is double ks
                    ? $"| {r.Group} | {r.Method} | {frames} | {SummaryRow.NoGroundTruthFrames} | – | – | – | – | {ks:F3} | – | {seconds} |"
                    : $"| {r.Group} | {r.Method} | {frames} | {SummaryRow.NoGroundTruth} | – | – | – | – | – | – | {seconds} |");
                continue;
            }
            sb.AppendLine($"| {r.Group} | {r.Method} | {frames} | {r.Psnr:F2} | {r.Ssim:F4} | {r.PsnrBlurry:F2} | {r.SsimBlurry:F4} | {(r.BandPsnr is double bp ? $"{bp:F2} ({r.BandPsnrBlurry:F2})" : "–")} | {(r.KernelSimilarity is double k ? k.ToString("F3") : "–")} | " +
                          $"{(r.ErrorRatioMedian is double e ? $"{e:F2}, {r.ErrorRatioSuccess:P0}" : "–")} | {seconds} |");
        }
        return sb.ToString();
    }
}
