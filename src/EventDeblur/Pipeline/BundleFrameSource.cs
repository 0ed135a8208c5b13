using System.Diagnostics;
using System.Threading.Channels;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Imaging;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;

namespace EventDeblur.Pipeline;

/// <summary>
/// The frame source of a replay: a recording bundle's frames, each with the events of its exposure
/// window (± a margin) and its image (decoded once), in time order.
/// </summary>
/// <param name="bundle">The bundle.</param>
/// <param name="eventMarginUs">Events kept before and after each exposure, µs.</param>
/// <param name="skip">Frames to leave out (e.g. complete in an earlier run, for <c>--resume</c>).</param>
/// <param name="eventLatencyUs">
/// The event camera's latency, µs (<c>--event-latency-us</c>): each frame's events are collected from its exposure
/// shifted by it (± the margin), and the check that events can fall in the exposure is made on the shifted window.
/// </param>
/// <param name="maxWindowEvents">Events a window keeps at most (<see cref="WindowEvents"/>: an even sample past it); int.MaxValue keeps all (EDI).</param>
public sealed class BundleFrameSource(RecordingBundle bundle, long eventMarginUs, Func<FrameWork, bool> skip, long eventLatencyUs = 0, int maxWindowEvents = WindowEvents.DefaultMaxEvents)
{
    /// <summary>
    /// Events kept at most over every exposure window open at once (16 Mi, about 210 MB): a normal recording has one to
    /// three windows open, each under <see cref="WindowEvents.DefaultMaxEvents"/>, so only overlapping or absurdly long
    /// exposures share it, each window keeping an even sample of its events (said in a note per frame).
    /// </summary>
    public const long OpenWindowsEventBudget = 16L << 20;

    /// <summary>Events a window keeps at least however many are open (4 Ki): an even sample for a rough kernel.</summary>
    public const int MinWindowEvents = 4 << 10;

    /// <summary>Where a frame's events are, on the event clock: its exposure shifted by the camera latency.</summary>
    private TimeRangeUs Shifted(TimeRangeUs exposure) =>
        eventLatencyUs == 0 ? exposure : new TimeRangeUs(checked(exposure.StartUs + eventLatencyUs), checked(exposure.EndUs + eventLatencyUs));

    /// <summary>
    /// SHA-256 of the event file (lower-case hex), taken from the bytes the walk read (plus those it never reached);
    /// <c>null</c> until a walk has reached the end of the file.
    /// </summary>
    public string? EventFileSha256 { get; private set; }

    /// <summary>
    /// The encoding of the frames when they are floating point (TIFF, EXR), whose PNG outputs are then 16-bit with black
    /// 0 and white 65535 in the same curve; null for integer frames (their PNGs have the input's own levels).
    /// </summary>
    public LinearImage.Encoding? FloatFrames { get; private set; }

    /// <summary>The indices of every frame the run is to deliver (set once <see cref="RunAsync"/> has resolved the exposures; empty before).</summary>
    public IReadOnlyList<long> FrameIndices { get; private set; } = [];

    /// <summary>
    /// Walks the event file once, in order, collecting each frame's window of events (exposure ± margin)
    /// and loading its image; emits frames in time order. Memory: the events of the open windows.
    /// </summary>
    /// <param name="output">Where the frames go, in time order; completed at the end (faulted when the event file cannot be read).</param>
    /// <param name="problems">Receives the sync problems and the event file's errors.</param>
    /// <param name="setTotal">Called once with the number of frames, when the exposures are known.</param>
    /// <param name="ct">Cancels the walk.</param>
    public async Task RunAsync(ChannelWriter<FrameWork> output, List<Problem> problems, Action<int> setTotal, CancellationToken ct)
    {
        try
        {
            var match = bundle.ResolveExposures();
            problems.AddRange(match.Problems);
            var windows = match.Windows.ToList();
            FrameIndices = windows.Select(w => w.Index).ToList();
            // A ground-truth kernel file missing or malformed is a problem of the input, as inspect says (stop 44's trial:
            // replay and eval left that frame's kernel similarity out of the mean without a word, exit 0).
            // (A line of a kernel file is said in the text, not as the problem's location: a line location is what eval
            // counts as a rejected frames.csv row; stop 44's review.)
            if (bundle.GroundTruthKernelsDir is { } gtKernels)
                problems.AddRange(Kernels.KernelCsv.CheckFiles(gtKernels, FrameIndices, "ground-truth kernel",
                        bundle.Manifest.Rgb is { Width: > 0, Height: > 0 } rgb ? (rgb.Width, rgb.Height) : bundle.IsApsBundle ? bundle.EventSensorSize : null)
                    .Select(p => p.Location.Kind == ProblemLocationKind.Line ? new Problem(p.Source, ProblemLocation.None, p.Severity, $"line {p.Location.Value}: {p.Message}") : p));
            setTotal(windows.Count);
            var gtByIndex = bundle.GroundTruthFrames?.ToDictionary(f => f.Index) ?? [];
            var pending = new List<(FrameWork Frame, WindowEvents Events, Stopwatch Clock)>();
            var apsByExposure = new Dictionary<long, FrameWork>();
            int next = 0;
            int appliedShare = int.MaxValue;   // the last share every open window was limited to
            long? firstEventUs = null, lastEventUs = null;

            FrameWork NewFrame(FrameWindow w) => new()
            {
                Index = w.Index,
                Exposure = w.Exposure,
                ImagePath = w.Row?.File,
                GroundTruthPath = gtByIndex.TryGetValue(w.Index, out var g) ? g.File : null,
                GroundTruthKernelsPath = bundle.GroundTruthKernelsDir != null ? Path.Combine(bundle.GroundTruthKernelsDir, $"{w.Index:D6}.csv") : null,
                FrameToEvents = bundle.IsApsBundle ? Homography.Identity : Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography),
                EventSensorSize = bundle.EventSensorSize,
            };

            bool floatNoted = false;
            var apsNoted = new HashSet<string>();
            string? eventFileFault = null;   // the event file's last fault met while reading, once the pass has ended

            async Task Emit(FrameWork f, WindowEvents? ev, Stopwatch clock)
            {
                if (ev != null)
                {
                    f.Events = ev.ToSlice();
                    f.EventsSeen = ev.Seen;
                    if (ev.Stride > 1)
                        problems.Add(Problem.Note("", ProblemLocation.AtFrame(f.Index), $"{ev.Seen:N0} events in the exposure window (with its margins); the kernels come from 1 in {ev.Stride} of them ({f.Events.Count:N0}, evenly over the window), to bound memory ({ev.MaxEvents:N0} events at most per window)"));
                }
                // Emitted once the events have passed its window, or at the end of the file: the range seen so far decides.
                // APS frames too (stop 39): their exposures share the events' clock, so a gap is lost or damaged data, not an offset.
                if (f.Exposure is { } exposure)
                {
                    f.OutsideEvents = ExposureCoverage.Gap(f.Index, Shifted(exposure), firstEventUs, lastEventUs, bundle.IsApsBundle ? "aps" : bundle.Manifest.Sync.Source)?.ToString();
                    if (f.OutsideEvents != null && eventLatencyUs != 0) f.OutsideEvents += $" (the window is the exposure shifted by --event-latency-us {eventLatencyUs})";
                    // Past the end of a damaged file the likelier cause is the damage, not the clock: say so.
                    if (f.OutsideEvents != null && eventFileFault != null) f.OutsideEvents += $"; but the event file is damaged and its events may stop early: {eventFileFault}";
                    // Partly outside: the kernel comes from part of the motion only (a truncated file, typically). Said, not failed.
                    if (f.OutsideEvents == null && ExposureCoverage.Partial(Shifted(exposure), firstEventUs, lastEventUs) is { } uncovered)
                        problems.Add(Problem.Note("", ProblemLocation.AtFrame(f.Index), uncovered + (eventFileFault != null ? $"; the event file is damaged: {eventFileFault}" : "")));
                    // A stretch without events inside it (dropped by the sensor, typically): said, not failed.
                    else if (f.OutsideEvents == null && ExposureCoverage.Silence(Shifted(exposure), f.Events.T) is { } silent)
                        problems.Add(Problem.Note("", ProblemLocation.AtFrame(f.Index), silent));
                }
                if (f.Error == null)
                {
                    try
                    {
                        // What was made of an APS frame (demosaiced, a 10-bit ADC's full scale): said once per run.
                        if (LoadImage(bundle, f) is { } made && apsNoted.Add(made))
                            problems.Add(Problem.Note("", ProblemLocation.AtFrame(f.Index), made));
                    }
                    catch (Exception e) when (e is IOException or OpenCVException or ArgumentException or NotSupportedException) { f.Error = e.Message; }
                    if (f.Encoding?.Depth == LinearImage.FloatDepth && !floatNoted)
                    {
                        floatNoted = true;
                        FloatFrames = f.Encoding;
                        problems.Add(Problem.Note("", ProblemLocation.AtFrame(f.Index), "the frames are floating point, which a PNG cannot hold: frames/NNNNNN.png are 16-bit in the same encoding with black 0 and white 65535 (the frames' [black_level, white_level] spread over 16 bits; values above white_level clipped), and frames/NNNNNN.exr hold the floats in the frames' own units, nothing clipped"));
                    }
                }
                f.Times.Ingest += clock.Elapsed.TotalSeconds;
                await output.WriteAsync(f, ct);
            }

            async Task OpenUpTo(long t)
            {
                while (next < windows.Count && (windows[next].Exposure == null || Shifted(windows[next].Exposure!.Value).StartUs - eventMarginUs <= t))
                {
                    var w = windows[next++];
                    var f = NewFrame(w);
                    if (skip(f))
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
                    if (w.Exposure.Value.EndUs < w.Exposure.Value.StartUs)
                    {
                        // An APS frame's own timestamps, damaged (frames.csv rows are checked when the bundle loads).
                        f.Error = $"frame {w.Index}: exposure [{w.Exposure.Value.StartUs}, {w.Exposure.Value.EndUs}) µs ends before it starts; no events can be collected for it (the event file's frame timestamps are damaged)";
                        await output.WriteAsync(f, ct);
                        continue;
                    }
                    pending.Add((f, new WindowEvents(Shifted(w.Exposure.Value).Expand(eventMarginUs), maxWindowEvents), Stopwatch.StartNew()));
                    // Windows open at once share one budget: overlapping or absurdly long exposures (300 rows of 1 000 s
                    // each) held every event once per window and took 7.4 GB for a 4.6 MB file.
                    // The new window takes its share; the open ones are limited again only when the share has halved since
                    // (so many windows cost n log n, not n², and together hold at most about twice the budget).
                    if (maxWindowEvents != int.MaxValue && pending.Count > 1)
                    {
                        int share = (int)Math.Max(MinWindowEvents, OpenWindowsEventBudget / pending.Count);
                        pending[^1].Events.LimitTo(share);
                        if (share <= appliedShare / 2 || (share == MinWindowEvents && appliedShare != MinWindowEvents))
                        {
                            foreach (var (_, open, _) in pending) open.LimitTo(share);
                            appliedShare = share;
                        }
                    }
                }
            }

            async Task CloseBefore(long t)
            {
                for (int i = 0; i < pending.Count; i++)
                {
                    var (f, ev, clock) = pending[i];
                    if (ev.Window.EndUs > t) continue;
                    if (bundle.IsApsBundle && f.ApsFrame == null && f.Error == null) continue; // its pixels come later in the file
                    pending.RemoveAt(i--);
                    await Emit(f, ev, clock);
                }
            }

            var hash = new FileHash(bundle.EventsPath);
            using var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = bundle.IsApsBundle, FileHash = hash });
            while (reader.TryRead(out var packet))
            {
                ct.ThrowIfCancellationRequested();
                switch (packet)
                {
                    case EventsPacket ep:
                        using (var b = ep.Events)
                        {
                            if (b.Count > 0)
                            {
                                firstEventUs ??= b.Timestamps[0];
                                lastEventUs = b.Timestamps[^1];
                            }
                            await OpenUpTo(b.Timestamps[^1]);
                            foreach (var (_, ev, _) in pending) ev.Add(b);
                            await CloseBefore(b.Timestamps[^1]);
                        }
                        break;
                    case FramePacket fp when bundle.IsApsBundle:
                        await OpenUpTo(fp.Frame.EndOfExposureUs);
                        var match1 = pending.FirstOrDefault(p => p.Frame.Exposure == fp.Frame.Exposure && p.Frame.ApsFrame == null && p.Frame.Error == null);
                        if (match1.Frame != null) match1.Frame.ApsFrame = fp.Frame;
                        break;
                    case SkippedFramePacket sp when bundle.IsApsBundle:
                        // Its place among the frames is kept (ApsExposures); the frame itself fails with the reader's reason.
                        if (sp.Exposure.EndUs >= sp.Exposure.StartUs) await OpenUpTo(sp.Exposure.EndUs);
                        var match2 = pending.FirstOrDefault(p => p.Frame.Exposure == sp.Exposure && p.Frame.ApsFrame == null && p.Frame.Error == null);
                        if (match2.Frame != null) match2.Frame.Error = $"frame {match2.Frame.Index}: damaged in the event file at byte {sp.ByteOffset}: {sp.Reason}";
                        break;
                }
            }
            // The last fault met while reading is the one nearest where the events stop (taken before the index check below).
            eventFileFault = reader.Problems.LastOrDefault(p => p.Severity == ProblemSeverity.Error)?.ToString();
            // The file's own index is checked against the packets read, as inspect checks it (the table is read again).
            if (reader is Aedat4Reader aedat4) aedat4.VerifyDataTable();
            // And the notes naming streams left unread (a second camera's events or frames): the run used one of them.
            problems.AddRange(reader.Problems.Where(p => p.Severity == ProblemSeverity.Error || p.Message.Contains(" stream: its packets are skipped (one ", StringComparison.Ordinal)));
            EventFileSha256 = hash.Finish();
            await OpenUpTo(long.MaxValue);
            foreach (var (f, ev, clock) in pending.ToList())
            {
                if (bundle.IsApsBundle && f.ApsFrame == null && f.Error == null) f.Error = $"frame {f.Index}: APS frame pixels not found in the event file";
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

    /// <summary>
    /// Reads the frame's image into <paramref name="f"/>; for an APS frame, a sentence saying what was made of it when that
    /// was more than reading it (a colour mosaic demosaiced; 16-bit samples holding a 10-bit ADC), else null.
    /// </summary>
    private static string? LoadImage(RecordingBundle bundle, FrameWork f)
    {
        if (bundle.Manifest.Rgb is { } rgb)
        {
            f.Blurry = LinearImage.Read(f.ImagePath!, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, out int depth);
            f.Encoding = new LinearImage.Encoding(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, depth);
            return null;
        }
        var a = f.ApsFrame!;
        string? made = null;
        SampleSites[]? sites = null;
        // The ADC's scale from the samples as recorded (demosaicing interpolates between codes).
        var scale = ApsMosaic.AdcScale(a);
        // A colour DAVIS's frame is a raw Bayer mosaic: deblurred as grey it spread each colour into its neighbours and
        // came out below its input (stop 47's trial: −0.8 to −2.5 dB). It is demosaiced first; a filter with white
        // pixels, or one the file does not state, fails the frame saying so. The image keeps where red and blue were
        // measured (stop 56: fitted as data there only, the rest filled in by the deconvolver, where the interpolated planes
        // had failed the guard's noise check and been given back).
        if (ApsMosaic.IsMosaic(a))
        {
            var filter = a.ColorFilter;
            sites = ApsMosaic.Sites(a);
            a = ApsMosaic.Demosaiced(a);
            made = $"the APS frames are a colour DAVIS's raw mosaic under a {filter.ToString().ToUpperInvariant()} colour filter: each is demosaiced (OpenCV's edge-aware Bayer interpolation) and deblurred as a colour frame (robust and learned fit red and blue to their own pixels, a quarter each, and fill in the rest)";
        }
        int bits = a.Format.BytesPerSample == 1 ? 8 : 16;
        double white = bits == 8 ? 255 : 65535, quantum = 1;
        if (bits == 16 && scale is var (full, step, how))
        {
            (white, quantum) = (full, step);
            made = (made == null ? "" : made + "; ") + how;
        }
        var type = bits == 8 ? MatType.CV_8UC(a.Format.Channels) : MatType.CV_16UC(a.Format.Channels);
        using var raw = Mat.FromPixelData(a.Height, a.Width, type, a.Pixels);
        f.Blurry = LinearImage.FromRaw(raw, PixelEncoding.Linear, 0, white, white);
        if (sites != null) f.Blurry = f.Blurry.WithSites(sites);
        // A colour DAVIS recorded with DV: its frames come demosaiced (BGR), the layout unstated, but the data show it
        // (each colour's own samples are noisier than the pixels interpolated between them); its sites are kept as above.
        else if (a.Format.Channels == 3 && BayerMosaic.FindLayout(f.Blurry.Planes, a.Width, a.Height, f.Blurry.Saturated) is var (layout, _))
        {
            f.Blurry = f.Blurry.WithSites(BayerMosaic.Sites(layout));
            // The same sentence for every frame of the layout (said once per run); the contrast is not in it.
            made = (made == null ? "" : made + "; ") +
                $"the APS frames are colour frames demosaiced from a Bayer mosaic (as DV records a colour DAVIS): the {layout.ToString().ToUpperInvariant()} layout shows in their noise (each colour's own pixels noisier than those interpolated between them), so robust and learned fit red and blue to their own pixels, a quarter each, and fill in the rest; a frame whose noise does not show it is deblurred as it is";
        }
        f.Encoding = new LinearImage.Encoding(PixelEncoding.Linear, 0, white, white, bits) { Quantum = quantum };
        return made;
    }

}
