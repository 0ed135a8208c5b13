using EventDeblur.Imaging;

namespace EventDeblur.Calibration;

/// <summary>An RGB→event homography estimated from a recording's own frames and events.</summary>
/// <param name="RgbToEvents">RGB pixel → event pixel (pixel centres at integer coordinates in both grids).</param>
/// <param name="ResidualEventPx">RMS over the grid and the used frames of the distance between each frame's own estimate and the joint one, event pixels (≥ 0).</param>
/// <param name="StandardErrorEventPx"><paramref name="ResidualEventPx"/> / √frames used: the expected error of the joint estimate if the frames' errors are independent, event pixels.</param>
/// <param name="FramesUsed">Frames whose refinements entered the joint estimate.</param>
/// <param name="FramesTried">Frames examined (with an exposure window).</param>
/// <param name="Confidence">0..1: (1 − ambiguity) × used/tried × 1 / (1 + residual in event pixels).</param>
/// <param name="Ambiguity">0..1: the fine search's best score of a clearly different scale (> 15 %) or rotation (> 20°) over the best score.</param>
/// <param name="SearchScale">Scale of the grid search's best similarity (its finer level, 2 % steps; before the per-frame sub-pixel refinement), event px per RGB px.</param>
/// <param name="SearchRotationDeg">Rotation of the grid search's best similarity (its finer level, 1.5° steps), degrees (−180..180).</param>
/// <param name="Frames">Per-frame details, in frame order.</param>
/// <param name="Mirrored">True when the cameras see the scene mirrored one to the other (a beam-splitter rig): the homography reverses orientation.</param>
public sealed record CalibrationResult(
    Homography RgbToEvents, double ResidualEventPx, double StandardErrorEventPx, int FramesUsed, int FramesTried,
    double Confidence, double Ambiguity, double SearchScale, double SearchRotationDeg, IReadOnlyList<FrameCalibration> Frames, bool Mirrored = false);
