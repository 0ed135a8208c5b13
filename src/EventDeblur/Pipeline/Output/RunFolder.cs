using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventDeblur.IO;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// Owns a run's output folder before any frame is written (issue 15, "output folders are owned"): a run refuses a
/// non-empty folder that is not one of its runs (unless forced), <c>--resume</c> refuses a folder written for another
/// bundle, method or options, a fresh run removes the outputs of the earlier run it replaces, and the <c>.partial</c>
/// files of killed runs are cleaned.
/// </summary>
public static partial class RunFolder
{
    /// <summary>Sub-folders of a run folder that hold per-frame outputs, with the pattern of their file names.</summary>
    private static readonly (string Folder, Regex Name)[] PerFrame =
    [
        ("frames", FramePng()),
        ("kernels", KernelCsvName()),
        (".progress", ProgressJson()),
        (FrameEventsFile.Folder, EventsParquetName()),
        // The pictures of each frame and the contact sheet: a rerun of fewer frames left the earlier run's behind.
        (PreviewWriter.Folder, PreviewJpg()),
    ];

    /// <summary>Top-level files a run writes.</summary>
    private static readonly string[] RunFiles = ["run.json", "frames.parquet"];

    /// <summary>
    /// Checks that this run may use <paramref name="outDir"/> and prepares it: creates it when missing, removes the
    /// <c>.partial</c> files of killed runs (not those of a live process), and for a fresh or forced run the outputs of
    /// the earlier run. Nothing is removed when the run is refused.
    /// </summary>
    /// <param name="outDir">The output folder.</param>
    /// <param name="run">What this run is.</param>
    /// <param name="use">Fresh, resume or force.</param>
    /// <exception cref="UserInputException">The folder is not empty and not one of this kind's runs (fresh or resume), or
    /// <c>--resume</c> finds a run of another bundle, method or options; the message says what is there and what to do.</exception>
    /// <returns>For a fresh start over an earlier replay of another bundle, a line saying whose outputs were replaced
    /// (a plain rerun starts the folder afresh, which <c>--resume</c> would have refused); otherwise null.</returns>
    public static string? Claim(string outDir, RunIdentity run, RunFolderUse use)
    {
        string? replaced = null;
        string full = Path.GetFullPath(outDir);
        Directory.CreateDirectory(full);
        string kind = run.Mode == null ? "replay" : run.Mode;
        var content = Content(full);
        if (content.Count > 0 && use != RunFolderUse.Force)
        {
            var earlier = ReadRunJson(full, out string? why);
            if (earlier == null || Text(earlier, "mode") != run.Mode)
            {
                string what = earlier == null ? why! : $"its run.json is a {Text(earlier, "mode") ?? "replay"} run's";
                throw new UserInputException(
                    $"--out {full}: not empty and not an eventdeblur {kind} run ({what}; it holds {Describe(content)}). " +
                    $"Choose an empty or new folder, or pass --force to write into it anyway (files named like a run's outputs are replaced, nothing else is touched)" +
                    (use == RunFolderUse.Resume ? "; --resume continues only an earlier run of the same bundle and options" : ""));
            }
            if (use == RunFolderUse.Resume) CheckSameRun(full, earlier, run);
            else if (run.InputBundle != null && Text(earlier, "input_bundle") is { Length: > 0 } earlierBundle && !SamePath(earlierBundle, run.InputBundle))
                replaced = $"--out {full} held a run of another bundle ({earlierBundle}, started {Text(earlier, "started") ?? "at an unknown time"}); its outputs are replaced by this run's";
        }
        // The run writes these folders: a file in the way would stop the run after the earlier outputs are gone.
        foreach (string sub in new[] { "frames", "kernels", ".progress", PreviewWriter.Folder }.Concat(run.Mode == "live" ? [FrameEventsFile.Folder] : []))
            if (File.Exists(Path.Combine(full, sub)))
                throw new UserInputException($"--out {full}: '{sub}' is a file, where the run writes a folder; remove or rename it (nothing was changed)");
        CleanPartials(full);
        if (use == RunFolderUse.Resume) RemoveIncomplete(full);
        else RemoveOutputs(full);
        return replaced;
    }

    /// <summary>The same folder, however written: relative or absolute, with or without a trailing separator (case-insensitively where the OS is).</summary>
    internal static bool SamePath(string a, string b)
    {
        static string Norm(string p) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p));
        try
        {
            return string.Equals(Norm(a), Norm(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return string.Equals(a, b, StringComparison.Ordinal); }
    }

    /// <summary>Refuses a resume whose bundle, bundle content, method or options differ from those of the earlier run.</summary>
    private static void CheckSameRun(string full, JsonObject earlier, RunIdentity run)
    {
        var differences = new List<string>();
        string? bundle = Text(earlier, "input_bundle");
        if (run.InputBundle != null && (bundle == null || !SamePath(bundle, run.InputBundle)))
            differences.Add($"input bundle {bundle ?? "(none)"}, now {run.InputBundle}");
        string? fingerprint = Text(earlier, "input_fingerprint");
        if (run.InputFingerprint != null && fingerprint != run.InputFingerprint)
            differences.Add(fingerprint == null
                ? "no input fingerprint (written by an older eventdeblur, so the bundle cannot be checked)"
                : $"the bundle's manifest or frame table changed since (fingerprint {Short(fingerprint)}, now {Short(run.InputFingerprint)})");
        // The ground-truth kernels (every frame's kernel similarity, and the kernels of --kernels gt). A run written before
        // they were fingerprinted (stop 56) is not checked on them; one written with them is, also when they are gone now.
        if (run.InputBundle != null && earlier.ContainsKey("ground_truth_kernels_fingerprint"))
        {
            string? truth = Text(earlier, "ground_truth_kernels_fingerprint");
            if (truth != run.GroundTruthKernelsFingerprint)
                differences.Add(truth == null
                    ? "the bundle has ground-truth kernels (ground_truth.kernels) since, which the earlier frames were not scored against"
                    : run.GroundTruthKernelsFingerprint == null
                        ? "the bundle's ground-truth kernels (ground_truth.kernels) are gone since"
                        : $"the bundle's ground-truth kernels changed since (fingerprint {Short(truth)}, now {Short(run.GroundTruthKernelsFingerprint)}): the frames kept were scored against the old ones");
        }
        var options = earlier["options"] as JsonObject ?? [];
        // An edi run made before stop 38 recorded the --kernels it was given, which edi never used; it runs with
        // identity kernels now, and those runs stay resumable.
        bool edi = run.MethodOptions.FirstOrDefault(o => o.Key == "deconvolver").Value is JsonValue d && d.TryGetValue(out string? dn) && dn == Methods.MethodCatalogue.Edi;
        foreach (var (key, value) in run.MethodOptions)
        {
            var before = options[key];
            if (edi && key == "kernels" && Text(options, "deconvolver") == Methods.MethodCatalogue.Edi) continue;
            // Runs made before blur_check (stop 52) or window_check (stop 53) was recorded ran with the checks of their
            // build's default, read as on (a build between stops 51 and 52 had the blur check but not yet the window check).
            if (key is "blur_check" or "window_check" && before == null && value is JsonValue bc && bc.TryGetValue(out bool check) && check) continue;
            if (!JsonNode.DeepEquals(before, value))
                differences.Add($"{key} {(before == null ? "(not set)" : before.ToJsonString())}, now {value?.ToJsonString() ?? "(not set)"}");
        }
        // A latency found by --event-latency-us auto is recorded only then (event_latency_auto): its absence now is a difference too.
        if (options["event_latency_auto"] is JsonValue auto && auto.TryGetValue(out bool wasAuto) && wasAuto && run.MethodOptions["event_latency_auto"] == null)
            differences.Add("event_latency_auto true, now (not set): the run's latency was found by --event-latency-us auto; give it again");
        if (differences.Count > 0)
            throw new UserInputException(
                $"--resume: {full} holds a run that is not this one: {string.Join("; ", differences)}. " +
                "Rerun without --resume to start that folder afresh, or choose another --out");
    }

    private static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] : fingerprint;

    /// <summary>The folder's run.json as a JSON object when it is an eventdeblur run's; null (and why) otherwise.</summary>
    private static JsonObject? ReadRunJson(string full, out string? why)
    {
        string path = Path.Combine(full, "run.json");
        why = null;
        if (!File.Exists(path)) { why = "no run.json"; return null; }
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is JsonObject o && o["format"] is JsonValue f && f.TryGetValue(out string? tag) && tag == RunManifest.FormatTag)
                return o;
            why = $"its run.json is not an {RunManifest.FormatTag} manifest";
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            why = $"its run.json cannot be read as one ({e.Message})";
        }
        return null;
    }

    /// <summary>The lock file a running process holds in its OUT (<see cref="Lock"/>).</summary>
    public const string LockFile = ".eventdeblur.lock";

    /// <summary>
    /// Takes OUT for this process for as long as the returned handle lives: an exclusive lock on <c>OUT/.eventdeblur.lock</c>
    /// (released by the operating system when the process dies, so a killed run never leaves OUT locked). A second run into
    /// the same OUT while this one works is refused instead of interleaving its files with this one's.
    /// </summary>
    /// <exception cref="UserInputException">Another process holds OUT.</exception>
    public static IDisposable Lock(string outDir)
    {
        string full = Path.GetFullPath(outDir);
        Directory.CreateDirectory(full);
        string path = Path.Combine(full, LockFile);
        try
        {
            var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return fs;
        }
        catch (IOException e)
        {
            throw new UserInputException($"--out {full}: in use by another eventdeblur run (it holds {LockFile}); wait for it to finish or choose another folder", UserInputKind.Unusable, e);
        }
    }

    /// <summary>Whether a running process holds <paramref name="outDir"/> (<see cref="Lock"/>) now.</summary>
    public static bool IsLocked(string outDir)
    {
        string path = Path.Combine(Path.GetFullPath(outDir), LockFile);
        if (!File.Exists(path)) return false;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>What the folder holds, ignoring empty run sub-folders and the temporary files of killed runs.</summary>
    private static List<string> Content(string full)
    {
        var list = new List<string>();
        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry is DirectoryInfo d)
            {
                bool runFolder = PerFrame.Any(p => p.Folder == d.Name);
                if (runFolder && !d.EnumerateFileSystemInfos().Any(e => !IsPartial(e.Name))) continue;
                list.Add(d.Name + "/");
            }
            else if (!IsPartial(entry.Name) && !entry.Name.StartsWith(".write-probe.", StringComparison.Ordinal) && entry.Name != LockFile) list.Add(entry.Name);
        }
        return list;
    }

    private static string Describe(List<string> content) =>
        content.Count <= 5 ? string.Join(", ", content) : $"{string.Join(", ", content.Take(5))} and {content.Count - 5} more";

    /// <summary>Removes <c>.partial</c> files (atomic writes cut short) whose writer is gone (<see cref="AtomicFile.IsAbandonedPartial"/>).</summary>
    private static void CleanPartials(string full)
    {
        foreach (string dir in PerFrame.Select(p => Path.Combine(full, p.Folder)).Prepend(full))
        {
            if (!Directory.Exists(dir)) continue;
            foreach (string file in Directory.EnumerateFiles(dir, ".*.partial"))
            {
                // Ours (TempPathFor's names) only when their writer is gone; any other hidden .partial in a run folder is a leftover.
                if (AtomicFile.IsPartialName(Path.GetFileName(file)) && !AtomicFile.IsAbandonedPartial(file)) continue;
                AtomicFile.TryDelete(file);
            }
        }
    }

    /// <summary>Removes every per-frame output and run file of an earlier run (fresh or forced start).</summary>
    private static void RemoveOutputs(string full)
    {
        foreach (var (folder, name) in PerFrame)
        {
            string dir = Path.Combine(full, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (string file in Directory.EnumerateFiles(dir).Where(f => name.IsMatch(Path.GetFileName(f))).ToList()) File.Delete(file);
        }
        foreach (string file in RunFiles) File.Delete(Path.Combine(full, file));
    }

    /// <summary>
    /// Before a resume: removes the frame and kernel files of every frame that is not complete (no <c>ok</c> progress
    /// record: failed, or killed between its files and its record), so only complete frames keep final-named files.
    /// </summary>
    private static void RemoveIncomplete(string full)
    {
        var writer = new RunWriter(full);
        foreach (var (folder, name) in PerFrame.Take(2))
        {
            string dir = Path.Combine(full, folder);
            foreach (string file in Directory.EnumerateFiles(dir).Where(f => name.IsMatch(Path.GetFileName(f))).ToList())
                if (!long.TryParse(Path.GetFileNameWithoutExtension(file), out long index) || !writer.IsComplete(index)) File.Delete(file);
        }
    }

    private static bool IsPartial(string name) => name.StartsWith('.') && name.EndsWith(".partial", StringComparison.Ordinal);

    [GeneratedRegex(@"^[0-9]{6,}\.(?:png|exr)$")]
    private static partial Regex FramePng();

    [GeneratedRegex(@"^[0-9]{6,}\.csv$")]
    private static partial Regex KernelCsvName();

    [GeneratedRegex(@"^[0-9]{6,}\.json$")]
    private static partial Regex ProgressJson();

    [GeneratedRegex(@"^[0-9]{6,}\.parquet$")]
    private static partial Regex EventsParquetName();

    [GeneratedRegex(@"^(?:[0-9]{6,}(?:-compare)?|contact-sheet)\.jpg$")]
    private static partial Regex PreviewJpg();
}
