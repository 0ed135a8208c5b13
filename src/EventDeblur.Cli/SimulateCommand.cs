using System.Globalization;
using System.CommandLine;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Recording;
using EventDeblur.Simulation;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur simulate --preset NAME --seed N --out DIR [--frames K]</c>.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = "Preset: " + string.Join(", ", SimulationPresets.Names) };
        preset.AcceptOnly([.. SimulationPresets.Names]);
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same bundle)", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Bundle folder to write", Required = true };
        var frames = new Option<int?>("--frames") { Description = "Number of frames (default: the preset's)" };
        var size = new Option<string?>("--rgb-size") { Description = "RGB frame size WxH (default: the preset's, 640x480)" };
        var force = new Option<bool>("--force") { Description = "Write into --out even when it is not empty and not a simulated bundle (files named like a bundle's are replaced, nothing else is touched)" };
        var period = new Option<long?>("--frame-period-us") { Description = "Time between exposure starts, µs (default: the preset's, e.g. 250000 = 4 frames/s; 100000 = 10 frames/s needs exposures ≤ 80 ms)" };
        var exposure = new Option<string?>("--exposure-us") { Description = "Exposure range MIN:MAX, µs, drawn per frame (default: the preset's); MAX + 20 ms must not exceed the frame period" };
        var margin = new Option<long?>("--event-margin-us") { Description = "Events simulated this long before and after each exposure, µs (default 10000; 0 .. 1 s): a rig that records events all the time, e.g. to try frame tables whose windows are longer than the exposures; the frame period must hold the longest exposure plus both margins" };
        var flickerHz = new Option<double?>("--flicker-hz") { Description = "The point lights flicker at this frequency, Hz (1 .. 1000; default: steady): 100 or 120 for lamps on 50- or 60-Hz mains, 50 or 60 for half-wave-rectified LEDs; each light on one of three phases, the ground truth each light at its mean brightness over the exposure; presets night, night-hard, night-rotation and aps (not b-*, checkerboard, or no-streaks, which has no point lights)" };
        var flickerDepth = new Option<double?>("--flicker-depth") { Description = "Depth of the flicker, 0 .. 1 (default 1: the lights go dark once per period); with --flicker-hz" };
        var set = new Option<string?>("--set") { Description = "A benchmark-set CSV (name,preset,seed,frames,rgb_size, optionally a sixth column flicker_hz): writes one bundle per row under --out" };
        var cmd = new Command("simulate", "Simulate a low-light RGB + DAVIS recording with ground truth and write it as a bundle") { preset, seed, output, frames, size, period, exposure, margin, flickerHz, flickerDepth, set, force };
        // Run off the caller's thread with the command's token: Ctrl+C / SIGTERM stop the simulation before its next frame.
        cmd.SetAction((r, ct) => Task.Run(() =>
        {
            if (r.GetValue(set) is string setPath)
            {
                // Each row gives its own preset, seed, frames and size: an option for one bundle would be ignored unseen.
                var ignored = new Option[] { preset, seed, frames, size, period, exposure, margin, flickerHz, flickerDepth }.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (ignored.Count > 0)
                    throw new UserInputException($"{string.Join(", ", ignored)}: not used with --set (each row of {setPath} gives its own name, preset, seed, frames, rgb_size and, where the set has that column, flicker_hz); leave {(ignored.Count == 1 ? "it" : "them")} out, or simulate one bundle with --preset");
                if (!File.Exists(setPath))
                    throw new UserInputException($"--set {setPath}: {(Directory.Exists(setPath) ? "a folder, not a CSV file" : "no such file")} (expected a CSV with the header name,preset,seed,frames,rgb_size, optionally ,flicker_hz, e.g. recordings/benchmark-set.csv)");
                var entries = BenchmarkSet.Read(setPath);
                if (entries.Count == 0) throw new UserInputException($"{setPath}: holds no rows (expected the header name,preset,seed,frames,rgb_size, optionally ,flicker_hz, and one row per bundle)");
                foreach (var entry in entries)
                {
                    try { entry.Options().Validate(); }
                    catch (ArgumentException e) { throw new UserInputException($"{setPath}: row '{entry.Name}': {e.Message}"); }
                    if (NoLightsToFlicker(entry.Options()) is { } noLights) throw new UserInputException($"{setPath}: row '{entry.Name}': {noLights}");
                }
                foreach (var entry in entries)
                {
                    string dir = Path.Combine(r.GetValue(output)!, entry.Name);
                    if (File.Exists(Path.Combine(dir, "recording.json")))
                    {
                        // Kept only when it is this entry's bundle (the simulator's README states the arguments that made it).
                        string readme = Path.Combine(dir, "README.md");
                        string args = entry.CommandArguments();
                        if (File.Exists(readme) && File.ReadAllText(readme).Contains($"simulate {args} --out", StringComparison.Ordinal))
                        {
                            // Kept only whole: a deleted frame or a cut event file is simulated again (the bundle is the set's own).
                            if (Damage(dir, entry.Frames) is not { } damage)
                            {
                                Console.WriteLine($"{entry.Name}: exists, kept");
                                continue;
                            }
                            Console.WriteLine($"{entry.Name}: exists but damaged ({damage}): simulated again");
                        }
                        else
                            throw new UserInputException($"{dir}: holds a bundle that was not made with '{args}' (row '{entry.Name}' of {setPath}); delete it to have it simulated again, or give another --out");
                    }
                    bool ours = IsSimulatedBundle(dir);
                    var res = RemovedIfCancelled(dir, () => HybridRigSimulator.Simulate(entry.Options(), entry.Seed, dir, ct: ct));
                    RemoveLeftovers(dir, res.Frames.Count, ours);
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
                // The DAVIS-alone presets have no RGB camera: their frames are the event sensor's APS frames (stop 42: the
                // option was ignored in silence).
                if (options.ApsOnly)
                    throw new UserInputException($"--rgb-size does not apply to --preset {presetName}: it has no RGB camera, its frames are the DAVIS346's {options.EventWidth}×{options.EventHeight} APS frames");
                var parts = wh.ToLowerInvariant().Split('x');
                if (parts.Length != 2 || !int.TryParse(parts[0], out int width) || !int.TryParse(parts[1], out int height))
                    throw new UserInputException($"--rgb-size '{wh}' is not WxH (e.g. 640x480)");
                options = options with { RgbWidth = width, RgbHeight = height };
            }
            if (r.GetValue(period) is long us) options = options with { FramePeriodUs = us };
            if (r.GetValue(margin) is long marginUs) options = options with { MarginUs = marginUs };
            if (r.GetValue(flickerHz) is double hz) options = options with { FlickerHz = hz };
            if (r.GetValue(flickerDepth) is double depth)
            {
                if (options.FlickerHz == null) throw new UserInputException("--flicker-depth needs --flicker-hz (the lights are steady without it)");
                options = options with { FlickerDepth = depth };
            }
            if (r.GetValue(exposure) is string range)
            {
                var parts = range.Split(':');
                if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long lo) || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long hi))
                    throw new UserInputException($"--exposure-us '{range}' is not MIN:MAX in µs (e.g. 30000:70000)");
                options = options with { ExposureUs = (lo, hi) };
            }
            try { options.Validate(); }
            catch (ArgumentException e) { throw new UserInputException($"simulate: {e.Message}"); }
            if (NoLightsToFlicker(options) is { } none) throw new UserInputException($"--flicker-hz: {none}");
            CheckOutput(r.GetValue(output)!, r.GetValue(force));
            bool wasOurs = IsSimulatedBundle(r.GetValue(output)!);
            var result = RemovedIfCancelled(r.GetValue(output)!, () => HybridRigSimulator.Simulate(options, r.GetValue(seed), r.GetValue(output)!, log: Console.WriteLine, ct: ct));
            RemoveLeftovers(r.GetValue(output)!, result.Frames.Count, wasOurs);
            Console.WriteLine($"wrote {result.BundleDir}: {result.Frames.Count} frames, {result.Events:N0} events, {result.SecondsPerFrame:F2} s per frame");
            return ExitCodes.Success;
        }, CancellationToken.None));
        return cmd;
    }

    /// <summary>
    /// Runs <paramref name="simulate"/>; when it is cancelled and <paramref name="dir"/> did not exist before, removes the
    /// partial bundle (no half-written output is left behind), then lets the cancellation end the command (exit 130).
    /// </summary>
    private static SimulationResult RemovedIfCancelled(string dir, Func<SimulationResult> simulate)
    {
        bool existed = Directory.Exists(dir);
        try { return simulate(); }
        catch (OperationCanceledException)
        {
            if (!existed && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
                Console.Error.WriteLine($"cancelled: the partial bundle {Path.GetFullPath(dir)} was removed");
            }
            else
            {
                // Partly rewritten: an earlier recording.json would describe frames of which some are now new.
                File.Delete(Path.Combine(dir, "recording.json"));
                Console.Error.WriteLine($"cancelled: {Path.GetFullPath(dir)} was partly rewritten and is not a bundle now (its recording.json was removed); run simulate again to regenerate it");
            }
            throw;
        }
    }

    /// <summary>Why flicker cannot be rendered for a preset's scene (it has no point lights, e.g. <c>no-streaks</c>), or null.</summary>
    private static string? NoLightsToFlicker(SimulationOptions o) =>
        o.FlickerHz != null && o.PointLights == 0 ? $"preset {o.Preset} has no point lights to flicker" : null;

    /// <summary>Whether <paramref name="dir"/> holds a bundle this simulator wrote (its README.md's first line says so).</summary>
    private static bool IsSimulatedBundle(string dir)
    {
        string readme = Path.Combine(dir, "README.md");
        try { return File.Exists(readme) && File.ReadLines(readme).FirstOrDefault()?.StartsWith(SimulatedReadmeStart, StringComparison.Ordinal) == true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// After a bundle was simulated into <paramref name="dir"/>: removes what an earlier simulation there left and this one
    /// did not rewrite — when <paramref name="wasSimulated"/> (the folder held a bundle this simulator wrote, not a folder
    /// written into with --force), frames, ground-truth frames and kernels numbered past its <paramref name="frames"/> frames
    /// (only the simulator's own six-digit names); and the <c>.partial</c> files of killed writers in the bundle's folders —
    /// and says so. Stop 43: a bundle regenerated with fewer frames kept the old ones, and a cancelled run's hidden event
    /// file stayed for good.
    /// </summary>
    internal static int RemoveLeftovers(string dir, int frames, bool wasSimulated)
    {
        int stale = 0, partials = 0;
        var folders = new[] { ("rgb", ".png"), ("gt", ".png"), (Path.Combine("gt", "kernels"), ".csv") };
        foreach (var (sub, ext) in wasSimulated ? folders : [])
        {
            string folder = Path.Combine(dir, sub);
            if (!Directory.Exists(folder)) continue;
            foreach (string file in Directory.EnumerateFiles(folder, "*" + ext))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                if (name.Length == 6 && name.All(char.IsAsciiDigit) && int.Parse(name, CultureInfo.InvariantCulture) >= frames)
                {
                    File.Delete(file);
                    stale++;
                }
            }
        }
        foreach (string folder in folders.Select(f => Path.Combine(dir, f.Item1)).Prepend(dir).Where(Directory.Exists))
        {
            try
            {
                foreach (string file in Directory.EnumerateFiles(folder, ".*.partial"))
                    if (AtomicFile.IsAbandonedPartial(file))
                    {
                        AtomicFile.TryDelete(file);
                        if (!File.Exists(file)) partials++;
                    }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a folder it cannot list keeps what it holds */ }
        }
        if (stale + partials > 0)
            Console.WriteLine($"note: {dir}: removed {(stale > 0 ? $"{stale} frame, ground-truth or kernel file(s) numbered past this bundle's {frames} frame(s)" : "")}" +
                              $"{(stale > 0 && partials > 0 ? " and " : "")}{(partials > 0 ? $"{partials} .partial file(s) of a killed writer" : "")}, left by an earlier simulation there");
        return stale + partials;
    }

    /// <summary>The entries a simulated bundle's folder holds.</summary>
    private static readonly string[] BundleEntries = ["rgb", "gt", "events.aedat4", "README.md", "recording.json"];

    /// <summary>First line of the README.md the simulator writes into every bundle: marks a folder as one of its bundles.</summary>
    private const string SimulatedReadmeStart = "# Simulated recording:";

    /// <summary>
    /// The output folder is owned: new, empty, or a bundle this simulator wrote (then regenerated in place); anything else
    /// (a real recording, the user's files) is refused unless <paramref name="force"/>, so that its recording.json and
    /// frames are never overwritten by accident.
    /// </summary>
    /// <exception cref="UserInputException">--out is a file, or a non-empty folder of something else without --force.</exception>
    internal static void CheckOutput(string outDir, bool force)
    {
        string full = Path.GetFullPath(outDir);
        if (File.Exists(full)) throw new UserInputException($"--out {full}: a file of that name exists; simulate writes a bundle folder");
        if (force || !Directory.Exists(full)) return;
        var content = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (content.Count == 0) return;
        string readme = Path.Combine(full, "README.md");
        if (File.Exists(readme) && File.ReadLines(readme).FirstOrDefault()?.StartsWith(SimulatedReadmeStart, StringComparison.Ordinal) == true) return;
        // What a cancelled or killed simulation leaves (its recording.json is written last): only a bundle's own names.
        if (!content.Contains("recording.json") && content.All(c => c.StartsWith('.') || BundleEntries.Contains(c))) return;
        string listed = string.Join(", ", content.Take(5).Select(c => Directory.Exists(Path.Combine(full, c)) ? c + "/" : c)) + (content.Count > 5 ? $" and {content.Count - 5} more" : "");
        throw new UserInputException($"--out {full}: not empty and not a simulated bundle (it holds {listed}). " +
                                     "Choose an empty or new folder, or pass --force to write into it anyway (files named like a bundle's are replaced, nothing else is touched)");
    }

    /// <summary>
    /// Why a simulated bundle in <paramref name="dir"/> is not whole, or null when it is: its manifest or frame tables do
    /// not load, a frame or ground-truth file is missing or refused, a ground-truth kernel file is missing, or its event
    /// file has an error (one pass, no hash).
    /// </summary>
    private static string? Damage(string dir, int? frames)
    {
        try
        {
            var b = RecordingBundle.Load(dir);
            if (b.Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error) is { } bad) return bad.Plain;
            if (frames.HasValue && !b.IsApsBundle && b.Frames.Count != frames.Value) return $"{b.Frames.Count} of {frames.Value} frames";
            if (b.GroundTruthKernelsDir is { } kernels && b.Frames.FirstOrDefault(f => !File.Exists(Path.Combine(kernels, $"{f.Index:D6}.csv"))) is { } noKernel)
                return $"frame {noKernel.Index}'s ground-truth kernel is missing";
            if (b.Frames.FirstOrDefault(f => !File.Exists(f.File)) is { } missing) return $"{missing.File} is missing";
            if (b.GroundTruthFrames?.FirstOrDefault(f => !File.Exists(f.File)) is { } missingGt) return $"{missingGt.File} is missing";
            using var reader = AedatReader.Open(b.EventsPath, new AedatReaderOptions { DecodeFrames = false });
            var summary = AedatSummary.Compute(reader, hash: false);
            return summary.Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error)?.Plain;
        }
        catch (Exception e) when (e is BundleException or AedatFormatException or IOException)
        {
            return e.Message;
        }
    }
}
