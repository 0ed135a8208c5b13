using EventDeblur.Deconvolution;
using EventDeblur.Methods;

namespace EventDeblur.Learned;

/// <summary>How the learned deconvolver joins a process's <see cref="MethodCatalogue"/> at start-up.</summary>
public static class LearnedMethods
{
    /// <summary>The learned deconvolver's name in the catalogue (<c>--deconvolver learned</c>, eval methods <c>KERNELS+learned</c>).</summary>
    public const string Name = "learned";

    /// <summary>
    /// Adds <c>learned</c> to <paramref name="builder"/>: once per run, a new <see cref="LearnedDeconvolver"/> over the network
    /// <paramref name="refiner"/> returns, inside the do-no-harm guard (see <see cref="Create"/>); the run's quality rung
    /// sets the iterations of its classical <c>robust</c> stage (<see cref="RobustDeconvolverOptions.ForQuality"/>), and the
    /// <c>fast</c> rung runs the network <paramref name="fastRefiner"/> returns when given (the CLI: the shipped model's
    /// int8 version on the CPU, 0.01–0.10 dB below the float model per kind on the simulator's test seeds).
    /// The network is only asked for when a run uses it, so a process that never deblurs with <c>learned</c> never loads it.
    /// </summary>
    /// <returns><paramref name="builder"/>.</returns>
    public static MethodCatalogueBuilder AddLearned(this MethodCatalogueBuilder builder, Func<OnnxRefiner> refiner, Func<OnnxRefiner>? fastRefiner = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(refiner);
        return builder.AddDeconvolver(Name, quality => Create((quality == DeconvolutionQuality.Fast && fastRefiner != null ? fastRefiner : refiner)(), quality: quality), qualityRungs: true);
    }

    /// <summary>
    /// The <c>learned</c> deconvolver as runs use it: <see cref="LearnedDeconvolver"/> over <paramref name="refiner"/> inside
    /// <see cref="GuardedDeconvolver"/>, which keeps the network's result where it explains the blurry tile at least as
    /// well as the input itself does (<see cref="GuardOptions.RelativeToInput"/>: the refiner repairs kernel errors, so
    /// its result need not match the estimated kernel as closely as <c>robust</c>'s must; with <c>robust</c>'s absolute
    /// thresholds it fell back on 14 of 108 tiles of a domain B tuning bundle whose every frame it improved) and has no
    /// amplified noise, and elsewhere falls back to the classical result it refined, judged the same way, then to the
    /// input; the channels of a tile are judged together (<see cref="GuardOptions.JointChannels"/>: judged alone, on the
    /// INFWIDE real photos tiles mixed one channel's network result with another's classical one and turned purple or
    /// pink); the guard's lines go to <paramref name="guardLog"/> (standard error by default). <paramref name="quality"/>
    /// picks the iterations of the classical stage when the model refines <c>robust</c> (the network is the same on every
    /// rung; it was trained on <c>balanced</c> results); at <see cref="DeconvolutionQuality.Fast"/> a frame with several
    /// kernel tiles is refined once as a whole (<see cref="LearnedDeconvolver.RefineWholeFrames"/>).
    /// </summary>
    public static GuardedDeconvolver Create(OnnxRefiner refiner, TextWriter? guardLog = null, DeconvolutionQuality quality = DeconvolutionQuality.Balanced) =>
        new(new LearnedDeconvolver(refiner, refiner.Base == "robust" ? new RobustDeconvolver(RobustDeconvolverOptions.ForQuality(quality)) : null)
        {
            RefineWholeFrames = quality == DeconvolutionQuality.Fast,
        }, new GuardOptions { Log = guardLog ?? BuiltInMethods.DefaultGuardLog, RelativeToInput = true, JointChannels = true }, Name);
}
