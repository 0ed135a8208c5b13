using EventDeblur.Events;
using EventDeblur.Kernels;

namespace EventDeblur.Simulation;

/// <summary>Ground truth of one simulated frame.</summary>
/// <param name="Index">Frame index.</param>
/// <param name="Exposure">Exposure window on the event clock, µs.</param>
/// <param name="Path">The camera motion.</param>
/// <param name="Kernels">Ground-truth kernels per tile, in frame pixels.</param>
public sealed record FrameTruth(long Index, TimeRangeUs Exposure, MotionPath Path, IReadOnlyList<KernelTile> Kernels)
{
    /// <summary>Domain B's spatially varying motion (its <see cref="PatchMotionField.Global"/> is <see cref="Path"/>); null in domain A.</summary>
    public PatchMotionField? Field { get; init; }

    /// <summary>A blinking-board recording's board pose: board (squares, see <see cref="BlinkingBoardScene"/>) → RGB pixel homography, row-major 3 × 3; null otherwise.</summary>
    public double[]? BoardToRgb { get; init; }
}
