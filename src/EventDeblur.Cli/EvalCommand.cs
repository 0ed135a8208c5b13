using System.CommandLine;
using EventDeblur.Evaluation;
using EventDeblur.IO;
using EventDeblur.Methods;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur eval DATASET... --out OUT [--methods LIST] [--shard K/N]</c>.</summary>
internal static class EvalCommand
{
    public static Command Create(MethodCatalogue catalogue)
    {
        var datasets = new Argument<string[]>("DATASET") { Description = "Bundles, folders of bundles (e.g. the simulator benchmark set), or Blur-DVS-style datasets (a folder with blurdvs.json)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Evaluation folder (runs/METHOD/BUNDLE and results-shard-K-of-N.parquet)", Required = true };
        var methods = new Option<string>("--methods") { Description = "Comma-separated KERNELS+DECONVOLVER (kernels: events, gt, streak; deconvolvers: robust, hl, learned, rl, wiener), blurry, or edi (APS bundles)", DefaultValueFactory = _ => "blurry,events+robust,events+hl,events+learned,gt+robust,gt+hl,gt+learned,gt+rl,gt+wiener" };
        var shard = new Option<string>("--shard") { Description = "K/N: run only the K-th of N deterministic shares of the work", DefaultValueFactory = _ => "1/1" };
        var quality = QualityOption.Create();
        var force = new Option<bool>("--force") { Description = "Write into --out even when it is (or holds) a recording bundle or a replay run" };
        var cmd = new Command("eval", "Evaluate methods over datasets; shards write their own Parquet, 'report' merges them") { datasets, output, methods, shard, quality, force };
        cmd.SetAction(async (r, ct) =>
        {
            var parts = r.GetValue(shard)!.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n))
                throw new UserInputException($"--shard '{r.GetValue(shard)}' is not K/N (e.g. 1/4)");
            var m = r.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(catalogue.ParseMethod).ToList();
            if (!r.GetValue(force)) RefuseInputsAsOutput(r.GetValue(output)!);
            OutputFolder.Prepare(r.GetValue(output)!);
            var bundles = Evaluator.FindBundles(r.GetValue(datasets)!, Path.Combine(r.GetValue(output)!, "converted"));
            if (bundles.Count == 0) throw new UserInputException("no bundles found in the datasets (give bundle folders, folders of bundles or Blur-DVS-style datasets)");
            var rows = await Evaluator.RunAsync(catalogue, bundles, m, r.GetValue(output)!, k, n, Console.WriteLine, ct, QualityOption.Value(r, quality));
            Console.WriteLine($"shard {k}/{n}: {rows.Count} frame results -> {Path.GetFullPath(r.GetValue(output)!)}");
            if (ct.IsCancellationRequested) return ExitCodes.Cancelled;
            return rows.All(x => x.Status == "ok") ? ExitCodes.Success : ExitCodes.DataProblems;
        });
        return cmd;
    }

    /// <summary>
    /// An evaluation writes <c>runs/</c>, <c>converted/</c> and result shards into OUT, and scripts keep their logs and
    /// reports there; but OUT must not be a recording bundle, a folder of bundles (the dataset itself) or a replay run,
    /// whose folders it would fill with runs (a natural slip: <c>--out</c> naming the input).
    /// </summary>
    /// <exception cref="UserInputException">OUT is or holds a bundle, or is a replay run.</exception>
    internal static void RefuseInputsAsOutput(string outDir)
    {
        string full = Path.GetFullPath(outDir);
        if (!Directory.Exists(full)) return;
        string? what = File.Exists(Path.Combine(full, "recording.json")) ? "a recording bundle (recording.json)"
            : File.Exists(Path.Combine(full, "run.json")) ? "a replay run (run.json)"
            : Directory.GetDirectories(full).Where(d => File.Exists(Path.Combine(d, "recording.json"))).Select(d => $"a folder of bundles ({Path.GetFileName(d)}/recording.json …)").FirstOrDefault();
        if (what != null)
            throw new UserInputException($"--out {full}: is {what}, not an evaluation folder; an evaluation writes runs/ and result shards into OUT: " +
                                         "choose a new folder (e.g. out/eval), or pass --force to write into it anyway");
    }
}
