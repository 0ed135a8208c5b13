using System.CommandLine;
using EventDeblur.Evaluation;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur report OUT...</c>: summary table over replay output folders.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("OUT") { Description = "Replay output folders (each with run.json and frames.parquet), or folders containing them", Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML report with pictures (evaluation or replay folders)" };
        var cmd = new Command("report", "Summarise evaluations (merging shards) or replay runs per group and method, as Markdown; optionally an HTML report with pictures") { runs, html };
        cmd.SetAction(async (r, ct) =>
        {
            var evalDirs = r.GetValue(runs)!.Where(d => Directory.Exists(d) && Directory.GetFiles(d, "results-shard-*.parquet").Length > 0).ToList();
            if (evalDirs.Count > 0)
            {
                var rows = await Evaluator.ReadShardsAsync(evalDirs);
                Console.Write(Evaluator.SummaryMarkdown(rows));
                if (r.GetValue(html) is string h)
                {
                    HtmlReport.Write(h, rows, evalDirs);
                    Console.WriteLine($"wrote {Path.GetFullPath(h)}");
                }
                return 0;
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
                    dirs.AddRange(found.OrderBy(x => x));
                }
                else { Console.Error.WriteLine($"error: {d}: not a folder"); return 2; }
            }
            if (dirs.Count == 0) { Console.Error.WriteLine("error: no replay outputs found"); return 2; }
            Console.Write(RunSummary.Markdown(await RunSummary.SummariseAsync(dirs)));
            if (r.GetValue(html) is string path)
            {
                var (rows, runDirs) = await RunSummary.ReadAsEvalRowsAsync(dirs);
                HtmlReport.Write(path, rows, (method, bundle) => runDirs.GetValueOrDefault((method, bundle)));
                Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            }
            return 0;
        });
        return cmd;
    }
}
