using EventDeblur.Deconvolution;
using EventDeblur.Imaging;

namespace EventDeblur.Methods;

/// <summary>Restoration by EDI (<see cref="EdiReconstructor"/>): the event-only baseline on APS frames; kernels are not used.</summary>
public sealed class EdiRestoration : IRestoration
{
    /// <inheritdoc />
    public string Name => MethodCatalogue.Edi;

    /// <inheritdoc />
    public RestorationKind Kind => RestorationKind.EventIntegration;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The frame is not on the event pixel grid.</exception>
    /// <exception cref="InvalidOperationException">The request has no exposure window.</exception>
    public LinearImage Restore(RestorationRequest request) =>
        EdiReconstructor.Reconstruct(request.Blurry, request.Events, request.Exposure!.Value, request.EventSensorSize);
}
