using EventDeblur.Deconvolution;
using EventDeblur.Kernels;

namespace EventDeblur.Methods;

/// <summary>
/// The kernel sources and deconvolvers of the library, which every <see cref="MethodCatalogueBuilder"/> starts with
/// (components outside the library, such as the ONNX-backed <c>learned</c> deconvolver, are added by their own project).
/// </summary>
public static class BuiltInMethods
{
    /// <summary>Kernel sources in catalogue order: name, factory (given the event estimator's options), whether <c>--kernels</c> and eval methods may name it.</summary>
    internal static IReadOnlyList<(string Name, Func<EventKernelOptions, IKernelEstimator> Factory, bool Choosable)> KernelSources { get; } =
    [
        ("events", o => o.CheckBlurInFrame ? new FrameCheckedKernels(new EventKernelEstimator(o)) : new EventKernelEstimator(o), true),
        (GroundTruthKernelEstimator.SourceName, _ => new GroundTruthKernelEstimator(), true),
        ("streak", _ => new StreakShapeKernelEstimator(), true),
        (MethodCatalogue.IdentityKernels, _ => new IdentityKernelEstimator(), false),
    ];

    /// <summary>
    /// Deconvolvers in catalogue order (the order users see in help texts and messages): name, factory at a quality rung,
    /// and whether the rung changes anything (only <c>robust</c> among the built-in ones).
    /// </summary>
    internal static IReadOnlyList<(string Name, Func<DeconvolutionQuality, IDeconvolver> Factory, bool QualityRungs)> Deconvolvers { get; } =
    [
        ("wiener", _ => new WienerDeconvolver(), false),
        ("rl", _ => new RichardsonLucyDeconvolver(), false),
        ("hl", _ => new HyperLaplacianDeconvolver(), false),
        (MethodCatalogue.NoDeconvolution, _ => new IdentityDeconvolver(), false),
        ("robust", q => CreateRobust(q), true),
    ];

    /// <summary>
    /// Where the do-no-harm guards of the built-in and learned deconvolvers made without an explicit log write one line per
    /// fallback (standard error by default; null: nowhere). The CLI keeps these lines for <c>replay --verbose</c>: a frame
    /// of <c>robust</c> wrote 3–10 of them, burying the progress lines, while every frame's counts are in frames.parquet
    /// (<c>guard_*</c>) and replay's summary. Read when a deconvolver is made.
    /// </summary>
    public static TextWriter? DefaultGuardLog { get; set; } = Console.Error;

    /// <summary>
    /// <c>robust</c> at <paramref name="quality"/>: <see cref="RobustDeconvolver"/> with <see cref="RobustDeconvolverOptions.ForQuality"/>,
    /// inside the do-no-harm guard (which logs its fallbacks to <paramref name="guardLog"/>, <see cref="DefaultGuardLog"/> by default).
    /// </summary>
    public static GuardedDeconvolver CreateRobust(DeconvolutionQuality quality, DeconvolutionProfile? profile = null, TextWriter? guardLog = null) =>
        new(new RobustDeconvolver(RobustDeconvolverOptions.ForQuality(quality)) { Profile = profile },
            new GuardOptions { Log = guardLog ?? DefaultGuardLog }, "robust") { Profile = profile };
}
