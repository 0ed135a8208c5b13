using EventDeblur.Methods;

namespace EventDeblur.Learned;

/// <summary>How the learned deconvolver joins a process's <see cref="MethodCatalogue"/> at start-up.</summary>
public static class LearnedMethods
{
    /// <summary>The learned deconvolver's name in the catalogue (<c>--deconvolver learned</c>, eval methods <c>KERNELS+learned</c>).</summary>
    public const string Name = "learned";

    /// <summary>
    /// Adds <c>learned</c> to <paramref name="builder"/>: once per run, a new <see cref="LearnedDeconvolver"/> (no quality
    /// rungs) over the network <paramref name="refiner"/> returns. The network is only asked for when a run uses it, so a
    /// process that never deblurs with <c>learned</c> never loads it.
    /// </summary>
    /// <returns><paramref name="builder"/>.</returns>
    public static MethodCatalogueBuilder AddLearned(this MethodCatalogueBuilder builder, Func<OnnxRefiner> refiner)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(refiner);
        return builder.AddDeconvolver(Name, _ => new LearnedDeconvolver(refiner()));
    }
}
