using System.CommandLine;
using EventDeblur.Evaluation;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur report OUT...</c>: summary table over replay output folders.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("OUT") { Description = "Replay output folders (each with run.json and frames.parquet), or folders containing them", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("report", "Summarise replay runs per bundle group and method (mean PSNR, SSIM, kernel similarity, timings) as a Markdown table") { runs };
        cmd.SetAction(async (r, ct) =>
        {
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
            return 0;
        });
        return cmd;
    }
}
