using EventDeblur.Deconvolution;
using EventDeblur.Imaging;

namespace EventDeblur.Methods;

/// <summary>Restoration by <paramref name="deconvolver"/> over the frame's kernel tiles (<see cref="TiledDeblurrer"/>).</summary>
/// <param name="name">The <c>--deconvolver</c> value (the catalogue name of <paramref name="deconvolver"/>).</param>
/// <param name="deconvolver">The deconvolver, one instance for the run.</param>
public sealed class DeconvolutionRestoration(string name, IDeconvolver deconvolver) : IRestoration
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public RestorationKind Kind => RestorationKind.Deconvolution;

    /// <summary>The deconvolver this restoration runs.</summary>
    public IDeconvolver Deconvolver => deconvolver;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The request has no kernels.</exception>
    public LinearImage Restore(RestorationRequest request) =>
        TiledDeblurrer.Deblur(request.Blurry, request.Kernels ?? throw new InvalidOperationException("deconvolution needs the frame's kernels; the kernel stage gave none"),
            deconvolver, request.SaturationLinear, request.Deblur, request.Cancellation);
}
