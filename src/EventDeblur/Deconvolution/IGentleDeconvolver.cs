namespace EventDeblur.Deconvolution;

/// <summary>
/// A deconvolver that can offer a gentler variant of itself (stronger regularisation), which
/// <see cref="GuardedDeconvolver"/> falls back to before the input.
/// </summary>
public interface IGentleDeconvolver : IDeconvolver
{
    /// <summary>The gentler variant.</summary>
    IDeconvolver Gentler();
}
