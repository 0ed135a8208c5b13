using System.CommandLine;
using EventDeblur.Deconvolution;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Learned;
using EventDeblur.Methods;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur replay BUNDLE --out OUT [--deconvolver NAME] [--kernels events|gt|streak] [--resume | --force] [--fail-fast]</c>.</summary>
internal static class ReplayCommand
{
    public static Command Create(MethodCatalogue methods, LearnedSetup learned)
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "A recording bundle folder, or an event file with its own APS frames (AEDAT 4.0 with frames, jAER AEDAT 2.0 with APS reads)" };
        var output = new Option<string>("--out") { Description = "Output folder (RECORDING_FORMAT.md layout)", Required = true };
        var deconvolver = new Option<string>("--deconvolver") { Description = "Deconvolver: " + string.Join(", ", methods.DeconvolverNames) + $", or {MethodCatalogue.Edi} (event-only baseline on APS frames)", DefaultValueFactory = _ => LearnedMethods.Name };
        deconvolver.AcceptOnly([.. methods.RestorationNames]);
        var kernels = new Option<string>("--kernels") { Description = "Kernel source: events (estimated from events), gt (the bundle's ground truth) or streak (naive baseline: the blurry streak's shape)", DefaultValueFactory = _ => "events" };
        kernels.AcceptOnly([.. methods.KernelSourceNames]);
        var resume = new Option<bool>("--resume") { Description = "Continue the run in OUT: keep its frames completed ok, redo failed and missing ones; refused when OUT holds a run of another bundle (or the bundle changed since), method or options" };
        var force = new Option<bool>("--force") { Description = "Replay into OUT even when it is not empty and not a replay run, or lies inside a recording bundle (files named like a run's outputs are replaced)" };
        var failFast = new Option<bool>("--fail-fast") { Description = "Stop at the first failing frame" };
        var latency = LatencyOption.CreateWithAuto("Event camera latency, µs: events of an exposure are taken from [start + L, end + L) (kernels from events)");
        var verbose = new Option<bool>("--verbose") { Description = "Also print the kernel estimator's diagnostics of every frame (streaks rejected and why, per-streak fits) and each fallback of the do-no-harm guard (without it, the guard's counts are in the summary and frames.parquet)" };
        var quality = QualityOption.Create();
        var checks = new KernelCheckOptions();
        var cmd = new Command("replay", "Deblur every frame of a recording bundle") { bundle, output, deconvolver, kernels, resume, force, failFast, latency, verbose, quality, checks.BlurCheck, checks.WindowCheck };
        cmd.SetAction(async (r, ct) =>
        {
            // The guard's line per fallback only with --verbose; the summary line and frames.parquet count them anyway.
            BuiltInMethods.DefaultGuardLog = r.GetValue(verbose) ? Console.Error : null;
            ExitCodes.ThrowIfFaultInjected();
            if (NotABundleHint(r.GetValue(bundle)!) is { } hint) throw new UserInputException(hint);
            // Options that contradict each other are refused before anything is loaded or made (no empty OUT left behind).
            ReplayPipeline.RefuseResumeWithForce(r.GetValue(resume), r.GetValue(force));
            // The input is loaded and checked before OUT is touched (an unusable input leaves no empty OUT behind); the
            // pipeline then takes it as it is.
            bool edi = methods.KindOf(r.GetValue(deconvolver)!) == RestorationKind.EventIntegration;
            // EDI integrates the events and uses no kernel: it runs with delta kernels, as eval's edi method, so that the
            // run does not spend time on kernels nor record kernels (and their similarity) it did not use.
            if (edi && r.GetResult(kernels) is { Implicit: false })
                Console.Error.WriteLine($"note: --kernels {r.GetValue(kernels)} changes nothing for {r.GetValue(deconvolver)}: it integrates the events and uses no kernel; the run records none (identity), as eval's edi method");
            bool gtKernels = !edi && r.GetValue(kernels) == GroundTruthKernelEstimator.SourceName;
            bool streakKernels = !edi && r.GetValue(kernels) == "streak";
            var loaded = RecordingBundle.Load(r.GetValue(bundle)!);
            if (edi && !loaded.IsApsBundle)
                throw new UserInputException($"{r.GetValue(bundle)}: --deconvolver {r.GetValue(deconvolver)} needs an APS bundle (frames on the event pixel grid); this is an RGB bundle: use robust, hl, rl, wiener or learned");
            if (gtKernels && loaded.GroundTruthKernelsDir == null)
                throw new UserInputException($"{r.GetValue(bundle)}: --kernels gt needs ground-truth kernels (ground_truth.kernels in recording.json), and this input has none: use --kernels events (or streak)");
            QualityOption.NoteIfIgnored(r, quality, methods, [r.GetValue(deconvolver)!]);
            learned.NoteIfIgnored(r, [r.GetValue(deconvolver)!]);
            checks.NoteIfIgnored(r, [edi ? MethodCatalogue.IdentityKernels : r.GetValue(kernels)!]);
            // A calibration that puts the RGB frame (mostly) off the event sensor is said here too, as inspect says it
            // (stop 44's trial: replay ran such a bundle without a word); kernels from events cannot come from there.
            if (!gtKernels && !edi)
            {
                var calibrationNotes = new List<Problem>();
                InspectCommand.Calibration(loaded, calibrationNotes);
                // A calibration that collapses the whole frame onto a point leaves nothing for kernels from events to work with.
                if (!streakKernels && calibrationNotes.FirstOrDefault(p => p.Severity == ProblemSeverity.Error) is { } collapsed)
                    throw new UserInputException($"{collapsed.Plain}; --kernels gt or streak run without it");
                foreach (var note in calibrationNotes) Console.Error.WriteLine($"note: {note.Plain}");
                // Times that look like another unit: kernels from the wrong events, every frame 'ok' (stop 47's trial).
                if (InspectCommand.FrameTimesNote(loaded) is { } unitNote) Console.Error.WriteLine($"note: {unitNote.Plain}");
                // A saturation level above where the frames clip: their clipped lights read as measured (stop 48's audit: −6.4 dB).
                if (InspectCommand.SaturationPlateauNote(loaded) is { } plateau) Console.Error.WriteLine($"note: {plateau.Plain}");
                // JPEG-compressed frames: the noise model takes the compression error as the noise (stop 49's trial).
                if (InspectCommand.BlockCompressionNote(loaded) is { } blocks) Console.Error.WriteLine($"note: {blocks.Plain}");
            }
            // --event-latency-us auto: the windows are scanned against the frames (as calibrate does, under the manifest's
            // calibration) and moved where the events match them when the scan is clear (stop 49's trial: frames.csv times
            // 5 ms early cost 4.3 dB with no word; calibrate named the option, but a user had to run it first).
            LatencyOption.TryParse(r.GetValue(latency)!, out long? givenLatency);
            long latencyUs = givenLatency ?? AutoLatency(loaded, gtKernels || streakKernels || edi, ct);
            // The learned deconvolver's network is loaded before OUT is touched (a missing or broken model is a usage
            // error that leaves nothing behind), and the file it actually runs is what run.json records: the fast rung
            // runs the shipped model's int8 version on the CPU.
            string? networkFile = null;
            if (r.GetValue(deconvolver) == LearnedMethods.Name)
                networkFile = Path.GetFullPath((QualityOption.Value(r, quality) == DeconvolutionQuality.Fast ? learned.FastRefiner() : learned.Refiner()).ModelPath);
            // OUT inside the bundle (e.g. --out BUNDLE/out) would write the run into the input data, as eval refuses it.
            if (!r.GetValue(force))
                OutputFolder.RefuseInputAsOutput(r.GetValue(output)!, "a run folder", "replay writes frames/, kernels/, preview/, run.json and frames.parquet into OUT", "out/run", refuseRun: false);
            OutputFolder.Prepare(r.GetValue(output)!);
            var options = new ReplayOptions
            {
                Methods = methods, Deconvolver = r.GetValue(deconvolver)!, Quality = QualityOption.Value(r, quality), Resume = r.GetValue(resume), Force = r.GetValue(force),
                FailFast = r.GetValue(failFast), EventLatencyUs = latencyUs, EventLatencyAuto = givenLatency == null,
            };
            // The learned deconvolver's model and device are part of the method: --resume compares them.
            if (options.Deconvolver == LearnedMethods.Name)
                options = options with
                {
                    Model = networkFile,
                    Device = r.GetValue(learned.Device),
                };
            var source = methods.CreateKernelSource(edi ? MethodCatalogue.IdentityKernels : r.GetValue(kernels)!, checks.Apply(r, new EventKernelOptions { EventLatencyUs = latencyUs }));
            bool tty = !Console.IsOutputRedirected;
            void OnProgress(ReplayProgress p)
            {
                if (r.GetValue(verbose))
                    foreach (var d in p.Last.Diagnostics)
                        Console.WriteLine($"{(tty ? "\r\u001b[2K" : "")}index {p.Last.Index}: {d.Verdict}: {d.Text}");
                if (!tty) Console.WriteLine(p);
                else
                {
                    // A failed frame's cause stays on screen above the bar (the bar keeps only the last frame).
                    if (p.Last.Status != "ok") Console.WriteLine($"\r\u001b[2K{FailureLine(p)}");
                    Console.Write("\r\u001b[2K" + ProgressBar(p, Math.Max(40, Console.WindowWidth - 1)));
                }
            }
            var summary = await ReplayPipeline.RunAsync(loaded, r.GetValue(output)!, options, source, OnProgress, ct);
            if (tty) Console.WriteLine();
            foreach (var p in summary.Problems) Console.Error.WriteLine($"{(p.Severity == ProblemSeverity.Error ? "problem" : "note")}: {p.Plain}");
            int inputErrors = summary.Problems.Count(p => p.Severity == ProblemSeverity.Error);
            int ok = summary.Results.Count(x => x.Status == "ok"), failed = summary.Results.Count - ok - summary.NotReached;
            var withGt = summary.Results.Where(x => x.Psnr != null).ToList();
            int kept = summary.Results.Count - summary.ProcessedThisRun - summary.NotReached;
            Console.WriteLine($"{summary.Status}: {ok} frames deblurred, {failed} failed" +
                              (summary.NotReached > 0 ? $", {summary.NotReached} not reached (failed rows saying so in frames.parquet)" : "") +
                              (kept > 0 ? $" ({kept} of them kept from the earlier run, {summary.ProcessedThisRun} worked on now)" : "") +
                              $" -> {Path.GetFullPath(r.GetValue(output)!)}");
            // Frames too small for METRICS.md's scores (FrameScorer's diagnostic): said in place of "no ground truth".
            bool tooSmall = summary.Results.Any(x => x.Diagnostics.Any(d => d.Text.StartsWith(Pipeline.FrameScorer.NotScored, StringComparison.Ordinal)));
            string smallFrames = $"the frames are smaller than the {Pipeline.FrameScorer.MinScoredSidePx}×{Pipeline.FrameScorer.MinScoredSidePx} px METRICS.md's PSNR and SSIM need (their ground truth is not scored)";
            if (withGt.Count > 0)
                Console.WriteLine($"mean PSNR {withGt.Average(x => x.Psnr!.Value):F2} dB (blurry {withGt.Average(x => x.PsnrBlurry!.Value):F2}), SSIM {withGt.Average(x => x.Ssim!.Value):F4} (blurry {withGt.Average(x => x.SsimBlurry!.Value):F4})" +
                                  (summary.Results.Any(x => x.KernelSimilarity != null) ? $", kernel similarity {summary.Results.Where(x => x.KernelSimilarity != null).Average(x => x.KernelSimilarity!.Value):F3}" : ""));
            else if (summary.Results.Count > 0 && ok == 0)
                Console.WriteLine("no metrics: no frame was deblurred (the failures above say why)");
            else if (summary.Results.Where(x => x.KernelSimilarity != null).ToList() is { Count: > 0 } withKernels)
                // Ground-truth kernels without ground-truth frames: the kernels are scored, the images cannot be.
                Console.WriteLine($"kernel similarity {withKernels.Average(x => x.KernelSimilarity!.Value):F3} over {withKernels.Count} frame(s); no PSNR or SSIM: " +
                                  (tooSmall ? smallFrames : "the input has ground-truth kernels but no ground-truth frames"));
            else if (summary.Results.Count > 0)
                Console.WriteLine(tooSmall ? $"no metrics: {smallFrames}" : "no metrics: the input has no ground truth (no PSNR, SSIM or kernel similarity; frames.parquet leaves those columns empty)");
            var guarded = summary.Results.Where(x => x.GuardTiles != null).ToList();
            if (guarded.Count > 0)
                Console.WriteLine($"guard: fell back on {guarded.Sum(x => x.GuardFallbackTiles!.Value)} of {guarded.Sum(x => x.GuardTiles!.Value)} tiles " +
                                  $"({guarded.Sum(x => x.GuardInputTiles!.Value)} to the input) in {guarded.Count(x => x.GuardFallbackTiles > 0)} of {guarded.Count} frames");
            // Frames the blur check found sharper than their event kernels (FrameCheckedKernels): said here, not only in frames.parquet.
            var sharpFrames = summary.Results.Where(x => x.KernelSource == FrameCheckedKernels.SharpSource).Select(x => x.Index).ToList();
            var shorter = summary.Results.Where(x => x.Diagnostics.Any(d => d.Text.StartsWith(FrameCheckedKernels.ShorterNote, StringComparison.Ordinal) && d.Text.EndsWith("kept", StringComparison.Ordinal))).Select(x => x.Index).ToList();
            var turned = summary.Results.Where(x => x.Diagnostics.Any(d => d.Text.StartsWith(FrameCheckedKernels.TurnedNote, StringComparison.Ordinal) && d.Text.EndsWith("kernels kept", StringComparison.Ordinal))).Select(x => x.Index).ToList();
            static string Indices(List<long> l) => l.Count > 0 ? $" (index {string.Join(", ", l.Take(10))}{(l.Count > 10 ? ", …" : "")})" : "";
            if (sharpFrames.Count + shorter.Count + turned.Count > 0)
                Console.WriteLine($"blur check: {sharpFrames.Count} frame(s) sharper than their event kernels, denoised rather than deblurred{Indices(sharpFrames)}" +
                                  $"; {shorter.Count} deblurred with kernels drawn shorter{Indices(shorter)}; {turned.Count} with detail across their kernels' path, kernels kept{Indices(turned)}" +
                                  " (kernel_source and diagnostics in frames.parquet say why)");
            // Frames whose exposure window was narrowed to the lit part of their light paths (EventKernelOptions.FitWindowToLitPaths).
            var narrowed = summary.Results.Where(x => x.Diagnostics.Any(d => d.Text.StartsWith(EventKernelEstimator.NarrowedNote, StringComparison.Ordinal))).Select(x => x.Index).ToList();
            if (narrowed.Count > 0)
                Console.WriteLine($"exposure windows: {narrowed.Count} frame(s) whose lights are lit over only part of the path their events traced, kernels from the lit part{Indices(narrowed)}: " +
                                  "is the frame table's exposure longer than the camera's? (diagnostics in frames.parquet say how much; --window-check off keeps the windows as given)");
            if (summary.Status == "cancelled")
            {
                Console.Error.WriteLine($"to finish it: {ResumeCommand.For(r.GetValue(bundle)!, r.GetValue(output)!)} (the frames done are kept)");
                return ExitCodes.Cancelled;
            }
            if (summary.Results.Count == 0)
            {
                // Every frames.csv row rejected (the problems above say why): as inspect, a data problem.
                Console.Error.WriteLine("error: no frame could be processed");
                return ExitCodes.DataProblems;
            }
            // Rows rejected (e.g. a truncated or wrong-size frame, a bad frames.csv line) and sync or event-file errors are
            // data problems as in inspect: the frames processed are written, and the exit code says not everything was.
            // Notes (e.g. an exposure partly outside the events) are said but, as in inspect, do not make the exit code 1.
            if (inputErrors > 0)
                Console.Error.WriteLine($"{inputErrors} problem(s) in the input (above): exit 1, as inspect");
            return summary.Status == "completed" && failed == 0 && inputErrors == 0 ? ExitCodes.Success : ExitCodes.DataProblems;
        });
        return cmd;
    }

    /// <summary>Frames the scan of <c>--event-latency-us auto</c> compares, spread over the recording (8, calibrate's default).</summary>
    internal const int AutoLatencyFrames = 8;

    /// <summary>
    /// The latency (µs) <c>--event-latency-us auto</c> replays with: the exposure windows scanned against the frames under the
    /// manifest's calibration (<see cref="WindowOffsetScan.Suggest"/>), moved where the events match them when the scan is
    /// clear, else 0; said in a note on stderr either way. 0 without a scan for kernels that take no events
    /// (<paramref name="noEventKernels"/>) and for bundles with no RGB frames to scan (APS frames share the events' clock).
    /// </summary>
    internal static long AutoLatency(RecordingBundle bundle, bool noEventKernels, CancellationToken ct, TextWriter? notes = null)
    {
        notes ??= Console.Error;
        const string Prefix = "note: --event-latency-us auto: ";
        if (noEventKernels || bundle.IsApsBundle || bundle.Manifest.Rgb == null)
        {
            notes.WriteLine(Prefix + (noEventKernels ? "these kernels take no events" : "an APS bundle's frames share the events' clock") + "; the windows are used as they are (0 µs)");
            return 0;
        }
        var homography = EventDeblur.Imaging.Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography);
        var first = WindowOffsetScan.Scan(bundle, homography, 0, AutoLatencyFrames, ct);
        var suggestion = WindowOffsetScan.Suggest(bundle, homography, 0, first, AutoLatencyFrames, ct);
        string scan = CalibrateCommand.OffsetLine(first, 0, suggestion);
        // The scan's own line, up to its advice: what replay does with it follows.
        int advice = scan.IndexOf(": a camera latency", StringComparison.Ordinal);
        if (suggestion != null)
        {
            notes.WriteLine($"{Prefix}{scan[..advice].Replace("exposure windows: ", "", StringComparison.Ordinal)}: the windows are moved by {suggestion.LatencyUs} µs (run.json records it as event_latency_us)");
            return suggestion.LatencyUs;
        }
        notes.WriteLine($"{Prefix}{scan.Replace("exposure windows: ", "", StringComparison.Ordinal)}; the windows are used as they are (0 µs)");
        return 0;
    }

    private static readonly string[] VideoExtensions = [".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"];

    /// <summary>
    /// For three natural mistakes, what <paramref name="verb"/> (replay, inspect) needs and what to do instead: a video file
    /// (replay needs a bundle with events; a video plays through <c>live --rgb</c>), a folder of bundles (it takes one;
    /// <c>eval</c> takes a folder) and a Blur-DVS-style dataset (<c>eval</c> converts it). Null otherwise (the bundle
    /// loader's own message then says what is wrong).
    /// </summary>
    internal static string? NotABundleHint(string path, string verb = "replay")
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full) && VideoExtensions.Contains(Path.GetExtension(full).ToLowerInvariant()))
            return $"{full}: not a recording bundle but a video: replay needs a bundle folder (recording.json, an event file, frames; docs/RECORDING_FORMAT.md), " +
                   $"made by '{ToolCommand.Name} simulate' or a recording rig; a video with its rig manifest plays through '{ToolCommand.Name} live --rgb VIDEO --rig RIG.json'";
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, "recording.json")) && Recording.BlurDvsAdapter.IsDataset(full))
            return $"{full}: not a recording bundle (no recording.json) but a Blur-DVS-style dataset ({Recording.BlurDvsAdapter.DescriptionFile}): " +
                   $"'{ToolCommand.Name} eval {ToolCommand.Word(full)} --out OUT' converts it into bundles (OUT/converted/) and evaluates them; {verb} one of those";
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, "recording.json")))
        {
            var bundles = Directory.GetDirectories(full).Where(d => File.Exists(Path.Combine(d, "recording.json"))).Order(StringComparer.Ordinal).ToList();
            if (bundles.Count > 0)
                return $"{full}: not a recording bundle (no recording.json) but a folder of {bundles.Count} bundle{(bundles.Count == 1 ? "" : "s")}: " +
                       $"{verb} takes one, e.g. '{ToolCommand.Name} {verb} {ToolCommand.Word(bundles[0])}{(verb == "replay" ? " --out OUT" : "")}'; '{ToolCommand.Name} eval {ToolCommand.Word(full)} --out OUT' replays them all";
        }
        return null;
    }

    /// <summary>The line a terminal keeps for a frame that failed: its index and cause (as the plain progress line gives it).</summary>
    internal static string FailureLine(ReplayProgress p) =>
        $"frame {p.Kept + p.Done}/{p.Total} index {p.Last.Index}: {p.Last.Status}{(p.Last.Error != null ? $" ({p.Last.Error})" : "")}";

    /// <summary>
    /// A one-line progress bar for a terminal of <paramref name="columns"/> characters: bar, frames, events/s, ETA and the
    /// last frame's result. On a narrow terminal the events/s, then the ETA, then the bar itself are left out before the
    /// last frame's result is cut (it was cut mid-value: "index 0: 35" for 35.78 dB).
    /// </summary>
    internal static string ProgressBar(ReplayProgress p, int columns)
    {
        const int width = 24;
        int filled = p.Total > 0 ? (int)Math.Round(width * (double)(p.Kept + p.Done) / p.Total) : 0;
        string last = p.Last.Status == "ok"
            ? (p.Last.Psnr is double psnr ? $"index {p.Last.Index}: {psnr:F2} dB" : $"index {p.Last.Index}: ok")
            : $"index {p.Last.Index}: FAILED (above)";
        string bar = $"[{new string('#', filled)}{new string('.', width - filled)}]";
        string frames = $"{p.Kept + p.Done}/{p.Total} frames";
        string rate = $"{p.EventsPerSecond / 1e6:F2} M events/s";
        string eta = $"ETA {p.EtaSeconds:F0} s";
        string[][] layouts = [[bar, frames, rate, eta, last], [bar, frames, eta, last], [bar, frames, last], [frames, last]];
        foreach (var parts in layouts)
        {
            string line = parts[0] == bar ? bar + " " + string.Join(" · ", parts[1..]) : string.Join(" · ", parts);
            if (line.Length <= columns) return line;
        }
        string shortest = $"{frames} · {last}";
        return shortest[..Math.Max(1, columns)];
    }
}
