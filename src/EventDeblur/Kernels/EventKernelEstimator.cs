using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>
/// Blur kernels from events (the heart of the method), wiring three parts: candidate lights in the blurry frame
/// (<see cref="StreakDetector"/>) each traced into a path by <see cref="StreakTracer"/>; all paths fed to one
/// camera-motion model chosen by consensus (<see cref="MotionConsensus"/>: translation, rotation or affine) and cut
/// into kernels by <see cref="MotionTiler"/> (per tile when the blur varies across the frame). A translation path is
/// also found from all events by contrast maximisation (<see cref="ContrastMaximizer"/>); with traced lights the two
/// camera motions are scored by how sharply each stacks the exposure's events (<see cref="EventWarpScorer"/>) and the
/// better one is kept (the texture's only by a margin); without a traceable light the texture's path is the kernel.
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
    public string Name => "events";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        var frameExposure = request.Exposure ?? throw new InvalidOperationException("frame has no exposure window");
        var ct = request.Cancellation;
        ct.ThrowIfCancellationRequested();
        var diagnostics = new List<string>();
        // On the events' clock: the exposure as the (late) events see it.
        var exposure = new TimeRangeUs(frameExposure.StartUs + _o.EventLatencyUs, frameExposure.EndUs + _o.EventLatencyUs);
        var img = request.Blurry;
        var h = request.FrameToEvents;
        var hInv = h.Inverse();
        int samples = _o.PathSamples;
        var detection = StreakDetector.Detect(img, request.SaturationLinear, _o.Streaks);
        foreach (var r in detection.Rejected.Take(20)) diagnostics.Add($"streak at ({r.X0},{r.Y0}) {r.Width}×{r.Height} rejected: {r.Reason}");

        var trajectories = new List<StreakTrajectory>();
        foreach (var s in detection.Streaks.Take(_o.MaxStreaks))
        {
            ct.ThrowIfCancellationRequested();
            var trace = _tracer.Trace(request.Events, s, h, hInv, exposure, samples);
            if (trace.Path is not { } t) { diagnostics.Add($"streak at ({s.CentroidX:F0},{s.CentroidY:F0}) not traced: {trace.Failure}"); continue; }
            trajectories.Add(t);
            diagnostics.Add($"streak at ({s.CentroidX:F0},{s.CentroidY:F0}): {trace.EventsUsed} events, path RMS {t.RmsResidualPx:F2} event px, end offset ({t.Offsets[^1].X:F1},{t.Offsets[^1].Y:F1}) px");
        }
        ct.ThrowIfCancellationRequested();
        if (trajectories.Count > 0)
        {
            var consensus = MotionConsensus.Fit(trajectories, img.Width, img.Height, _o.Consensus);
            var inliers = new List<StreakTrajectory>();
            foreach (var v in consensus.Verdicts)
            {
                var t = trajectories[v.Candidate];
                if (v.Inlier) inliers.Add(t);
                else diagnostics.Add($"streak at ({t.Mid.X:F0},{t.Mid.Y:F0}) set aside by the consensus: its path is {v.DistancePx:F1} px from the camera motion (tolerance {v.TolerancePx:F1} px)");
            }
            diagnostics.Add($"camera motion: {consensus.Motion.Kind.ToString().ToLowerInvariant()}, {consensus.Inliers} of {trajectories.Count} light paths agree");
            ct.ThrowIfCancellationRequested();
            if (_o.CompareWithTexture && TextureWins(request, exposure, hInv, consensus.Motion, diagnostics) is { } texture)
                return texture;
            ct.ThrowIfCancellationRequested();
            var streakTiles = _tiler.Tiles(consensus.Motion, img.Width, img.Height, diagnostics);
            double rms = inliers.Average(t => t.RmsResidualPx);
            double confidence = Math.Clamp(1 - rms / 2, 0, 1) * Math.Min(1, inliers.Count / 2.0 + 0.5) * consensus.Inliers / trajectories.Count;
            return new KernelEstimate(streakTiles, "events:streaks", confidence, inliers.Count, inliers.Sum(t => (long)t.Events), diagnostics);
        }
        var cm = _texture.Estimate(request.Events, request.EventSensorSize, hInv, exposure, samples);
        ct.ThrowIfCancellationRequested();
        diagnostics.Add(cm.Note);
        return TextureEstimate(cm, img.Width, img.Height, diagnostics);
    }

    private static KernelEstimate TextureEstimate(ContrastMaximizationResult cm, int width, int height, List<string> diagnostics)
    {
        var kernel = cm.Offsets.Length == 0 ? BlurKernel.Delta : KernelRaster.FromOffsets(cm.Offsets);
        var tiles = new List<KernelTile> { new(0, 0, width, height, kernel) };
        return new KernelEstimate(tiles, "events:texture", Math.Clamp(cm.ContrastGain, 0, 1), 0, cm.EventsUsed, diagnostics);
    }

    /// <summary>
    /// The texture (contrast maximisation) estimate when its camera motion stacks the exposure's events more sharply
    /// than the lights' consensus <paramref name="streakMotion"/> by more than the margin; otherwise null (the lights' model stays).
    /// </summary>
    private KernelEstimate? TextureWins(KernelRequest request, TimeRangeUs exposure, Homography hInv, CameraMotion streakMotion, List<string> diagnostics)
    {
        var cm = _texture.Estimate(request.Events, request.EventSensorSize, hInv, exposure, _o.PathSamples);
        if (cm.Offsets.Length == 0) return null;
        request.Cancellation.ThrowIfCancellationRequested();
        var textureMotion = new CameraMotion(MotionKind.Translation, cm.Offsets.Select(q => AffineSample.Shift(q.X, q.Y)).ToArray());
        var s = _scorer.Score(request.Events, request.EventSensorSize, request.FrameToEvents, exposure, [streakMotion, textureMotion]);
        bool texture = s[1] > s[0] * (1 + _o.TextureMarginFraction);
        diagnostics.Add($"hypotheses scored by warped-event contrast: light paths ({streakMotion.Kind.ToString().ToLowerInvariant()}) {s[0]:F4}, texture {s[1]:F4}: {(texture ? "texture" : "light paths")} kept");
        if (!texture) return null;
        diagnostics.Add(cm.Note);
        return TextureEstimate(cm, request.Blurry.Width, request.Blurry.Height, diagnostics);
    }
}
