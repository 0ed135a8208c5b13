using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Pipeline;

/// <summary>
/// One frame travelling through the replay pipeline; each stage fills in its part. A frame that
/// failed carries its <see cref="Error"/> and is passed on untouched so the writer can report it.
/// </summary>
public sealed class FrameWork
{
    /// <summary>Frame index (from frames.csv or the APS numbering).</summary>
    public required long Index { get; init; }

    /// <summary>Exposure window on the event clock, µs (end-exclusive), or null when unmatched.</summary>
    public TimeRangeUs? Exposure { get; init; }

    /// <summary>Path of the frame image (RGB bundles), or null for APS frames.</summary>
    public string? ImagePath { get; init; }

    /// <summary>The APS frame (APS bundles).</summary>
    public ApsFrame? ApsFrame { get; set; }

    /// <summary>Ground-truth image path, if any.</summary>
    public string? GroundTruthPath { get; init; }

    /// <summary>Ground-truth kernel CSV path, if any.</summary>
    public string? GroundTruthKernelsPath { get; init; }

    /// <summary>Map from frame pixels to event pixels; identity for APS frames.</summary>
    public Homography FrameToEvents { get; init; } = Homography.Identity;

    /// <summary>Event sensor size, pixels.</summary>
    public (int Width, int Height) EventSensorSize { get; init; }

    /// <summary>Diagnostics of the kernel estimator (streaks rejected and why, per-streak fits).</summary>
    public List<string> Diagnostics { get; } = [];

    /// <summary>Events of the exposure window plus margins (an even sample of them past the window's cap: <see cref="EventsSeen"/>).</summary>
    public EventSlice Events { get; set; } = EventSlice.Empty;

    /// <summary>Events the window held before any cap (null: as many as <see cref="Events"/>).</summary>
    public long? EventsSeen { get; set; }

    /// <summary>
    /// Why the exposure window cannot have events (it lies wholly before the event file's first event or after its last,
    /// see <see cref="Sync.ExposureCoverage"/>); null when it overlaps them. Kernels from events then fail the frame.
    /// </summary>
    public string? OutsideEvents { get; set; }

    /// <summary>The blurry frame in linear radiance.</summary>
    public LinearImage? Blurry { get; set; }

    /// <summary>How the frame's raw values map to linear radiance and back.</summary>
    public LinearImage.Encoding? Encoding { get; set; }

    /// <summary>Kernels used, per tile.</summary>
    public IReadOnlyList<KernelTile>? Kernels { get; set; }

    /// <summary>Where the kernels came from (e.g. <c>gt</c>, <c>events:streaks</c>, <c>events:texture</c>).</summary>
    public string KernelSource { get; set; } = "";

    /// <summary>Light streaks found / used by the kernel estimator.</summary>
    public int Streaks { get; set; }

    /// <summary>Events the kernel estimator used.</summary>
    public long EventsUsed { get; set; }

    /// <summary>True when the kernels are the bundle's ground truth (their similarity to it is 1 by definition).</summary>
    public bool KernelsAreGroundTruth => KernelSource == GroundTruthKernelEstimator.SourceName;

    /// <summary>Confidence of the kernel estimate in [0, 1].</summary>
    public double KernelConfidence { get; set; }

    /// <summary>The deblurred frame.</summary>
    public LinearImage? Sharp { get; set; }

    /// <summary>The quality rung the frame was deconvolved at (<c>fast</c>, <c>balanced</c>, <c>best</c>); null before deconvolution.</summary>
    public string? Quality { get; set; }

    /// <summary>Live runs: frames waiting behind this one when its deconvolution started (what <c>--quality auto</c> chose its rung by); null elsewhere.</summary>
    public long? BacklogAtDeconvolve { get; set; }

    /// <summary>What the do-no-harm guard decided while deblurring this frame (null: not deblurred yet, or by no deconvolver).</summary>
    public Deconvolution.GuardTally? Guard { get; set; }

    /// <summary>Per-stage seconds.</summary>
    public StageTimes Times { get; } = new();

    /// <summary>Why the frame failed, or null.</summary>
    public string? Error { get; set; }

    /// <summary>The kernel stage's plain input for this frame (needs <see cref="Blurry"/> and <see cref="Encoding"/>).</summary>
    public KernelRequest ToKernelRequest() => new()
    {
        Index = Index,
        Blurry = Blurry ?? throw new InvalidOperationException($"frame {Index}: no image loaded"),
        SaturationLinear = (Encoding ?? throw new InvalidOperationException($"frame {Index}: no pixel encoding")).SaturationLinear,
        Exposure = Exposure,
        Events = Events,
        FrameToEvents = FrameToEvents,
        EventSensorSize = EventSensorSize,
        GroundTruthKernelsPath = GroundTruthKernelsPath,
    };

    /// <summary>Takes the kernel stage's result: kernels, their source and confidence, streaks, events used, diagnostics.</summary>
    public void Apply(KernelEstimate estimate)
    {
        Kernels = estimate.Tiles;
        KernelSource = estimate.Source;
        KernelConfidence = estimate.Confidence;
        Streaks = estimate.Streaks;
        EventsUsed = estimate.EventsUsed;
        Diagnostics.AddRange(estimate.Diagnostics);
    }
}
