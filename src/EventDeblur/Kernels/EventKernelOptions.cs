using EventDeblur.Streaks;

namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="EventKernelEstimator"/>: one record per part, validated once when the estimator is made.</summary>
public sealed record EventKernelOptions
{
    /// <summary>
    /// Which bright components become candidate light paths. Thick lights (lamp globes, halos: their edges move with
    /// the camera) and clustered lights (their mixed events still move together) are traced too; the camera-motion
    /// consensus, not their shape, decides which paths to trust. Lights whose bounding boxes overlap are rejected by default;
    /// <see cref="StreakOptions.SeparateAtGapPx"/> keeps those at least that far apart, each traced with the events on its
    /// side of the gaps (stop 55 measured 4 px: kernels changed on 6 of 190 frames of both domains and the foreign bundles,
    /// −0.03 dB on average over those six with the default deconvolver, the foreign bundles' means −0.02 / −0.04 dB, so it
    /// is not the default).
    /// </summary>
    public StreakOptions Streaks { get; init; } = new(MaxWidthPx: 20, IsolationPx: 0);

    /// <summary>How each candidate light's path is traced from its events.</summary>
    public StreakTracerOptions Tracing { get; init; } = new();

    /// <summary>At most this many streaks are traced (best first); in [1, 10⁴].</summary>
    public int MaxStreaks { get; init; } = 24;

    /// <summary>Samples per path, equally spaced over the exposure (each carries the same exposure time in a kernel); in [2, 10⁵].</summary>
    public int PathSamples { get; init; } = 200;

    /// <summary>The camera-motion consensus over all traced candidate paths.</summary>
    public MotionConsensusOptions Consensus { get; init; } = new();

    /// <summary>How a motion that varies across the frame is cut into tiles.</summary>
    public MotionTilingOptions Tiling { get; init; } = new();

    /// <summary>Contrast maximisation, used when no light could be traced.</summary>
    public ContrastMaximizationOptions Texture { get; init; } = new();

    /// <summary>
    /// Whether a frame with traced lights also gets the contrast-maximisation hypothesis, and the two camera motions are
    /// scored against the exposure's events (<see cref="EventWarpScorer"/>): the light paths' consensus competes with
    /// the texture's path instead of winning by rule.
    /// </summary>
    public bool CompareWithTexture { get; init; } = true;

    /// <summary>
    /// The texture hypothesis replaces the lights' only when its warped-event contrast is higher by more than this
    /// fraction (differences below it are within the score's noise; the lights' model can vary across the frame);
    /// in [0, 10]. Chosen on the tuning seeds (recordings/eval-seeds.md).
    /// </summary>
    public double TextureMarginFraction { get; init; } = 0.02;

    /// <summary>
    /// The texture's roll + translation hypothesis replaces its translation only when its warped-event contrast is
    /// higher by more than this fraction (the roll adds two degrees of freedom); in [0, 10].
    /// </summary>
    public double RollMarginFraction { get; init; } = 0.02;

    /// <summary>
    /// True (the default): a rotation or affine motion chosen by the lights' consensus is kept only when the exposure's
    /// events stack at least as sharply under it as under the same paths' best translation (warped-event contrast); else
    /// the translation and its verdicts replace it. A bias shared by the paths (lights flickering at 100 Hz) can make
    /// more of them agree with a rotation that the camera did not make. False: the consensus alone decides.
    /// </summary>
    public bool CheckRicherMotionWithEvents { get; init; } = true;

    /// <summary>
    /// True (the default): lights found to flicker with the mains (<see cref="FlickerDetector"/>) keep their paths, but
    /// their events are set aside where camera motions are scored by warped-event contrast (a richer consensus against
    /// its translation, the confidence gate, the texture's hypotheses against the lights') and where the texture is
    /// searched; a diagnostic names them. False: every event counts everywhere.
    /// </summary>
    public bool SetAsideFlickeringLights { get; init; } = true;

    /// <summary>
    /// Confidence gate: a frame with traced lights skips the texture search when the lights' camera motion stacks the
    /// exposure's events at least this many times more sharply than no motion (warped-event contrast ratio, ≥ 1) and
    /// enough paths agree (<see cref="SkipTextureMinInlierFraction"/>); +∞ never skips. Chosen on the tuning seeds:
    /// domain A's light frames score ×1.68–2.94 (all kept the lights anyway), domain B's frames where the texture won
    /// score at most ×1.49.
    /// </summary>
    public double SkipTextureAboveGain { get; init; } = 1.6;

    /// <summary>The gate's second condition: at least this fraction of the traced light paths agree with the consensus; in [0, 1].</summary>
    public double SkipTextureMinInlierFraction { get; init; } = 0.75;

    /// <summary>
    /// Event latency, µs: events are timestamped this long after the light change that caused them (the photoreceptor
    /// low-pass, slower in the dark), so the events of the exposure are those of [start + latency, end + latency).
    /// A property of the event camera and its bias settings; 0 when unknown; in [−10⁷, 10⁷].
    /// </summary>
    public long EventLatencyUs { get; init; }

    /// <summary>
    /// Whether the event kernels are checked against the blurry frame before deconvolution (the <c>events</c> kernel source of
    /// the method catalogue, <c>Methods.FrameCheckedKernels</c>): a frame holding detail its kernels would have erased gets
    /// shorter kernels or none. On by default; off reproduces the kernels as the events alone gave them.
    /// </summary>
    public bool CheckBlurInFrame { get; init; } = true;

    /// <summary>
    /// Whether the exposure window is narrowed to the part of the light paths the frame shows lit
    /// (<see cref="LitPathPart"/>): when at least <see cref="MinLitLights"/> traced lights (flickering ones left out) are lit
    /// over a median share of their path under <see cref="LitShareBelow"/> and at least <see cref="LitShareAbove"/>, the
    /// exposure is taken as shorter than its window (a frame table giving the frame period, say) and the lights are traced
    /// again in the lit part. Lights lit nearly all along may still have been exposed over part of their path only (a
    /// path passing over its streak again outside the exposure); then the part of the window whose time density matches
    /// the streaks' brightness recovers <see cref="DensityFitGain"/> of what the whole window's falls short of a perfect
    /// fit, and at least <see cref="DensityFitMargin"/> (median correlation over the lights, <see cref="LitPathPart.DensityFit"/>), is taken. At most two narrowings, never below
    /// <see cref="MinWindowShare"/> of the frame's window. On by default.
    /// </summary>
    public bool FitWindowToLitPaths { get; init; } = true;

    /// <summary>Median lit share of the traced lights' paths under which the window is narrowed, in (0, 1]; 0.85 by default (correctly windowed tuning frames: 0.945 and above).</summary>
    public double LitShareBelow { get; init; } = 0.85;

    /// <summary>Lights whose lit part must be measured before the window is narrowed, ≥ 1; 3 by default.</summary>
    public int MinLitLights { get; init; } = 3;

    /// <summary>
    /// Median lit share at or above which a narrowing is made, in [0, <see cref="LitShareBelow"/>]; 0.25 by default: lights
    /// lit over less of their path are a sharp frame's (left to the blur check) or a window over 4× the exposure.
    /// </summary>
    public double LitShareAbove { get; init; } = 0.25;

    /// <summary>
    /// How much of the whole window's shortfall from a perfect fit (1 − its median correlation over the lights with their
    /// streaks' brightness, <see cref="LitPathPart.DensityFit"/>) a part of the window must recover to be taken as the
    /// exposure, in (0, 1]; 0.3 by default (chosen on the tuning seeds: their correctly windowed frames reached at most
    /// 0.24, windows twice the exposure with events throughout 0.33 and above).
    /// </summary>
    public double DensityFitGain { get; init; } = 0.3;

    /// <summary>
    /// The least gain in median correlation (<see cref="DensityFitGain"/>'s part over the whole window) that narrows a
    /// window, in (0, 1]; 0.1 by default (with the share rule alone, a calibration 2 event px off narrowed a correctly
    /// windowed frame of the sample, whose whole window already correlated well).
    /// </summary>
    public double DensityFitMargin { get; init; } = 0.1;

    /// <summary>Shortest window narrowings may leave, as a share of the frame's own window, in (0, 1]; 0.25 by default.</summary>
    public double MinWindowShare { get; init; } = 0.25;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its range (nested records included).</summary>
    public void Validate()
    {
        OptionRange.Check(nameof(MaxStreaks), MaxStreaks, 1, 1e4);
        if (Streaks.SeparateAtGapPx is { } gap) OptionRange.Check(nameof(StreakOptions.SeparateAtGapPx), gap, 1, 1000);
        OptionRange.Check(nameof(PathSamples), PathSamples, 2, 1e5);
        OptionRange.Check(nameof(EventLatencyUs), EventLatencyUs, -1e7, 1e7);
        OptionRange.Check(nameof(LitShareBelow), LitShareBelow, 1e-3, 1);
        OptionRange.Check(nameof(MinLitLights), MinLitLights, 1, 1e4);
        OptionRange.Check(nameof(LitShareAbove), LitShareAbove, 0, LitShareBelow);
        OptionRange.Check(nameof(MinWindowShare), MinWindowShare, 1e-3, 1);
        OptionRange.Check(nameof(DensityFitGain), DensityFitGain, 1e-3, 1);
        OptionRange.Check(nameof(DensityFitMargin), DensityFitMargin, 1e-3, 1);
        OptionRange.Check(nameof(TextureMarginFraction), TextureMarginFraction, 0, 10);
        OptionRange.Check(nameof(RollMarginFraction), RollMarginFraction, 0, 10);
        OptionRange.Check(nameof(SkipTextureMinInlierFraction), SkipTextureMinInlierFraction, 0, 1);
        if (!(SkipTextureAboveGain >= 1)) throw new ArgumentOutOfRangeException(nameof(SkipTextureAboveGain), SkipTextureAboveGain, "SkipTextureAboveGain must be in [1, +∞]");
        Tracing.Validate();
        Consensus.Validate();
        Tiling.Validate();
        Texture.Validate();
    }
}
