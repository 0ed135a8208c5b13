using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EventDeblur.Deconvolution;
using EventDeblur.Events;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;

namespace EventDeblur.Live;

/// <summary>
/// The live rig: DV network streams of events and triggers plus an OpenCV video source, through the
/// same kernel and deconvolution stages as replay. Exposures come from the trigger edges and are
/// matched to RGB frames in order; a frame is processed once the events past its exposure end (plus
/// margin) have arrived. Where it falls behind it drops the oldest waiting frame, and counts it.
/// A stream that drops is reconnected for as long as the run lasts: frames wait for it (an outage does not end the
/// run); only streams that are connected but quiet for <see cref="LiveOptions.StreamEndGraceS"/> count as ended. A
/// source that restarts (its timestamps go back) starts a new epoch: events and exposures of different epochs are on
/// different clocks and are never paired; an exposure whose events were lost to a restart fails its frame.
/// </summary>
public static class LivePipeline
{
    /// <summary>Runs until the duration elapses, the RGB source ends and all frames are done, or cancellation.</summary>
    public static async Task<LiveSummary> RunAsync(LiveOptions o, IKernelEstimator kernelSource, Action<string>? progress = null, CancellationToken ct = default)
    {
        if (o.MaxWaitingFrames is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(o.MaxWaitingFrames), o.MaxWaitingFrames, "MaxWaitingFrames must be 1..10000");
        // Not cancelled by ct: a signal this early must still leave OUT with its run.json ("cancelled"), which the first
        // checkpoint below writes (stop 46: SIGTERM ms after start left an OUT without run.json, which live then disowned).
        var rig = RecordingManifest.Parse(await File.ReadAllTextAsync(o.RigPath, CancellationToken.None), o.RigPath);
        var rgb = rig.Rgb ?? throw new BundleException($"{o.RigPath}: a live rig needs an 'rgb' block (encoding and levels of the video)");
        var deconvolver = o.Methods.CreateDeconvolver(o.Deconvolver, o.Quality);
        // With an adaptive rung, the fast one for frames that have others waiting behind them.
        var fastDeconvolver = o.AdaptiveQuality && o.Quality != DeconvolutionQuality.Fast ? o.Methods.CreateDeconvolver(o.Deconvolver, DeconvolutionQuality.Fast) : deconvolver;
        // A live run always starts afresh: its folder must be empty or an earlier live run's (replaced), unless forced.
        using var owned = RunFolder.Lock(o.OutDir);
        RunFolder.Claim(o.OutDir, new RunIdentity("live", null, null, []), o.Force ? RunFolderUse.Force : RunFolderUse.Fresh);
        var output = new RunWriter(o.OutDir);
        var started = DateTimeOffset.UtcNow;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (o.DurationS is double d) stop.CancelAfter(TimeSpan.FromSeconds(d));
        var token = stop.Token;

        var store = new EventStore(o.MaxBufferedEvents);
        // Held while the events' clock moves on (the buffer set aside, the epoch written) and while the dispatch loop reads
        // the epoch with the buffer, slices it or trims it.
        var clockGate = new object();
        // One damaged timestamp that throws time forward must not make every later event "go back" and be dropped (stop 45's
        // live trial: one flipped bit lost the rest of the connection's 399 766 events; replay loses that one event): the
        // events after a forward jump of over a second are held back until the stream shows which side is right, as convert
        // does. Per epoch (a restarted source's clock is another); its counts are kept across epochs.
        var sanitizer = new EventSanitizer(0, 0, LiveHeldEvents, LiveHeldSpanUs);
        long sanitizedBackward = 0, sanitizedJumped = 0;
        // Stretches of the events stream whose packets were lost (from the last event before to the first after, µs).
        var losses = new List<StreamLoss>();
        var exposures = new List<(TimeRangeUs Range, int Epoch, int Line)>();
        var pairer = new TriggerEdgePairer(o.TriggerActiveLow);
        int eventsEpoch = 0, triggersEpoch = 0;
        long triggersReceived = 0;
        var clock = new EventClock();
        var wall = Stopwatch.StartNew();
        var problems = new List<Problem>();
        void Report(Problem p) { lock (problems) problems.Add(p); }
        // Silences of both streams while connected with frames waiting (stop 46: a server stalled for 20 s ended the run
        // with neither a word nor a gap): each is a gap of the run (run.json's gaps), written by the dispatch loop.
        var stalls = new List<StreamGap>();

        var (eh, ep) = DvStreamClient.ParseUri(o.EventsUri);
        var (th, tp) = DvStreamClient.ParseUri(o.TriggersUri);
        DvStreamClient? eventsClient = null, triggersClient = null;
        using var scratch = EventBatch.Rent(256);
        // Streams of the other kind on a port (--events and --triggers swapped): said once per stream, at once.
        int eventsServeTriggers = 0, triggersServeEvents = 0;
        // The port that sent only the other kind (a DV stream carries one kind): no data of its own kind will come, so the
        // run stops at once instead of waiting out the streams' grace (stop 42: 20 s, then exit 1).
        var wrongKind = new List<string>();
        void Swapped(ref int flag, string stream, string uri, string holds, string expected)
        {
            // Counted (the stop below needs more than one stray packet); said once, with the port listed before the count
            // is seen (review of stop 43: the stop's message could miss it).
            lock (wrongKind) if (!wrongKind.Contains(uri)) wrongKind.Add(uri);
            if (Interlocked.Increment(ref flag) != 1) return;
            var problem = Problem.Error($"{stream} stream {uri}", $"it sends {holds}, not {expected}: are --events and --triggers swapped?");
            Report(problem);
            progress?.Invoke($"problem: {problem.Plain}");
        }
        eventsClient = new DvStreamClient("events", eh, ep, p =>
        {
            if (p is TriggersPacket) Swapped(ref eventsServeTriggers, "events", o.EventsUri, "trigger packets", "events");
            if (p is not EventsPacket e) return;
            using (e.Events)
            {
                if (eventsClient!.Epoch != Volatile.Read(ref eventsEpoch))
                {
                    // The source restarted, or its clock was reset: what is buffered is on its old clock, set aside for the
                    // frames of that clock still waiting.
                    // The buffer set aside and the epoch moved on together (clockGate): the dispatch loop never reads one
                    // without the other (review of stop 48).
                    long kept;
                    lock (clockGate)
                    {
                        kept = store.Retire(Volatile.Read(ref eventsEpoch));
                        Volatile.Write(ref eventsEpoch, eventsClient.Epoch);
                    }
                    clock.Reset();
                    // (Events still held back after a forward jump are of the old clock too: they are discarded, and counted.)
                    sanitizer.Flush(scratch);
                    long discarded = scratch.Count;
                    sanitizedBackward += sanitizer.Backward + discarded;
                    sanitizedJumped += sanitizer.JumpedForward;
                    sanitizer = new EventSanitizer(0, 0, LiveHeldEvents, LiveHeldSpanUs);
                    // Stretches lost on the old clock say nothing of the new one's times.
                    lock (losses) losses.Clear();
                    Report(Problem.Error("events stream", $"{eventsClient.EpochCause}; the {kept} buffered events of its old clock are kept apart for that clock's frames still waiting" +
                                                          (discarded > 0 ? $" ({discarded} held back after a jump forward are dropped)" : "")));
                }
                store.Arrived(e.Events.Count);
                sanitizer.Filter(e.Events);
                if (e.Events.Count == 0) return;
                long arrivedUs = (long)(wall.Elapsed.TotalMilliseconds * 1000);
                clock.Observe(arrivedUs, e.Events.Timestamps[^1]);
                lock (losses)
                    for (int k = 0; k < losses.Count; k++)
                        if (losses[k].ToUs == null) losses[k] = losses[k] with { ToUs = e.Events.Timestamps[0] };
                store.Add(e.Events);
            }
        })
        {
            OnConnectionChange = progress,
            // A packet the stream's reader skipped (a corrupt body, a damaged header) lost its events: an error of the run,
            // and the time it fell in is remembered, so a frame whose window it overlaps says so.
            OnProblem = (p, lastUs) =>
            {
                var problem = Problem.Error($"events stream {o.EventsUri}", p.Message);
                if (p.Severity != ProblemSeverity.Error) problem = problem with { Severity = p.Severity };
                Report(problem);
                // Only a packet the reader left out loses events (not, e.g., an event reported as going back, which is delivered).
                if (p.Severity == ProblemSeverity.Error && (p.Message.Contains("packet skipped", StringComparison.Ordinal) || p.Message.Contains("is not read", StringComparison.Ordinal)))
                    lock (losses) losses.Add(new StreamLoss(lastUs, null, p.Message));
            },
        };
        triggersClient = new DvStreamClient("triggers", th, tp, p =>
        {
            if (p is EventsPacket ev) { ev.Events.Dispose(); Swapped(ref triggersServeEvents, "triggers", o.TriggersUri, "event packets", "triggers"); return; }
            if (p is not TriggersPacket t) return;
            lock (exposures)
            {
                if (triggersClient!.Epoch != triggersEpoch)
                {
                    // The source restarted: an edge left open on the old clock cannot pair with one on the new.
                    pairer.Finish();
                    foreach (var q in pairer.Problems) Report(q);
                    pairer = new TriggerEdgePairer(o.TriggerActiveLow);
                    triggersEpoch = triggersClient.Epoch;
                    Report(Problem.Error("triggers stream", triggersClient.EpochCause));
                }
                foreach (var tr in t.Triggers)
                {
                    triggersReceived++;
                    if (pairer.Add(tr) is { } exposure) exposures.Add((exposure, triggersEpoch, triggersClient.Restarts));
                }
            }
        })
        {
            OnConnectionChange = progress,
            OnProblem = (p, _) => Report(p.Severity == ProblemSeverity.Error ? Problem.Error($"triggers stream {o.TriggersUri}", p.Message) : Problem.Note($"triggers stream {o.TriggersUri}", ProblemLocation.None, p.Message)),
        };
        // The stretches of the events stream's current clock that it lost: packets its reader skipped, and the data each
        // dropped connection lost (from its last event before to its first after; not across a restart of the source).
        List<StreamLoss> LostStretches()
        {
            List<StreamLoss> list;
            lock (losses) list = [.. losses];
            return Stretches(list, eventsClient!.Gaps);
        }
        using var streams = CancellationTokenSource.CreateLinkedTokenSource(token);
        var eventsTask = eventsClient.RunAsync(streams.Token);
        var triggersTask = triggersClient.RunAsync(streams.Token);

        // RGB frames from OpenCV, in order; blocking reads on a thread of their own (not a pool thread).
        // Bounded: a source read faster than real time (a file) waits here instead of filling memory; a camera never fills it.
        var frames = Channel.CreateBounded<(int Ordinal, LinearImage? Image, int Depth, long? TimeUs)>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });
        // Frames of an image sequence that could not be read (missing, damaged): their reason, by ordinal. Such a frame still
        // takes its place in the sequence, so it is paired with its own exposure and dropped with the reason.
        var unreadable = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        var capture = Task.Factory.StartNew(() =>
        {
            if (RigVideo.IsImageSequence(o.RgbSource) && RigVideo.CanExpandSequence(o.RgbSource))
            {
                int n = 0;
                foreach (var (file, raw, error) in RigVideo.ReadSequence(o.RgbSource))
                {
                    if (token.IsCancellationRequested) { raw?.Dispose(); break; }
                    LinearImage? img = null;
                    int depth = 0;
                    using (raw)
                        if (raw != null)
                        {
                            img = LinearImage.FromRaw(raw, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
                            depth = LinearImage.DepthOf(raw);
                        }
                    if (error != null) unreadable[n] = error;
                    try { frames.Writer.WriteAsync((n++, img, depth, null), token).AsTask().GetAwaiter().GetResult(); }
                    catch (OperationCanceledException) { break; }
                }
                frames.Writer.TryComplete();
                return;
            }
            using var cap = RigVideo.OpenCapture(o.RgbSource);
            if (!cap.IsOpened()) { frames.Writer.TryComplete(new IOException("the RGB source cannot be opened")); return; }
            using var m = new Mat();
            int k = 0;
            while (!token.IsCancellationRequested && cap.Read(m) && !m.Empty())
            {
                var img = LinearImage.FromRaw(m, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
                // The source's own stamp of the frame (a camera's buffer time, a stream's presentation time; 0 for an image sequence).
                double ms = cap.Get(VideoCaptureProperties.PosMsec);
                long? stamp = double.IsFinite(ms) && ms >= 0 && ms < 9e12 ? (long)Math.Round(ms * 1000) : null;
                try { frames.Writer.WriteAsync((k++, img, LinearImage.DepthOf(m), stamp), token).AsTask().GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { break; }
            }
            frames.Writer.TryComplete();
        }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        long dropped = 0;
        // Every RGB frame gets a row: a frame that is not deblurred is recorded as failed and dropped, with its reason.
        void Drop(long index, TimeRangeUs? exposure, string reason)
        {
            Report(Problem.Error("", ProblemLocation.AtFrame(index), reason));
            output.Complete(new FrameResult { Index = index, Status = "failed", Dropped = true, Error = reason, ExposureStartUs = exposure?.StartUs, ExposureEndUs = exposure?.EndUs });
        }
        var toKernels = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(o.MaxPendingFrames) { FullMode = BoundedChannelFullMode.DropOldest },
            f => { Interlocked.Increment(ref dropped); Drop(f.Index, f.Exposure, "dropped (pipeline behind)"); });
        var toDeconvolve = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });
        var toWrite = Channel.CreateBounded<FrameWork>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });
        var kernels = StageRunner.Run(toKernels.Reader, toDeconvolve.Writer, 1, f =>
        {
            var sw = Stopwatch.StartNew();
            if (f.OutsideEvents != null && kernelSource.Name == "events")
            {
                // No event of its exposure came: "kernels from events" would pass the blurry input as "ok" (stop 42).
                f.Error = f.OutsideEvents;
                return;
            }
            f.Apply(kernelSource.Estimate(f.ToKernelRequest() with { Cancellation = ct }));
            f.Times.Kernels = sw.Elapsed.TotalSeconds;
        }, ct);
        var deconvolve = StageRunner.Run(toDeconvolve.Reader, toWrite.Writer, 1, f =>
        {
            var sw = Stopwatch.StartNew();
            long waiting = toKernels.Reader.Count + toDeconvolve.Reader.Count;
            f.BacklogAtDeconvolve = waiting;
            bool behind = o.AdaptiveQuality && waiting > 0;
            var d = behind ? fastDeconvolver : deconvolver;
            bool rungs = o.Methods.HasQualityRungs(o.Deconvolver);
            var rung = behind ? DeconvolutionQuality.Fast : o.Quality;
            f.Quality = rungs ? rung.Name() : null;
            // The tiling follows the rung only for deconvolvers that have rungs (for the others --quality changes nothing).
            var tiling = DeblurOptions.ForQuality(rungs ? rung : DeconvolutionQuality.Balanced);
            f.Guard = GuardTally.Collect(() => f.Sharp = TiledDeblurrer.Deblur(f.Blurry!.ForDeconvolution(f.Encoding!), f.Kernels!, d, f.Encoding!.SaturationLinear, tiling, ct), $"index {f.Index}");
            f.Times.Deconvolve = sw.Elapsed.TotalSeconds;
        }, ct);
        var results = new List<FrameResult>();
        // The events the frame already holds (its window plus margins) are all that is written: never the stream.
        var eventsMetadata = new Dictionary<string, string>
        {
            [ParquetMetadata.CameraKey] = rig.Events.Camera,
            [ParquetMetadata.SourceFileKey] = o.EventsUri,
            [ParquetMetadata.TimeOriginKey] = "the events stream's own clock (source_file), as received: t is not shifted; the window is the frame's exposure from the trigger stream shifted by event_latency_us",
            ["mode"] = "live",
            ["event_latency_us"] = o.EventLatencyUs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        async Task KeepEventsAsync(FrameWork f, TimeRangeUs exposure)
        {
            var window = new TimeRangeUs(exposure.StartUs + o.EventLatencyUs, exposure.EndUs + o.EventLatencyUs);
            var m = new Dictionary<string, string>(eventsMetadata)
            {
                [ParquetMetadata.SensorWidthKey] = f.EventSensorSize.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [ParquetMetadata.SensorHeightKey] = f.EventSensorSize.Height.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            try
            {
                var kept = await FrameEventsFile.WriteAsync(o.OutDir, f.Index, f.Events, window, f.FrameToEvents, o.MaxKeptEventsPerFrame, m, ct);
                if (kept.Stride > 1)
                    Report(Problem.Note("", ProblemLocation.AtFrame(f.Index), $"{kept.InWindow} events in its exposure window {window}, more than the {o.MaxKeptEventsPerFrame} kept per frame: 1 in {kept.Stride} kept ({kept.Kept}) in {FrameEventsFile.FileOf(f.Index)}"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Report(Problem.Error("", ProblemLocation.AtFrame(f.Index), $"its exposure's events cannot be kept: {e.Message}"));
            }
        }
        // run.json and frames.parquet as the run stands: written at the start and every CheckpointS while it works (status
        // "running"), so a run killed (SIGKILL, out of memory, power) leaves a folder that says what it was and what each
        // frame so far came to — stop 45's live trial: a killed run left neither, report and live disowned the folder, and
        // --force removed its frames — and at the end, completed or cancelled.
        RunManifest Manifest(string status, IReadOnlyList<FrameResult> all, IReadOnlyList<StreamGap> gaps, long droppedEvents, DateTimeOffset? finished)
        {
            Problem[] listed;
            lock (problems) listed = [.. problems];
            return new RunManifest
            {
                Mode = "live",
                Status = status,
                Started = started,
                Finished = finished,
                Options = new JsonObject { ["events"] = o.EventsUri, ["triggers"] = o.TriggersUri, ["rgb"] = o.RgbSource, ["rig"] = Path.GetFullPath(o.RigPath), ["deconvolver"] = o.Deconvolver, ["quality"] = !o.Methods.HasQualityRungs(o.Deconvolver) ? null : o.AdaptiveQuality ? $"auto (up to {o.Quality.Name()})" : o.Quality.Name(), ["kernels"] = kernelSource.Name, ["event_latency_us"] = o.EventLatencyUs, ["max_kept_events"] = o.MaxKeptEventsPerFrame, ["trigger_polarity"] = o.TriggerActiveLow ? "low" : "high", ["blur_check"] = Methods.FrameCheckedKernels.RunOption(kernelSource), ["window_check"] = Methods.FrameCheckedKernels.WindowRunOption(kernelSource) },
                Extra =
                [
                    new("events_received", store.Received),
                    new("triggers_received", Interlocked.Read(ref triggersReceived)),
                    // Every frame not deblurred (as the summary counts them), and of those the ones dropped because the pipeline was behind.
                    new("dropped_frames", all.Count(r => r.Dropped == true)),
                    new("dropped_frames_pipeline_behind", Interlocked.Read(ref dropped)),
                    new("dropped_events", droppedEvents),
                    new("gaps", new JsonArray(gaps.Select(g => (JsonNode?)g.ToString()).ToArray())),
                    new("problems", new JsonArray(listed.Select(p => (JsonNode?)p.ToString()).ToArray())),
                    new("problem_records", Problem.ToJsonArray(listed)),
                ],
            };
        }
        async Task CheckpointAsync()
        {
            var all = output.Results();
            var running = Manifest("running", all, [.. eventsClient!.Gaps, .. triggersClient!.Gaps, .. stalls],
                store.Dropped + store.OutOfOrder + sanitizedBackward + sanitizer.Backward + sanitizedJumped + sanitizer.JumpedForward, null);
            try
            {
                await FramesParquet.WriteAsync(Path.Combine(o.OutDir, "frames.parquet"), all, FramesParquet.RunMetadata(running, rig, o.EventsUri));
                running.Write(o.OutDir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(Problem.Note("", ProblemLocation.None, $"the run's checkpoint (run.json, frames.parquet) not written: {e.Message}")); }
        }
        await CheckpointAsync();
        var lastCheckpoint = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            await foreach (var f in toWrite.Reader.ReadAllAsync(ct))
            {
                // From the exposure's end at the source: its event-clock time mapped to the wall clock by the smallest delay seen,
                // at the source's measured pace when that is not real time (EventClock; stop 46: under serve --speed 0.25 the
                // latency grew without bound).
                double? latency = f.Exposure is { } ex && clock.WallOf(ex.EndUs) is long endedUs ? (wall.Elapsed.TotalMilliseconds * 1000 - endedUs) / 1e6 : null;
                // The backlog the frame's rung was chosen by (a frame that failed before deconvolution: the one now).
                long backlog = f.BacklogAtDeconvolve ?? toKernels.Reader.Count + toDeconvolve.Reader.Count;
                var r = FrameFinisher.Finish(output, f, x => x with { LatencySeconds = latency, BacklogFrames = backlog, Dropped = false });
                lock (results) results.Add(r);
                if (o.MaxKeptEventsPerFrame > 0 && f.Exposure is { } exposure) await KeepEventsAsync(f, exposure);
                progress?.Invoke($"frame {r.Index}: {r.Status}{(r.Error != null ? $" ({r.Error})" : "")}, {(latency is double l ? $"latency {l:F2} s" : "no latency (no events)")}, backlog {backlog}, events received so far {store.Received:N0}, frames dropped so far {Interlocked.Read(ref dropped)}");
            }
        });

        // Dispatch: pair the k-th RGB frame with the k-th exposure once its events are in.
        var waiting = new Queue<(int Ordinal, LinearImage? Image, int Depth, long? TimeUs)>();
        var pairing = new FrameExposurePairer();
        var exposureView = new ExposureRanges(exposures);
        int framelessExposures = 0;
        bool abandonReported = false;
        // Stamps given up mid-run (they stopped increasing, or do not advance with the exposures): said once.
        void ReportAbandon(int ordinal)
        {
            if (abandonReported || string.IsNullOrEmpty(pairing.TimestampsAbandoned)) return;
            abandonReported = true;
            Report(Problem.Note(o.RgbSource, ProblemLocation.AtFrame(ordinal), pairing.TimestampsAbandoned));
        }
        // Frames handed to the stages, with their exposure (written by the dispatch loop only): one abandoned by Ctrl+C / SIGTERM still gets its row.
        var dispatched = new Dictionary<long, TimeRangeUs>();
        int next = 0;
        // The trigger source's restart count (DvStreamClient.Restarts) of the exposures that frames have taken (the first one
        // taken sets it). In arrival order the k-th frame takes the k-th exposure, a count that only holds between restarts: a
        // restarted source lost an unknown number of exposures (serve plays its recording again from the first), so an
        // exposure after a restart cannot be given to a frame by counting. A reset of its clock within a connection lost
        // none, so the count goes on across it (a new epoch, the same line).
        int? countLine = null;
        bool rgbDone = false;
        var streamQuiet = Stopwatch.StartNew();
        int owed = 0;
        long lastSeen = -1;
        long lastPackets = 0;
        bool lostReported = false;
        string? stopped = null;
        Stopwatch? wrongSince = null;
        // The silence under way (an index into stalls; -1: none), the source's clock when it began, whether it has ended the
        // waiting, and how long both streams have been connected and silent.
        int stall = -1, stallEpoch = 0;
        bool stallEnded = false;
        var connectedSilence = Stopwatch.StartNew();
        double nextEventsTell = 2, nextTriggersTell = 2;
        try
        {
            while (!token.IsCancellationRequested)
            {
                // A stream not connected yet is said at 2 s and every 10 s after (stop 42: nothing was printed for 20 s).
                if (eventsClient.Connections == 0 || triggersClient.Connections == 0)
                    foreach (var (client, uri) in new[] { (eventsClient, o.EventsUri), (triggersClient, o.TriggersUri) })
                        if (client.Connections == 0 && wall.Elapsed.TotalSeconds >= (client == eventsClient ? nextEventsTell : nextTriggersTell))
                        {
                            ref double nextTell = ref client == eventsClient ? ref nextEventsTell : ref nextTriggersTell;
                            progress?.Invoke($"{client.Name} stream {uri}: not connected after {wall.Elapsed.TotalSeconds:0} s{(client.LastFailure.Length > 0 ? $" (last attempt: {client.LastFailure})" : "")}; retrying every 0.1–2 s");
                            nextTell = nextTell < 10 ? 10 : nextTell + 10;
                        }
                // A port of the other kind that has sent nothing of its own: stop (see wrongKind) when both ports are swapped,
                // or when one has sent several packets of the other kind and none of its own for a second (a stray packet
                // before the first of its own kind stops nothing: the second's clock restarts whenever the state clears).
                bool eventsWrong = Volatile.Read(ref eventsServeTriggers) > 0 && store.Received == 0;
                bool triggersWrong = Volatile.Read(ref triggersServeEvents) > 0 && Interlocked.Read(ref triggersReceived) == 0;
                bool persistent = (eventsWrong && Volatile.Read(ref eventsServeTriggers) >= WrongKindPackets) || (triggersWrong && Volatile.Read(ref triggersServeEvents) >= WrongKindPackets);
                if (!(eventsWrong || triggersWrong)) wrongSince = null;
                else wrongSince ??= Stopwatch.StartNew();
                if ((eventsWrong && triggersWrong) || (persistent && wrongSince?.Elapsed.TotalSeconds > 1))
                {
                    var named = new List<string>();
                    if (eventsWrong) named.Add(o.EventsUri);
                    if (triggersWrong) named.Add(o.TriggersUri);
                    stopped = $"{string.Join(" and ", named)} sen{(named.Count == 1 ? "ds" : "d")} the other kind of stream (are --events and --triggers swapped?)";
                    lock (wrongKind) { wrongKind.Clear(); wrongKind.AddRange(named); }
                    progress?.Invoke($"stopping: {stopped}");
                    // The RGB capture stops too (a camera would go on for ever); as at the end of --duration-s.
                    await stop.CancelAsync();
                    break;
                }
                while (waiting.Count < o.MaxWaitingFrames && frames.Reader.TryRead(out var fr))
                {
                    waiting.Enqueue(fr);
                    pairing.Observe(fr.TimeUs);
                    ReportAbandon(fr.Ordinal);
                }
                if (frames.Reader.Completion.IsCompleted)
                {
                    if (frames.Reader.Completion.IsFaulted) { Report(Problem.Error(o.RgbSource, frames.Reader.Completion.Exception!.GetBaseException().Message)); break; }
                    rgbDone = true;
                }
                // The events' epoch before their latest time: the restart handler empties the buffer before it moves the epoch on,
                // so `latest` is never older than `epoch`'s clock.
                int epoch;
                long latest;
                lock (clockGate) { epoch = Volatile.Read(ref eventsEpoch); latest = store.LatestUs; }
                double silentBefore = connectedSilence.Elapsed.TotalSeconds;
                if (latest != lastSeen) { lastSeen = latest; streamQuiet.Restart(); }
                // Data on either stream starts the quiet time afresh; a reconnection alone does not (stop 42: a server that
                // accepted every connection and sent nothing usable restarted the grace at each one and kept the run waiting for ever).
                long packetsIn = eventsClient.Packets + triggersClient.Packets;
                if (packetsIn != lastPackets) { lastPackets = packetsIn; streamQuiet.Restart(); }
                // The silence of a stall counts only while both streams are connected (stop 46's review: time spent
                // reconnecting, already a gap of its own, was said again as a stall after every reconnection).
                bool bothConnected = eventsClient.IsConnected && triggersClient.IsConnected;
                if (!bothConnected || streamQuiet.Elapsed.TotalSeconds < silentBefore) connectedSilence.Restart();
                if (stall >= 0 && connectedSilence.Elapsed.TotalSeconds < silentBefore)
                {
                    // Data again (or a connection dropped) after a silence that was said: how long it lasted, in the record and
                    // on the console; a time of the same clock only (a restarted source's is another clock's).
                    bool sameClock = eventsClient.Epoch == stallEpoch;
                    lock (stalls) stalls[stall] = stalls[stall] with
                    {
                        ResumedTimestampUs = bothConnected && sameClock ? eventsClient.LastTimestampUs : null,
                        Reason = $"connected but silent for {silentBefore:0.0} s" + (stallEnded ? " (the frames waiting for an exposure were dropped when the silence outlasted the grace)" : " with frames waiting")
                                 + (bothConnected ? "" : "; then a connection was lost") + (sameClock ? "" : "; the source restarted"),
                    };
                    if (bothConnected) progress?.Invoke($"events and triggers streams: data again after {silentBefore:0.0} s of silence");
                    stall = -1;
                    stallEnded = false;
                }
                // Said once the silence outlasts StallReportS and twice the longest interval between the rig's exposures seen
                // so far (stop 46's review: a rig exposing every 7 s was "silent" between every two exposures).
                // (Over the last 8 exposures: one long pause, or one trigger time thrown forward, does not silence the notice
                // for the rest of the run; stop 46's second review.)
                long longestIntervalUs = 0;
                lock (exposures)
                    for (int k = Math.Max(1, exposures.Count - 8); k < exposures.Count; k++)
                        if (exposures[k].Epoch == exposures[k - 1].Epoch)
                            longestIntervalUs = Math.Max(longestIntervalUs, exposures[k].Range.StartUs - exposures[k - 1].Range.StartUs);
                double stallAfter = Math.Max(o.StallReportS, 2 * longestIntervalUs / 1e6);
                if (stall < 0 && waiting.Count > 0 && bothConnected && connectedSilence.Elapsed.TotalSeconds >= stallAfter)
                {
                    lock (stalls)
                    {
                        stalls.Add(new StreamGap("events and triggers", eventsClient.LastTimestampUs, null, $"connected but silent for {stallAfter:0.#} s or more with frames waiting") { Silent = true });
                        stall = stalls.Count - 1;
                    }
                    stallEpoch = eventsClient.Epoch;
                    progress?.Invoke($"events stream {o.EventsUri} and triggers stream {o.TriggersUri}: connected, but nothing received for {stallAfter:0.#} s with {waiting.Count} frame(s) waiting (a paused or hung source?); " +
                                     $"a frame waits up to {Math.Max(o.StreamEndGraceS, o.StreamLostGraceS):0.#} s of silence for its exposure");
                }
                // Ended: connected and quiet. A stream that is down is being reconnected; its frames wait for it. A frame
                // whose exposure has not come yet gets the longer grace: a rig's triggers may be seconds apart (a slow
                // frame rate, a slowed serve), and its streams quiet between exposures.
                bool exposurePending;
                lock (exposures) exposurePending = waiting.Count > 0 && exposures.Count <= next;
                double quietGrace = exposurePending ? Math.Max(o.StreamEndGraceS, o.StreamLostGraceS) : o.StreamEndGraceS;
                bool streamEnded = streamQuiet.Elapsed.TotalSeconds > quietGrace && bothConnected;
                if (streamEnded && exposurePending && !stallEnded)
                {
                    // The silence outlasted the longer grace with a frame waiting for its exposure: the frames without one are
                    // dropped now. Said as what it was (a connected, silent source), not only as frames without an exposure.
                    // (The short grace, for the events of an exposure that came, ends nothing: that frame is deblurred with
                    // the events that arrived, as before; stop 46's review.)
                    stallEnded = true;
                    // (The silence while connected: time spent reconnecting is a gap of its own.)
                    string silent = $"connected but silent for {connectedSilence.Elapsed.TotalSeconds:0.#} s";
                    lock (stalls)
                    {
                        if (stall < 0)
                        {
                            stalls.Add(new StreamGap("events and triggers", eventsClient.LastTimestampUs, null, "") { Silent = true });
                            stall = stalls.Count - 1;
                            stallEpoch = eventsClient.Epoch;
                        }
                        stalls[stall] = stalls[stall] with { Reason = $"{silent}: the frames waiting for an exposure were dropped" };
                    }
                    Report(Problem.Error($"events stream {o.EventsUri} and triggers stream {o.TriggersUri}",
                        $"{silent} with a frame waiting for its exposure (a stalled source, or one that ended without closing its connections): the frames without an exposure are dropped"));
                }
                // Gone: the RGB source is over and a stream stayed down past its grace (a server that closed for good).
                if (rgbDone && waiting.Count > 0 && !bothConnected && streamQuiet.Elapsed.TotalSeconds > o.StreamLostGraceS)
                {
                    if (!lostReported)
                    {
                        // Which stream, and what it did: never connected, or no data for the time measured (stop 42: "down
                        // for 20 s" was said of a stream that never connected, and of one unusable for 120 s).
                        // Of two streams down, the one that never sent a packet (stop 46: a silent triggers server was passed over
                        // for the events stream, which had delivered every event and closed at its end).
                        var down = new[] { eventsClient, triggersClient }.Where(c => !c.IsConnected).OrderBy(c => c.Packets > 0 ? 1 : 0).First();
                        string state = down.Connections == 0 ? "never connected"
                            : down.Packets == 0 ? $"connected but sent no DV packet{(down.NotDvStream.Length > 0 ? $" (not a DV stream: {down.NotDvStream})" : "")}"
                            : $"no data for {streamQuiet.Elapsed.TotalSeconds:0} s";
                        Report(Problem.Error(down == triggersClient ? $"triggers stream {o.TriggersUri}" : $"events stream {o.EventsUri}",
                            $"{state}, and not connected {o.StreamLostGraceS:0.#} s after the RGB source ended: the {waiting.Count} frame(s) still waiting are finished with the events that arrived"));
                    }
                    lostReported = true;
                    streamEnded = true;
                }
                // Exposures that came after their frames were dropped for having none (arrival order): each goes with its
                // dropped frame, so the frames after it keep their own.
                lock (exposures)
                    while (owed > 0 && next < exposures.Count && (countLine == null || exposures[next].Line == countLine))
                    {
                        Report(Problem.Error(TriggerEdgePairer.Source, $"exposure {exposures[next].Range} came after its frame had been dropped for having none; it is left out, so the next frame takes its own exposure"));
                        next++;
                        owed--;
                    }
                (TimeRangeUs Range, int Epoch, int Line)? exposure = null;
                FrameExposurePairer.Decision decision = default;
                if (waiting.Count > 0)
                    lock (exposures)
                    {
                        decision = pairing.Decide(waiting.Peek().TimeUs, exposureView, next, streamEnded);
                        if (decision.Kind == PairingKind.Pair) exposure = exposures[decision.Exposure];
                    }
                if (waiting.Count > 0) ReportAbandon(waiting.Peek().Ordinal);
                // The exposures the frame's stamp passed over got no frame: the RGB source dropped theirs.
                void SkipTo(int j, string? reason)
                {
                    for (; next < j; next++)
                    {
                        framelessExposures++;
                        TimeRangeUs skipped;
                        lock (exposures) skipped = exposures[next].Range;
                        Report(Problem.Error(TriggerEdgePairer.Source, $"exposure {skipped} got no RGB frame: {reason}"));
                    }
                }
                if (exposure is { } restarted && !pairing.ByTimestamps && countLine is int counted && restarted.Line != counted)
                {
                    // Arrival order across a restart of the trigger source: the frame is dropped, the exposure left for the end's report.
                    var (ordinal, _, _, _) = waiting.Dequeue();
                    Drop(ordinal, null, "the trigger source restarted before this frame's exposure came: in arrival order its exposure on the new clock is unknown (the restart lost, or with serve replayed, an unknown number of exposures)");
                    continue;
                }
                // An exposure of the clock the source has just left whose events were set aside: dispatched with them (its
                // margin's events, if still to come, will not). Once the next exposure is of the current clock, none is left.
                bool onRetired = exposure is { } old && old.Epoch < epoch && store.HasRetired(old.Epoch);
                lock (exposures) if (next < exposures.Count && exposures[next].Epoch >= epoch && store.HasRetired(epoch - 1)) store.DropRetired();
                if (exposure is { } stale && !onRetired && (stale.Epoch < epoch || (stale.Epoch > epoch && streamEnded)))
                {
                    // Its events were on a clock the source has left (or never came on its new one): this frame cannot be deblurred.
                    SkipTo(decision.Exposure, decision.Reason);
                    var (ordinal, _, _, stamp) = waiting.Dequeue();
                    Drop(ordinal, stale.Range, $"exposure {stale.Range} is on the source's clock before a restart; its events are gone");
                    pairing.Paired(stamp, stale.Range);
                    countLine ??= stale.Line;
                    next++;
                    continue;
                }
                // Dispatched once the events reach past the window's margin; or, when the RGB source is over and the streams
                // have closed, once they cover the exposure itself (the margin's events will not come: serve closes after its
                // last event, and waiting for them cost 20 s and an error).
                bool closedAfterRgb = rgbDone && !eventsClient.IsConnected && !triggersClient.IsConnected;
                // Only against events of the exposure's own epoch: a restarted trigger stream can be heard before the events
                // stream's restart, while the buffer still holds the old clock's events.
                if (exposure is { Range: var e, Epoch: var exposureEpoch } && (onRetired || exposureEpoch == epoch && (latest >= e.EndUs + o.EventLatencyUs + o.EventMarginUs || streamEnded
                                                     || (closedAfterRgb && latest >= e.EndUs + o.EventLatencyUs - 1))))
                {
                    SkipTo(decision.Exposure, decision.Reason);
                    var (ordinal, image, depth, stamp) = waiting.Dequeue();
                    if (image == null)
                    {
                        // An image-sequence frame that could not be read: it takes its exposure, so the frames after it keep theirs.
                        Drop(ordinal, e, unreadable.GetValueOrDefault(ordinal, "the RGB frame could not be read"));
                        pairing.Paired(stamp, e);
                        countLine ??= exposure.Value.Line;
                        next++;
                        continue;
                    }
                    var window = new TimeRangeUs(e.StartUs + o.EventLatencyUs, e.EndUs + o.EventLatencyUs).Expand(o.EventMarginUs);
                    // From the events set aside, or the buffer's; should the source leave this clock while the buffer is read, its
                    // events have just been set aside.
                    EventSlice Slice(TimeRangeUs w)
                    {
                        lock (clockGate)
                        {
                            if (!onRetired && Volatile.Read(ref eventsEpoch) != epoch) onRetired = store.HasRetired(epoch);
                            return onRetired ? store.SliceRetired(w) : Volatile.Read(ref eventsEpoch) == epoch ? store.Slice(w) : EventSlice.Empty;
                        }
                    }
                    var f = new FrameWork
                    {
                        Index = ordinal,
                        Exposure = e,
                        FrameToEvents = Homography.FromRowMajor(rig.RgbToEventsHomography),
                        EventSensorSize = store.SensorSize(rig.Events.Width, rig.Events.Height),
                        Events = Slice(window),
                        Blurry = image,
                        Encoding = new LinearImage.Encoding(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, depth),
                    };
                    // The events the stream delivered for its exposure: none (the stream down or broken throughout) fails the frame
                    // with kernels from events; part of it, or a stretch lost to a skipped packet, is said in a note.
                    var shifted = new TimeRangeUs(e.StartUs + o.EventLatencyUs, e.EndUs + o.EventLatencyUs);
                    var (firstUs, lastUs) = onRetired ? store.RetiredExtent : store.Extent;
                    f.OutsideEvents = ExposureCoverage.Gap(ordinal, shifted, firstUs, lastUs, "live")?.Message;
                    if (f.OutsideEvents == null && ExposureCoverage.Partial(shifted, firstUs, lastUs) is { } uncovered)
                        Report(Problem.Note("", ProblemLocation.AtFrame(ordinal), uncovered));
                    // Stretches the stream lost inside its extent: packets its reader skipped, and the data a dropped connection
                    // lost (stop 45's live trial: frames whose exposures fell in a 985-ms outage were written `ok`, the blurry
                    // input, with no word). One that holds the whole exposure fails the frame, as an exposure outside the
                    // stream's extent does; one that overlaps it is a note.
                    if (f.OutsideEvents == null)
                    {
                        var (failure, notes) = JudgeLosses(shifted, onRetired ? [] : LostStretches());
                        f.OutsideEvents = failure;
                        foreach (var note in notes) Report(Problem.Note("", ProblemLocation.AtFrame(ordinal), note));
                    }
                    lock (clockGate) if (!onRetired && Volatile.Read(ref eventsEpoch) == epoch) store.TrimBefore(window.StartUs);
                    pairing.Paired(stamp, e);
                    countLine ??= exposure.Value.Line;
                    next++;
                    dispatched[ordinal] = e;
                    toKernels.Writer.TryWrite(f);
                    continue;
                }
                if (decision.Kind == PairingKind.NoExposure)
                {
                    // A frame whose stamp no exposure is near (a missed trigger), or any frame once the trigger stream has ended without one.
                    var (ordinal, _, _, _) = waiting.Dequeue();
                    Drop(ordinal, null, (decision.Reason ?? "no exposure from the trigger stream (missed trigger or stream ended)")
                                        + (stallEnded ? $"; the events and triggers streams were connected but silent for {connectedSilence.Elapsed.TotalSeconds:0} s" : ""));
                    // In arrival order the next exposure is this frame's: should it still come (the stream was only quiet),
                    // it must not go to the next frame.
                    if (!pairing.ByTimestamps) owed++;
                    continue;
                }
                if (rgbDone && waiting.Count == 0) break;
                // Every CheckpointS, whatever the frames do (a run whose every frame is dropped is recorded too).
                if (lastCheckpoint.Elapsed.TotalSeconds >= CheckpointS) { await CheckpointAsync(); lastCheckpoint.Restart(); }
                await Task.Delay(10, token);
            }
        }
        catch (OperationCanceledException) { /* duration reached or Ctrl+C: finish what is in flight */ }
        // A frame the capture already read but the dispatch had not taken yet is waiting too.
        while (frames.Reader.TryRead(out var unread)) waiting.Enqueue(unread);
        foreach (var (ordinal, _, _, _) in waiting)
        {
            // A frame whose exposure is known takes it along (so it is not reported again as an exposure without a frame).
            TimeRangeUs? range = null;
            lock (exposures)
                if (next < exposures.Count && (pairing.ByTimestamps || countLine == null || exposures[next].Line == countLine))
                    range = exposures[next++].Range;
            Drop(ordinal, range, stopped != null ? $"the run stopped: {stopped}" : "the run ended before its exposure's events arrived");
        }
        waiting.Clear();
        toKernels.Writer.TryComplete();
        // At the end of --duration-s the frames in flight are finished; Ctrl+C / SIGTERM (ct) abandons them.
        try { await Task.WhenAll(kernels, deconvolve, writer); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        // A deconvolution stopped inside its parallel channels reports the cancellation wrapped.
        catch (AggregateException e) when (ct.IsCancellationRequested && e.Flatten().InnerExceptions.All(x => x is OperationCanceledException)) { }
        int unpaired = 0;
        // Ctrl+C / SIGTERM abandons the frames in the stages: each still gets its row, so every RGB frame read is accounted for.
        var recorded = output.Results().Select(r => r.Index).ToHashSet();
        foreach (var (index, range) in dispatched.OrderBy(kv => kv.Key))
            if (!recorded.Contains(index)) Drop(index, range, "the run was stopped (Ctrl+C / SIGTERM) before this frame was deblurred");
        lock (exposures)
        {
            pairer.Finish();
            foreach (var q in pairer.Problems) Report(q);
            // In arrival order, the exposures of the trigger source after its restart that no frame could take (see countLine):
            // said once, not as exposures whose RGB frame was dropped.
            int afterRestart = pairing.ByTimestamps || countLine is not int c ? 0 : exposures.Skip(next).Count(x => x.Line != c);
            if (afterRestart > 0)
                Report(Problem.Error(TriggerEdgePairer.Source, $"{afterRestart} exposure(s) the trigger source sent after its restart got no RGB frame: frames are paired with exposures in arrival order, and a restart breaks that count (the frames after it are dropped with that reason)"));
            unpaired = token.IsCancellationRequested || pairing.ByTimestamps ? 0 : exposures.Count - next - afterRestart;
            if (!token.IsCancellationRequested && pairing.ByTimestamps) framelessExposures += exposures.Count - next;
            if (unpaired > 0 && next > 0)
                Report(Problem.Error(TriggerEdgePairer.Source, $"{unpaired} exposure(s) from the trigger stream got no RGB frame, and frames are paired with exposures in arrival order: if the RGB source dropped a frame during the run (rather than the run ending first), every frame after it was paired with the exposure of the frame before it; check the RGB source's frame count against the triggers"));
            for (int k = next; k < exposures.Count - afterRestart; k++)
                Report(Problem.Error(TriggerEdgePairer.Source, pairing.ByTimestamps
                    ? $"exposure {exposures[k].Range} has no RGB frame: it came after the RGB source's last frame"
                    : $"exposure {exposures[k].Range} has no RGB frame (dropped frame?)"));
        }
        await streams.CancelAsync();
        await Task.WhenAll(eventsTask, triggersTask);
        // A stream that never connected explains every frame problem after it: listed first.
        var neverConnected = new List<string>();
        foreach (var (client, uri) in new[] { (triggersClient, o.TriggersUri), (eventsClient, o.EventsUri) })
            if (client.Connections == 0)
            {
                neverConnected.Insert(0, uri);
                lock (problems) problems.Insert(0, Problem.Error($"{client.Name} stream {uri}", $"never connected during the run{(client.LastFailure.Length > 0 ? $" (last attempt: {client.LastFailure})" : "")}; is the server (DV, or '{ToolCommand.Name} serve') running on that port?"));
            }
        // A stream that connected but never sent a packet (a peer that is not a DV server: a web server, another
        // protocol; or a DV server whose output is not linked): said as such, where it had been "no data for 20 s" of the
        // other stream, or nothing (stop 46's trial).
        var silentStreams = new List<string>();
        foreach (var (client, uri) in new[] { (eventsClient, o.EventsUri), (triggersClient, o.TriggersUri) })
            if (client.Connections > 0 && client.Packets == 0 && !wrongKind.Contains(uri))
            {
                silentStreams.Add(uri);
                string kind = client == eventsClient ? "events" : "triggers";
                string what = client.NotDvStream.Length > 0 ? $"connected ({client.Connections} time(s)), but what it sent is not a DV stream ({client.NotDvStream})"
                    : client.HeaderSeen ? $"connected and sent a DV stream header, but no {kind} packet during the run (a server that waits for a client on each of its ports, as serve does, sends none while another port has none; else, is the camera's {kind} output linked to that server, and running?)"
                    : $"connected ({client.Connections} time(s)) but sent nothing during the run, not even a DV stream header";
                lock (problems) problems.Insert(neverConnected.Count + silentStreams.Count - 1, Problem.Error($"{client.Name} stream {uri}",
                    what + (client.HeaderSeen ? "" : $"; is it a DV server's {kind} output (DV's network TCP server output, or '{ToolCommand.Name} serve')?")));
            }
        try { await capture; } catch (OperationCanceledException) { }

        // The events still held back after a forward jump when the run ended (the stream's events thread has stopped): kept,
        // so that every event received is either in the buffer or counted as dropped.
        sanitizer.Flush(scratch);
        if (scratch.Count > 0) store.Add(scratch);
        long backward = sanitizedBackward + sanitizer.Backward + store.OutOfOrder, jumped = sanitizedJumped + sanitizer.JumpedForward;
        if (backward > 0)
            Report(Problem.Error($"events stream {o.EventsUri}", $"{backward:N0} events went back in time within the stream (damaged timestamps, not a restart) and were dropped, so the frames around them keep their other events"));
        if (jumped > 0)
            Report(Problem.Error($"events stream {o.EventsUri}", $"{jumped:N0} events after a timestamp that jumped over a second forward were dropped: the stream went back on the earlier time, so the jump was damage (one bad timestamp costs these events, not the rest of the stream)"));
        // Every event received and not kept: dropped for time going back or after a damaged jump, or for a full buffer.
        long droppedEvents = store.Dropped + backward + jumped;
        if (store.Dropped > 0)
            Report(Problem.Error($"events stream {o.EventsUri}", $"{store.Dropped:N0} events dropped: more than {o.MaxBufferedEvents:N0} events (LiveOptions.MaxBufferedEvents) were waiting at once for their frames — the events came faster than their frames could be dispatched"));
        var all = output.Results();
        // The contact sheet before run.json, so that a sheet that cannot be written is among the run's problems.
        try { PreviewWriter.WriteContactSheet(o.OutDir, all); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Report(Problem.Note("", ProblemLocation.None, $"{PreviewWriter.ContactSheetFile} not written: {e.Message}")); }
        var gaps = eventsClient.Gaps.Concat(triggersClient.Gaps).Concat(stalls).ToList();
        var manifest = Manifest(ct.IsCancellationRequested ? "cancelled" : "completed", all, gaps, droppedEvents, DateTimeOffset.UtcNow);
        await FramesParquet.WriteAsync(Path.Combine(o.OutDir, "frames.parquet"), all, FramesParquet.RunMetadata(manifest, rig, o.EventsUri));
        manifest.Write(o.OutDir);
        return new LiveSummary(all, store.Received, triggersReceived, dropped, droppedEvents, gaps, problems) { UnpairedExposures = unpaired, FramelessExposures = framelessExposures, PairedByTimestamps = pairing.ByTimestamps, NeverConnected = neverConnected, Silent = silentStreams, WrongKind = stopped == null ? [] : [.. wrongKind] };
    }

    /// <summary>Seconds between the checkpoints of a working run's run.json and frames.parquet (status "running").</summary>
    private const double CheckpointS = 10;

    /// <summary>Most events held back after a forward time jump before it counts as a real gap in the stream (fewer than a file's, so a gap delays frames less).</summary>
    private const int LiveHeldEvents = 4096;

    /// <summary>Stream time (µs) the events held back after a forward jump may span, in order, before they count as the stream (a real gap).</summary>
    private const long LiveHeldSpanUs = 20_000;

    /// <summary>Packets of the other kind, with none of its own, from which one swapped port stops the run (after a second).</summary>
    private const int WrongKindPackets = 3;

    /// <summary>A stretch of the events stream's clock it lost: from its last event before (µs; null: unknown) to its first after (null: not yet come), and why.</summary>
    internal sealed record StreamLoss(long? FromUs, long? ToUs, string Reason);

    /// <summary>
    /// The stretches the events stream lost on its current clock: <paramref name="skipped"/> (packets its reader left
    /// out) and the data each dropped connection of <paramref name="gaps"/> lost, after the last restart of the source
    /// (a gap across a restart joins two clocks and measures nothing).
    /// </summary>
    internal static List<StreamLoss> Stretches(IEnumerable<StreamLoss> skipped, IReadOnlyList<StreamGap> gaps)
    {
        var list = skipped.ToList();
        var all = gaps.ToList();
        foreach (var g in all.Skip(all.FindLastIndex(g => g.SourceRestarted) + 1))
            if (g.LostUs != null) list.Add(new StreamLoss(g.LastTimestampUs, g.ResumedTimestampUs, $"the connection was lost: {g.Reason}"));
        return list;
    }

    /// <summary>
    /// What the lost <paramref name="stretches"/> mean for a frame whose exposure (shifted by the event latency) is
    /// <paramref name="exposure"/>: a failure when one holds it whole (no event can fall in it; stop 45's live trial: frames
    /// in a 985-ms outage were written `ok`, the blurry input, with no word), else a note for each that overlaps it.
    /// </summary>
    internal static (string? Failure, List<string> Notes) JudgeLosses(TimeRangeUs exposure, IEnumerable<StreamLoss> stretches)
    {
        var notes = new List<string>();
        foreach (var loss in stretches.Where(l => (l.FromUs ?? long.MinValue) < exposure.EndUs && (l.ToUs ?? long.MaxValue) > exposure.StartUs))
        {
            if (loss.FromUs is long from && loss.ToUs is long to && from < exposure.StartUs && exposure.EndUs <= to)
                return ($"exposure {exposure} on the event clock lies wholly in a stretch the events stream lost (no event after t = {from} µs before t = {to} µs: {loss.Reason}), so no event falls in it", []);
            notes.Add($"the events stream lost data during its exposure {exposure} (after t = {loss.FromUs?.ToString() ?? "?"} µs, before {loss.ToUs?.ToString() ?? "?"} µs: {loss.Reason}); its kernels come from the other events");
        }
        return (null, notes);
    }

    /// <summary>The exposure list's ranges as a read-only list (read under the list's lock).</summary>
    private sealed class ExposureRanges(List<(TimeRangeUs Range, int Epoch, int Line)> list) : IReadOnlyList<TimeRangeUs>
    {
        public TimeRangeUs this[int index] => list[index].Range;

        public int Count => list.Count;

        public IEnumerator<TimeRangeUs> GetEnumerator() => list.Select(x => x.Range).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Thread-safe, bounded, time-ordered event buffer (struct of arrays).</summary>
    private sealed class EventStore(int capacity)
    {
        private readonly object _gate = new();
        private long[] _t = new long[1 << 16];
        private short[] _x = new short[1 << 16];
        private short[] _y = new short[1 << 16];
        private bool[] _p = new bool[1 << 16];
        private int _start, _count;
        private int _maxX, _maxY;

        public long Received { get; private set; }
        public long Dropped { get; private set; }
        // Events older than the newest kept (a damaged packet: within one epoch a DV stream's time never goes back), dropped.
        public long OutOfOrder { get; private set; }
        private long _firstUs = long.MinValue, _newestUs = long.MinValue;

        /// <summary>The first and the newest event time kept since the buffer was started or reset, µs (null, null before any).</summary>
        public (long? First, long? Last) Extent { get { lock (_gate) return _firstUs == long.MinValue ? (null, null) : (_firstUs, _newestUs); } }
        public long LatestUs { get { lock (_gate) return _count > 0 ? _t[_start + _count - 1] : -1; } }

        /// <summary>Counts events as they arrive, before any is dropped (<see cref="Add"/> does not count them).</summary>
        public void Arrived(int n) { lock (_gate) Received += n; }

        public (int W, int H) SensorSize(int w, int h) { lock (_gate) return (Math.Max(w, _maxX + 1), Math.Max(h, _maxY + 1)); }

        public void Add(EventBatch b)
        {
            lock (_gate)
            {
                if (_count + b.Count > capacity)
                {
                    int drop = Math.Min(_count, _count + b.Count - capacity);
                    _start += drop; _count -= drop; Dropped += drop;
                }
                if (_start + _count + b.Count > _t.Length)
                {
                    int need = Math.Max(_count + b.Count, 1 << 16);
                    int size = _t.Length < need * 2 ? Math.Max(_t.Length * 2, need * 2) : _t.Length;
                    _t = Move(_t, size); _x = Move(_x, size); _y = Move(_y, size); _p = Move(_p, size);
                    _start = 0;
                }
                int at = _start + _count;
                var ts = b.Timestamps;
                int kept = b.Count;
                if (ts[0] >= _newestUs && IsSorted(ts))
                {
                    ts.CopyTo(_t.AsSpan(at)); b.Xs.CopyTo(_x.AsSpan(at)); b.Ys.CopyTo(_y.AsSpan(at)); b.Polarities.CopyTo(_p.AsSpan(at));
                }
                else
                {
                    // Time goes back in this batch: only the events at or after the newest kept are kept, so the buffer
                    // stays in time order (its binary searches lost every event before a backward packet's; stop 42).
                    kept = 0;
                    long newest = _newestUs;
                    for (int i = 0; i < ts.Length; i++)
                    {
                        if (ts[i] < newest) continue;
                        newest = ts[i];
                        _t[at + kept] = ts[i]; _x[at + kept] = b.Xs[i]; _y[at + kept] = b.Ys[i]; _p[at + kept] = b.Polarities[i];
                        kept++;
                    }
                    OutOfOrder += b.Count - kept;
                }
                if (kept == 0) return;
                foreach (short v in b.Xs) if (v > _maxX) _maxX = v;
                foreach (short v in b.Ys) if (v > _maxY) _maxY = v;
                if (_firstUs == long.MinValue) _firstUs = _t[at];
                _newestUs = _t[at + kept - 1];
                _count += kept;
            }
        }

        private T[] Move<T>(T[] a, int size)
        {
            var n = new T[size];
            Array.Copy(a, _start, n, 0, _count);
            return n;
        }

        public EventSlice Slice(TimeRangeUs w)
        {
            lock (_gate)
            {
                var span = _t.AsSpan(_start, _count);
                int lo = TimeOrder.LowerBound(span, w.StartUs), hi = TimeOrder.LowerBound(span, w.EndUs);
                int n = hi - lo;
                return new EventSlice(_t.AsSpan(_start + lo, n).ToArray(), _x.AsSpan(_start + lo, n).ToArray(), _y.AsSpan(_start + lo, n).ToArray(), _p.AsSpan(_start + lo, n).ToArray());
            }
        }

        /// <summary>Empties the buffer (the source restarted on another clock); returns how many events were in it.</summary>
        public long Reset()
        {
            lock (_gate)
            {
                long n = _count;
                _start = 0; _count = 0;
                _firstUs = _newestUs = long.MinValue;
                return n;
            }
        }

        // The events of the clock the source left, set aside for that clock's frames still waiting (their epoch; -1: none).
        private EventSlice? _retired;
        private (long? First, long? Last) _retiredExtent;
        private int _retiredEpoch = -1;

        /// <summary>
        /// Sets the buffer's events aside for the frames of <paramref name="epoch"/>, the clock the source has just left (stop
        /// 48: a frame waiting for its margin when the source restarted or its clock was reset lost every event), then empties
        /// it; returns how many were set aside. Replaces any set aside before.
        /// </summary>
        public long Retire(int epoch)
        {
            lock (_gate)
            {
                _retired = new EventSlice(_t.AsSpan(_start, _count).ToArray(), _x.AsSpan(_start, _count).ToArray(), _y.AsSpan(_start, _count).ToArray(), _p.AsSpan(_start, _count).ToArray());
                _retiredExtent = _firstUs == long.MinValue ? (null, null) : (_firstUs, _newestUs);
                _retiredEpoch = epoch;
                return Reset();
            }
        }

        /// <summary>Whether the events of <paramref name="epoch"/> are set aside.</summary>
        public bool HasRetired(int epoch) { lock (_gate) return _retired != null && _retiredEpoch == epoch; }

        /// <summary>The first and the newest event time of the events set aside, µs.</summary>
        public (long? First, long? Last) RetiredExtent { get { lock (_gate) return _retiredExtent; } }

        /// <summary>The events set aside within <paramref name="w"/> (µs).</summary>
        public EventSlice SliceRetired(TimeRangeUs w)
        {
            lock (_gate)
            {
                var r = _retired!;
                int lo = TimeOrder.LowerBound(r.T, w.StartUs), hi = TimeOrder.LowerBound(r.T, w.EndUs);
                return new EventSlice(r.T[lo..hi], r.X[lo..hi], r.Y[lo..hi], r.P[lo..hi]);
            }
        }

        /// <summary>Lets go of the events set aside (no frame of their clock is left).</summary>
        public void DropRetired() { lock (_gate) { _retired = null; _retiredEpoch = -1; } }

        private static bool IsSorted(ReadOnlySpan<long> t)
        {
            for (int i = 1; i < t.Length; i++) if (t[i] < t[i - 1]) return false;
            return true;
        }

        public void TrimBefore(long t)
        {
            lock (_gate)
            {
                int k = TimeOrder.LowerBound(_t.AsSpan(_start, _count), t);
                _start += k; _count -= k;
            }
        }
    }
}
