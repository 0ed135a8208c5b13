using EventDeblur.Deconvolution;
using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Methods;

/// <summary>The deconvolution stage's plain input for one frame; each <see cref="IRestoration"/> uses the part it needs.</summary>
/// <param name="Blurry">The blurry frame, linear normalised radiance.</param>
/// <param name="Kernels">The frame's kernels per tile (RGB pixels), or null when the kernel stage gave none (deconvolution then fails).</param>
/// <param name="SaturationLinear">Normalised linear value of the saturation level (about 1).</param>
/// <param name="Events">The events of the exposure window plus margins (event clock, µs).</param>
/// <param name="Exposure">The exposure window on the event clock, µs (end-exclusive), or null when unmatched (EDI then fails).</param>
/// <param name="EventSensorSize">Event sensor size, event pixels.</param>
public sealed record RestorationRequest(LinearImage Blurry, IReadOnlyList<KernelTile>? Kernels, double SaturationLinear, EventSlice Events,
    TimeRangeUs? Exposure, (int Width, int Height) EventSensorSize)
{
    /// <summary>Tiling and parallelism of a deconvolution (when null, those of the restoration's quality rung, <see cref="DeblurOptions.ForQuality"/>).</summary>
    public DeblurOptions? Deblur { get; init; }

    /// <summary>Cancels the restoration (checked between tiles and deconvolver iterations).</summary>
    public CancellationToken Cancellation { get; init; }
}
