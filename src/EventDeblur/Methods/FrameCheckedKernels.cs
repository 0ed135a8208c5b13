using EventDeblur.Deconvolution;
using EventDeblur.Kernels;

namespace EventDeblur.Methods;

/// <summary>
/// Kernels checked against the frame they are for: wraps a kernel estimator (the <c>events</c> source) and asks
/// <see cref="BlurEvidence"/> whether the blurry frame shows the blur its kernels claim. When the frame holds detail the
/// kernels would have erased (a sharp frame whose events show motion: a moving object before a still camera, a window
/// mis-synced, an exposure shorter than the window), on a marginal verdict (<see cref="BlurEvidence.Verdict.Marginal"/>) the kernels are first turned by
/// <see cref="TurnDegrees"/>: when the frame agrees (<see cref="BlurEvidence.Verdict.Agrees"/>) with a turned set it is blurred, though not along the kernels' path (a kernel field that misses the
/// motion somewhere), and its kernels are kept. Otherwise every kernel is drawn shorter along its path, to
/// <see cref="ShrinkFactors"/> of its length in turn, and the first the frame clearly agrees with
/// (<see cref="BlurEvidence.Verdict.ClearlyAgrees"/>) is kept; when none is, the frame
/// is taken as unblurred: a delta kernel, so it is denoised rather than deblurred (<c>kernel_source</c>
/// <see cref="SharpSource"/>). Either way a diagnostic line says what was measured. Frames whose kernels are all deltas,
/// or that get no verdict, pass unchanged.
/// </summary>
public sealed class FrameCheckedKernels : IKernelEstimator
{
    private readonly IKernelEstimator _inner;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public FrameCheckedKernels(IKernelEstimator inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The turns tried before the frame is taken as sharper than its kernels, degrees.</summary>
    public static IReadOnlyList<double> TurnDegrees { get; } = [45, 90, 135];

    /// <summary>The shorter paths tried, as fractions of the kernels' length, longest first.</summary>
    public static IReadOnlyList<double> ShrinkFactors { get; } = [0.5, 0.25];

    /// <summary><c>kernel_source</c> of a frame judged sharper than every kernel tried: delta kernels (denoised, not deblurred).</summary>
    public const string SharpSource = "events:sharp-frame";

    /// <summary>How the diagnostic line of a shorter kernel set starts (it ends with "kept" when the frame agreed with it).</summary>
    public const string ShorterNote = "kernels drawn at ";

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <summary>
    /// What run.json records as <c>options.blur_check</c> for a run whose kernels come from <paramref name="kernels"/>:
    /// true when they are checked against the frame (this class), false for kernels from events taken as they are
    /// (<c>--blur-check off</c>), null (not recorded) for any other source (ground truth, streaks, identity), which the check does not judge.
    /// </summary>
    public static bool? RunOption(IKernelEstimator kernels) =>
        kernels is FrameCheckedKernels ? true : kernels.Name == EventKernelEstimator.SourceName ? false : null;

    /// <summary>
    /// What run.json records as <c>options.window_check</c> for a run whose kernels come from <paramref name="kernels"/>:
    /// <see cref="EventKernelOptions.FitWindowToLitPaths"/> of the kernels from events (checked against the frame or not),
    /// null (not recorded) for any other source, whose kernels take no exposure window from the events.
    /// </summary>
    public static bool? WindowRunOption(IKernelEstimator kernels) =>
        (kernels is FrameCheckedKernels f ? f._inner : kernels) is EventKernelEstimator e ? e.Options.FitWindowToLitPaths : null;

    /// <summary>How the diagnostic line of a frame kept by a turn starts.</summary>
    public const string TurnedNote = "kernels turned by ";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        var estimate = _inner.Estimate(request);
        if (estimate.Tiles.All(t => t.Kernel.IsIdentity)) return estimate;
        request.Cancellation.ThrowIfCancellationRequested();
        var notes = estimate.Diagnostics.ToList();
        // Measured once (noise model, hot pixels, patch spectra); each kernel set below only reclasses the frequencies.
        var frame = BlurEvidence.Measure(request.Blurry);
        if (frame is null)
        {
            notes.Add($"blur checked against the frame: no verdict (a frame smaller than {BlurEvidence.PatchPx} px)");
            return estimate with { Diagnostics = notes };
        }
        var verdict = frame.Judge(estimate.Tiles);
        if (!verdict.SharperThanKernels)
        {
            notes.Add($"blur checked against the frame: {verdict}; {(verdict.Patches < BlurEvidence.MinPatches ? "too few patches for a verdict" : "the frame agrees with its kernels")}");
            return estimate with { Diagnostics = notes };
        }
        notes.Add($"blur checked against the frame: {verdict}; the frame holds detail its kernels would have erased");
        // Blurred, but along another path (a kernel field that misses the motion somewhere): some direction agrees, and a
        // frame that is blurred keeps its kernels. Tried only on a marginal verdict: a sharp frame has detail in every
        // direction, but a sharp frame whose detail runs mostly one way also agrees with some turn (stop 51's trial: three
        // sharp frames, medians 0.73–1.51, escaped so), and a sharp frame whose detail all runs one way cannot be told
        // apart from one blurred across it.
        if (verdict.Marginal)
            foreach (double degrees in TurnDegrees)
            {
                request.Cancellation.ThrowIfCancellationRequested();
                var v = frame.Judge(estimate.Tiles.Select(t => t with { Kernel = t.Kernel.Turned(degrees) }).ToList());
                if (v.Agrees)
                {
                    notes.Add($"{TurnedNote}{degrees:0}°: {v}; the frame is blurred, though not along its kernels' path: kernels kept");
                    return estimate with { Diagnostics = notes };
                }
                notes.Add($"{TurnedNote}{degrees:0}°: {v}; no agreement");
            }
        else notes.Add($"not turned: the verdict is not marginal (median ≥ {BlurEvidence.SharpMedianRatio * 4 / 3:F2})");
        // Shorter kernels change what is deconvolved, so they need a clear agreement (not a median just under the threshold).
        foreach (double factor in ShrinkFactors)
        {
            request.Cancellation.ThrowIfCancellationRequested();
            var shorter = estimate.Tiles.Select(t => t with { Kernel = t.Kernel.Shrunk(factor) }).ToList();
            var v = frame.Judge(shorter);
            if (v.ClearlyAgrees)
            {
                notes.Add($"{ShorterNote}{factor:P0} of their length: {v}; the frame agrees, kept");
                return estimate with { Tiles = shorter, Diagnostics = notes };
            }
            notes.Add($"{ShorterNote}{factor:P0} of their length: {v}; {(v.SharperThanKernels ? "still sharper" : "no clear agreement")}");
        }
        notes.Add("the frame is taken as unblurred: delta kernels, so it is denoised rather than deblurred");
        var none = estimate.Tiles.Select(t => t with { Kernel = BlurKernel.Delta }).ToList();
        return estimate with { Tiles = none, Source = SharpSource, Diagnostics = notes };
    }
}
