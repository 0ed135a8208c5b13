using System.CommandLine;
using EventDeblur.IO;
using EventDeblur.Simulation;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur simulate --preset NAME --seed N --out DIR [--frames K]</c>.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = "Preset: " + string.Join(", ", SimulationPresets.Names) };
        preset.AcceptOnlyFromAmong([.. SimulationPresets.Names]);
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same bundle)", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Bundle folder to write", Required = true };
        var frames = new Option<int?>("--frames") { Description = "Number of frames (default: the preset's)" };
        var size = new Option<string?>("--rgb-size") { Description = "RGB frame size WxH (default: the preset's, 640x480)" };
        var set = new Option<string?>("--set") { Description = "A benchmark-set CSV (name,preset,seed,frames,rgb_size): writes one bundle per row under --out" };
        var cmd = new Command("simulate", "Simulate a low-light RGB + DAVIS recording with ground truth and write it as a bundle") { preset, seed, output, frames, size, set };
        cmd.SetAction(r =>
        {
            if (r.GetValue(set) is string setPath)
            {
                foreach (var entry in BenchmarkSet.Read(setPath))
                {
                    string dir = Path.Combine(r.GetValue(output)!, entry.Name);
                    if (File.Exists(Path.Combine(dir, "recording.json"))) { Console.WriteLine($"{entry.Name}: exists, kept"); continue; }
                    var res = HybridRigSimulator.Simulate(entry.Options(), entry.Seed, dir);
                    Console.WriteLine($"{entry.Name}: {res.Frames.Count} frames, {res.Events:N0} events, {res.SecondsPerFrame:F2} s per frame");
                }
                return ExitCodes.Success;
            }
            if (r.GetValue(preset) is not string presetName)
                throw new UserInputException("give --preset NAME (or --set FILE)");
            var options = SimulationPresets.Get(presetName);
            if (r.GetValue(frames) is int k) options = options with { Frames = k };
            if (r.GetValue(size) is string wh)
            {
                var parts = wh.ToLowerInvariant().Split('x');
                if (parts.Length != 2 || !int.TryParse(parts[0], out int width) || !int.TryParse(parts[1], out int height))
                    throw new UserInputException($"--rgb-size '{wh}' is not WxH (e.g. 640x480)");
                options = options with { RgbWidth = width, RgbHeight = height };
            }
            var result = HybridRigSimulator.Simulate(options, r.GetValue(seed), r.GetValue(output)!, log: Console.WriteLine);
            Console.WriteLine($"wrote {result.BundleDir}: {result.Frames.Count} frames, {result.Events:N0} events, {result.SecondsPerFrame:F2} s per frame");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
