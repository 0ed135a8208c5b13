namespace EventDeblur.Simulation;

/// <summary>What a simulation wrote.</summary>
/// <param name="BundleDir">The bundle folder.</param>
/// <param name="Frames">Per-frame ground truth.</param>
/// <param name="Events">Events written.</param>
/// <param name="Stats">Event counts by cause.</param>
/// <param name="Homography">RGB → event homography, row-major 3×3.</param>
/// <param name="SecondsPerFrame">Wall time per frame, seconds.</param>
public sealed record SimulationResult(string BundleDir, IReadOnlyList<FrameTruth> Frames, long Events, EventStats Stats, double[] Homography, double SecondsPerFrame);
