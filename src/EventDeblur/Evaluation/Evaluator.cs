using System.Text.Json;
using EventDeblur.Deconvolution;
using EventDeblur.IO;
using EventDeblur.Methods;
using EventDeblur.Pipeline;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Evaluation;

/// <summary>
/// Evaluation runs over whole datasets: every (bundle, method) pair is replayed into
/// <c>OUT/runs/METHOD/BUNDLE</c> (resumable, so re-running is idempotent), and the rows go to one
/// Parquet per shard. <c>--shard K/N</c> takes the pairs whose position in the sorted work list is
/// K−1 modulo N, so N machines split the work deterministically.
/// </summary>
public static class Evaluator
{
    /// <summary>The file beside a converted Blur-DVS-style dataset that names the dataset it was converted from.</summary>
    public const string ConvertedFromFile = "converted-from.txt";

    /// <summary>
    /// File beside <see cref="ConvertedFromFile"/> in a converted Blur-DVS-style dataset listing what its conversion left
    /// out (one problem per line: a frame, a frame's ground truth, malformed event lines); absent when nothing was. Each
    /// evaluation of the bundle names them as problems of its input (exit 1), also when the conversion is reused.
    /// </summary>
    public const string ConversionProblemsFile = "conversion-problems.txt";

    /// <summary>
    /// Bundle folders of the datasets (a bundle, a folder of bundles, or a Blur-DVS-style dataset, which
    /// is converted once into <paramref name="convertedRoot"/>), sorted by name.
    /// </summary>
    /// <param name="datasets">The dataset paths given.</param>
    /// <param name="convertedRoot">Where Blur-DVS-style datasets are converted.</param>
    /// <param name="yieldedNothing">When given, collects the dataset paths that held no bundle (a folder at the wrong depth, an empty one).</param>
    /// <param name="notConverted">When given, a Blur-DVS-style dataset that cannot be converted is named here (one sentence
    /// each) and the others are still found; without it the conversion's exception propagates.</param>
    /// <param name="reconverted">When given, receives each converted folder made again because its dataset changed since
    /// it was converted (its earlier runs are of the old data).</param>
    /// <param name="ct">Cancels the wait for another process's conversion of a dataset (Ctrl+C while it waited did nothing).</param>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled while waiting.</exception>
    public static List<string> FindBundles(IEnumerable<string> datasets, string? convertedRoot = null, List<string>? yieldedNothing = null, List<string>? notConverted = null,
        List<string>? reconverted = null, CancellationToken ct = default)
    {
        var list = new List<string>();
        // Each converted folder's source in this call: two Blur-DVS-style datasets of one folder name would share it.
        var convertedFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in datasets)
        {
            int before = list.Count;
            try { AddBundles(d); }
            finally { if (list.Count == before) yieldedNothing?.Add(d); }
        }
        return list.Distinct().OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();

        void AddBundles(string d)
        {
            if (Recording.BlurDvsAdapter.IsDataset(d))
            {
                string source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(d));
                string target = Path.GetFullPath(Path.Combine(convertedRoot ?? Path.Combine(Path.GetTempPath(), "eventdeblur-converted"), Path.GetFileName(source)));
                if (convertedFrom.TryGetValue(target, out string? other) && other != source)
                    throw new ArgumentException($"{other} and {source}: two Blur-DVS-style datasets named '{Path.GetFileName(source)}' would be converted into the same folder {target}; rename one of them");
                convertedFrom[target] = source;
                // A conversion is reused only when it was made from this dataset (its source is recorded beside it):
                // a dataset of the same name elsewhere is converted afresh instead of taking the other one's frames; and
                // since stop 44 only as the dataset was then (a stamp of its files' names, sizes and times: an edited
                // dataset had been evaluated from its stale conversion, exit 0). Shards started together convert it once:
                // the conversion holds a lock beside its folder, and a shard that waited finds it made.
                string marker = Path.Combine(target, ConvertedFromFile);
                // (An OUT inside the dataset is left out of the stamp: its own files would change it on every run.)
                string expected = source + "\n" + DatasetStamp(source, Path.GetDirectoryName(target));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var converting = ConversionLock(target, ct);
                bool reusable = File.Exists(Path.Combine(target, "recording.json")) && File.Exists(marker) && File.ReadAllText(marker).Trim() == expected;
                // Converted before from this dataset as it was then: its runs are of the old data (the caller removes them).
                if (!reusable && File.Exists(marker) && File.ReadLines(marker).FirstOrDefault() == source) reconverted?.Add(target);
                if (!reusable)
                {
                    if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
                    // Collecting its faults: a bad row is left out, not the whole sequence (stop 46); without notConverted, strict.
                    var faults = notConverted != null ? new List<string>() : null;
                    try
                    {
                        Recording.BlurDvsAdapter.ToBundle(d, target, faults);
                        if (faults is { Count: > 0 }) IO.AtomicFile.WriteAllText(Path.Combine(target, ConversionProblemsFile), string.Join("\n", faults) + "\n");
                    }
                    catch (Recording.BundleException e) when (notConverted != null)
                    {
                        // Named, and the other datasets still evaluated (stop 42: one missing sharp frame stopped the whole
                        // evaluation, exit 2, and left a half-converted folder).
                        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
                        notConverted.Add($"{Path.GetFileName(source)}: not evaluated: the Blur-DVS-style dataset cannot be converted: {e.Message}");
                        return;
                    }
                    IO.AtomicFile.WriteAllText(marker, expected + "\n");
                }
                list.Add(target);
            }
            else if (File.Exists(Path.Combine(d, "recording.json"))) list.Add(Path.GetFullPath(d));
            else if (Recording.RecordingBundle.IsEventFile(d)) list.Add(Path.GetFullPath(d)); // an event file with its own APS frames (implied bundle)
            // A folder of bundles; a sub-folder that looks like a bundle without its recording.json (renamed, misspelt) is
            // taken too, so that it is named as not evaluated rather than left out unseen (stop 42).
            else if (Directory.Exists(d))
            {
                // Each sub-folder that is a bundle, looks like one, or is a Blur-DVS-style dataset (one sequence per
                // folder, as such datasets ship; stop 44's eval trial: such a folder was refused, "no bundles found").
                foreach (var x in Directory.GetDirectories(d).Order(StringComparer.Ordinal))
                {
                    if (File.Exists(Path.Combine(x, "recording.json"))) list.Add(Path.GetFullPath(x));
                    else if (Recording.BlurDvsAdapter.IsDataset(x)) AddBundles(x);
                    else if (LooksLikeBundle(x)) list.Add(Path.GetFullPath(x));
                }
            }
            else throw new DirectoryNotFoundException(File.Exists(d) || Directory.Exists(d) ? $"{d}: not a bundle or a folder of bundles" : $"{d}: no such file or folder");
        }
    }

    /// <summary>
    /// A stamp of a Blur-DVS-style dataset's content as its files show it: SHA-256 over every file's relative path, size
    /// and last-write time (UTC ticks), in ordinal path order. An edited, added or removed file changes it; reading the
    /// files themselves is not needed.
    /// </summary>
    /// <summary>Version of the Blur-DVS-style conversion, part of <see cref="DatasetStamp"/>: 2 since stop 46 (frames in time order, renumbered one by one, ground truth by the bundle's index).</summary>
    internal const int ConversionVersion = 2;

    internal static string DatasetStamp(string source, string? convertedRoot = null)
    {
        // The conversion's own version first: a conversion made by an earlier one is made again (stop 46: the ground truth of
        // a dataset whose indices skip had gone by the dataset's index, so such old conversions scored frames wrongly).
        var sb = new System.Text.StringBuilder($"conversion {ConversionVersion}\n");
        // The eval's OUT (the converted folder's parent), when it lies inside the dataset, is not the dataset's content.
        string? outDir = convertedRoot == null ? null : Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(convertedRoot))) + Path.DirectorySeparatorChar;
        string sourceDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source)) + Path.DirectorySeparatorChar;
        if (outDir != null && !outDir.StartsWith(sourceDir, StringComparison.Ordinal)) outDir = null;   // OUT elsewhere (or the dataset inside OUT)
        bool Inside(string file) => outDir != null && Path.GetFullPath(file).StartsWith(outDir, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => !Inside(f))
                     .Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(Path.Combine(source, file));
            if (!info.Exists) continue;   // removed while listed
            sb.Append(file).Append('\t').Append(info.Length).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return "stamp " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>
    /// An exclusive lock on <c>TARGET.lock</c> for as long as the handle lives, waited for (up to 30 min) while another
    /// process holds it: the conversion of one dataset by shards started together (stop 44's eval trial: the second
    /// shard failed, exit 2, finding a half-made folder). Released by the operating system when the process dies; the wait
    /// ends at once when <paramref name="ct"/> is cancelled (Ctrl+C).
    /// </summary>
    private static IDisposable ConversionLock(string target, CancellationToken ct)
    {
        string path = target + ".lock";
        var deadline = DateTime.UtcNow.AddMinutes(30);
        bool said = false;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!said) Console.Error.WriteLine($"note: {Path.GetFileName(target)}: another eval process is converting this dataset into {target}; waiting for it");
                said = true;
                ct.WaitHandle.WaitOne(200);
                ct.ThrowIfCancellationRequested();
            }
            catch (IOException e)
            {
                throw new IOException($"{target}: another eval process has held the conversion of this dataset for 30 minutes ({path}); stop it, or remove {target} and run again", e);
            }
        }
    }

    /// <summary>
    /// True for a folder that holds what a bundle holds (an AEDAT event file, or an <c>rgb/</c> folder with its
    /// <c>frames.csv</c>) but no <c>recording.json</c>.
    /// </summary>
    private static bool LooksLikeBundle(string dir) =>
        !File.Exists(Path.Combine(dir, "recording.json"))
        && (Directory.EnumerateFiles(dir, "*.aedat4").Any() || File.Exists(Path.Combine(dir, "rgb", "frames.csv")));

    /// <summary>
    /// The methods and bundles of the earlier results this shard's file in <paramref name="outDir"/> holds (its metadata)
    /// that are not in this call's <paramref name="methods"/> and <paramref name="bundles"/>: rerunning the shard writes
    /// the file anew from this call's work list, so their rows would leave the table (their runs stay under
    /// <c>runs/</c>). Empty when there is no earlier file or it lists nothing else.
    /// </summary>
    public static async Task<(List<string> Methods, List<string> Bundles)> DroppedByRerunAsync(string outDir, int shard, int shards, IReadOnlyList<EvalMethod> methods, IReadOnlyList<string> bundles)
    {
        string file = Path.Combine(outDir, $"results-shard-{shard}-of-{shards}.parquet");
        if (!File.Exists(file)) return ([], []);
        try
        {
            await using var reader = await ParquetReader.CreateAsync(file);
            var meta = reader.CustomMetadata;
            var earlierMethods = meta.TryGetValue("methods", out var ms) ? ms.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
            var earlierBundles = meta.TryGetValue("bundles", out var bs) ? JsonSerializer.Deserialize<List<string>>(bs) ?? [] : [];
            var nowMethods = methods.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            var nowBundles = bundles.Select(b => Path.GetFullPath(b)).ToHashSet(StringComparer.Ordinal);
            return (earlierMethods.Where(m => !nowMethods.Contains(m)).ToList(), earlierBundles.Where(b => !nowBundles.Contains(Path.GetFullPath(b))).ToList());
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException)
        {
            return ([], []); // an unreadable file is replaced, as before; report would not read it either
        }
    }

    /// <summary>
    /// The other shards of the same split already in <paramref name="outDir"/> that were run with other methods (their
    /// file name and methods, as their metadata says): <c>report</c> would not merge them with this one. Unreadable shards
    /// are left to <c>report</c>.
    /// </summary>
    public static async Task<List<(string File, string Methods)>> SiblingsWithOtherMethodsAsync(string outDir, int shard, int shards, IReadOnlyList<EvalMethod> methods)
    {
        var now = methods.Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
        var found = new List<(string, string)>();
        // The files there, not every name 1..N: N may be large (a job array's size).
        var present = Directory.Exists(outDir) ? Directory.EnumerateFiles(outDir, $"results-shard-*-of-{shards}.parquet") : [];
        foreach (string file in present)
        {
            if (Path.GetFileName(file) == $"results-shard-{shard}-of-{shards}.parquet") continue;
            try
            {
                await using var reader = await ParquetReader.CreateAsync(file);
                if (!reader.CustomMetadata.TryGetValue("methods", out var ms)) continue;
                var earlier = ms.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
                if (!earlier.SequenceEqual(now, StringComparer.Ordinal)) found.Add((Path.GetFileName(file), ms));
            }
            catch (Exception e) when (e is IOException or InvalidDataException) { }
        }
        return found;
    }

    /// <summary>
    /// Runs this shard's share of the work, each method made from <paramref name="catalogue"/>, and writes
    /// <c>OUT/results-shard-K-of-N.parquet</c>. A bundle that cannot be loaded (<see cref="Recording.BundleException"/>:
    /// a broken manifest or frame table) does not stop the others: it is named in <paramref name="unusable"/> (one
    /// sentence per bundle) and in the shard's metadata (<see cref="UnusableBundlesKey"/>), which <see cref="ShardProblemsAsync"/> reports.
    /// </summary>
    public static async Task<List<EvalRow>> RunAsync(MethodCatalogue catalogue, IReadOnlyList<string> bundles, IReadOnlyList<EvalMethod> methods, string outDir, int shard, int shards,
        Action<string>? progress = null, CancellationToken ct = default, Deconvolution.DeconvolutionQuality quality = Deconvolution.DeconvolutionQuality.Balanced,
        List<string>? unusable = null, List<string>? inputProblemsOut = null, Kernels.EventKernelOptions? eventOptions = null)
    {
        eventOptions ??= new Kernels.EventKernelOptions();
        if (shards < 1 || shard < 1 || shard > shards) throw new ArgumentException($"shard {shard}/{shards}: expected 1 ≤ K ≤ N");
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal); // bundle → why it could not be loaded
        // Datasets the caller already found unusable (not converted) are named in the shard too.
        if (unusable != null)
        {
            for (int u = 0; u < unusable.Count; u++) skipped[$"\0{u}"] = unusable[u];
            unusable.Clear();
        }
        var kinds = new Dictionary<string, (bool HasGt, bool Aps)>(StringComparer.Ordinal);
        // What each bundle's replays found wrong with it (frame rows, the event file), once per bundle: eval says it as replay does.
        var inputProblems = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var work = bundles.SelectMany(b => methods.Select(m => (Bundle: b, Method: m))).ToList();
        var rows = new List<EvalRow>();
        for (int i = 0; i < work.Count; i++)
        {
            if (i % shards != shard - 1) continue;
            // Ctrl+C / SIGTERM: the pair in flight stopped with its finished frames; the rest are not started (the shard says so).
            if (ct.IsCancellationRequested) break;
            var (bundle, method) = work[i];
            string name = Path.GetFileName(bundle);
            if (skipped.ContainsKey(bundle)) continue; // named once, not once per method
            string runDir = Path.Combine(outDir, "runs", method.Name, name);
            // Ground-truth kernels on a bundle without them (a lab's own recording) would fail every frame: the pair is skipped, said once.
            if (method.Kernels == "gt" && !KindOf(bundle).HasGt)
            {
                progress?.Invoke($"{name} {method.Name}: skipped: the bundle has no ground-truth kernels (ground_truth.kernels in recording.json), which {method.Name} needs");
                continue;
            }
            // EDI integrates events over the frame's own pixel grid: an RGB camera's frames are on another.
            if (method.Kind == RestorationKind.EventIntegration && !KindOf(bundle).Aps)
            {
                progress?.Invoke($"{name} {method.Name}: skipped: EDI needs the event camera's own APS frames, and this bundle's frames come from an RGB camera");
                continue;
            }
            ReplaySummary summary;
            try
            {
                summary = await ReplayPipeline.RunAsync(bundle, runDir, new ReplayOptions { Methods = catalogue, Deconvolver = method.Deconvolver, Quality = quality, Resume = true }, catalogue.CreateKernelSource(method.Kernels, eventOptions), null, ct);
            }
            catch (UserInputException e) when (e.Message.StartsWith("--resume:", StringComparison.Ordinal))
            {
                // eval always continues its runs; a run of other options in OUT is the user's earlier evaluation, not a --resume they gave.
                string detail = e.Message["--resume: ".Length..];
                int cut = detail.IndexOf(". Rerun without --resume", StringComparison.Ordinal);
                throw new UserInputException($"eval: {runDir} holds a run of this pair with other options ({(cut > 0 ? detail[..cut] : detail)}); " +
                                             "an evaluation folder keeps one setting: choose another --out, or delete that folder to redo it", e.Kind, e);
            }
            catch (Recording.BundleException e)
            {
                skipped[bundle] = $"{name}: not evaluated: {e.Message}";
                progress?.Invoke(skipped[bundle]);
                continue;
            }
            if (!inputProblems.ContainsKey(name))
            {
                // What the conversion of a Blur-DVS-style dataset left out (a frame, its ground truth, event lines): errors of
                // the input, said once per bundle with replay's own.
                string conversion = Path.Combine(bundle, ConversionProblemsFile);
                var converted = File.Exists(conversion) ? File.ReadAllLines(conversion).Where(l => l.Length > 0).Select(l => $"conversion: {l}").ToList() : [];
                foreach (var c in converted) progress?.Invoke($"  {name}: problem: {c}");
                // Renumbered as an APS bundle counts its frames: every output of the run (rows, runs/, report) uses the
                // bundle's index; the map names the dataset's.
                if (Recording.BlurDvsAdapter.ReadIndexMap(bundle) is { } map)
                    progress?.Invoke($"  {name}: note: its frames are numbered one by one in time order, as an APS bundle counts them, not by the dataset's indices: " +
                                     string.Join(", ", map.OrderBy(kv => kv.Key).Where(kv => kv.Key != kv.Value).Take(8).Select(kv => $"{kv.Key} is the dataset's {kv.Value}")) +
                                     $"{(map.Count(kv => kv.Key != kv.Value) > 8 ? ", …" : "")} (all in {Path.Combine(bundle, Recording.BlurDvsAdapter.IndexMapFile)})");
                if (summary.Problems.Count > 0 || converted.Count > 0)
                {
                    // Errors count (exit 1, kept in the shard); notes are only said.
                    inputProblems[name] = [.. converted, .. summary.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.ToString())];
                    foreach (var p in summary.Problems) progress?.Invoke($"  {name}: {(p.Severity == ProblemSeverity.Error ? "problem" : "note")}: {p.Plain}");
                }
            }
            string group = GroupOf(name);
            bool input = method.Deconvolver == "none"; // the blurry baseline: its metrics are the input's
            foreach (var r in summary.Results)
                rows.Add(new EvalRow(name, group, method.Name, r.Index, r.Status,
                    input ? r.PsnrBlurry : r.Psnr, input ? r.SsimBlurry : r.Ssim,
                    method.Kernels == "identity" ? null : r.KernelSimilarity, r.SecondsTotal,
                    r.PsnrBlurry, r.SsimBlurry, input ? r.PsnrSaturationBandBlurry : r.PsnrSaturationBand, r.PsnrSaturationBandBlurry));
            progress?.Invoke(summary.Status == "cancelled"
                ? $"{name} {method.Name}: cancelled after {summary.Results.Count(r => r.Status == "ok")} frame(s) ok (run the same eval command again to finish it)"
                : $"{name} {method.Name}: {summary.Results.Count(r => r.Status == "ok")}/{summary.Results.Count} frames ok" + RejectedRows(summary.Problems));
            // Each failed frame with its cause (e.g. a ground-truth kernel file, line and field), as replay prints it.
            foreach (var r in summary.Results.Where(r => r.Status != "ok"))
                progress?.Invoke($"  {name} {method.Name} index {r.Index}: {r.Status} ({r.Error})");
        }
        (bool HasGt, bool Aps) KindOf(string bundle)
        {
            if (!kinds.TryGetValue(bundle, out var kind))
            {
                // A bundle that cannot be loaded is named by its first replay, not here.
                try
                {
                    var b = Recording.RecordingBundle.Load(bundle);
                    kind = (b.GroundTruthKernelsDir != null, b.IsApsBundle);
                }
                catch (Recording.BundleException) { kind = (true, true); }
                kinds[bundle] = kind;
            }
            return kind;
        }
        var metadata = ParquetMetadata.Base(ResultsTable);
        metadata["shard"] = $"{shard}/{shards}";
        metadata["methods"] = string.Join(",", methods.Select(m => m.Name));
        metadata["bundles"] = JsonSerializer.Serialize(bundles);
        metadata[ParquetMetadata.TimeOriginKey] = "no time columns; seconds_total is a duration in seconds";
        metadata[QualityKey] = quality.Name();
        // Only where a method takes kernels from events: the checks change nothing for the others (eval says so).
        if (methods.Any(m => m.Kernels == Kernels.EventKernelEstimator.SourceName)) metadata[KernelChecksKey] = KernelChecks(eventOptions);
        metadata[StatusKey] = ct.IsCancellationRequested ? "cancelled" : "completed";
        if (inputProblems.Values.Any(v => v.Count > 0))
            metadata[InputProblemsKey] = JsonSerializer.Serialize(inputProblems.SelectMany(kv => kv.Value.Select(p => $"{kv.Key}: {p}")).ToList());
        inputProblemsOut?.AddRange(inputProblems.SelectMany(kv => kv.Value.Select(p => $"{kv.Key}: {p}")));
        if (skipped.Count > 0) metadata[UnusableBundlesKey] = JsonSerializer.Serialize(skipped.Values.ToList());
        unusable?.AddRange(skipped.Values);
        await WriteAsync(Path.Combine(outDir, $"results-shard-{shard}-of-{shards}.parquet"), rows, metadata);
        return rows;
    }

    /// <summary>Shard metadata key: a JSON array of sentences, one per bundle of the shard's share that could not be loaded (absent when none).</summary>
    public const string UnusableBundlesKey = "unusable_bundles";

    /// <summary>
    /// "; N row(s) of its frame tables rejected (above)" when the bundle check rejected table rows (errors at a line), which
    /// get no frame row and so are not in the count (stop 42: "1/1 frames ok" hid a rejected row); else empty.
    /// </summary>
    private static string RejectedRows(IEnumerable<Problem> problems)
    {
        int n = problems.Count(p => p.Severity == ProblemSeverity.Error && p.Location.Kind == ProblemLocationKind.Line);
        return n == 0 ? "" : $"; {n} row{(n == 1 ? "" : "s")} of its frame tables rejected (above), not counted";
    }

    /// <summary>Shard metadata key: a JSON array of the problems the shard's replays found in their bundles ("BUNDLE: problem"), as replay lists them (absent when none).</summary>
    public const string InputProblemsKey = "input_problems";

    /// <summary>Shard metadata key: the quality rung the shard ran at (<c>fast</c>, <c>balanced</c>, <c>best</c>); shards of one table must agree.</summary>
    public const string QualityKey = "quality";

    /// <summary>
    /// Shard metadata key: the checks the shard's kernels from events ran with, as <see cref="KernelChecks"/> writes them
    /// (<c>blur_check on, window_check on</c> by default), written when a method of the shard takes kernels from events;
    /// shards of one table must agree. Shards written before stop 53 have none, and ran with both on; shards without a
    /// method taking kernels from events have none either, and are read the same way (the checks change nothing there).
    /// </summary>
    public const string KernelChecksKey = "kernel_checks";

    /// <summary>How <see cref="KernelChecksKey"/> states <paramref name="o"/>'s two checks (eval's <c>--blur-check</c> and <c>--window-check</c>).</summary>
    public static string KernelChecks(Kernels.EventKernelOptions o) =>
        $"blur_check {(o.CheckBlurInFrame ? "on" : "off")}, window_check {(o.FitWindowToLitPaths ? "on" : "off")}";

    /// <summary>Shard metadata key: <c>completed</c>, or <c>cancelled</c> when Ctrl+C / SIGTERM stopped the shard before its work list was done.</summary>
    public const string StatusKey = "status";

    /// <summary>Group of a bundle name: the name without a trailing <c>-NNN</c>.</summary>
    public static string GroupOf(string bundle)
    {
        int dash = bundle.LastIndexOf('-');
        return dash > 0 && bundle[(dash + 1)..].All(char.IsDigit) ? bundle[..dash] : bundle;
    }

    /// <summary>Value of <see cref="ParquetMetadata.TableKey"/> in the shards' results files.</summary>
    public const string ResultsTable = "eval_results";

    // "group" is an SQL reserved word: the column is scene_group (files before it had "group"; both are read).
    private static readonly DataField<string> FBundle = new("bundle"), FGroup = new("scene_group"), FMethod = new("method"), FStatus = new("status");
    private static readonly DataField<long> FIndex = new("index");
    private static readonly DataField<double?> FPsnr = new("psnr"), FSsim = new("ssim"), FKs = new("kernel_similarity");
    private static readonly DataField<double> FSec = new("seconds_total");
    // The blurry input's metrics and the band near saturation, per row (shards written before them lack these columns: read as null).
    private static readonly DataField<double?> FPsnrBlurry = new("psnr_blurry"), FSsimBlurry = new("ssim_blurry"),
        FBand = new("psnr_sat_band"), FBandBlurry = new("psnr_sat_band_blurry");

    internal static async Task WriteAsync(string path, List<EvalRow> rows, Dictionary<string, string> metadata)
    {
        await AtomicFile.WriteAsync(path, async fs =>
        {
            await using var pw = await ParquetWriter.CreateAsync(new ParquetSchema(FBundle, FGroup, FMethod, FIndex, FStatus, FPsnr, FSsim, FKs, FSec, FPsnrBlurry, FSsimBlurry, FBand, FBandBlurry), fs);
            pw.CustomMetadata = metadata;
            using var rg = pw.CreateRowGroup();
            await rg.WriteAsync(FBundle, rows.Select(r => r.Bundle).ToArray());
            await rg.WriteAsync(FGroup, rows.Select(r => r.Group).ToArray());
            await rg.WriteAsync(FMethod, rows.Select(r => r.Method).ToArray());
            await rg.WriteAsync<long>(FIndex, rows.Select(r => r.Index).ToArray());
            await rg.WriteAsync(FStatus, rows.Select(r => r.Status).ToArray());
            await rg.WriteAsync<double>(FPsnr, (ReadOnlyMemory<double?>)rows.Select(r => r.Psnr).ToArray());
            await rg.WriteAsync<double>(FSsim, (ReadOnlyMemory<double?>)rows.Select(r => r.Ssim).ToArray());
            await rg.WriteAsync<double>(FKs, (ReadOnlyMemory<double?>)rows.Select(r => r.KernelSimilarity).ToArray());
            await rg.WriteAsync<double>(FSec, rows.Select(r => r.SecondsTotal).ToArray());
            await rg.WriteAsync<double>(FPsnrBlurry, (ReadOnlyMemory<double?>)rows.Select(r => r.PsnrBlurry).ToArray());
            await rg.WriteAsync<double>(FSsimBlurry, (ReadOnlyMemory<double?>)rows.Select(r => r.SsimBlurry).ToArray());
            await rg.WriteAsync<double>(FBand, (ReadOnlyMemory<double?>)rows.Select(r => r.PsnrSatBand).ToArray());
            await rg.WriteAsync<double>(FBandBlurry, (ReadOnlyMemory<double?>)rows.Select(r => r.PsnrSatBandBlurry).ToArray());
        });
    }

    /// <summary>Reads and merges every <c>results-shard-*.parquet</c> of the given folders, sorted.</summary>
    public static Task<List<EvalRow>> ReadShardsAsync(IEnumerable<string> outDirs) => ReadRowsAsync(outDirs, single: false);

    private static async Task<List<EvalRow>> ReadRowsAsync(IEnumerable<string> outDirs, bool single)
    {
        var rows = new List<EvalRow>();
        foreach (var dir in outDirs)
            foreach (var file in single ? new[] { dir } : Directory.GetFiles(dir, "results-shard-*.parquet").Order().ToArray())
            {
                await using var reader = await OpenShardAsync(file);
                var f = reader.Schema.GetDataFields().ToDictionary(x => x.Name);
                string[] required = ["bundle", "method", "index", "status", "psnr", "ssim", "kernel_similarity", "seconds_total"];
                string? lacking = required.FirstOrDefault(c => !f.ContainsKey(c)) ?? (f.ContainsKey("scene_group") || f.ContainsKey("group") ? null : "scene_group");
                if (lacking != null)
                    throw new InvalidDataException($"{file}: not an evaluation results table: no '{lacking}' column");
                for (int g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rg = reader.OpenRowGroupReader(g);
                    int n = (int)rg.RowCount;
                    var b = new string[n]; var gr = new string[n]; var m = new string[n]; var st = new string[n];
                    var idx = new long[n]; var ps = new double?[n]; var ss = new double?[n]; var ks = new double?[n]; var sec = new double[n];
                    await rg.ReadAsync(f["bundle"], b); await rg.ReadAsync(f.GetValueOrDefault("scene_group") ?? f["group"], gr); await rg.ReadAsync(f["method"], m); await rg.ReadAsync<long>(f["index"], idx);
                    await rg.ReadAsync(f["status"], st); await rg.ReadAsync<double>(f["psnr"], ps); await rg.ReadAsync<double>(f["ssim"], ss); await rg.ReadAsync<double>(f["kernel_similarity"], ks);
                    await rg.ReadAsync<double>(f["seconds_total"], sec);
                    async Task<double?[]> Optional(string name)
                    {
                        var v = new double?[n];
                        if (f.TryGetValue(name, out var field)) await rg.ReadAsync<double>(field, v);
                        return v;
                    }
                    var pb = await Optional("psnr_blurry"); var sb = await Optional("ssim_blurry");
                    var band = await Optional("psnr_sat_band"); var bandB = await Optional("psnr_sat_band_blurry");
                    for (int i = 0; i < n; i++) rows.Add(new EvalRow(b[i], gr[i], m[i], idx[i], st[i], ps[i], ss[i], ks[i], sec[i], pb[i], sb[i], band[i], bandB[i]));
                }
            }
        if (single) return rows;
        // A re-run shard rewrites its file; rows are unique per (bundle, method, index).
        return rows.GroupBy(r => (r.Bundle, r.Method, r.Index)).Select(g => g.Last())
            .OrderBy(r => r.Bundle, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Index).ToList();
    }

    private static string Show(double? v) => v is double d ? d.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "none";

    /// <summary>Opens a shard file, refusing what is not Parquet or is another table (an events file named as a shard).</summary>
    /// <exception cref="InvalidDataException">Not Parquet (truncated, another format), or a table other than <see cref="ResultsTable"/>; the message names the file.</exception>
    private static async Task<ParquetReader> OpenShardAsync(string file)
    {
        ParquetReader reader;
        try { reader = await ParquetReader.CreateAsync(file); }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file}: not a readable Parquet file ({e.Message})", e);
        }
        if (reader.CustomMetadata.TryGetValue(ParquetMetadata.TableKey, out var table) && table != ResultsTable)
        {
            await reader.DisposeAsync();
            throw new InvalidDataException($"{file}: a '{table}' table, not an evaluation's results ('{ResultsTable}'): only eval writes results-shard-*.parquet");
        }
        return reader;
    }

    /// <summary>
    /// What is wrong with a set of shard files, one <see cref="Problem"/> each (empty when nothing is): per folder, files of
    /// different splits (<c>-of-2</c> beside <c>-of-3</c>), shards missing from 1..N, bundles a shard could not load, and rows (bundle, method,
    /// frame) found in more than one file. <see cref="ReadShardsAsync"/> still merges what is there; a report on
    /// such a set is partial or double-counted and must say so.
    /// </summary>
    public static async Task<List<Problem>> ShardProblemsAsync(IEnumerable<string> outDirs)
    {
        var problems = new List<Problem>();
        var qualities = new List<(string Dir, string Quality)>();
        var checks = new List<(string Dir, string Checks)>();
        var seen = new Dictionary<(string Bundle, string Method, long Index), (string File, EvalRow Row)>();
        int duplicates = 0, disagree = 0;
        string? firstDuplicate = null, firstDisagreement = null;
        foreach (var dir in outDirs)
        {
            var files = Directory.GetFiles(dir, "results-shard-*.parquet").Order(StringComparer.Ordinal).ToList();
            var parsed = files.Select(f => (File: f, Match: ShardName.Match(Path.GetFileName(f)))).ToList();
            foreach (var bad in parsed.Where(p => !p.Match.Success))
                problems.Add(Problem.Error(bad.File, "not a shard file name (expected results-shard-K-of-N.parquet)"));
            var splits = parsed.Where(p => p.Match.Success).GroupBy(p => int.Parse(p.Match.Groups[2].Value)).OrderBy(g => g.Key).ToList();
            if (splits.Count > 1)
                problems.Add(Problem.Error(dir, $"shard files of {splits.Count} different splits ({string.Join(", ", splits.Select(g => $"N = {g.Key}"))}): rows may be counted twice; delete the stale files"));
            foreach (var split in splits)
            {
                var present = split.Select(p => int.Parse(p.Match.Groups[1].Value)).ToHashSet();
                // Counted, and the first few named: N may be a job array's size, far more than the files there.
                long missingCount = split.Key - present.Count(k => k >= 1 && k <= split.Key);
                var firstMissing = Enumerable.Range(1, split.Key).Where(k => !present.Contains(k)).Take(10).ToList();
                if (missingCount > 0)
                    problems.Add(Problem.Error(dir, $"{missingCount:N0} of {split.Key:N0} shards missing ({string.Join(", ", firstMissing.Select(k => $"results-shard-{k}-of-{split.Key}.parquet"))}{(missingCount > 10 ? $" and {missingCount - 10:N0} more" : "")}): the table covers only part of the work"));
                foreach (var k in present.Where(k => k < 1 || k > split.Key))
                    problems.Add(Problem.Error(dir, $"results-shard-{k}-of-{split.Key}.parquet is outside 1..{split.Key}"));
            }
            var settings = new List<(string File, string Setting)>();
            foreach (var file in files)
            {
                await using (var reader = await OpenShardAsync(file))
                {
                    var meta = reader.CustomMetadata;
                    qualities.Add((dir, meta.GetValueOrDefault(QualityKey) ?? "not recorded"));
                    checks.Add((dir, meta.GetValueOrDefault(KernelChecksKey) ?? KernelChecks(new Kernels.EventKernelOptions())));
                    if (meta.TryGetValue(UnusableBundlesKey, out var json) && JsonSerializer.Deserialize<List<string>>(json) is { } list)
                        problems.AddRange(list.Select(x => Problem.Error(Path.GetFileName(file), x)));
                    if (meta.TryGetValue(InputProblemsKey, out var input) && JsonSerializer.Deserialize<List<string>>(input) is { } found)
                        problems.AddRange(found.Select(x => Problem.Error(Path.GetFileName(file), x)));
                    if (meta.GetValueOrDefault(StatusKey) == "cancelled")
                        problems.Add(Problem.Error(Path.GetFileName(file), "the shard was cancelled (Ctrl+C / SIGTERM) before its work was done: the table covers part of it; run the same eval command again to finish it (finished frames are kept)"));
                    // The work list and rung each shard ran with: shards of one table must share them, or the table mixes settings and misses pairs.
                    settings.Add((Path.GetFileName(file), $"methods {meta.GetValueOrDefault("methods") ?? "?"}; quality {meta.GetValueOrDefault(QualityKey) ?? "not recorded"}; " +
                                                          $"kernel checks {meta.GetValueOrDefault(KernelChecksKey) ?? KernelChecks(new Kernels.EventKernelOptions())}; " +
                                                          $"bundles {(meta.TryGetValue("bundles", out var bs) && JsonSerializer.Deserialize<List<string>>(bs) is { } bl ? string.Join(", ", bl.Select(Path.GetFileName)) : "?")}"));
                }
                foreach (var r in await ReadRowsAsync([file], single: true))
                {
                    if (seen.TryAdd((r.Bundle, r.Method, r.Index), (file, r))) continue;
                    var earlier = seen[(r.Bundle, r.Method, r.Index)];
                    duplicates++;
                    firstDuplicate ??= $"{r.Bundle} {r.Method} frame {r.Index} in {earlier.File} and {file}";
                    // Copies agree; rows of different runs (another rung, another build) do not, and the table keeps one.
                    if (earlier.Row.Psnr != r.Psnr || earlier.Row.Ssim != r.Ssim || earlier.Row.KernelSimilarity != r.KernelSimilarity || earlier.Row.Status != r.Status)
                    {
                        disagree++;
                        firstDisagreement ??= $"{r.Bundle} {r.Method} frame {r.Index}: PSNR {Show(earlier.Row.Psnr)} in {earlier.File}, {Show(r.Psnr)} in {file}";
                    }
                    seen[(r.Bundle, r.Method, r.Index)] = (file, r);
                }
            }
            var distinct = settings.GroupBy(x => x.Setting).ToList();
            if (distinct.Count > 1)
                problems.Add(Problem.Error(dir, $"its shards ran with different settings, so the table mixes them and pairs of one shard's list may never have run in another's share: " +
                    string.Join(" | ", distinct.Select(g => $"{string.Join(", ", g.Select(x => x.File))}: {g.Key}")) + "; run every shard with the same --methods, --quality, --blur-check, --window-check and datasets"));
        }
        if (duplicates > 0)
            problems.Add(Problem.Error("", $"{duplicates} result rows appear in more than one shard file (first: {firstDuplicate}); each is counted once" +
                (disagree > 0 ? $"; {disagree} of them disagree between the files (first: {firstDisagreement}): they are different runs, not copies, and the table keeps those of the folder given last, so it depends on the order the folders are given" : "")));
        // Folders run at different rungs, given together: one table would mix them (within a folder the check above says so).
        var byDir = qualities.GroupBy(q => q.Dir).Select(g => (Dir: g.Key, Quality: string.Join("/", g.Select(q => q.Quality).Distinct().Order()))).ToList();
        if (byDir.Count > 1 && byDir.Select(d => d.Quality).Distinct().Count() > 1)
            problems.Add(Problem.Error("", $"the evaluation folders ran at different --quality ({string.Join("; ", byDir.Select(d => $"{d.Dir}: {d.Quality}"))}): their rows are mixed in one table; report them one at a time"));
        // The same for the checks of kernels from events (eval's --blur-check and --window-check).
        var checksByDir = checks.GroupBy(c => c.Dir).Select(g => (Dir: g.Key, Checks: string.Join(" / ", g.Select(c => c.Checks).Distinct().Order()))).ToList();
        if (checksByDir.Count > 1 && checksByDir.Select(d => d.Checks).Distinct().Count() > 1)
            problems.Add(Problem.Error("", $"the evaluation folders ran with different checks of kernels from events ({string.Join("; ", checksByDir.Select(d => $"{d.Dir}: {d.Checks}"))}): their rows are mixed in one table; report them one at a time"));
        return problems;
    }

    private static readonly System.Text.RegularExpressions.Regex ShardName = new(@"^results-shard-(\d+)-of-(\d+)\.parquet$");

    /// <summary>
    /// Summary per group and method: PSNR mean, median and a 95 % confidence interval of the mean (normal approximation),
    /// SSIM, kernel similarity, and against the blurry input of the same frames: its mean PSNR, the mean gain (dB), how many
    /// frames gained (PSNR above the blurry input's, "k of n"; "–" for the <c>blurry</c> method itself) and the PSNR within
    /// 15 px of saturated pixels, blurry → method (means over the frames that have both). Rows without the blurry columns
    /// (shards written before them) show "–" there.
    /// </summary>
    public static string SummaryMarkdown(IEnumerable<EvalRow> rows)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| group | method | frames | PSNR mean [95 % CI] | PSNR median | SSIM mean | SSIM median | kernel sim. mean | blurry PSNR mean | gain dB | better than blurry | PSNR ≤ 15 px from saturation, blurry → method |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in rows.Where(r => r.Status == "ok").GroupBy(r => (r.Group, r.Method)).OrderBy(g => g.Key.Group).ThenBy(g => g.Key.Method))
        {
            var p = g.Select(r => r.Psnr).OfType<double>().ToList();
            var s = g.Select(r => r.Ssim).OfType<double>().ToList();
            var k = g.Select(r => r.KernelSimilarity).OfType<double>().ToList();
            if (p.Count == 0 && s.Count == 0 && k.Count == 0)
            {
                sb.AppendLine($"| {g.Key.Group} | {g.Key.Method} | {g.Count()} | {SummaryRow.NoGroundTruth} | – | – | – | – | – | – | – | – |");
                continue;
            }
            // Frames without ground truth for the image metrics are counted apart (stop 42: "2" over a PSNR of 1 frame).
            string frames = p.Count < g.Count() ? $"{g.Count()} ({p.Count} with PSNR)" : $"{g.Count()}";
            sb.AppendLine($"| {g.Key.Group} | {g.Key.Method} | {frames} | {Ci(p)} | {(p.Count > 0 ? Median(p).ToString("F2") : "–")} | {(s.Count > 0 ? s.Average().ToString("F4") : "–")} | {(s.Count > 0 ? Median(s).ToString("F4") : "–")} | {(k.Count > 0 ? k.Average().ToString("F3") : "–")} | {AgainstBlurry(g.Key.Method, g.ToList())} |");
        }
        return sb.ToString();
    }

    /// <summary>The summary's last four cells: blurry PSNR mean | gain | k of n better | band PSNR blurry → method.</summary>
    private static string AgainstBlurry(string method, List<EvalRow> rows)
    {
        var pairs = rows.Where(r => r.Psnr is double && r.PsnrBlurry is double).Select(r => (Est: r.Psnr!.Value, Blurry: r.PsnrBlurry!.Value)).ToList();
        var band = rows.Where(r => r.PsnrSatBand is double && r.PsnrSatBandBlurry is double).Select(r => (Est: r.PsnrSatBand!.Value, Blurry: r.PsnrSatBandBlurry!.Value)).ToList();
        string blurry = pairs.Count > 0 ? pairs.Average(x => x.Blurry).ToString("F2") : "–";
        bool baseline = method == "blurry";
        string gain = pairs.Count > 0 && !baseline ? pairs.Average(x => x.Est - x.Blurry).ToString("+0.00;-0.00;0.00") : "–";
        string better = pairs.Count > 0 && !baseline ? $"{pairs.Count(x => x.Est > x.Blurry)} of {pairs.Count}" : "–";
        string bandCell = band.Count == 0 ? "–" : baseline ? band.Average(x => x.Blurry).ToString("F2")
            : $"{band.Average(x => x.Blurry):F2} → {band.Average(x => x.Est):F2} ({band.Average(x => x.Est - x.Blurry).ToString("+0.00;-0.00;0.00")})";
        return $"{blurry} | {gain} | {better} | {bandCell}";
    }

    /// <summary>
    /// Mean with its 95 % confidence interval, mean ± t·s/√n with Student's t for n − 1 degrees of freedom (1.96 was used
    /// for every n until stop 38, which made the interval of 2 frames 6.5 times too narrow).
    /// </summary>
    internal static string Ci(List<double> v)
    {
        if (v.Count == 0) return "–";
        double m = v.Average();
        if (v.Count < 2) return $"{m:F2}";
        double sd = Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
        double t = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, v.Count - 1, 0.975);
        double h = t * sd / Math.Sqrt(v.Count);
        return $"{m:F2} [{m - h:F2}, {m + h:F2}]";
    }

    private static double Median(List<double> v)
    {
        if (v.Count == 0) return double.NaN;
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>Serialises rows for comparisons (tests).</summary>
    public static string Canonical(IEnumerable<EvalRow> rows) => JsonSerializer.Serialize(rows.Select(r => r with { SecondsTotal = 0 }));
}
