using EventDeblur.Deconvolution;

namespace EventDeblur.Methods;

/// <summary>
/// Collects the methods of a process at start-up: it starts with <see cref="BuiltInMethods"/>; components outside the
/// library add their deconvolvers (the CLI adds <c>learned</c> through <c>EventDeblur.Learned</c>); <see cref="Build"/>
/// then makes the one immutable <see cref="MethodCatalogue"/> that is handed to the commands. Not thread-safe: it is
/// used by one thread, before anything runs.
/// </summary>
public sealed class MethodCatalogueBuilder
{
    private readonly List<(string Name, Func<DeconvolutionQuality, IDeconvolver> Factory, bool QualityRungs)> _deconvolvers = [.. BuiltInMethods.Deconvolvers];

    /// <summary>
    /// Adds the deconvolver called <paramref name="name"/> after those already present; <paramref name="factory"/> makes a
    /// new instance at the requested rung of the quality ladder once per run; <paramref name="qualityRungs"/> says whether
    /// the rung changes what it computes (deconvolvers without rungs ignore it, and runs record no quality for them).
    /// </summary>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, is not one word of letters, digits, <c>-</c> or <c>_</c>,
    /// names a method of its own (<c>blurry</c>, <c>edi</c>) or is taken.</exception>
    public MethodCatalogueBuilder AddDeconvolver(string name, Func<DeconvolutionQuality, IDeconvolver> factory, bool qualityRungs = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"deconvolver name '{name}': use letters, digits, '-' or '_' (it is written KERNELS+{name} in eval methods)", nameof(name));
        if (name is MethodCatalogue.Blurry or MethodCatalogue.Edi)
            throw new ArgumentException($"deconvolver name '{name}' is a method of its own", nameof(name));
        if (_deconvolvers.Any(d => d.Name == name))
            throw new ArgumentException($"a deconvolver called '{name}' is already in the catalogue", nameof(name));
        _deconvolvers.Add((name, factory, qualityRungs));
        return this;
    }

    /// <summary>The catalogue of the methods added so far; later additions to this builder do not change it.</summary>
    public MethodCatalogue Build() => new([.. BuiltInMethods.KernelSources], [.. _deconvolvers]);
}
