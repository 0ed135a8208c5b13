using EventDeblur.Imaging;

namespace EventDeblur.Methods;

/// <summary>
/// The deconvolution stage's worker, as <see cref="MethodCatalogue.CreateRestoration"/> makes it from a
/// <c>--deconvolver</c> value: a deconvolver over the frame's kernel tiles, or EDI. One instance serves one run.
/// </summary>
public interface IRestoration
{
    /// <summary>The <c>--deconvolver</c> value it was made from (recorded in run.json as <c>deconvolver</c>).</summary>
    string Name { get; }

    /// <summary>Which kind of restoration it is.</summary>
    RestorationKind Kind { get; }

    /// <summary>The sharp frame (same size and channels as <see cref="RestorationRequest.Blurry"/>, linear normalised radiance, may exceed 1 at lights).</summary>
    /// <exception cref="OperationCanceledException"><see cref="RestorationRequest.Cancellation"/> was cancelled.</exception>
    LinearImage Restore(RestorationRequest request);
}
