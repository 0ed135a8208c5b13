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
        var methods = new Option<string>("--methods") { Description = "Comma-separated KERNELS+DECONVOLVER (kernels: events, gt, streak; deconvolvers: robust, hl, learned, rl, wiener, or none: the kernels scored, no deconvolution), blurry, or edi (APS bundles)", DefaultValueFactory = _ => "blurry,events+robust,events+hl,events+learned,gt+robust,gt+hl,gt+learned,gt+rl,gt+wiener" };
        var shard = new Option<string>("--shard") { Description = "K/N: run only the K-th of N deterministic shares of the work", DefaultValueFactory = _ => "1/1" };
        var quality = QualityOption.Create();
        var force = new Option<bool>("--force") { Description = "Write into --out even when it is, holds or lies inside a recording bundle, or is a replay run" };
        var checks = new KernelCheckOptions();
        var cmd = new Command("eval", "Evaluate methods over datasets; shards write their own Parquet, 'report' merges them") { datasets, output, methods, shard, quality, checks.BlurCheck, checks.WindowCheck, force };
        cmd.SetAction(async (r, ct) =>
        {
            // One line per pair is the progress; the guard's fallbacks are counted in each run's frames.parquet.
            BuiltInMethods.DefaultGuardLog = null;
            var parts = r.GetValue(shard)!.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n))
                throw new UserInputException($"--shard '{r.GetValue(shard)}' is not K/N (e.g. 1/4)");
            var names = r.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) throw new UserInputException("--methods is empty: give at least one method, e.g. --methods blurry,events+robust");
            if (names.GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new UserInputException($"--methods lists {twice.Key} {twice.Count()} times: each method once (its rows would be written twice)");
            var m = names.Select(catalogue.ParseMethod).ToList();
            QualityOption.NoteIfIgnored(r, quality, catalogue, m.Select(x => x.Deconvolver), m.Select(x => x.Name));
            checks.NoteIfIgnored(r, m.Select(x => x.Kernels));
            // OUT must not be the dataset, a bundle (or inside one) or a replay run, whose folders it would fill with runs.
            if (!r.GetValue(force))
                OutputFolder.RefuseInputAsOutput(r.GetValue(output)!, "an evaluation folder", "an evaluation writes runs/ and result shards into OUT", "out/eval", refuseRun: true);
            using var unused = OutputFolder.PrepareRemovingIfUnused(r.GetValue(output)!);
            // DATASET takes any number of paths, so a mistyped option lands here: say so rather than "not a bundle".
            foreach (string d in r.GetValue(datasets)!)
                if (d.StartsWith('-') && !File.Exists(d) && !Directory.Exists(d))
                    throw new UserInputException($"{d}: not an option of eval (see '{ToolCommand.Name} eval --help'), nor a bundle or a folder of bundles");
            var empty = new List<string>();
            var notConverted = new List<string>();
            var reconverted = new List<string>();
            var bundles = Evaluator.FindBundles(r.GetValue(datasets)!, Path.Combine(r.GetValue(output)!, "converted"), empty, notConverted, reconverted, ct);
            // A Blur-DVS-style dataset changed since its last conversion: its earlier runs are of the old data, so they go
            // and its pairs run again (stop 44's review: the rerun was refused, exit 2, and report showed the old numbers).
            foreach (string target in reconverted)
            {
                string name = Path.GetFileName(target);
                string runs = Path.Combine(r.GetValue(output)!, "runs");
                int removed = 0;
                if (Directory.Exists(runs))
                    foreach (var methodDir in Directory.GetDirectories(runs))
                        if (Directory.Exists(Path.Combine(methodDir, name))) { Directory.Delete(Path.Combine(methodDir, name), recursive: true); removed++; }
                Console.WriteLine($"note: {name}: the Blur-DVS-style dataset changed since it was converted: converted again{(removed > 0 ? $", and its {removed} earlier run(s) removed: they run again" : "")}");
            }
            foreach (string u in notConverted) Console.WriteLine(u);
            if (bundles.Count == 0 && notConverted.Count > 0) throw new UserInputException(string.Join("; ", notConverted));
            if (bundles.Count == 0) throw new UserInputException($"no bundles found in the datasets ({string.Join(", ", empty)}; give bundle folders, folders of bundles or Blur-DVS-style datasets)");
            // A path that adds nothing (a folder one level too high or low, an empty one) would shrink the evaluation unseen.
            foreach (string d in empty.Where(d => !notConverted.Any(u => u.StartsWith(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))) + ": not evaluated", StringComparison.Ordinal))))
                Console.WriteLine($"note: {d}: no bundle in it (a bundle holds recording.json; a folder of bundles holds them one level down); it adds nothing to this evaluation");
            // Runs and rows are kept by the bundle's folder name (runs/METHOD/NAME): two bundles of one name would mix.
            if (bundles.GroupBy(Path.GetFileName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
                throw new UserInputException($"{string.Join(" and ", clash)}: two bundles named '{clash.Key}'; eval keeps each bundle's runs and rows by its folder name, so rename one of the folders (or evaluate them into separate --out folders, which report then cannot merge either)");
            // Rows are grouped by bundle name less its trailing -digits: bundles of one such name from different folders (or
            // Blur-DVS-style datasets) share a group, and its means mix them (stop 44's eval trial: the foreign hard-2006 and a
            // simulated hard-791002 were one "hard" mean without a word). Said, so that a lab can name them apart.
            foreach (var g in bundles.GroupBy(b => Evaluator.GroupOf(Path.GetFileName(b)), StringComparer.Ordinal))
            {
                var origins = g.Select(Origin).Distinct(StringComparer.Ordinal).ToList();
                if (origins.Count > 1)
                    Console.WriteLine($"note: group '{g.Key}' (bundle names less their trailing -digits) pools bundles from {origins.Count} places ({string.Join(", ", origins.Take(4))}{(origins.Count > 4 ? ", …" : "")}): its means mix them; rename bundles (or evaluate them into separate --out folders) to keep them apart");
            }
            static string Origin(string bundle)
            {
                string marker = Path.Combine(bundle, Evaluator.ConvertedFromFile);
                // A Blur-DVS-style dataset: the folder it lies in (a folder of sequences is one place; stop 44's review).
                if (File.Exists(marker) && File.ReadLines(marker).FirstOrDefault() is { } source) return Path.GetDirectoryName(source) ?? source;
                return Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(bundle)) ?? bundle;
            }
            // A rerun with fewer methods or bundles would write the shard's table anew without the others: refused unless --force.
            var (lostMethods, lostBundles) = await Evaluator.DroppedByRerunAsync(r.GetValue(output)!, k, n, m, bundles);
            if ((lostMethods.Count > 0 || lostBundles.Count > 0) && !r.GetValue(force))
                throw new UserInputException($"--out {Path.GetFullPath(r.GetValue(output)!)}: its results-shard-{k}-of-{n}.parquet also holds " +
                    string.Join(" and ", new[] { lostMethods.Count > 0 ? $"method(s) {string.Join(", ", lostMethods)}" : null, lostBundles.Count > 0 ? $"bundle(s) {string.Join(", ", lostBundles.Select(Path.GetFileName))}" : null }.OfType<string>()) +
                    ", which this call does not list: its table would be replaced by this call's results alone. Give the whole list again (runs already done are reused, so only the new pairs run), choose another --out, or pass --force to replace the table");
            // The other shards of this split must have run the same methods, or report cannot merge them: refused unless --force.
            var siblings = await Evaluator.SiblingsWithOtherMethodsAsync(r.GetValue(output)!, k, n, m);
            if (siblings.Count > 0 && !r.GetValue(force))
                throw new UserInputException($"--out {Path.GetFullPath(r.GetValue(output)!)}: " + string.Join("; ", siblings.Select(x => $"{x.File} was run with --methods {x.Methods}")) +
                    $", this shard with --methods {string.Join(",", m.Select(x => x.Name))}: report merges only shards of the same methods. Give the same --methods, choose another --out, or pass --force");
            var unusable = new List<string>(notConverted);
            var inputProblems = new List<string>();
            var rows = await Evaluator.RunAsync(catalogue, bundles, m, r.GetValue(output)!, k, n, Console.WriteLine, ct, QualityOption.Value(r, quality), unusable, inputProblems,
                checks.Apply(r, new EventDeblur.Kernels.EventKernelOptions()));
            if (ct.IsCancellationRequested)
            {
                Console.WriteLine($"shard {k}/{n}: cancelled after {rows.Count} frame results -> {Path.GetFullPath(r.GetValue(output)!)} (marked cancelled: report warns; run the same command again to finish it)");
                return ExitCodes.Cancelled;
            }
            Console.WriteLine($"shard {k}/{n}: {rows.Count} frame results -> {Path.GetFullPath(r.GetValue(output)!)}");
            if (inputProblems.Count > 0)
                Console.Error.WriteLine($"{inputProblems.Count} problem(s) in the bundles' inputs (listed above with each bundle; also in the shard, which report lists): exit 1");
            if (unusable.Count > 0)
            {
                // The other bundles were evaluated; these could not be, and the results say so ('report' warns too).
                foreach (var u in unusable) Console.Error.WriteLine($"problem: {u}");
                Console.Error.WriteLine($"{unusable.Count} bundle(s) could not be evaluated (above): exit 1; the results cover the others");
                return ExitCodes.DataProblems;
            }
            if (!rows.Any(x => x.Status == "ok") && n == 1)
            {
                // Every frame was rejected (their rows failed) or every pair skipped: nothing was evaluated, which is not a
                // success (a shard of many may hold no frame).
                Console.Error.WriteLine("no frame was evaluated: every pair was skipped or every frame rejected or failed (the lines above say which; 'inspect' names a bundle's rejected rows)");
                return ExitCodes.DataProblems;
            }
            return rows.All(x => x.Status == "ok") && inputProblems.Count == 0 ? ExitCodes.Success : ExitCodes.DataProblems;
        });
        return cmd;
    }
}
