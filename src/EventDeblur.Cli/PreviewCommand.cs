using System.CommandLine;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur preview BUNDLE [--frame N | --frames A-B|all] --out DIR</c>: pictures of frames of a bundle.</summary>
internal static class PreviewCommand
{
    public static Command Create()
    {
        var bundleArg = new Argument<string>("BUNDLE") { Description = "A recording bundle folder, or an event file with its own APS frames" };
        var frame = new Option<int?>("--frame") { Description = "Position of the frame in frames.csv (0 = first); default 0 unless --frames is given" };
        var frames = new Option<string?>("--frames") { Description = "Several frames: a range of positions A-B (inclusive) or 'all'" };
        var output = new Option<string>("--out") { Description = "Folder for the PNGs", Required = true };
        var gain = new Option<double>("--gain") { Description = "Exposure gain for tone mapping (linear multiplier, above 0 and at most 10⁶; RGB frames: 8 by default, APS frames and 8-bit images: 1 unless given)", DefaultValueFactory = _ => 8 };
        gain.Validators.Add(o =>
        {
            if (OptionValue.TryGet(o, out double v) && (!(v > 0) || !double.IsFinite(v) || v > 1e6)) o.AddError($"--gain {v}: expected a linear multiplier above 0 and at most 1000000 (e.g. 8)");
        });
        var run = new Option<string?>("--run") { Description = "A replay output folder: also write blurry | deblurred | ground truth (when the bundle has it) side by side, and the run's kernel (-kernel-run.png)" };
        var cmd = new Command("preview", "Write viewable PNGs of frames: blurry and ground-truth frames tone-mapped, events of each exposure, kernels") { bundleArg, frame, frames, output, gain, run };
        cmd.SetAction(r =>
        {
            if (r.GetValue(frame) != null && r.GetValue(frames) != null) throw new UserInputException("give --frame N or --frames A-B|all, not both");
            // Pictures written into the input bundle (e.g. --out BUNDLE/rgb) would mix with its frames, as replay refuses it.
            OutputFolder.RefuseInputAsOutput(r.GetValue(output)!, "a preview folder", "preview writes PNGs into OUT", "out/preview", refuseRun: false, forceHint: false);
            using var unused = OutputFolder.PrepareRemovingIfUnused(r.GetValue(output)!);
            // APS frames (and 8-bit event-file frames) are shown at gain 1 unless --gain is given: their DN are display-ready.
            bool gainGiven = r.GetResult(gain) is { Implicit: false };
            var problems = Run(r.GetValue(bundleArg)!, r.GetValue(frame), r.GetValue(frames), r.GetValue(output)!, r.GetValue(gain), r.GetValue(run), gainGiven);
            // Rows the bundle check left out (e.g. an empty or corrupt frame file) are named, and the exit code says so, as in inspect.
            foreach (var p in problems) Console.Error.WriteLine($"problem: {p}");
            if (problems.Count == 0) return ExitCodes.Success;
            Console.Error.WriteLine($"{problems.Count} problem(s) in the input (above): exit 1, as inspect");
            return ExitCodes.DataProblems;
        });
        return cmd;
    }

    /// <summary>Positions named by <c>--frame</c> / <c>--frames</c> among <paramref name="count"/> frames.</summary>
    /// <exception cref="UserInputException">The selection is malformed or outside 0..count−1.</exception>
    internal static List<int> Positions(int? frame, string? frames, int count, IReadOnlyList<long>? indices = null)
    {
        // Positions, not frames.csv indices: when the two differ, say how they map.
        string map = indices is { Count: > 0 } ix && (ix[0] != 0 || ix[^1] != count - 1)
            ? $" (positions in the frame list: this bundle's frames have indices {ix[0]}..{ix[^1]}, and --frame 0 is index {ix[0]})" : "";
        if (count == 0) throw new UserInputException("the bundle has no frames");
        if (frames == null)
        {
            int p = frame ?? 0;
            if (p < 0 || p >= count) throw new UserInputException($"--frame {p} is outside 0..{count - 1}{map}");
            return [p];
        }
        if (frames.Equals("all", StringComparison.OrdinalIgnoreCase)) return Enumerable.Range(0, count).ToList();
        var parts = frames.Split('-');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int a) || !int.TryParse(parts[1], out int b) || a > b)
            throw new UserInputException($"--frames '{frames}': expected A-B with A ≤ B (positions, e.g. 0-9) or 'all'");
        if (a < 0 || b >= count) throw new UserInputException($"--frames {frames} is outside 0..{count - 1}{map}");
        return Enumerable.Range(a, b - a + 1).ToList();
    }

    /// <summary>Writes the previews; returns the bundle's problems (none for a single image).</summary>
    private static IReadOnlyList<Problem> Run(string dir, int? frame, string? frames, string outDir, double gain, string? runDir = null, bool gainGiven = false)
    {
        if (File.Exists(dir) && !RecordingBundle.IsEventFile(dir))
        {
            // A single image (e.g. a replay output frame): tone-map it with the sample rig's levels.
            using var raw = Cv2.ImRead(dir, ImreadModes.Unchanged);
            if (raw.Empty()) throw new IOException($"{dir}: not an image");
            double white = raw.Depth() == MatType.CV_8U ? 255 : 65535, black = raw.Depth() == MatType.CV_8U ? 0 : 1024;
            using var tm = Preview.ToneMap(raw, black, white, raw.Depth() == MatType.CV_8U && !gainGiven ? 1 : gain);
            Directory.CreateDirectory(outDir);
            string target = Path.Combine(outDir, Path.GetFileNameWithoutExtension(dir) + "-preview.png");
            Cv2.ImWrite(target, tm);
            Console.WriteLine($"wrote {target}");
            return [];
        }
        var bundle = RecordingBundle.Load(dir);
        if (runDir != null) CheckRunOf(bundle, runDir);
        var windows = bundle.ResolveExposures();
        // Positions count every frame of the frame list, the rejected ones too (a frame the bundle check left out, e.g.
        // of the wrong size): --frame 1 is the second frame even when it is unusable, said as a problem, and never
        // another frame in its place (it showed the next usable one).
        var byIndex = windows.Windows.ToDictionary(w => w.Index);
        var allIndices = windows.Windows.Select(w => w.Index).Concat(bundle.RejectedFrames.Keys).Distinct().Order().ToList();
        var frameProblems = new List<Problem>();
        var selected = new List<FrameWindow>();
        foreach (int p in Positions(frame, frames, allIndices.Count, allIndices))
        {
            long index = allIndices[p];
            if (byIndex.TryGetValue(index, out var w)) selected.Add(w);
            else if (frames == null)
                // One frame asked for, and it is unusable: its reason (the bundle's problems name it too) and nothing written.
                frameProblems.Add(Problem.Error("", ProblemLocation.AtFrame(index), $"not previewed: {bundle.RejectedFrames[index]}"));
        }
        if (selected.Count == 0)
            return [.. bundle.Problems.Where(p => p.Severity == ProblemSeverity.Error), .. frameProblems];
        Directory.CreateDirectory(outDir);
        // A frame or kernel file that cannot be read or drawn is a problem of its frame: the other pictures are still written.
        foreach (var w in selected)
        {
            try { WriteFrame(bundle, w, outDir, gain, runDir, frameProblems, gainGiven); }
            catch (Exception e) when (e is IOException or OpenCVException or UnauthorizedAccessException)
            {
                frameProblems.Add(Problem.Error("", ProblemLocation.AtFrame(w.Index), $"not fully previewed: {e.Message}"));
            }
        }

        // The events of every selected exposure in one pass over the event file.
        var (ew, eh) = bundle.EventSensorSize;
        IReadOnlyList<Problem> eventProblems = [];
        var images = selected.Where(w => w.Exposure != null).Select(w => (w.Index, Image: new Preview.EventImage(ew, eh, w.Exposure!.Value))).ToList();
        if (images.Count > 0)
        {
            long first = images.Min(x => x.Image.Window.StartUs), last = images.Max(x => x.Image.Window.EndUs);
            using (var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = false }))
            {
                while (reader.TryRead(out var p))
                {
                    if (p is not EventsPacket e) continue;
                    using var batch = e.Events;
                    if (batch.Count == 0 || batch.Timestamps[^1] < first || batch.Timestamps[0] >= last) continue;
                    foreach (var (_, img) in images) img.Add(batch);
                }
                // A damaged event file leaves the event images short: say why, as inspect would (since stop 44 the
                // FileDataTable and what follows it are checked too, as inspect checks them: a cut or damaged table, or
                // bytes after it, left exit 0 and blank event images without a word).
                if (reader is Aedat4Reader aedat4) aedat4.VerifyDataTable();
                eventProblems = reader.Problems;
            }
            foreach (var (index, img) in images)
            {
                if (img.On + img.Off == 0)
                    Console.Error.WriteLine($"note: frame {index}: no events in its exposure window [{img.Window.StartUs}, {img.Window.EndUs}) µs of {bundle.EventsPath}: its event picture is blank");
                using var m = img.Render();
                Cv2.ImWrite(Path.Combine(outDir, $"{index:D6}-events.png"), m);
            }
        }
        Console.WriteLine(selected.Count == 1
            ? $"wrote previews of frame {selected[0].Index} to {Path.GetFullPath(outDir)}"
            : $"wrote previews of {selected.Count} frames ({selected[0].Index}..{selected[^1].Index}) to {Path.GetFullPath(outDir)}");
        Console.WriteLine("  " + Legend(outDir, selected.Select(w => w.Index)));
        return [.. bundle.Problems.Where(p => p.Severity == ProblemSeverity.Error), .. frameProblems, .. eventProblems.Where(p => p.Severity == ProblemSeverity.Error)];
    }

    // What each kind of file is, in the order they are listed; only the kinds written for these frames are named.
    private static readonly (string Suffix, string Meaning)[] Kinds =
    [
        ("blurry", "the input frame (RGB, or the APS frame of a DAVIS alone), tone-mapped"),
        ("sharp", "its ground truth"),
        ("events", "the exposure's events (ON red, OFF blue)"),
        ("kernel", "the ground-truth kernel"),
        ("kernel-run", "the run's estimated kernel"),
        ("compare", "blurry | deblurred | ground truth (when there is one), one tone curve"),
    ];

    /// <summary>One line naming each kind of preview file that <paramref name="outDir"/> holds for <paramref name="indices"/> (what this call wrote, plus any earlier call's files of the same frames).</summary>
    internal static string Legend(string outDir, IEnumerable<long> indices)
    {
        var stems = indices.Select(i => $"{i:D6}").ToList();
        var present = Kinds.Where(k => stems.Any(st => File.Exists(Path.Combine(outDir, $"{st}-{k.Suffix}.png")))).ToList();
        return string.Join("; ", present.Select((k, i) => $"{(i == 0 ? "NNNNNN" : "")}-{k.Suffix}.png: {k.Meaning}"));
    }

    /// <summary>A run given with --run must be a replay of this very bundle (its fingerprint in run.json), or the comparison would show another recording's frames.</summary>
    private static void CheckRunOf(RecordingBundle bundle, string runDir)
    {
        if (!File.Exists(Path.Combine(runDir, "run.json")))
            throw new UserInputException($"--run {runDir}: not a replay run (no run.json); give the --out folder of 'replay {bundle.Root}'");
        var run = RunManifest.Read(runDir);
        if (run.InputFingerprint == null)
            throw new UserInputException($"--run {runDir}: not a replay run of a bundle (run.json names no input bundle; a live run?)");
        if (run.InputFingerprint != BundleFingerprint.Of(bundle))
            throw new UserInputException($"--run {runDir}: a replay of {run.InputBundle ?? "another input"}, not of {bundle.Root} (or the bundle changed since: its fingerprint differs); give the run of this bundle");
    }

    /// <summary>
    /// Draws the middle tile's kernel of <paramref name="csv"/> to <paramref name="target"/>; a file that does not read
    /// as kernel tiles (or holds none) becomes a problem of frame <paramref name="index"/> naming the file, line and
    /// field, and no picture is written for it.
    /// </summary>
    private static void WriteKernel(string csv, string target, long index, string what, List<Problem> problems)
    {
        IReadOnlyList<KernelTile> tiles;
        try { tiles = KernelCsv.Read(csv); }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            string why = e.Message.StartsWith(csv + ": ", StringComparison.Ordinal) ? e.Message[(csv.Length + 2)..] : e.Message;
            problems.Add(Problem.Error(csv, ProblemLocation.AtFrame(index), $"{what} not drawn: {why}"));
            return;
        }
        if (tiles.Count == 0)
        {
            problems.Add(Problem.Error(csv, ProblemLocation.AtFrame(index), $"{what} not drawn: the file holds no kernel row (expected tile_x0,tile_y0,tile_x1,tile_y1,size,k0,k1,…)"));
            return;
        }
        using var k = Preview.Kernel(tiles[tiles.Count / 2].Kernel);
        Cv2.ImWrite(target, k);
    }

    /// <summary>
    /// A frame the run has no deblurred picture of (a cancelled or killed run that did not reach it, or a frame that
    /// failed): its compare picture is not written, and the problem says why and, for an unfinished run, how to finish it.
    /// </summary>
    private static Problem MissingRunFrame(RecordingBundle bundle, string runDir, long index, string deblurred)
    {
        string status;
        try { status = EventDeblur.Pipeline.Output.RunManifest.Read(runDir).Status; }
        catch (IOException) { status = "unknown"; }
        string why = status == "completed"
            ? "the run has no deblurred frame for it (the frame failed: its reason is in the run's frames.parquet and run.json)"
            : status == "running" && EventDeblur.Pipeline.Output.RunFolder.IsLocked(runDir)
                ? "the run is still working and has not reached it yet (preview it again when the run has finished)"
                : $"the run, '{status}', did not reach it (finish it with '{ResumeCommand.For(bundle.Root, runDir)}')";
        return Problem.Error(deblurred, ProblemLocation.AtFrame(index), $"not found: {why}; the frame's compare picture is not written, its other pictures are");
    }

    /// <summary>
    /// The image at <paramref name="file"/>, or null with a problem of frame <paramref name="index"/> when it is missing or
    /// cannot be decoded (a missing, cut or corrupt PNG crashed preview with OpenCV's "!_img.empty()").
    /// </summary>
    private static Mat? ReadImage(string file, long index, string what, List<Problem> problems)
    {
        if (!File.Exists(file))
        {
            problems.Add(Problem.Error(file, ProblemLocation.AtFrame(index), $"{what} not drawn: {(Directory.Exists(file) ? "a folder, not an image" : "missing")}"));
            return null;
        }
        Mat raw;
        try { raw = Cv2.ImRead(file, ImreadModes.Unchanged); }
        catch (OpenCVException e) { problems.Add(Problem.Error(file, ProblemLocation.AtFrame(index), $"{what} not drawn: not a readable image ({e.Message})")); return null; }
        if (!raw.Empty()) return raw;
        raw.Dispose();
        problems.Add(Problem.Error(file, ProblemLocation.AtFrame(index), $"{what} not drawn: not a readable image (cut short or corrupt; inspect names the fault)"));
        return null;
    }

    private static void WriteFrame(RecordingBundle bundle, FrameWindow w, string outDir, double gain, string? runDir, List<Problem> problems, bool gainGiven = false)
    {
        string stem = $"{w.Index:D6}";
        var rgb = bundle.Manifest.Rgb;
        if (w.Row != null && rgb != null && ReadImage(w.Row.File, w.Index, "frame", problems) is { } raw)
        {
            using (raw)
            using (var tm = Preview.ToneMap(raw, rgb.BlackLevel, rgb.WhiteLevel, gain))
                Cv2.ImWrite(Path.Combine(outDir, stem + "-blurry.png"), tm);
        }
        var gt = bundle.GroundTruthFrames?.FirstOrDefault(f => f.Index == w.Index);
        if (bundle.IsApsBundle && w.Exposure is { } apsExposure)
            ApsFramePreview.Write(bundle.EventsPath, apsExposure, outDir, stem, runDir, gt?.File, why => problems.Add(MissingRunFrame(bundle, runDir!, w.Index, why)), gainGiven ? gain : 1);
        if (gt != null && ReadImage(gt.File, w.Index, "ground-truth frame", problems) is { } truth)
        {
            using (truth)
            {
                double white = rgb?.WhiteLevel ?? 65535, black = rgb?.BlackLevel ?? 0;
                using var tm = Preview.ToneMap(truth, black, white, rgb != null || gainGiven ? gain : 1);
                Cv2.ImWrite(Path.Combine(outDir, stem + "-sharp.png"), tm);
            }
        }
        if (bundle.GroundTruthKernelsDir is { } kd && File.Exists(Path.Combine(kd, stem + ".csv")))
            WriteKernel(Path.Combine(kd, stem + ".csv"), Path.Combine(outDir, stem + "-kernel.png"), w.Index, "ground-truth kernel", problems);
        // The run's estimated kernel beside the ground-truth one (-kernel.png), on the same scale.
        if (runDir != null && File.Exists(Path.Combine(runDir, "kernels", stem + ".csv")))
            WriteKernel(Path.Combine(runDir, "kernels", stem + ".csv"), Path.Combine(outDir, stem + "-kernel-run.png"), w.Index, "the run's kernel", problems);
        if (runDir != null && w.Row != null && rgb != null)
        {
            string deblurred = Path.Combine(runDir, "frames", stem + ".png");
            if (!File.Exists(deblurred)) { problems.Add(MissingRunFrame(bundle, runDir, w.Index, deblurred)); return; }
            var files = gt != null ? new[] { w.Row.File, deblurred, gt.File } : [w.Row.File, deblurred];
            var panels = files.Select(f =>
            {
                using var raw = Cv2.ImRead(f, ImreadModes.Unchanged);
                if (raw.Empty()) throw new IOException($"{f}: not a readable image");
                if ((rgb.Width > 0 && raw.Cols != rgb.Width) || (rgb.Height > 0 && raw.Rows != rgb.Height))
                    throw new IOException($"{f}: {raw.Cols}×{raw.Rows}, expected the bundle's {rgb.Width}×{rgb.Height} frames");
                return Preview.ToneMap(raw, rgb.BlackLevel, rgb.WhiteLevel, gain);
            }).ToArray();
            using var strip = new Mat();
            Cv2.HConcat(panels, strip);
            foreach (var (label, i) in new[] { ("blurry", 0), ("deblurred", 1), ("ground truth", 2) }.Take(panels.Length))
                Cv2.PutText(strip, label, new Point(i * panels[0].Cols + 8, 22), HersheyFonts.HersheySimplex, 0.6, Scalar.All(255), 1, LineTypes.AntiAlias);
            Cv2.ImWrite(Path.Combine(outDir, stem + "-compare.png"), strip);
            foreach (var p in panels) p.Dispose();
        }
    }
}
