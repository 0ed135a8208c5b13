namespace EventDeblur.Deconvolution;

/// <summary>Options of <see cref="GuardedDeconvolver"/>.</summary>
/// <param name="TilePx">Side of the square tiles judged separately, pixels.</param>
/// <param name="TrustedConsistency">
/// Re-blur inconsistency (see <paramref name="MaxConsistency"/>) up to which a tile keeps the deconvolver's result
/// whole; between it and <paramref name="MaxConsistency"/> the share of the result falls linearly from 1 to 0, the rest
/// going to the deconvolver's gentler variant as far as that is trusted by the same rule, and to the input beyond.
/// Chosen on the simulator's tuning seeds (both domains, event kernels; thresholds tried: 1/3, 2/4.5, 3/6, 4/7): with
/// ground-truth kernels a tile scores about 0.2–1.5, but event-kernel tiles of frames that lose to their input
/// (1–4) overlap those of frames that gain (rotation regions 1–4), so tighter thresholds cost more than they save.
/// </param>
/// <param name="MaxConsistency">
/// Re-blur inconsistency from which a tile gets the input back: the re-blur residual (K⊛x − b) in units of the noise σ from the frame's
/// <see cref="NoiseModel"/>, averaged over 5×5 windows of unclipped pixels, squared, scaled by 25 and averaged over the
/// tile's lowest 90 % — below 1 or about it
/// when what is left is white noise, large when the kernel or the result leaves structure (edges, ringing) unexplained.
/// </param>
/// <param name="MaxNoiseGain">
/// Largest accepted noise/ringing gain: the median, over the tile's flattest half, of the result's Laplacian residual in
/// units of the local noise σ (≈ 1 for the blurry input; amplified noise and ringing raise it).
/// </param>
/// <param name="MarginPx">
/// Band along the plane's edges that is not judged (its pixels follow the nearest judged tile), pixels: the frame
/// border, and, when the plane is one region of a spatially varying blur, the overlap into neighbouring regions whose
/// blur the region's kernel does not describe (the tiled deblurrer's default overlap is 48 px).
/// </param>
public sealed record GuardOptions(int TilePx = 128, double TrustedConsistency = 4.0, double MaxConsistency = 7.0, double MaxNoiseGain = 2.5, int MarginPx = 48)
{
    /// <summary>
    /// Judge consistency against the input's own (for deconvolvers whose result need not match the kernel they were
    /// given, such as a refiner that repairs kernel errors): a tile's trusted and maximum consistency are raised by the
    /// consistency of the blurry input itself re-blurred by the same kernel, when that is higher — the result must then
    /// explain the frame at least as well as doing nothing does. Off by default (<c>robust</c>'s thresholds are absolute).
    /// Limit: with a badly wrong kernel the input explains the frame badly too, so a smooth wrong result passes; only the
    /// noise/ringing check (not lifted) still applies.
    /// </summary>
    public bool RelativeToInput { get; init; }

    /// <summary>
    /// Judge the channels of a frame together (<see cref="GuardedDeconvolver.DeconvolveChannels"/>, which
    /// <see cref="TiledDeblurrer"/> calls): a tile takes, in every channel, the smallest share of the result any channel
    /// allows, so a fallback never tints a tile. Off by default (each channel alone, as <c>robust</c> has always run).
    /// </summary>
    public bool JointChannels { get; init; }

    /// <summary>
    /// For a tile whose consistency cannot be measured (every unclipped pixel within a kernel's reach of a clipped one, as
    /// with long kernels among many lights): the smallest share of the input's median, over the tile's unclipped pixels,
    /// that the result's median must keep when the input's is a bright background (over 5 noise σ); below it the tile gets
    /// the input back. Deblurring keeps a background's level (it gathers streaks into points, so streak pixels going dark
    /// say nothing); stop 45's trial: 240-px kernels among 300 clipped streaks left 76 % of a frame at 0 where its input's
    /// background was 813 DN, with no tile falling back. 0.25: three quarters of the background gone (the wiped frames keep none;
    /// three tiles of the foreign `rotation-2007` frame 2, dense with lights, keep under 5 % and fall back at any share from 0.05 to 0.5).
    /// </summary>
    public double MinBackgroundShare { get; init; } = 0.25;

    /// <summary>Where to write one line per call that fell back anywhere (null: silent).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    public GuardOptions Validated()
    {
        if (TilePx < 16) throw new ArgumentOutOfRangeException(nameof(TilePx), TilePx, "at least 16 px");
        if (!(TrustedConsistency > 0)) throw new ArgumentOutOfRangeException(nameof(TrustedConsistency), TrustedConsistency, "must be > 0");
        if (!(MaxConsistency > TrustedConsistency)) throw new ArgumentOutOfRangeException(nameof(MaxConsistency), MaxConsistency, $"must be > TrustedConsistency ({TrustedConsistency})");
        if (!(MaxNoiseGain > 0)) throw new ArgumentOutOfRangeException(nameof(MaxNoiseGain), MaxNoiseGain, "must be > 0");
        if (MarginPx < 0) throw new ArgumentOutOfRangeException(nameof(MarginPx), MarginPx, "must be ≥ 0");
        if (!(MinBackgroundShare is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(MinBackgroundShare), MinBackgroundShare, "must be in [0, 1]");
        return this;
    }
}
