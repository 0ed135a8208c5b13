namespace EventDeblur.Deconvolution;

/// <summary>Options of <see cref="RobustDeconvolver"/>. All strengths are in units of the local noise, so one set of defaults holds from bright to dark frames.</summary>
/// <param name="PriorWeight">λ: weight of the total-variation prior on gradients measured in local noise σ (dimensionless).</param>
/// <param name="Iterations">ADMM iterations (each: two forward and two inverse real DFTs).</param>
/// <param name="DataPenalty">μ: ADMM penalty of the split z = K⊛x, relative to a data weight of 1 (one noise σ).</param>
/// <param name="GradientPenalty">β: ADMM penalty of the split u = ∇x.</param>
/// <param name="PositivityPenalty">γ: ADMM penalty of the split v = x (v ≥ 0: radiance is never negative).</param>
/// <param name="MaxWeightRatio">Cap on a pixel's data weight relative to the frame's median-signal pixel (dark pixels with almost no read noise would otherwise dominate).</param>
/// <param name="LightInitIterations">Saturation-aware Richardson–Lucy iterations that place the energy of clipped lights before ADMM starts (only when the plane has clipped pixels; 0 = Wiener-type start everywhere).</param>
/// <param name="Relaxation">α of over-relaxed ADMM, in [1, 1.95]: each split is updated from α·(new x) + (1 − α)·(its last value); 1 = plain ADMM. Above 1 ADMM converges in fewer iterations, but an early-stopped result differs: on the tuning seeds 8 iterations at 1.7 were 0.4 dB below 12 plain ones, so no rung uses it.</param>
/// <param name="LightInitOnCrops">True: the Richardson–Lucy start runs its <paramref name="LightInitIterations"/> only on crops around the clipped regions (each clipped region's bounding box grown by two kernel sizes, overlapping boxes merged, each crop on its own optimal DFT size), blended over the outer kernel size of each crop into a shorter whole-plane start (<paramref name="LightInitWholePlaneIterations"/>), and only where that costs fewer DFT pixels than the whole-plane start. False (the default): the whole padded plane. Off by default because it bought no time: ADMM needs the RL start everywhere, not only at the lights (with the blurry plane as the start away from the crops, −0.4 dB on tuning seeds 6101 and 8101), and with the 10-step whole-plane start the tuning seeds (GT kernels) kept their PSNR within ±0.05 dB but the RL start's CPU time went from 11.0 to 9.8 s on the tuning seeds and from 5.9 to 6.0 s on the test seeds (night frames have lights all over).</param>
/// <param name="LightInitWholePlaneIterations">With <paramref name="LightInitOnCrops"/>: the RL iterations (≤ <paramref name="LightInitIterations"/>) run on the whole plane first, giving ADMM its start away from the lights; the crops then run all <paramref name="LightInitIterations"/> from the blurry plane and replace it around the lights. 0: the start away from the lights is the blurry plane.</param>
/// <param name="LightInitMaxNoiseRatio">Where the noise σ at the clip level (from the frame's noise model) exceeds this fraction of the clip level (default 0.07, range (0, ∞)), the RL start of clipped lights is kept only on the clipped pixels and ADMM starts from the data elsewhere: unregularised RL turns such noise into speckles (real 8-bit low-light photos: 8–11 %). Below it (our simulators and the foreign bundles: 1.0–1.7 %; the synthetic dark alley: 6.3 %) the whole RL start is used.</param>
/// <param name="SaturatedPriorRadiusPx">Pixels within this distance of a clipped pixel carry no gradient prior (a light's latent spot is far brighter than its surround, a total-variation prior would smear it); −1 = prior everywhere.</param>
/// <param name="PadToKernelReach">True (the default): the frame is padded on each side by the kernel's reach from its centre (<see cref="Kernels.BlurKernel.Reach"/>, per axis) plus 8 px before its DFTs; false: by the whole kernel size plus 8 px on every side, as before, which makes the DFT grids larger (a 55-px kernel reaching 5 × 25 px: 768×625 instead of 720×576 for a 640×480 plane).</param>
public sealed record RobustDeconvolverOptions(
    double PriorWeight = 0.5,
    int Iterations = 12,
    double DataPenalty = 0.1,
    double GradientPenalty = 0.05,
    double PositivityPenalty = 0.05,
    double MaxWeightRatio = 16,
    int LightInitIterations = 30,
    int SaturatedPriorRadiusPx = -1,
    double Relaxation = 1,
    bool LightInitOnCrops = false,
    int LightInitWholePlaneIterations = 10,
    double LightInitMaxNoiseRatio = 0.07,
    bool PadToKernelReach = true)
{
    /// <summary>Throws when a value is out of range.</summary>
    public RobustDeconvolverOptions Validated()
    {
        if (!(PriorWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(PriorWeight), PriorWeight, "must be ≥ 0");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "must be ≥ 1");
        if (!(DataPenalty > 0) || !(GradientPenalty > 0) || !(PositivityPenalty > 0)) throw new ArgumentException("ADMM penalties must be > 0");
        if (LightInitWholePlaneIterations < 0) throw new ArgumentOutOfRangeException(nameof(LightInitWholePlaneIterations), LightInitWholePlaneIterations, "must be ≥ 0");
        if (LightInitIterations < 0) throw new ArgumentOutOfRangeException(nameof(LightInitIterations), LightInitIterations, "must be ≥ 0");
        if (SaturatedPriorRadiusPx < -1) throw new ArgumentOutOfRangeException(nameof(SaturatedPriorRadiusPx), SaturatedPriorRadiusPx, "must be ≥ −1");
        if (!(Relaxation >= 1 && Relaxation <= 1.95)) throw new ArgumentOutOfRangeException(nameof(Relaxation), Relaxation, "must be in [1, 1.95]");
        if (!(LightInitMaxNoiseRatio > 0)) throw new ArgumentOutOfRangeException(nameof(LightInitMaxNoiseRatio), LightInitMaxNoiseRatio, "must be > 0");
        if (!(MaxWeightRatio >= 1)) throw new ArgumentOutOfRangeException(nameof(MaxWeightRatio), MaxWeightRatio, "must be ≥ 1");
        return this;
    }

    /// <summary>
    /// The options of one rung of the quality ladder. <see cref="DeconvolutionQuality.Balanced"/> (the default) is the
    /// record's defaults: 12 ADMM iterations after 30 RL iterations on clipped lights. <see cref="DeconvolutionQuality.Fast"/>
    /// runs 6 after 10 (about half the cost, a few dB less on night frames); <see cref="DeconvolutionQuality.Best"/> runs
    /// 16 after 45. Chosen on the tuning seeds of both simulator domains (6101–6301, 8101–8301, ground-truth kernels):
    /// fewer iterations cost PSNR on every frame, and over-relaxation (<see cref="Relaxation"/>) did not buy them back.
    /// </summary>
    public static RobustDeconvolverOptions ForQuality(DeconvolutionQuality quality) => quality switch
    {
        DeconvolutionQuality.Fast => new RobustDeconvolverOptions(Iterations: 6, LightInitIterations: 10),
        DeconvolutionQuality.Balanced => new RobustDeconvolverOptions(),
        DeconvolutionQuality.Best => new RobustDeconvolverOptions(Iterations: 16, LightInitIterations: 45),
        _ => throw new ArgumentOutOfRangeException(nameof(quality), quality, "unknown quality"),
    };

    /// <summary>A gentler variant: the prior <paramref name="factor"/> times stronger.</summary>
    public RobustDeconvolverOptions Gentler(double factor) => this with { PriorWeight = PriorWeight * factor };
}
