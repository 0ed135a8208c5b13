using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>
/// Blur kernels from events (the heart of the method), wiring three parts: candidate lights in the blurry frame
/// (<see cref="StreakDetector"/>) each traced into a path by <see cref="StreakTracer"/>; all paths fed to one
/// camera-motion model chosen by consensus (<see cref="MotionConsensus"/>: translation, rotation or affine) and cut
/// into kernels by <see cref="MotionTiler"/> (per tile when the blur varies across the frame). A translation path and
/// a roll + translation motion are also found from all events by contrast maximisation (<see cref="ContrastMaximizer"/>);
/// with traced lights the camera motions are scored by how sharply each stacks the exposure's events
/// (<see cref="EventWarpScorer"/>) and the best is kept (the texture's only by a margin, its roll only by a margin over
/// its translation); without a traceable light the better texture motion is the kernel. A texture translation is refined
/// per region of the event sensor (<see cref="LocalPathField"/>), so blur that varies across the frame gets per-tile kernels. A confidence gate skips the
/// texture search when most light paths agree and their motion already stacks the events far better than no motion.
/// </summary>
public sealed class EventKernelEstimator : IKernelEstimator
{
    private readonly EventKernelOptions _o;
    private readonly StreakTracer _tracer;
    private readonly MotionTiler _tiler;
    private readonly ContrastMaximizer _texture;
    private readonly EventWarpScorer _scorer;

    /// <summary>Makes an estimator; <paramref name="options"/> (default: the defaults) are validated here, once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it and the range).</exception>
    public EventKernelEstimator(EventKernelOptions? options = null)
    {
        _o = options ?? new EventKernelOptions();
        _o.Validate();
        _tracer = new StreakTracer(_o.Tracing);
        _tiler = new MotionTiler(_o.Tiling);
        _texture = new ContrastMaximizer(_o.Texture);
        _scorer = new EventWarpScorer(_o.Texture);
    }

    /// <inheritdoc />
    public string Name => SourceName;

    /// <summary>The options this estimator was made with (validated).</summary>
    public EventKernelOptions Options => _o;

    /// <summary>
    /// The parts of a window <see cref="LitPathPart.DensityFit"/> scores: every [i/8, j/8) at least a quarter long, and
    /// the whole window last (28 parts).
    /// </summary>
    private static readonly IReadOnlyList<(double A, double B)> WindowParts = MakeWindowParts();

    /// <summary>Lights whose paths <see cref="LitPathPart.DensityFit"/> scores, at most (the first measured).</summary>
    private const int MaxDensityFitLights = 8;

    private static List<(double A, double B)> MakeWindowParts()
    {
        var parts = new List<(double A, double B)>();
        for (int i = 0; i < 8; i++)
            for (int j = i + 2; j <= 8; j++)
                if (i > 0 || j < 8) parts.Add((i / 8.0, j / 8.0));
        parts.Add((0, 1));
        return parts;
    }

    /// <summary>The name of this kernel source (<c>--kernels events</c>, run.json's <c>kernels</c>).</summary>
    public const string SourceName = "events";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        var frameExposure = request.Exposure ?? throw new InvalidOperationException("frame has no exposure window");
        var ct = request.Cancellation;
        ct.ThrowIfCancellationRequested();
        var diagnostics = new List<string>();
        // Hot pixels out first: sharp under any warp that does not move them, they make "no motion" win (HotPixelFilter).
        var (cleaned, hot) = HotPixelFilter.Remove(request.Events);
        if (hot.Diagnostic is { } hotLine)
        {
            diagnostics.Add(hotLine);
            request = request with { Events = cleaned };
        }
        return EstimateInWindow(request, frameExposure, frameExposure, diagnostics, 0);
    }

    /// <summary>How the diagnostic line of a window narrowed to the lit part of the light paths starts.</summary>
    public const string NarrowedNote = "exposure window narrowed to ";

    private static double Median(IEnumerable<double> values)
    {
        var a = values.OrderBy(v => v).ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    /// <summary>Refits of the window to the lit part of the light paths, at most (<see cref="EventKernelOptions.FitWindowToLitPaths"/>).</summary>
    private const int MaxWindowRefits = 2;

    /// <summary>
    /// <see cref="Estimate"/> once hot pixels are out, for the exposure <paramref name="frameExposure"/> (frame clock, µs);
    /// <paramref name="refits"/> says how often the window was already narrowed to the lit part of the light paths, from the
    /// frame's own window <paramref name="frameWindow"/>.
    /// </summary>
    private KernelEstimate EstimateInWindow(KernelRequest request, TimeRangeUs frameWindow, TimeRangeUs frameExposure, List<string> diagnostics, int refits)
    {
        var ct = request.Cancellation;
        int head = diagnostics.Count;
        // On the events' clock: the exposure as the (late) events see it.
        var exposure = new TimeRangeUs(frameExposure.StartUs + _o.EventLatencyUs, frameExposure.EndUs + _o.EventLatencyUs);
        var img = request.Blurry;
        var h = request.FrameToEvents;
        var hInv = h.Inverse();
        int samples = _o.PathSamples;
        var detection = StreakDetector.Detect(img, request.SaturationLinear, _o.Streaks);
        foreach (var r in detection.Rejected.Take(20)) diagnostics.Add($"streak at ({r.X0},{r.Y0}) {r.Width}×{r.Height} rejected: {r.Reason}");

        // Lights flickering with the mains: their bursts stack under any path that follows them, so the camera motion is
        // scored and searched in the texture without their events (FlickerDetector); they are still traced.
        var scoring = request;
        var flickeringStreaks = new HashSet<int>();
        if (_o.SetAsideFlickeringLights)
        {
            var flickering = new List<FlickerDetector.Light>();
            var lights = detection.Streaks.Take(_o.MaxStreaks).Select(s => _tracer.EventBox(s, h)).ToList();
            var found = FlickerDetector.DetectAll(request.Events, request.EventSensorSize, lights, exposure);
            // A light kept among overlapping neighbours (Streak.Ownership) is not judged: its box holds their events too, so a
            // steady light beside a flickering one would read flickering.
            for (int k = 0; k < lights.Count; k++)
                if (detection.Streaks[k].Ownership == null && found[k] is { } f && flickeringStreaks.Add(k))
                    flickering.Add(new FlickerDetector.Light(lights[k].X0, lights[k].Y0, lights[k].X1, lights[k].Y1, f.FrequencyHz, f.Share));
            if (flickering.Count > 0)
            {
                scoring = request with { Events = FlickerDetector.WithoutLights(request.Events, request.EventSensorSize, flickering) };
                string hz = string.Join(" and ", flickering.GroupBy(l => l.FrequencyHz).OrderByDescending(g => g.Count()).Select(g => $"{g.Key:0} Hz ({g.Count()})"));
                string where = string.Join(", ", flickering.Take(5).Select(l => $"({(l.X0 + l.X1) / 2:F0},{(l.Y0 + l.Y1) / 2:F0})")) + (flickering.Count > 5 ? ", …" : "");
                diagnostics.Add($"flickering lights: {flickering.Count} of {lights.Count} lights flicker at {hz}, their signed event rate swinging at the mains' rhythm (at {where} event px); their {request.Events.Count - scoring.Events.Count:N0} events set aside where the camera motion is scored by warped-event contrast or searched in the texture");
            }
        }

        var trajectories = new List<StreakTrajectory>();
        var lit = new List<LitPathPart.Part>();
        var measured = new List<(Streak Streak, StreakTrajectory Path)>();
        var litFrame = _o.FitWindowToLitPaths && refits < MaxWindowRefits ? new LitPathPart(img) : null;
        int streakIndex = -1;
        foreach (var s in detection.Streaks.Take(_o.MaxStreaks))
        {
            streakIndex++;
            ct.ThrowIfCancellationRequested();
            var trace = _tracer.Trace(request.Events, s, h, hInv, exposure, samples);
            if (trace.Path is not { } t) { diagnostics.Add($"streak at ({s.CentroidX:F0},{s.CentroidY:F0}) not traced: {trace.Failure}"); continue; }
            trajectories.Add(t);
            diagnostics.Add($"streak at ({s.CentroidX:F0},{s.CentroidY:F0}): {trace.EventsUsed} events, path RMS {t.RmsResidualPx:F2} event px, end offset ({t.Offsets[^1].X:F1},{t.Offsets[^1].Y:F1}) px");
            // A light flickering with the mains is lit in bursts, not over its exposure: it does not vote.
            // Only lights whose lit part the frame shows (not too faint) are fitted by their brightness too.
            // A light among overlapping neighbours (Streak.Ownership) does not either: its box holds their brightness too.
            if (litFrame != null && !flickeringStreaks.Contains(streakIndex) && s.Ownership == null && litFrame.Measure(s, t) is { } part)
            {
                lit.Add(part);
                measured.Add((s, t));
            }
        }
        ct.ThrowIfCancellationRequested();
        // A window longer than the exposure (a frame table giving the frame period, an exposure recorded long): the
        // lights' events trace more path than their streaks show, and kernels from the whole window over-deblur (stop 51's
        // trial: −1 to −16 dB). When most measured lights are lit over under LitShareBelow of the window, the window is
        // narrowed to the median lit part and the lights traced again. Lights lit over far less than their path (under
        // LitShareAbove: a sharp frame, or lights the measure cannot follow) are left to the blur check
        // (Methods.FrameCheckedKernels), and no window is narrowed below MinWindowShare of the frame's.
        double share = lit.Count > 0 ? Median(lit.Select(p => p.Share)) : 0;
        if (lit.Count >= _o.MinLitLights && share < _o.LitShareBelow && share >= _o.LitShareAbove)
        {
            double a = Median(lit.Select(p => p.First)), b = Math.Min(1, Math.Max(Median(lit.Select(p => p.Last)), a + _o.LitShareAbove));
            if (Narrowed(a, b) is { } narrowed)
                return EstimateInWindow(request, frameWindow, narrowed, Renarrowed(narrowed, $"{NarrowedNote}{a:P0}–{b:P0} of [{frameExposure.StartUs}, {frameExposure.EndUs}) µs: the {lit.Count} lights measured are lit in the frame over a median {share:P0} of the path their events traced (under {_o.LitShareBelow:P0}), so the exposure is taken as shorter than its window"), refits + 1);
        }
        // Lit over (nearly) their whole path, the lights may still have been exposed over part of it only: a path that
        // passes over its streak again outside the exposure (camera shake turning back) is lit everywhere. The time the
        // light spent at each point of the part exposed matches the streak's brightness; over the whole window it does not
        // (LitPathPart.DensityFit). The part whose median correlation over the lights recovers DensityFitGain of the whole
        // window's shortfall, and DensityFitMargin at least, is taken. Fitted only where the rule can act (lights lit nearly all along), and on the first
        // MaxDensityFitLights lights measured (each costs a correlation per part).
        var fits = litFrame != null && lit.Count >= _o.MinLitLights && share >= _o.LitShareBelow
            ? measured.Take(MaxDensityFitLights).Select(m => litFrame.DensityFit(m.Streak, m.Path, WindowParts)).OfType<double[]>().ToList()
            : [];
        if (fits.Count >= _o.MinLitLights)
        {
            var medians = Enumerable.Range(0, WindowParts.Count).Select(i => Median(fits.Select(f => f[i]))).ToList();
            int best = Enumerable.Range(0, medians.Count).MaxBy(i => medians[i]), whole = WindowParts.Count - 1;
            var (a, b) = WindowParts[best];
            // The part must recover DensityFitGain of what the whole window falls short of a perfect fit (a frame whose
            // streaks the model explains poorly needs a larger gain to be believed), and DensityFitMargin at least (a
            // frame explained well already must not be cut for a small gain: a calibration a few px off gives one).
            double gain = medians[whole] < 1 ? (medians[best] - medians[whole]) / (1 - medians[whole]) : 0;
            if (best != whole && gain >= _o.DensityFitGain && medians[best] - medians[whole] >= _o.DensityFitMargin && Narrowed(a, b) is { } narrowed)
                return EstimateInWindow(request, frameWindow, narrowed, Renarrowed(narrowed, $"{NarrowedNote}{a:P0}–{b:P0} of [{frameExposure.StartUs}, {frameExposure.EndUs}) µs: the streaks of the {fits.Count} lights measured match the time their paths spent at each point best over that part (median correlation {medians[best]:F2}, over the whole window {medians[whole]:F2}: {gain:P0} of its shortfall recovered), so the exposure is taken as shorter than its window"), refits + 1);
        }

        // The part [a, b) of this window as a window of its own, unless it is the window itself or shorter than
        // MinWindowShare of the frame's.
        TimeRangeUs? Narrowed(double a, double b)
        {
            long dur = frameExposure.EndUs - frameExposure.StartUs;
            var part = new TimeRangeUs(frameExposure.StartUs + (long)Math.Round(a * dur), frameExposure.StartUs + (long)Math.Round(b * dur));
            return part.EndUs - part.StartUs >= _o.MinWindowShare * (frameWindow.EndUs - frameWindow.StartUs) && part != frameExposure ? part : null;
        }
        // The notes from before this window's tracing (hot pixels, earlier narrowings) stay; this tracing's are redone.
        List<string> Renarrowed(TimeRangeUs narrowed, string why)
        {
            var kept = diagnostics.Take(head).ToList();
            kept.Add($"{why}; lights traced again in [{narrowed.StartUs}, {narrowed.EndUs}) µs");
            return kept;
        }
        if (trajectories.Count > 0)
        {
            var consensus = MotionConsensus.Fit(trajectories, img.Width, img.Height, _o.Consensus);
            if (_o.CheckRicherMotionWithEvents && consensus.Translation is { } simpler) consensus = RicherOrTranslation(scoring, exposure, consensus, simpler, diagnostics);
            var inliers = new List<StreakTrajectory>();
            foreach (var v in consensus.Verdicts)
            {
                var t = trajectories[v.Candidate];
                if (v.Inlier) inliers.Add(t);
                else diagnostics.Add($"streak at ({t.Mid.X:F0},{t.Mid.Y:F0}) set aside by the consensus: its path is {v.DistancePx:F1} px from the camera motion (tolerance {v.TolerancePx:F1} px)");
            }
            diagnostics.Add($"camera motion: {consensus.Motion.Kind.ToString().ToLowerInvariant()}, {consensus.Inliers} of {trajectories.Count} light paths agree");
            ct.ThrowIfCancellationRequested();
            if (_o.CompareWithTexture)
            {
                var (confident, lightsScore) = LightsConfident(scoring, exposure, consensus, trajectories.Count, diagnostics);
                if (!confident && TextureWins(scoring, exposure, hInv, consensus.Motion, lightsScore, diagnostics) is { } texture)
                    return texture;
            }
            ct.ThrowIfCancellationRequested();
            // A rotation or affine model fitted on lights close together can extrapolate to paths at the frame's corners
            // far longer than any blur the events are searched for (stop 42: 4 lights in one cluster of a 320×240 frame
            // gave paths of 366 px at its corners, a wrong kernel and 64-px tiles); such a model is set aside.
            if (consensus.Motion.VariesAcrossFrame && ReachEventPx(consensus.Motion, img.Width, img.Height, h) is var reach && reach > 2 * _o.Texture.MaxBlurEventPx)
            {
                diagnostics.Add($"light paths' camera motion set aside: its paths reach {reach:F0} event px from their mid-exposure positions at the frame's corners, over twice the largest blur searched ({_o.Texture.MaxBlurEventPx:F0} event px); kernel from the texture instead");
                return FromTexture(scoring, exposure, hInv, diagnostics);
            }
            List<KernelTile> streakTiles;
            try { streakTiles = _tiler.Tiles(consensus.Motion, img.Width, img.Height, diagnostics); }
            catch (InvalidDataException e)
            {
                // A rotation or affine model fitted on a few lights can extrapolate to an impossible path far from them;
                // that is a verdict on the light paths, not on the frame, so the texture decides (and, when its motion is
                // impossible too, the frame fails with its message: then the calibration is the likelier culprit).
                diagnostics.Add($"light paths' camera motion set aside: {e.Message}; kernel from the texture instead");
                return FromTexture(scoring, exposure, hInv, diagnostics);
            }
            double rms = inliers.Average(t => t.RmsResidualPx);
            double confidence = Math.Clamp(1 - rms / 2, 0, 1) * Math.Min(1, inliers.Count / 2.0 + 0.5) * consensus.Inliers / trajectories.Count;
            return new KernelEstimate(streakTiles, "events:streaks", confidence, inliers.Count, inliers.Sum(t => (long)t.Events), diagnostics);
        }
        return FromTexture(scoring, exposure, hInv, diagnostics);
    }

    /// <summary>
    /// A rotation or affine consensus checked against the paths' best translation by the events themselves: the richer
    /// model stays unless the translation stacks the exposure's events more sharply (warped-event contrast). More paths
    /// agreeing with a richer model is evidence only when the paths are right; a bias shared by the paths (stop 48's
    /// trial: lights flickering at 100 Hz, whose ON and OFF events no longer lead and trail them) bent a translation into
    /// a "rotation" that 8 of 9 paths agreed with and cost 5 dB, while the events stacked more sharply under the translation.
    /// </summary>
    private ConsensusResult RicherOrTranslation(KernelRequest request, TimeRangeUs exposure, ConsensusResult richer, ConsensusResult translation, List<string> diagnostics)
    {
        var s = _scorer.Score(request.Events, request.EventSensorSize, request.FrameToEvents, exposure, [richer.Motion, translation.Motion]);
        bool keep = !(s[1] > s[0]);
        string kind = richer.Motion.Kind.ToString().ToLowerInvariant();
        diagnostics.Add($"light paths' {kind} motion against their translation: {richer.Inliers} vs {translation.Inliers} paths agree, warped-event contrast {s[0]:F4} vs {s[1]:F4}; {(keep ? kind : "translation")} kept");
        return keep ? richer : translation;
    }

    /// <summary>
    /// The farthest a point at the frame's corners or centre moves from its mid-exposure position under
    /// <paramref name="motion"/>, in event pixels (each offset mapped through <paramref name="frameToEvents"/> at that point).
    /// </summary>
    private static double ReachEventPx(CameraMotion motion, int width, int height, Homography frameToEvents)
    {
        double worst = 0;
        foreach (var (x, y) in new[] { (0.0, 0.0), (width, 0.0), (0.0, height), (width, (double)height), (width / 2.0, height / 2.0) })
        {
            var mid = frameToEvents.Apply(x, y);
            foreach (var (dx, dy) in motion.OffsetsAt(x, y))
            {
                var q = frameToEvents.Apply(x + dx, y + dy);
                worst = Math.Max(worst, Math.Sqrt((q.X - mid.X) * (q.X - mid.X) + (q.Y - mid.Y) * (q.Y - mid.Y)));
            }
        }
        return worst;
    }

    /// <summary>
    /// <c>kernel_source</c> of a frame whose events gave no motion (fewer than the texture search needs in the exposure,
    /// or, since stop 42, with no traced light, no path that stacks them more sharply than none: a still camera): its kernel is a delta, so the
    /// frame is deconvolved as unblurred (denoised, not deblurred).
    /// </summary>
    public const string NoMotionSource = "events:none";

    /// <summary>The kernel from the texture alone (contrast maximisation: its translation, or its roll when that wins).</summary>
    private KernelEstimate FromTexture(KernelRequest request, TimeRangeUs exposure, Homography hInv, List<string> diagnostics)
    {
        var ct = request.Cancellation;
        var img = request.Blurry;
        var cm = _texture.Estimate(request.Events, request.EventSensorSize, hInv, exposure, _o.PathSamples);
        ct.ThrowIfCancellationRequested();
        diagnostics.Add(cm.Note);
        // Without traced lights and no path sharper than no motion: a still camera, no blur assumed (stop 42: a still
        // camera's sharp frames took the best guess, a 23-px line kernel at ×0.97, and lost up to 21 dB). With lights, the
        // guess still competes with them as before (TextureWins): there the event contrast alone misjudged long exposures.
        if (cm.StillIsBest) return TextureEstimate(cm, null, request, hInv, diagnostics);
        var motion = TextureMotion(cm);
        if (cm.RigidMotion is { } rigid && motion != null)
        {
            var s = _scorer.Score(request.Events, request.EventSensorSize, request.FrameToEvents, exposure, [motion, rigid]);
            bool roll = RollWins(rigid, s[0], s[1], img.Width, img.Height);
            diagnostics.Add($"texture hypotheses scored by warped-event contrast: translation {s[0]:F4}, roll {s[1]:F4}: {(roll ? "roll" : "translation")} kept");
            if (roll) motion = rigid;
        }
        return TextureEstimate(cm, motion, request, hInv, diagnostics);
    }

    /// <summary>The translation of contrast maximisation as a camera motion, or null when it assumed no blur.</summary>
    private static CameraMotion? TextureMotion(ContrastMaximizationResult cm) =>
        cm.Offsets.Length == 0 ? null : new CameraMotion(MotionKind.Translation, cm.Offsets.Select(q => AffineSample.Shift(q.X, q.Y)).ToArray());

    /// <summary>
    /// Whether the roll hypothesis (score <paramref name="rollScore"/>) replaces the texture's translation (score
    /// <paramref name="translationScore"/>): it must stack the events more sharply by the margin and vary across the
    /// frame by more than the consensus' rotation threshold.
    /// </summary>
    private bool RollWins(CameraMotion rigid, double translationScore, double rollScore, int width, int height) =>
        rollScore > translationScore * (1 + _o.RollMarginFraction) && rigid.MaxCornerDeviationPx(width, height) > _o.Consensus.RotationThresholdPx;

    private KernelEstimate TextureEstimate(ContrastMaximizationResult cm, CameraMotion? motion, KernelRequest request, Homography eventsToFrame, List<string> diagnostics)
    {
        int width = request.Blurry.Width, height = request.Blurry.Height;
        List<KernelTile> tiles;
        if (motion == null) tiles = [new KernelTile(0, 0, width, height, BlurKernel.Delta)];
        else if (motion.Kind == MotionKind.Translation && cm.LocalPaths is { } field)
        {
            // The translation path refined per region: per-tile kernels from the blended regional paths.
            int tilePx = _o.Tiling.TileSizePx;
            tiles = field.Tiles(width, height, tilePx, request.FrameToEvents, eventsToFrame, _o.PathSamples);
            // No tile smaller than the largest kernel, as MotionTiler does: it bounds the deconvolution's work.
            int largest = tiles.Max(t => t.Kernel.Size);
            string widened = "";
            if (largest > tilePx)
            {
                widened = $" (widened from {tilePx} px to the largest kernel, {largest} px, which bounds the deconvolution's work)";
                tilePx = Math.Min(largest, Math.Max(width, height));
                tiles = field.Tiles(width, height, tilePx, request.FrameToEvents, eventsToFrame, _o.PathSamples);
            }
            diagnostics.Add($"texture paths per region: {field.Refined} of {field.Columns}×{field.Rows} regions refined; {tilePx}-px tiles{widened}");
        }
        else tiles = _tiler.Tiles(motion, width, height, diagnostics);
        // No motion found (too few events in the exposure): a delta kernel, and the source says so rather than "texture".
        return new KernelEstimate(tiles, motion == null ? NoMotionSource : "events:texture", Math.Clamp(cm.ContrastGain, 0, 1), 0, cm.EventsUsed, diagnostics);
    }

    /// <summary>
    /// The confidence gate: whether the lights' consensus is trusted without a texture search — at least
    /// <see cref="EventKernelOptions.SkipTextureMinInlierFraction"/> of the <paramref name="paths"/> traced paths agree and
    /// the consensus motion stacks the exposure's events at least <see cref="EventKernelOptions.SkipTextureAboveGain"/>
    /// times more sharply than no motion. Also the lights' warped-event score when it was computed (reused by the
    /// hypothesis comparison), else null.
    /// </summary>
    private (bool Confident, double? LightsScore) LightsConfident(KernelRequest request, TimeRangeUs exposure, ConsensusResult consensus, int paths, List<string> diagnostics)
    {
        double fraction = consensus.Inliers / (double)paths;
        if (double.IsPositiveInfinity(_o.SkipTextureAboveGain) || fraction < _o.SkipTextureMinInlierFraction) return (false, null);
        var still = new CameraMotion(MotionKind.Translation, [AffineSample.Shift(0, 0), AffineSample.Shift(0, 0)]);
        var s = _scorer.Score(request.Events, request.EventSensorSize, request.FrameToEvents, exposure, [consensus.Motion, still]);
        double gain = s[1] > 0 ? s[0] / s[1] : 0;
        bool confident = gain >= _o.SkipTextureAboveGain;
        diagnostics.Add($"light paths stack the events ×{gain:F3} over no motion (gate ×{_o.SkipTextureAboveGain:F2} with ≥ {_o.SkipTextureMinInlierFraction:P0} of paths agreeing): {(confident ? "texture search skipped" : "texture searched")}");
        return (confident, s[0]);
    }

    /// <summary>
    /// The texture (contrast maximisation) estimate — its translation, or its roll + translation when that wins by
    /// <see cref="EventKernelOptions.RollMarginFraction"/> — when its camera motion stacks the exposure's events more
    /// sharply than the lights' consensus <paramref name="streakMotion"/> (score <paramref name="lightsScore"/> when
    /// already known) by more than the margin; otherwise null (the lights' model stays).
    /// </summary>
    private KernelEstimate? TextureWins(KernelRequest request, TimeRangeUs exposure, Homography hInv, CameraMotion streakMotion, double? lightsScore, List<string> diagnostics)
    {
        var cm = _texture.Estimate(request.Events, request.EventSensorSize, hInv, exposure, _o.PathSamples);
        if (TextureMotion(cm) is not { } textureMotion) return null;
        request.Cancellation.ThrowIfCancellationRequested();
        int w = request.Blurry.Width, hgt = request.Blurry.Height;
        CameraMotion[] hyps = cm.RigidMotion is { } rigid ? [streakMotion, textureMotion, rigid] : [streakMotion, textureMotion];
        // The lights' score is the same numbers again when the gate computed it: only the texture's hypotheses are warped.
        var s = lightsScore is { } ls
            ? [ls, .. _scorer.Score(request.Events, request.EventSensorSize, request.FrameToEvents, exposure, hyps[1..])]
            : _scorer.Score(request.Events, request.EventSensorSize, request.FrameToEvents, exposure, hyps);
        bool roll = hyps.Length == 3 && RollWins(hyps[2], s[1], s[2], w, hgt);
        double best = roll ? s[2] : s[1];
        bool texture = best > s[0] * (1 + _o.TextureMarginFraction);
        diagnostics.Add($"hypotheses scored by warped-event contrast: light paths ({streakMotion.Kind.ToString().ToLowerInvariant()}) {s[0]:F4}, texture {s[1]:F4}"
            + (hyps.Length == 3 ? $", texture with roll {s[2]:F4}" : "") + $": {(texture ? roll ? "texture with roll" : "texture" : "light paths")} kept");
        if (!texture) return null;
        diagnostics.Add(cm.Note);
        return TextureEstimate(cm, roll ? hyps[2] : textureMotion, request, hInv, diagnostics);
    }
}
