using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EventDeblur.Deconvolution;
using EventDeblur.Evaluation;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Metrics;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Pipeline;

/// <summary>Options of a replay run.</summary>
public sealed record ReplayOptions
{
    /// <summary>Deconvolver name (<c>wiener</c>, <c>rl</c>, <c>hl</c>, <c>none</c>, or <c>edi</c>: the event-only EDI baseline for APS frames).</summary>
    public string Deconvolver { get; init; } = "hl";

    /// <summary>Skip frames whose outputs are already complete.</summary>
    public bool Resume { get; init; }

    /// <summary>Stop at the first failing frame instead of reporting it and going on.</summary>
    public bool FailFast { get; init; }

    /// <summary>Capacity of each bounded channel between stages (frames).</summary>
    public int ChannelCapacity { get; init; } = 2;

    /// <summary>Events kept before and after each exposure, µs.</summary>
    public long EventMarginUs { get; init; } = 10_000;

    /// <summary>Frames deconvolved at once (each also uses the tile/channel parallelism of <see cref="Deblur"/>).</summary>
    public int DeconvolveWorkers { get; init; } = 1;

    /// <summary>Tiling and parallelism of the deconvolution.</summary>
    public DeblurOptions Deblur { get; init; } = new();
}

/// <summary>What a replay did.</summary>
/// <param name="Results">One row per frame, in index order.</param>
/// <param name="Status"><c>completed</c>, <c>cancelled</c> or <c>failed</c>.</param>
/// <param name="Problems">Input problems found on the way (bundle, events, sync).</param>
public sealed record ReplaySummary(IReadOnlyList<FrameResult> Results, string Status, IReadOnlyList<string> Problems);

/// <summary>Where a replay stands after writing a frame.</summary>
/// <param name="Done">Frames written so far in this run.</param>
/// <param name="Total">Frames this run has to write (known once ingest has read the frame table; 0 before).</param>
/// <param name="EventsIngested">Events read so far for the written frames (exposure windows plus margins).</param>
/// <param name="ElapsedSeconds">Seconds since the stages started.</param>
/// <param name="Last">The frame just written.</param>
public sealed record ReplayProgress(int Done, int Total, long EventsIngested, double ElapsedSeconds, FrameResult Last)
{
    /// <summary>Events per second of wall-clock time so far.</summary>
    public double EventsPerSecond => ElapsedSeconds > 0 ? EventsIngested / ElapsedSeconds : 0;

    /// <summary>Estimated seconds to go, from the mean time per frame so far.</summary>
    public double EtaSeconds => Done > 0 && Total > Done ? ElapsedSeconds / Done * (Total - Done) : 0;

    /// <summary>One plain line: frame count, the last frame's outcome and metrics, throughput and ETA.</summary>
    public override string ToString() =>
        $"frame {Done}/{Total} index {Last.Index}: {Last.Status}{(Last.Error != null ? $" ({Last.Error})" : "")}" +
        $"{(Last.Psnr is double p ? $", PSNR {p:F2} dB (blurry {Last.PsnrBlurry:F2})" : "")}{(Last.KernelSimilarity is double ks ? $", kernel similarity {ks:F3}" : "")}" +
        $", {Last.SecondsTotal:F2} s, {EventsPerSecond / 1e3:F0} k events/s, ETA {EtaSeconds:F0} s";
}

/// <summary>
/// Replays a bundle into deblurred frames: ingest (frame + the events of its exposure window) →
/// kernels → deconvolution → metrics and writing, as stages connected by bounded channels with
/// back-pressure (nothing is dropped). A failing frame is reported with its index and cause and the
/// run goes on (unless fail-fast); cancellation finishes cleanly and every output is atomic.
/// Output layout: RECORDING_FORMAT.md, "What a run writes".
/// </summary>
public static class ReplayPipeline
{
    /// <summary>Tool version written to run.json.</summary>
    public const string ToolVersion = "0.1.0";

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    /// <summary>Runs the replay.</summary>
    public static async Task<ReplaySummary> RunAsync(string bundleDir, string outDir, ReplayOptions options, IKernelEstimator kernelSource,
        Action<ReplayProgress>? progress = null, CancellationToken ct = default)
    {
        var bundle = RecordingBundle.Load(bundleDir);
        var deconvolver = options.Deconvolver == "edi" ? null : DeconvolverRegistry.Create(options.Deconvolver);
        Directory.CreateDirectory(Path.Combine(outDir, "frames"));
        Directory.CreateDirectory(Path.Combine(outDir, "kernels"));
        Directory.CreateDirectory(Path.Combine(outDir, ".progress"));
        var started = DateTimeOffset.UtcNow;
        var problems = new List<string>(bundle.Problems);
        WriteRunJson(outDir, bundle, options, kernelSource, started, null, "running", null);

        var toKernels = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(options.ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = true });
        var toDeconvolve = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(options.ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = true });
        var toWrite = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(options.ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = linked.Token;
        var results = new List<FrameResult>();
        int total = 0;

        var ingest = Task.Run(() => Produce(bundle, options, outDir, toKernels.Writer, problems, n => total = n, token), token);
        var kernels = RunStage(toKernels.Reader, toDeconvolve.Writer, 1, f =>
        {
            var sw = Stopwatch.StartNew();
            f.Apply(kernelSource.Estimate(f.ToKernelRequest()));
            f.Times.Kernels = sw.Elapsed.TotalSeconds;
        }, token);
        var deconvolve = RunStage(toDeconvolve.Reader, toWrite.Writer, options.DeconvolveWorkers, f =>
        {
            var sw = Stopwatch.StartNew();
            f.Sharp = deconvolver == null
                ? EdiReconstructor.Reconstruct(f.Blurry!, f.Events, f.Exposure!.Value, f.EventSensorSize)
                : TiledDeblurrer.Deblur(f.Blurry!, f.Kernels!, deconvolver, f.Encoding!.SaturationLinear, options.Deblur);
            f.Times.Deconvolve = sw.Elapsed.TotalSeconds;
        }, token);
        var clock = Stopwatch.StartNew();
        long events = 0;
        var write = Task.Run(async () =>
        {
            await foreach (var f in toWrite.Reader.ReadAllAsync(token))
            {
                var r = WriteFrame(outDir, f);
                results.Add(r);
                if (r.Status != "ok" && options.FailFast)
                    throw new OperationCanceledException($"frame {r.Index} failed: {r.Error}");
                events += r.EventsInWindow;
                progress?.Invoke(new ReplayProgress(results.Count, total, events, clock.Elapsed.TotalSeconds, r));
            }
        }, token);

        string status = "completed";
        try
        {
            await Task.WhenAll(ingest, kernels, deconvolve, write);
        }
        catch (OperationCanceledException e)
        {
            status = ct.IsCancellationRequested ? "cancelled" : "failed";
            if (!ct.IsCancellationRequested) problems.Add(e.Message);
            linked.Cancel();
        }
        catch (Exception e) when (e is AedatFormatException or IOException or BundleException)
        {
            status = "failed";
            problems.Add(e.Message);
            linked.Cancel();
        }
        try { await Task.WhenAll(ingest, kernels, deconvolve, write).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None); }
        catch (Exception) { /* every stage has stopped; failures are already recorded */ }

        var all = CollectResults(outDir);
        await WriteParquetAsync(Path.Combine(outDir, "frames.parquet"), all);
        WriteRunJson(outDir, bundle, options, kernelSource, started, DateTimeOffset.UtcNow, status, new JsonObject
        {
            ["ok"] = all.Count(r => r.Status == "ok"),
            ["failed"] = all.Count(r => r.Status != "ok"),
            ["problems"] = new JsonArray(problems.Select(p => (JsonNode?)p).ToArray()),
        });
        return new ReplaySummary(all, status, problems);
    }

    internal static Task RunStage(ChannelReader<FrameWork> input, ChannelWriter<FrameWork> output, int workers, Action<FrameWork> work, CancellationToken ct)
    {
        var tasks = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Run(async () =>
        {
            await foreach (var f in input.ReadAllAsync(ct))
            {
                if (f.Error == null && f.Blurry != null)
                {
                    try { work(f); }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        f.Error = $"{e.GetType().Name}: {e.Message}";
                    }
                }
                await output.WriteAsync(f, ct);
            }
        }, ct)).ToArray();
        return Task.WhenAll(tasks).ContinueWith(t =>
        {
            output.TryComplete(t.Exception?.GetBaseException());
            return t;
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// Walks the event file once, in order, collecting each frame's window of events (exposure ± margin)
    /// and loading its image; emits frames in time order. Memory: the events of the open windows.
    /// </summary>
    private static async Task Produce(RecordingBundle bundle, ReplayOptions options, string outDir, ChannelWriter<FrameWork> output,
        List<string> problems, Action<int> setTotal, CancellationToken ct)
    {
        try
        {
            var match = bundle.ResolveExposures();
            problems.AddRange(match.Problems);
            var windows = match.Windows.ToList();
            setTotal(windows.Count);
            var gtByIndex = bundle.GroundTruthFrames?.ToDictionary(f => f.Index) ?? [];
            var pending = new List<(FrameWork Frame, WindowEvents Events, Stopwatch Clock)>();
            var apsByExposure = new Dictionary<long, FrameWork>();
            int next = 0;

            FrameWork NewFrame(Sync.FrameWindow w) => new()
            {
                Index = w.Index,
                Exposure = w.Exposure,
                ImagePath = w.Row?.File,
                GroundTruthPath = gtByIndex.TryGetValue(w.Index, out var g) ? g.File : null,
                GroundTruthKernelsPath = bundle.GroundTruthKernelsDir != null ? Path.Combine(bundle.GroundTruthKernelsDir, $"{w.Index:D6}.csv") : null,
                FrameToEvents = bundle.IsApsBundle ? Homography.Identity : Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography),
                EventSensorSize = bundle.EventSensorSize,
            };

            async Task Emit(FrameWork f, WindowEvents? ev, Stopwatch clock)
            {
                if (ev != null) f.Events = ev.ToSlice();
                if (f.Error == null)
                {
                    try { LoadImage(bundle, f); }
                    catch (Exception e) when (e is IOException or OpenCVException or ArgumentException) { f.Error = e.Message; }
                }
                f.Times.Ingest += clock.Elapsed.TotalSeconds;
                await output.WriteAsync(f, ct);
            }

            async Task OpenUpTo(long t)
            {
                while (next < windows.Count && (windows[next].Exposure == null || windows[next].Exposure!.Value.StartUs - options.EventMarginUs <= t))
                {
                    var w = windows[next++];
                    var f = NewFrame(w);
                    if (IsComplete(outDir, f.Index) && options.Resume)
                    {
                        f.Error = null;
                        continue; // already done in an earlier run: nothing to redo
                    }
                    if (w.Exposure == null)
                    {
                        f.Error = $"frame {w.Index}: no exposure window (unmatched in {bundle.Manifest.Sync.Source} sync)";
                        await output.WriteAsync(f, ct);
                        continue;
                    }
                    pending.Add((f, new WindowEvents(w.Exposure.Value.Expand(options.EventMarginUs)), Stopwatch.StartNew()));
                }
            }

            async Task CloseBefore(long t)
            {
                for (int i = 0; i < pending.Count; i++)
                {
                    var (f, ev, clock) = pending[i];
                    if (ev.Window.EndUs > t) continue;
                    if (bundle.IsApsBundle && f.ApsFrame == null) continue; // its pixels come later in the file
                    pending.RemoveAt(i--);
                    await Emit(f, ev, clock);
                }
            }

            using var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = bundle.IsApsBundle });
            while (reader.TryRead(out var packet))
            {
                ct.ThrowIfCancellationRequested();
                switch (packet)
                {
                    case EventsPacket ep:
                        using (var b = ep.Events)
                        {
                            await OpenUpTo(b.Timestamps[^1]);
                            foreach (var (_, ev, _) in pending) ev.Add(b);
                            await CloseBefore(b.Timestamps[^1]);
                        }
                        break;
                    case FramePacket fp when bundle.IsApsBundle:
                        await OpenUpTo(fp.Frame.EndOfExposureUs);
                        var match1 = pending.FirstOrDefault(p => p.Frame.Exposure == fp.Frame.Exposure);
                        if (match1.Frame != null) match1.Frame.ApsFrame = fp.Frame;
                        break;
                }
            }
            problems.AddRange(reader.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.ToString()));
            await OpenUpTo(long.MaxValue);
            foreach (var (f, ev, clock) in pending.ToList())
            {
                if (bundle.IsApsBundle && f.ApsFrame == null) f.Error = $"frame {f.Index}: APS frame pixels not found in the event file";
                await Emit(f, ev, clock);
            }
            output.TryComplete();
        }
        catch (Exception e)
        {
            output.TryComplete(e);
            throw;
        }
    }

    private static void LoadImage(RecordingBundle bundle, FrameWork f)
    {
        if (bundle.Manifest.Rgb is { } rgb)
        {
            f.Blurry = LinearImage.Read(f.ImagePath!, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
            using var probe = Cv2.ImRead(f.ImagePath!, ImreadModes.Unchanged);
            f.Encoding = new LinearImage.Encoding(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, probe.Depth() == MatType.CV_8U ? 8 : 16);
        }
        else
        {
            var a = f.ApsFrame!;
            int depth = a.Format.BytesPerSample == 1 ? 8 : 16;
            double white = depth == 8 ? 255 : 65535;
            var type = depth == 8 ? MatType.CV_8UC(a.Format.Channels) : MatType.CV_16UC(a.Format.Channels);
            using var raw = Mat.FromPixelData(a.Height, a.Width, type, a.Pixels);
            f.Blurry = LinearImage.FromRaw(raw, PixelEncoding.Linear, 0, white, white);
            f.Encoding = new LinearImage.Encoding(PixelEncoding.Linear, 0, white, white, depth);
        }
    }

    private static bool IsComplete(string outDir, long index) =>
        File.Exists(Path.Combine(outDir, ".progress", $"{index:D6}.json")) &&
        (File.Exists(Path.Combine(outDir, "frames", $"{index:D6}.png")) || ReadProgress(Path.Combine(outDir, ".progress", $"{index:D6}.json"))?.Status == "failed");

    internal static FrameResult WriteFrame(string outDir, FrameWork f, Func<FrameResult, FrameResult>? amend = null)
    {
        var sw = Stopwatch.StartNew();
        string stem = $"{f.Index:D6}";
        double? psnr = null, ssim = null, psnrBlurry = null, ssimBlurry = null, ks = null, band = null, bandBlurry = null;
        if (f.Error == null)
        {
            try
            {
                using (var raw = f.Sharp!.ToRaw(f.Encoding!))
                {
                    Cv2.ImEncode(".png", raw, out byte[] png);
                    AtomicFile.WriteAllBytes(Path.Combine(outDir, "frames", stem + ".png"), png);
                }
                KernelCsv.Write(Path.Combine(outDir, "kernels", stem + ".csv"), f.Kernels!);
                if (f.GroundTruthPath != null && File.Exists(f.GroundTruthPath))
                {
                    var enc = f.Encoding!;
                    var gt = f.ApsFrame != null
                        ? LinearImage.Read(f.GroundTruthPath, PixelEncoding.Linear, 0, 65535, 65536)
                        : LinearImage.Read(f.GroundTruthPath, enc.Curve, enc.BlackLevel, enc.WhiteLevel, enc.SaturationLevel);
                    var truth = gt.ToMetricImage();
                    (psnr, ssim) = ImageMetrics.FrameQuality(f.Sharp.ToMetricImage(), truth);
                    (psnrBlurry, ssimBlurry) = ImageMetrics.FrameQuality(f.Blurry!.ToMetricImage(), truth);
                    var sat = new bool[f.Blurry!.Width * f.Blurry.Height];
                    foreach (var plane in f.Blurry.Saturated) for (int i = 0; i < sat.Length; i++) sat[i] |= plane[i];
                    band = ImageMetrics.SaturationBandPsnr(f.Sharp.ToMetricImage(), truth, sat);
                    bandBlurry = ImageMetrics.SaturationBandPsnr(f.Blurry.ToMetricImage(), truth, sat);
                }
                if (f.GroundTruthKernelsPath != null && File.Exists(f.GroundTruthKernelsPath) && f.KernelSource != "gt")
                    ks = ImageMetrics.KernelSimilarity(f.Kernels!, KernelCsv.Read(f.GroundTruthKernelsPath));
                else if (f.KernelSource == "gt") ks = 1;
            }
            catch (Exception e) when (e is IOException or OpenCVException or FormatException or ArgumentException)
            {
                f.Error = $"writing outputs: {e.Message}";
            }
        }
        f.Times.Write = sw.Elapsed.TotalSeconds;
        var r = new FrameResult
        {
            Index = f.Index,
            Status = f.Error == null ? "ok" : "failed",
            Error = f.Error,
            SecondsIngest = f.Times.Ingest,
            SecondsKernels = f.Times.Kernels,
            SecondsDeconvolve = f.Times.Deconvolve,
            SecondsWrite = f.Times.Write,
            SecondsTotal = f.Times.Total,
            Streaks = f.Streaks,
            Kernels = f.Kernels?.Count ?? 0,
            EventsUsed = f.EventsUsed,
            EventsInWindow = f.Events.Count,
            Diagnostics = f.Diagnostics.Count > 0 ? string.Join("; ", f.Diagnostics) : null,
            KernelSource = f.KernelSource,
            KernelConfidence = f.KernelConfidence,
            Psnr = psnr,
            Ssim = ssim,
            PsnrBlurry = psnrBlurry,
            SsimBlurry = ssimBlurry,
            KernelSimilarity = ks,
            PsnrSaturationBand = band,
            PsnrSaturationBandBlurry = bandBlurry,
        };
        if (amend != null) r = amend(r);
        // The progress record is written last: its presence marks the frame complete for --resume.
        AtomicFile.WriteAllText(Path.Combine(outDir, ".progress", stem + ".json"), JsonSerializer.Serialize(r, JsonOptions));
        return r;
    }

    private static FrameResult? ReadProgress(string path)
    {
        try { return JsonSerializer.Deserialize<FrameResult>(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    internal static List<FrameResult> CollectResults(string outDir) =>
        Directory.GetFiles(Path.Combine(outDir, ".progress"), "*.json")
            .Select(ReadProgress).Where(r => r != null).Select(r => r!).OrderBy(r => r.Index).ToList();

    internal static async Task WriteParquetAsync(string path, List<FrameResult> rows)
    {
        string tmp = AtomicFile.TempPathFor(path);
        try
        {
            var index = new DataField<long>("index");
            var status = new DataField<string>("status");
            var error = new DataField<string>("error", true);
            var dbl = new[] { "seconds_ingest", "seconds_kernels", "seconds_deconvolve", "seconds_write", "seconds_total", "kernel_confidence" }
                .Select(n => new DataField<double>(n)).ToArray();
            var ints = new[] { "streaks", "kernels", "events_used", "events_window" }.Select(n => new DataField<long>(n)).ToArray();
            var source = new DataField<string>("kernel_source");
            var diagnostics = new DataField<string>("diagnostics", true);
            var opt = new[] { "psnr", "ssim", "kernel_similarity", "psnr_blurry", "ssim_blurry", "latency_s", "backlog_frames", "psnr_sat_band", "psnr_sat_band_blurry" }.Select(n => new DataField<double?>(n)).ToArray();
            var schema = new ParquetSchema([index, status, error, .. dbl, .. ints, source, diagnostics, .. opt]);
            await using (var fs = new FileStream(tmp, FileMode.CreateNew))
            await using (var pw = await ParquetWriter.CreateAsync(schema, fs))
            {
                using var rg = pw.CreateRowGroup();
                await rg.WriteAsync<long>(index, rows.Select(r => r.Index).ToArray());
                await rg.WriteAsync(status, rows.Select(r => r.Status).ToArray());
                await rg.WriteAsync(error, rows.Select(r => r.Error!).ToArray());
                Func<FrameResult, double>[] d = [r => r.SecondsIngest, r => r.SecondsKernels, r => r.SecondsDeconvolve, r => r.SecondsWrite, r => r.SecondsTotal, r => r.KernelConfidence];
                for (int i = 0; i < dbl.Length; i++) await rg.WriteAsync<double>(dbl[i], rows.Select(d[i]).ToArray());
                Func<FrameResult, long>[] n = [r => r.Streaks, r => r.Kernels, r => r.EventsUsed, r => r.EventsInWindow];
                for (int i = 0; i < ints.Length; i++) await rg.WriteAsync<long>(ints[i], rows.Select(n[i]).ToArray());
                await rg.WriteAsync(source, rows.Select(r => r.KernelSource).ToArray());
                await rg.WriteAsync(diagnostics, rows.Select(r => r.Diagnostics!).ToArray());
                Func<FrameResult, double?>[] o = [r => r.Psnr, r => r.Ssim, r => r.KernelSimilarity, r => r.PsnrBlurry, r => r.SsimBlurry, r => r.LatencySeconds, r => r.BacklogFrames, r => r.PsnrSaturationBand, r => r.PsnrSaturationBandBlurry];
                for (int i = 0; i < opt.Length; i++) await rg.WriteAsync<double>(opt[i], (ReadOnlyMemory<double?>)rows.Select(o[i]).ToArray());
            }
            AtomicFile.Commit(tmp, path);
        }
        catch
        {
            AtomicFile.TryDelete(tmp);
            throw;
        }
    }

    private static void WriteRunJson(string outDir, RecordingBundle bundle, ReplayOptions o, IKernelEstimator kernels, DateTimeOffset started, DateTimeOffset? finished, string status, JsonObject? frames)
    {
        var run = new JsonObject
        {
            ["format"] = "eventdeblur-output/1",
            ["tool"] = "eventdeblur",
            ["version"] = ToolVersion,
            ["status"] = status,
            ["input_bundle"] = bundle.Root,
            ["started"] = started.ToString("O"),
            ["finished"] = finished?.ToString("O"),
            ["options"] = new JsonObject
            {
                ["deconvolver"] = o.Deconvolver,
                ["kernels"] = kernels.Name,
                ["resume"] = o.Resume,
                ["fail_fast"] = o.FailFast,
                ["channel_capacity"] = o.ChannelCapacity,
                ["event_margin_us"] = o.EventMarginUs,
                ["deconvolve_workers"] = o.DeconvolveWorkers,
                ["tile_overlap_px"] = o.Deblur.OverlapPx,
            },
            ["frames"] = frames,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "run.json"), run.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Collects the events of one window from time-ordered batches.</summary>
    private sealed class WindowEvents(TimeRangeUs window)
    {
        private readonly List<long> _t = [];
        private readonly List<short> _x = [];
        private readonly List<short> _y = [];
        private readonly List<bool> _p = [];

        public TimeRangeUs Window { get; } = window;

        public void Add(EventBatch b)
        {
            var t = b.Timestamps;
            if (t.Length == 0 || t[^1] < Window.StartUs || t[0] >= Window.EndUs) return;
            int lo = LowerBound(t, Window.StartUs), hi = LowerBound(t, Window.EndUs);
            for (int i = lo; i < hi; i++)
            {
                _t.Add(t[i]);
                _x.Add(b.Xs[i]);
                _y.Add(b.Ys[i]);
                _p.Add(b.Polarities[i]);
            }
        }

        public EventSlice ToSlice() => new(_t.ToArray(), _x.ToArray(), _y.ToArray(), _p.ToArray());

        private static int LowerBound(ReadOnlySpan<long> t, long v)
        {
            int lo = 0, hi = t.Length;
            while (lo < hi) { int mid = (lo + hi) >> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
            return lo;
        }
    }
}
