using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EventDeblur.Deconvolution;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;

namespace EventDeblur.Pipeline;

/// <summary>
/// Replays a bundle into deblurred frames — only the wiring: the bundle's frame source (ingest: each
/// frame with the events of its exposure window) → kernels → deconvolution → <see cref="FrameFinisher"/>
/// (outputs, metrics, progress record), as stages connected by bounded channels with back-pressure
/// (nothing is dropped). A failing frame is reported with its index and cause and the run goes on
/// (unless fail-fast); cancellation finishes cleanly and every output is atomic.
/// Output layout: RECORDING_FORMAT.md, "What a run writes".
/// </summary>
public static class ReplayPipeline
{
    /// <summary>Runs the replay of the bundle (folder or event file) at <paramref name="bundleDir"/>.</summary>
    public static Task<ReplaySummary> RunAsync(string bundleDir, string outDir, ReplayOptions options, IKernelEstimator kernelSource,
        Action<ReplayProgress>? progress = null, CancellationToken ct = default)
    {
        RefuseResumeWithForce(options);
        return RunAsync(RecordingBundle.Load(bundleDir), outDir, options, kernelSource, progress, ct);
    }

    /// <summary>Runs the replay of a bundle already loaded (its description files are not read again).</summary>
    public static async Task<ReplaySummary> RunAsync(RecordingBundle bundle, string outDir, ReplayOptions options, IKernelEstimator kernelSource,
        Action<ReplayProgress>? progress = null, CancellationToken ct = default)
    {
        RefuseResumeWithForce(options);
        var restoration = options.Methods.CreateRestoration(options.Deconvolver, options.Quality);
        string fingerprint = BundleFingerprint.Of(bundle);
        string? truthFingerprint = BundleFingerprint.OfGroundTruthKernels(bundle);
        var started = DateTimeOffset.UtcNow;
        var planned = Manifest(bundle, fingerprint, truthFingerprint, options, kernelSource, started, null, "running", null);
        var method = (JsonObject)planned.Options.DeepClone();
        foreach (string key in RunControlOptions) method.Remove(key);
        using var owned = RunFolder.Lock(outDir);
        string? replaced = RunFolder.Claim(outDir, new RunIdentity(null, bundle.Root, fingerprint, method, truthFingerprint),
            options.Resume ? RunFolderUse.Resume : options.Force ? RunFolderUse.Force : RunFolderUse.Fresh);
        var writer = new RunWriter(outDir);
        // Frames an earlier run completed and this one keeps: the progress counts them, as the frame total does.
        // (checked against the input image and ground truth each was made from: a frame whose input was replaced is redone)
        var imageOf = bundle.Frames.GroupBy(r => r.Index).ToDictionary(g => g.Key, g => g.First().File);
        var truthOf = bundle.GroundTruthFrames?.GroupBy(r => r.Index).ToDictionary(g => g.Key, g => g.First().File) ?? [];
        int kept = options.Resume ? RunWriter.ReadProgressRecords(outDir).Count(r => writer.IsCompleteFor(r.Index, imageOf.GetValueOrDefault(r.Index), truthOf.GetValueOrDefault(r.Index))) : 0;
        var problems = new List<Problem>(bundle.Problems);
        // About OUT, not the input: said at once on standard error, not recorded among the input's problems.
        if (replaced != null) Console.Error.WriteLine($"note: {replaced}");
        planned.Write(outDir);

        var toKernels = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(options.ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = true });
        var toDeconvolve = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(options.ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = true });
        var toWrite = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(options.ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = linked.Token;
        var results = new List<FrameResult>();
        int total = 0;

        // EDI integrates every event of the window (its per-pixel counts are the image): it gets them all; the kernels'
        // estimators are served by an even sample past WindowEvents.DefaultMaxEvents.
        int maxWindowEvents = options.Methods.KindOf(options.Deconvolver) == RestorationKind.EventIntegration ? int.MaxValue : WindowEvents.DefaultMaxEvents;
        // The frames --resume keeps (done before): with those written by this run, what makes a run complete.
        var keptIndices = new System.Collections.Concurrent.ConcurrentDictionary<long, bool>();
        var source = new BundleFrameSource(bundle, options.EventMarginUs, f =>
        {
            bool keep = options.Resume && writer.IsCompleteFor(f.Index, f.ImagePath, f.GroundTruthPath);
            if (keep) keptIndices[f.Index] = true;
            return keep;
        }, options.EventLatencyUs, maxWindowEvents);
        var ingest = Task.Run(() => source.RunAsync(toKernels.Writer, problems, n => total = n, token), token);
        var kernels = StageRunner.Run(toKernels.Reader, toDeconvolve.Writer, 1, f =>
        {
            var sw = Stopwatch.StartNew();
            if (f.OutsideEvents != null && kernelSource.Name == EventKernelSourceName)
            {
                // No event can fall in the window: "kernels from events" would silently be a no-op (the input passed as "ok").
                f.Error = $"{f.OutsideEvents} (kernels from events need them; --kernels gt or streak do not)";
                return;
            }
            f.Apply(kernelSource.Estimate(f.ToKernelRequest() with { Cancellation = token }));
            f.Times.Kernels = sw.Elapsed.TotalSeconds;
        }, token);
        var deconvolve = StageRunner.Run(toDeconvolve.Reader, toWrite.Writer, options.DeconvolveWorkers, f =>
        {
            var sw = Stopwatch.StartNew();
            f.Quality = options.Methods.HasQualityRungs(options.Deconvolver) ? options.Quality.Name() : null;
            f.Guard = GuardTally.Collect(() => f.Sharp = restoration.Restore(new RestorationRequest(f.Blurry!.ForDeconvolution(f.Encoding!), f.Kernels, f.Encoding!.SaturationLinear, f.Events, f.Exposure, f.EventSensorSize)
                { Deblur = options.Deblur, Cancellation = token }), $"index {f.Index}");
            f.Times.Deconvolve = sw.Elapsed.TotalSeconds;
        }, token);
        var clock = Stopwatch.StartNew();
        var guardNotes = new List<Problem>(); // the writer's own (problems is the ingest stage's while it runs)
        long events = 0;
        long? failFastIndex = null;
        var checkpoint = System.Diagnostics.Stopwatch.StartNew();
        // The recording as frames.parquet's footer states it: the event sensor's size as the bundle resolved it (the file's,
        // where recording.json leaves it out; review of stop 48: "0" × "0").
        var recording = bundle.Manifest with { Events = bundle.Manifest.Events with { Width = bundle.EventSensorSize.Width, Height = bundle.EventSensorSize.Height } };
        var write = Task.Run(async () =>
        {
            await foreach (var f in toWrite.Reader.ReadAllAsync(token))
            {
                var r = FrameFinisher.Finish(writer, f);
                results.Add(r);
                // A frame the guard gave back to its input on most tiles is 'ok' but mostly its input: said per frame (stop 47's
                // trial: a 12-MP frame with 289-px kernels, 2028 of 2070 tiles back to the input, said only in the run's summary).
                if (r.Status == "ok" && r.GuardInputTiles is int back && r.GuardTiles is int judged && judged > 0 && 2 * back > judged)
                    lock (guardNotes) guardNotes.Add(Problem.Note("", ProblemLocation.AtFrame(r.Index),
                        $"the do-no-harm guard gave the blurry input back on {back} of {judged} tiles, so the frame is mostly its input" +
                        (f.Kernels is { Count: > 0 } ks ? $" (kernels up to {ks.Max(k => k.Kernel.Size)} px)" : "") +
                        ": the deconvolution of its kernels did not explain the frame (a wrong kernel, or one too long for the frame's detail); --verbose names the tiles"));
                if (r.Status != "ok" && options.FailFast)
                {
                    failFastIndex = r.Index;
                    // The record is located at the frame; its error's own "frame N: " is not said twice (stop 43: "frame 0:
                    // frame 0 failed: frame 0: exposure …").
                    string why = r.Error ?? "";
                    string own = $"frame {r.Index}: ";
                    throw new OperationCanceledException($"failed, and --fail-fast stops the run here: {(why.StartsWith(own, StringComparison.Ordinal) ? why[own.Length..] : why)}");
                }
                events += r.EventsInWindow;
                // frames.parquet as the run stands, every CheckpointSeconds while it works (run.json says "running"), so that
                // a run killed (SIGKILL, out of memory, power) leaves its finished frames readable, as live does (stop 48's
                // contract audit: a killed replay had every frame written and no frames.parquet).
                if (checkpoint.Elapsed.TotalSeconds >= options.CheckpointSeconds)
                {
                    try { await FramesParquet.WriteAsync(Path.Combine(outDir, "frames.parquet"), writer.Results(), FramesParquet.RunMetadata(planned, recording, null)); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { lock (guardNotes) guardNotes.Add(Problem.Note("", ProblemLocation.None, $"a checkpoint of frames.parquet not written: {e.Message}")); }
                    checkpoint.Restart();
                }
                progress?.Invoke(new ReplayProgress(results.Count, total, events, clock.Elapsed.TotalSeconds, r, kept));
            }
        }, token);

        string status = "completed";
        var stages = Task.WhenAll(ingest, kernels, deconvolve, write);
        try
        {
            // Returns at once on cancellation: a stage busy in a frame is not waited for here.
            await stages.WaitAsync(ct);
        }
        catch (OperationCanceledException e)
        {
            status = ct.IsCancellationRequested ? "cancelled" : "failed";
            // --fail-fast: the record names the frame that stopped the run.
            if (!ct.IsCancellationRequested) problems.Add(failFastIndex is long fi ? Problem.Error("", ProblemLocation.AtFrame(fi), e.Message) : Problem.Error("", e.Message));
            linked.Cancel();
        }
        catch (Exception e) when (e is AedatFormatException or IOException or BundleException)
        {
            status = "failed";
            problems.Add(e is AedatFormatException a ? a.Problem : Problem.Error("", e.Message));
            linked.Cancel();
        }
        // Cancelled (Ctrl+C, SIGTERM): the frame in flight is abandoned. Only the writer (the one stage that touches OUT)
        // and the deconvolver (which may be in native code, ONNX Runtime, that must not run while the process exits)
        // are waited for: both stop within a step (a deconvolver iteration or tile). Ingest and kernel estimation stop
        // at their next frame, or with the process. Otherwise every stage has ended or is ending.
        var ending = status == "cancelled" ? Task.WhenAll(deconvolve, write) : stages;
        try { await ending.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None); }
        catch (Exception) { /* the stages have stopped; failures are already recorded */ }
        // A signal that came after the last frame was written (the stages still closing their channels) cancelled nothing:
        // the run is complete (stop 43: it was recorded as cancelled, and report sent the user to --resume for nothing).
        // Only when the input's frames were all listed and handed on (ingest done), and each was written by this run or
        // kept by --resume: not the rows an earlier run left (its "not processed" ones), not an empty list (review of stop 43).
        if (status == "cancelled" && ingest.IsCompletedSuccessfully && source.FrameIndices.Count > 0)
        {
            var written = results.Select(r => r.Index).ToHashSet();
            if (source.FrameIndices.All(i => written.Contains(i) || keptIndices.ContainsKey(i))) status = "completed";
        }

        lock (guardNotes) problems.AddRange(guardNotes);
        // Frames the bundle check left out (wrong depth or size, damaged) never reached the stages: each still gets its
        // row, failed with the reason, so that frames.parquet has one row per frame of frames.csv.
        var recorded = writer.Results().Select(r => r.Index).ToHashSet();
        int rejectedNow = 0;
        foreach (var (index, reason) in bundle.RejectedFrames.OrderBy(kv => kv.Key))
            if (!recorded.Contains(index))
            {
                writer.Complete(new FrameResult { Index = index, Status = "failed", Error = $"not processed: {reason}" });
                rejectedNow++;
            }
        // A run that ended early (cancelled, or stopped by a fault) still gives every frame its row: those it never
        // reached are failed with that reason (--resume does them), so that frames.parquet has one row per frame.
        int notReached = 0;
        if (status != "completed")
        {
            recorded = writer.Results().Select(r => r.Index).ToHashSet();
            foreach (long index in source.FrameIndices)
            {
                if (recorded.Contains(index)) continue;
                writer.Complete(new FrameResult { Index = index, Status = "failed", Error = $"not processed: the run was {(status == "cancelled" ? "cancelled" : "stopped by the fault in run.json")} before this frame (run the same command again to do it: replay with --resume; eval reuses the runs it completed)" });
                notReached++;
            }
        }
        var all = writer.Results();
        // The contact sheet before run.json, so that a sheet that cannot be written is among the run's problems.
        try { PreviewWriter.WriteContactSheet(outDir, all); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add(Problem.Note("", ProblemLocation.None, $"{PreviewWriter.ContactSheetFile} not written: {e.Message}")); }
        var manifest = Manifest(bundle, fingerprint, truthFingerprint, options, kernelSource, started, DateTimeOffset.UtcNow, status, new JsonObject
        {
            ["total"] = all.Count,
            // The levels of frames/NNNNNN.png where they are not the input's (float input: a PNG holds no floats), as fields.
            ["png"] = source.FloatFrames is { } fl ? new JsonObject
            {
                ["encoding"] = fl.Curve.ToString(), ["bit_depth"] = 16, ["black_level"] = 0, ["white_level"] = 65535, ["saturation_level"] = 65535,
                ["note"] = "the input frames are floating point: the PNGs hold them over 16 bits with black 0 and white 65535 in the same encoding; frames/NNNNNN.exr hold the floats in the input's own units",
            } : null,
            ["ok"] = all.Count(r => r.Status == "ok"),
            ["failed"] = all.Count(r => r.Status != "ok"),
            ["problems"] = new JsonArray(problems.Select(p => (JsonNode?)p.ToString()).ToArray()),
            ["problem_records"] = Problem.ToJsonArray(problems),
        });
        await FramesParquet.WriteAsync(Path.Combine(outDir, "frames.parquet"), all, FramesParquet.RunMetadata(manifest, recording, bundle.EventsPath, source.EventFileSha256));
        manifest.Write(outDir);
        return new ReplaySummary(all, status, problems) { ProcessedThisRun = results.Count + rejectedNow, NotReached = notReached };
    }

    private static void RefuseResumeWithForce(ReplayOptions options) => RefuseResumeWithForce(options.Resume, options.Force);

    /// <summary>Refuses <c>--resume</c> with <c>--force</c> (the CLI asks before it loads the input or makes OUT).</summary>
    /// <exception cref="UserInputException">Both are set.</exception>
    public static void RefuseResumeWithForce(bool resume, bool force)
    {
        if (resume && force) throw new UserInputException("--resume and --force together: --resume continues a run of this bundle, --force writes into any folder afresh; choose one");
    }

    /// <summary>The kernel source that needs the events of each exposure (<see cref="EventKernelEstimator.Name"/>).</summary>
    private const string EventKernelSourceName = "events";

    /// <summary>Options in run.json that control how the run goes, not what it writes: <c>--resume</c> does not compare them.</summary>
    public static IReadOnlyList<string> RunControlOptions { get; } = ["resume", "force", "fail_fast", "channel_capacity", "deconvolve_workers"];

    private static RunManifest Manifest(RecordingBundle bundle, string fingerprint, string? truthFingerprint, ReplayOptions o, IKernelEstimator kernels, DateTimeOffset started, DateTimeOffset? finished, string status, JsonObject? frames) => new()
    {
        Status = status,
        InputBundle = bundle.Root,
        InputFingerprint = fingerprint,
        GroundTruthKernelsFingerprint = truthFingerprint,
        Started = started,
        Finished = finished,
        Options = new JsonObject
        {
            ["deconvolver"] = o.Deconvolver,
            ["quality"] = o.Methods.HasQualityRungs(o.Deconvolver) ? o.Quality.Name() : null,
            ["kernels"] = kernels.Name,
            ["resume"] = o.Resume,
            ["force"] = o.Force,
            ["fail_fast"] = o.FailFast,
            ["channel_capacity"] = o.ChannelCapacity,
            ["event_margin_us"] = o.EventMarginUs,
            ["deconvolve_workers"] = o.DeconvolveWorkers,
            ["tile_overlap_px"] = (o.Deblur ?? DeblurOptions.ForQuality(o.Methods.HasQualityRungs(o.Deconvolver) ? o.Quality : DeconvolutionQuality.Balanced)).OverlapPx,
            ["event_latency_us"] = o.EventLatencyUs,
        }.WithLearned(o).WithLatencyAuto(o).WithBlurCheck(kernels),
        Frames = frames,
    };
}

/// <summary>The learned deconvolver's model and device in run.json's options, only when they are set.</summary>
file static class LearnedRunOptions
{
    public static System.Text.Json.Nodes.JsonObject WithLearned(this System.Text.Json.Nodes.JsonObject options, ReplayOptions o)
    {
        if (o.Model != null) options["model"] = o.Model;
        if (o.Device != null) options["device"] = o.Device;
        return options;
    }

    /// <summary><c>event_latency_auto</c>: true when the latency was found by <c>--event-latency-us auto</c> (absent otherwise, as in runs made before it).</summary>
    public static System.Text.Json.Nodes.JsonObject WithLatencyAuto(this System.Text.Json.Nodes.JsonObject options, ReplayOptions o)
    {
        if (o.EventLatencyAuto) options["event_latency_auto"] = true;
        return options;
    }

    /// <summary>
    /// <c>blur_check</c> and <c>window_check</c>: whether kernels from events were checked against their frames
    /// (<see cref="Methods.FrameCheckedKernels.RunOption"/>) and their exposure windows against the lit light paths
    /// (<see cref="Methods.FrameCheckedKernels.WindowRunOption"/>); absent for other kernel sources.
    /// </summary>
    public static System.Text.Json.Nodes.JsonObject WithBlurCheck(this System.Text.Json.Nodes.JsonObject options, IKernelEstimator kernels)
    {
        if (Methods.FrameCheckedKernels.RunOption(kernels) is bool check) options["blur_check"] = check;
        if (Methods.FrameCheckedKernels.WindowRunOption(kernels) is bool window) options["window_check"] = window;
        return options;
    }
}
