using System.CommandLine;
using EventDeblur.Evaluation;
using EventDeblur.IO;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur report OUT... [--html FILE]</c>: summary of evaluation, replay or live output folders.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("OUT") { Description = "Evaluation folders, replay or live output folders (each with run.json and frames.parquet), or folders containing them", Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML report: metadata, summary, per-frame table, every frame's pictures, links to the files (evaluation, replay or live folders)" };
        var cmd = new Command("report", "Summarise evaluations (merging shards) or replay runs per group and method, as Markdown; optionally an HTML report with pictures") { runs, html };
        cmd.SetAction(async (r, ct) =>
        {
            if (r.GetValue(html) is string target) CheckHtmlTarget(target);
            // One folder named twice (or spelled two ways) is read once: its rows are not duplicates of each other.
            static bool IsEval(string d) => Directory.Exists(d) && Directory.GetFiles(d, "results-shard-*.parquet").Length > 0;
            var evalGiven = r.GetValue(runs)!.Where(IsEval).ToList();
            var evalDirs = evalGiven.DistinctBy(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)), StringComparer.Ordinal).ToList();
            if (evalDirs.Count < evalGiven.Count)
                Console.WriteLine("note: an evaluation folder was named more than once; it is counted once");
            if (evalDirs.Count > 0)
            {
                // One report is either an evaluation (merged shards) or a set of runs: a run given beside it would be left out unseen.
                var others = r.GetValue(runs)!.Where(d => !IsEval(d)).ToList();
                if (others.Count > 0)
                    throw new UserInputException($"{string.Join(", ", others)}: not an evaluation folder (no results-shard-*.parquet), given with the evaluation folder(s) {string.Join(", ", evalDirs)}; " +
                                                 "report evaluations and replay/live runs in separate calls");
                var rows = await Evaluator.ReadShardsAsync(evalDirs);
                var shardProblems = await Evaluator.ShardProblemsAsync(evalDirs);
                foreach (var p in shardProblems) Console.Error.WriteLine($"WARNING: {p}");
                Console.Write(Evaluator.SummaryMarkdown(rows));
                // The table averages the frames that succeeded: failed ones (a whole method, when all of its failed) would
                // otherwise be left out of it unseen, as the HTML page already says.
                var failedPairs = rows.Where(x => x.Status != "ok").GroupBy(x => (x.Method, x.Bundle)).OrderBy(g => g.Key.Method).ThenBy(g => g.Key.Bundle).ToList();
                foreach (var g in failedPairs)
                {
                    int total = rows.Count(x => x.Method == g.Key.Method && x.Bundle == g.Key.Bundle);
                    // The reasons are each frame's `error` in its run's frames.parquet (run.json holds only the input's problems):
                    // the first few are quoted, and the file named.
                    var parquets = evalDirs.Select(d => Path.Combine(d, "runs", g.Key.Method, g.Key.Bundle, "frames.parquet")).Where(File.Exists).ToList();
                    Console.Error.WriteLine($"WARNING: {g.Key.Method} on {g.Key.Bundle}: {g.Count()} of {total} frame(s) {(g.Count() == total ? "failed: the method has no row for it in the table" : "failed: left out of the table's means")} (indices {string.Join(", ", g.Select(x => x.Index).OrderBy(i => i))}; " +
                        $"the reasons are in the error column of {string.Join(" or ", parquets.DefaultIfEmpty(Path.Combine("OUT", "runs", g.Key.Method, g.Key.Bundle, "frames.parquet")))})");
                    foreach (var reason in await FailureReasonsAsync(parquets, g.Select(x => x.Index).ToHashSet(), 3))
                        Console.Error.WriteLine($"  {reason}");
                }
                // Each pair's run.json, as the HTML page reads them: a run not completed (cancelled, still running, edited by
                // hand) or unreadable is warned of here too, so that the text report and its exit code agree with the page.
                var runWarnings = new List<string>();
                // Only the runs of the table's pairs, as the page: a method's runs left from an earlier call are not its results.
                var runDirs = rows.Select(x => (x.Method, x.Bundle)).Distinct()
                    .SelectMany(pair => evalDirs.Select(d => Path.Combine(d, "runs", pair.Method, pair.Bundle)))
                    .Where(x => File.Exists(Path.Combine(x, "run.json"))).Order(StringComparer.Ordinal);
                foreach (string runDir in runDirs)
                {
                    try
                    {
                        string status = RunManifest.Read(runDir).Status;
                        if (status != "completed") runWarnings.Add($"{runDir}: run status '{status}'");
                    }
                    catch (IOException e) { runWarnings.Add($"{runDir}: {e.Message}"); }
                }
                foreach (var w in runWarnings) Console.Error.WriteLine($"WARNING: {w}");
                if (r.GetValue(html) is string h)
                {
                    OutputFolder.PrepareParentOf(h, "--html");
                    await HtmlReport.WriteAsync(h, rows, evalDirs, [.. shardProblems.Select(p => p.ToString())]);
                    Console.WriteLine($"wrote {Path.GetFullPath(h)}");
                }
                // One closing count of every warning above (stop 44's trial: after a cancelled eval it said "1 problem(s)" below
                // three warnings, counting the shards' problems only).
                int warnings = shardProblems.Count + failedPairs.Count + runWarnings.Count;
                if (warnings == 0) return ExitCodes.Success;
                var kinds = new[] { (shardProblems.Count, "on the shards or their inputs"), (failedPairs.Count, "on failed frames"), (runWarnings.Count, "on runs not completed or unreadable") }
                    .Where(k => k.Item1 > 0).Select(k => $"{k.Item1} {k.Item2}");
                Console.Error.WriteLine($"WARNING: {warnings} warning(s) above ({string.Join("; ", kinds)}): the table is not the whole, clean evaluation");
                return ExitCodes.DataProblems;
            }
            var dirs = new List<string>();
            foreach (var d in r.GetValue(runs)!)
            {
                if (File.Exists(Path.Combine(d, "run.json"))) dirs.Add(d);
                else if (Directory.Exists(d))
                {
                    // A folder of runs, or a folder of method folders of runs.
                    var found = Directory.GetDirectories(d).Where(x => File.Exists(Path.Combine(x, "frames.parquet"))).ToList();
                    if (found.Count == 0) found = Directory.GetDirectories(d).SelectMany(Directory.GetDirectories).Where(x => File.Exists(Path.Combine(x, "frames.parquet"))).ToList();
                    // A folder that holds no run would be left out of the report unseen.
                    if (found.Count == 0)
                        throw new UserInputException(File.Exists(Path.Combine(d, "recording.json"))
                            ? $"{d}: a recording bundle (recording.json); report reads the output folders of replay, eval and live (their --out), not their inputs"
                            : Directory.Exists(Path.Combine(d, "runs"))
                                ? $"{d}: an evaluation that has not written its results yet (runs/ but no results-shard-*.parquet: stopped or still running); run the same eval command again to finish it, then report"
                                : $"{d}: no replay, eval or live output in it (expected run.json and frames.parquet in it, or in its sub-folders or theirs)");
                    dirs.AddRange(found.OrderBy(x => x));
                }
                else if (File.Exists(d)) throw new UserInputException($"{d}: a file; report reads the output folders of replay, eval and live (their --out), not their inputs");
                else if (d.StartsWith('-')) throw new UserInputException($"{d}: not an option of report (it takes --html FILE) nor a folder");
                else throw new UserInputException($"{d}: no such folder");
            }
            if (dirs.Count == 0) throw new UserInputException("no replay or evaluation outputs found (folders with run.json and frames.parquet, or results-shard-*.parquet)");
            // The same run named twice (another spelling of its path, or inside a folder also given) is counted once.
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var d in dirs.ToList())
            {
                string key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(d));
                try { if (new DirectoryInfo(key).ResolveLinkTarget(returnFinalTarget: true) is { } linked) key = Path.TrimEndingDirectorySeparator(linked.FullName); }
                catch (IOException) { }
                if (seen.TryGetValue(key, out var first))
                {
                    Console.Error.WriteLine($"note: {d} is the run {first} again: counted once");
                    dirs.Remove(d);
                }
                else seen[key] = d;
            }
            // Two runs of the same measurement — one input (its fingerprint), one method, the same options — named as two
            // folders (a copy, or a rerun into another folder): counted once, the first given, with a warning and exit 1, as
            // rows of one evaluation in two shard files are (stop 44's eval trial: every frame was counted twice, exit 0).
            var sameMeasurement = new Dictionary<string, string>(StringComparer.Ordinal);
            var repeated = new List<string>();
            foreach (var d in dirs.ToList())
            {
                EventDeblur.Pipeline.Output.RunManifest m;
                try { m = EventDeblur.Pipeline.Output.RunManifest.Read(d); }
                catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException or UnauthorizedAccessException) { continue; }
                // Completed runs only (an incomplete one is warned about below), and of the same input folder: the
                // fingerprint covers the manifest and frame tables, not the pixels (stop 44's review: a copy of a bundle
                // with a frame replaced was taken for a repeat).
                if (m.InputBundle == null || m.InputFingerprint == null || m.Status != "completed") continue;
                var options = (System.Text.Json.Nodes.JsonObject)m.Options.DeepClone();
                foreach (string k in EventDeblur.Pipeline.ReplayPipeline.RunControlOptions) options.Remove(k);
                // A check a run did not record ran (as --resume reads it): a run made before the key and its rerun are one measurement.
                if (m.KernelChecks is var (blurCheck, windowCheck))
                {
                    // Removed and added again: the key's place in the JSON is the same whether the run recorded it or not.
                    options.Remove("blur_check");
                    options.Remove("window_check");
                    options["blur_check"] = blurCheck;
                    options["window_check"] = windowCheck;
                }
                string key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(m.InputBundle)) + "\n" + m.InputFingerprint + "\n" + options.ToJsonString();
                if (sameMeasurement.TryGetValue(key, out var firstRun))
                {
                    repeated.Add($"{d} repeats {firstRun} (the same input, method and options)");
                    dirs.Remove(d);
                }
                else sameMeasurement[key] = d;
            }
            foreach (var line in repeated)
                Console.Error.WriteLine($"WARNING: {line}: counted once, the first given; report them one at a time to compare them");
            var labels = EventDeblur.Evaluation.RunSummary.MethodLabels(dirs);
            foreach (var g in labels.Where(l => l.Value.Contains(" (", StringComparison.Ordinal)).GroupBy(l => l.Value[..l.Value.IndexOf(" (", StringComparison.Ordinal)]))
                Console.Error.WriteLine($"note: runs of {g.Key} were made with different options: one row per option set ({string.Join("; ", g.Select(l => l.Value[(l.Value.IndexOf(" (", StringComparison.Ordinal) + 2)..^1]).Distinct())})");
            var loaded = new List<ReportRun>();
            foreach (var d in dirs) loaded.Add(await ReportRun.ReadAsync(d));
            var replays = loaded.Where(x => x.Manifest.InputBundle != null).Select(x => x.Dir).ToList();
            if (replays.Count > 0) Console.Write(RunSummary.Markdown(await RunSummary.SummariseAsync(replays)));
            foreach (var live in loaded.Where(x => x.Manifest.InputBundle == null)) Console.WriteLine(RunSummary.LiveLine(live.Dir, live.Frames));
            if (r.GetValue(html) is string path)
            {
                OutputFolder.PrepareParentOf(path, "--html");
                await HtmlReport.WriteRunsAsync(path, dirs);
                Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            }
            // A run that did not complete (cancelled, killed while "running", stopped by --fail-fast) summarises only the
            // frames it reached: as with a missing shard, say so and do not exit 0.
            var incomplete = loaded.Where(x => x.Manifest.Status != "completed").ToList();
            foreach (var x in incomplete)
                if (x.Manifest.Status == "running" && EventDeblur.Pipeline.Output.RunFolder.IsLocked(x.Dir))
                    Console.Error.WriteLine($"WARNING: {Path.GetFullPath(x.Dir)}: the run is still working (another process holds it; {x.Frames.Count} frame(s) recorded so far): its rows are not the whole recording yet; report it again when it has finished");
                else
                    Console.Error.WriteLine($"WARNING: {Path.GetFullPath(x.Dir)}: the run is '{x.Manifest.Status}', not completed ({x.Frames.Count} frame(s) recorded): " +
                                            "its rows are not the whole recording" + (x.Manifest.InputBundle != null ? $"; finish it with '{ResumeCommand.For(x.Manifest.InputBundle, Path.GetFullPath(x.Dir), x.Manifest.Options)}'" : ""));
            // Failed frames of a replay are left out of its means: say which (live runs count them on their own line).
            var withFailures = loaded.Where(x => x.Manifest.InputBundle != null && x.Frames.Any(f => f.Status == "failed")).ToList();
            foreach (var x in withFailures)
            {
                var failed = x.Frames.Where(f => f.Status == "failed").ToList();
                Console.Error.WriteLine($"WARNING: {Path.GetFullPath(x.Dir)}: {failed.Count} of {x.Frames.Count} frame(s) failed and are left out of the table's means: " +
                                        string.Join("; ", failed.Take(5).Select(f => $"index {f.Index}: {TextClip.Of(f.Error ?? "no reason recorded")}")) + (failed.Count > 5 ? $"; {failed.Count - 5} more in frames.parquet" : ""));
            }
            // What a replay found wrong with its input (rows rejected, a damaged event file) is in its run.json: as replay exited 1 for it, so does its report.
            // Notes (severity "note" in problem_records) are said but, as in replay and inspect, do not make the exit code 1.
            var withProblems = loaded.Where(x => x.Manifest.InputBundle != null && InputErrors(x.Manifest.Frames).Count > 0).ToList();
            foreach (var x in withProblems)
            {
                var list = InputErrors(x.Manifest.Frames);
                Console.Error.WriteLine($"WARNING: {Path.GetFullPath(x.Dir)}: its input had {list.Count} problem(s) (run.json): " +
                                        string.Join("; ", list.Take(3).Select(TextClip.Of)) + (list.Count > 3 ? $"; {list.Count - 3} more in run.json" : ""));
            }
            // A live run keeps its problems at the top level of run.json (the stream ending early, exposures without a
            // frame): its errors are warned about as a replay's are, and make the exit code 1 as they did for live.
            var liveWithErrors = loaded.Where(x => x.Manifest.Mode == "live" && LiveErrors(x.Manifest).Count > 0).ToList();
            foreach (var x in liveWithErrors)
            {
                var list = LiveErrors(x.Manifest);
                Console.Error.WriteLine($"WARNING: {Path.GetFullPath(x.Dir)}: the live run recorded {list.Count} error(s) (run.json): " +
                                        string.Join("; ", list.Take(3).Select(TextClip.Of)) + (list.Count > 3 ? $"; {list.Count - 3} more in run.json" : ""));
            }
            return incomplete.Count > 0 || withFailures.Count > 0 || withProblems.Count > 0 || liveWithErrors.Count > 0 || repeated.Count > 0 ? ExitCodes.DataProblems : ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>The errors a live run recorded at the top level of its run.json (<c>problems</c> with their <c>problem_records</c>).</summary>
    private static List<string> LiveErrors(EventDeblur.Pipeline.Output.RunManifest m)
    {
        var top = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in m.Extra.Where(e => e.Key is "problems" or "problem_records")) top[key] = value?.DeepClone();
        return InputErrors(top);
    }

    /// <summary>
    /// The errors among a replay's recorded input problems (run.json <c>frames.problems</c>): those whose record in
    /// <c>problem_records</c> has severity "error"; every entry when a run.json written before the records has none.
    /// </summary>
    private static List<string> InputErrors(System.Text.Json.Nodes.JsonObject? frames)
    {
        if (frames?["problems"] is not System.Text.Json.Nodes.JsonArray texts) return [];
        var all = texts.Select(p => p?.ToString() ?? "").ToList();
        if (frames["problem_records"] is not System.Text.Json.Nodes.JsonArray records || records.Count != all.Count) return all;
        return all.Where((_, i) => records[i]?["severity"]?.ToString() != "note").ToList();
    }

    /// <summary>
    /// The HTML report is a new or earlier <c>.html</c> file: any other path (a run's run.json or frames.parquet, a bundle's
    /// README.md, a folder) would be overwritten by the report and is refused before anything is read or written.
    /// </summary>
    private static void CheckHtmlTarget(string htmlPath)
    {
        string ext = Path.GetExtension(htmlPath).ToLowerInvariant();
        if (Directory.Exists(htmlPath))
            throw new UserInputException($"--html {htmlPath}: is a folder; give the report's file name, e.g. {Path.Combine(htmlPath, "report.html")}");
        if (ext is not (".html" or ".htm"))
            throw new UserInputException($"--html {htmlPath}: expected a file name ending in .html (or .htm){(File.Exists(htmlPath) ? " (the file exists and would be overwritten)" : "")}");
    }

    /// <summary>
    /// Up to <paramref name="max"/> lines "index N: reason" of the failed frames <paramref name="indices"/>, from the
    /// <c>error</c> column of the runs' frames.parquet files (unreadable files are skipped: the warning names them).
    /// </summary>
    private static async Task<List<string>> FailureReasonsAsync(IReadOnlyList<string> parquets, HashSet<long> indices, int max)
    {
        var lines = new List<string>();
        foreach (string file in parquets)
        {
            List<EventDeblur.Pipeline.Output.FrameResult> rows;
            try { rows = await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(file); }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { continue; }
            foreach (var row in rows.Where(x => indices.Contains(x.Index) && x.Error != null).OrderBy(x => x.Index))
            {
                if (lines.Count == max) { lines.Add($"… and {indices.Count - max} more"); return lines; }
                lines.Add($"index {row.Index}: {row.Error}");
            }
        }
        return lines;
    }
}
