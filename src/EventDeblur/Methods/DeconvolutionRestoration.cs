using EventDeblur.Deconvolution;
using EventDeblur.Imaging;

namespace EventDeblur.Methods;

/// <summary>Restoration by <paramref name="deconvolver"/> over the frame's kernel tiles (<see cref="TiledDeblurrer"/>).</summary>
/// <param name="name">The <c>--deconvolver</c> value (the catalogue name of <paramref name="deconvolver"/>).</param>
/// <param name="deconvolver">The deconvolver, one instance for the run.</param>
/// <param name="quality">The quality rung <paramref name="deconvolver"/> was made for; it sets the tiling when a request has no <see cref="RestorationRequest.Deblur"/> (<see cref="DeblurOptions.ForQuality"/>).</param>
public sealed class DeconvolutionRestoration(string name, IDeconvolver deconvolver, DeconvolutionQuality quality = DeconvolutionQuality.Balanced) : IRestoration
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
            deconvolver, request.SaturationLinear, request.Deblur ?? DeblurOptions.ForQuality(quality), request.Cancellation);
}
