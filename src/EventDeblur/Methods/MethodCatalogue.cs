using EventDeblur.Deconvolution;
using EventDeblur.Kernels;

namespace EventDeblur.Methods;

/// <summary>
/// The methods a process can run, by the names users type: kernel sources (<c>--kernels</c>), deconvolvers
/// (<c>--deconvolver</c>, each with its quality-rung factory), EDI as a restoration of its own kind, and the eval methods
/// <c>KERNELS+DECONVOLVER</c>, <c>blurry</c> and <c>edi</c>. Built once at start-up by a <see cref="MethodCatalogueBuilder"/>
/// and passed to whatever creates a stage's worker; immutable, so two catalogues never share state and one can be
/// used from any thread.
/// </summary>
public sealed class MethodCatalogue
{
    /// <summary>The eval method that scores the blurry input itself (identity kernels, no deconvolution).</summary>
    public const string Blurry = "blurry";

    /// <summary>The event-only EDI baseline on APS frames: an eval method and a <c>--deconvolver</c> value, but not a deconvolver.</summary>
    public const string Edi = "edi";

    /// <summary>The deconvolver that returns its input (the <c>blurry</c> method's).</summary>
    public const string NoDeconvolution = "none";

    /// <summary>The kernel source of one delta kernel per frame (the <c>blurry</c> and <c>edi</c> methods'); not for <c>--kernels</c>.</summary>
    public const string IdentityKernels = "identity";

    private readonly (string Name, Func<EventKernelOptions, IKernelEstimator> Factory, bool Choosable)[] _kernelSources;
    private readonly (string Name, Func<DeconvolutionQuality, IDeconvolver> Factory, bool QualityRungs)[] _deconvolvers;

    internal MethodCatalogue((string, Func<EventKernelOptions, IKernelEstimator>, bool)[] kernelSources, (string, Func<DeconvolutionQuality, IDeconvolver>, bool)[] deconvolvers)
    {
        _kernelSources = kernelSources;
        _deconvolvers = deconvolvers;
        KernelSourceNames = Array.AsReadOnly(kernelSources.Where(k => k.Item3).Select(k => k.Item1).ToArray());
        DeconvolverNames = Array.AsReadOnly(deconvolvers.Select(d => d.Item1).ToArray());
        RestorationNames = Array.AsReadOnly([.. DeconvolverNames, Edi]);
    }

    /// <summary>Kernel sources users may choose (<c>--kernels</c>, the KERNELS of eval methods): <c>events</c>, <c>gt</c>, <c>streak</c>.</summary>
    public IReadOnlyList<string> KernelSourceNames { get; }

    /// <summary>Deconvolvers: the built-in ones (<c>wiener</c>, <c>rl</c>, <c>hl</c>, <c>none</c>, <c>robust</c>), then those added, in order.</summary>
    public IReadOnlyList<string> DeconvolverNames { get; }

    /// <summary>Every <c>--deconvolver</c> value of <c>replay</c>: <see cref="DeconvolverNames"/>, then <see cref="Edi"/>.</summary>
    public IReadOnlyList<string> RestorationNames { get; }

    /// <summary>
    /// A new kernel source called <paramref name="name"/> (one of <see cref="KernelSourceNames"/> or <see cref="IdentityKernels"/>);
    /// <c>events</c> is configured with <paramref name="eventOptions"/> (defaults when null), the others ignore it.
    /// </summary>
    /// <exception cref="ArgumentException">No kernel source has that name.</exception>
    public IKernelEstimator CreateKernelSource(string name, EventKernelOptions? eventOptions = null)
    {
        foreach (var k in _kernelSources)
            if (k.Name == name) return k.Factory(eventOptions ?? new EventKernelOptions());
        throw new ArgumentException($"unknown kernel source '{name}'; expected one of {string.Join(", ", _kernelSources.Select(k => k.Name))}");
    }

    /// <summary>A new instance of the deconvolver called <paramref name="name"/> at <paramref name="quality"/> (deconvolvers without rungs ignore it).</summary>
    /// <exception cref="ArgumentException">No deconvolver has that name (<c>edi</c> is not one: see <see cref="CreateRestoration"/>).</exception>
    public IDeconvolver CreateDeconvolver(string name, DeconvolutionQuality quality = DeconvolutionQuality.Balanced)
    {
        foreach (var d in _deconvolvers)
            if (d.Name == name) return d.Factory(quality);
        throw new ArgumentException($"unknown deconvolver '{name}'; expected one of {string.Join(", ", DeconvolverNames)}");
    }

    /// <summary>
    /// <c>true</c> when the <c>--deconvolver</c> value <paramref name="name"/> has rungs on the quality ladder (its
    /// <see cref="DeconvolutionQuality"/> changes what it computes: <c>robust</c>, <c>learned</c>); <c>false</c> for
    /// the others (<c>wiener</c>, <c>rl</c>, <c>hl</c>, <c>none</c>, <c>edi</c>) and for unknown names.
    /// </summary>
    public bool HasQualityRungs(string name) => _deconvolvers.Any(d => d.Name == name && d.QualityRungs);

    /// <summary>The kind of restoration the <c>--deconvolver</c> value <paramref name="name"/> names.</summary>
    /// <exception cref="ArgumentException">It names neither a deconvolver nor <c>edi</c>.</exception>
    public RestorationKind KindOf(string name) =>
        name == Edi ? RestorationKind.EventIntegration
        : DeconvolverNames.Contains(name) ? RestorationKind.Deconvolution
        : throw new ArgumentException($"unknown deconvolver '{name}'; expected one of {string.Join(", ", RestorationNames)}");

    /// <summary>
    /// The deconvolution stage's worker for the <c>--deconvolver</c> value <paramref name="name"/>: EDI for <c>edi</c>,
    /// otherwise a new instance of the deconvolver at <paramref name="quality"/> over the frame's kernel tiles.
    /// </summary>
    /// <exception cref="ArgumentException">No deconvolver has that name and it is not <c>edi</c>.</exception>
    public IRestoration CreateRestoration(string name, DeconvolutionQuality quality = DeconvolutionQuality.Balanced) =>
        name == Edi ? new EdiRestoration() : new DeconvolutionRestoration(name, CreateDeconvolver(name, quality), HasQualityRungs(name) ? quality : DeconvolutionQuality.Balanced);

    /// <summary>Parses an eval method: <c>KERNELS+DECONVOLVER</c>, <c>blurry</c> or <c>edi</c>.</summary>
    /// <exception cref="ArgumentException">It is none of them (the message lists what is accepted).</exception>
    public EvalMethod ParseMethod(string text)
    {
        if (text == Blurry) return new EvalMethod(text, IdentityKernels, NoDeconvolution, RestorationKind.Deconvolution);
        if (text == Edi) return new EvalMethod(text, IdentityKernels, Edi, RestorationKind.EventIntegration);
        var parts = text.Split('+');
        if (parts.Length != 2 || !KernelSourceNames.Contains(parts[0]) || !DeconvolverNames.Contains(parts[1]))
            throw new ArgumentException($"method '{text}' is not KERNELS+DECONVOLVER (kernels: {string.Join(", ", KernelSourceNames)}; deconvolvers: {string.Join(", ", DeconvolverNames)}) or '{Blurry}' or '{Edi}' (event-only baseline, APS bundles)");
        return new EvalMethod(text, parts[0], parts[1], RestorationKind.Deconvolution);
    }
}
