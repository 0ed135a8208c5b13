using EventDeblur.Imaging;

namespace EventDeblur.Calibration;

/// <summary>An RGB→event homography fitted to a checkerboard's inner corners seen by both cameras.</summary>
/// <param name="RgbToEvents">RGB pixel → event pixel (pixel centres at integer coordinates in both grids), normalised so h22 = 1.</param>
/// <param name="ResidualEventPx">RMS over the inlier corners of the distance between each event-image corner and its RGB corner mapped by <paramref name="RgbToEvents"/>, event pixels (≥ 0).</param>
/// <param name="MaxCornerErrorEventPx">The largest of those distances, event pixels.</param>
/// <param name="FramesUsed">Frames whose corners entered the joint fit.</param>
/// <param name="FramesTried">Frames examined (with an exposure window).</param>
/// <param name="CornersUsed">Corner pairs that RANSAC kept (inliers) over the used frames.</param>
/// <param name="CornersMatched">Corner pairs of the used frames before RANSAC.</param>
/// <param name="CoverageRgb">Fraction (0–1) of a 32 × 24 grid over the RGB frame inside the convex hull of the used RGB corners: outside it the homography is extrapolated.</param>
/// <param name="Frames">Per-frame details, in frame order.</param>
public sealed record BoardCalibrationResult(
    Homography RgbToEvents, double ResidualEventPx, double MaxCornerErrorEventPx, int FramesUsed, int FramesTried,
    int CornersUsed, int CornersMatched, double CoverageRgb, IReadOnlyList<BoardFrameCalibration> Frames);

/// <summary>What one frame contributed to a checkerboard calibration.</summary>
/// <param name="Index">Frame index (frames.csv).</param>
/// <param name="Events">Events inside the frame's exposure window.</param>
/// <param name="FoundInRgb">Whether the board's inner corners were all found in the RGB frame.</param>
/// <param name="FoundInEvents">Whether they were all found in the event image; false when not searched.</param>
/// <param name="Ordering">How the event corners were matched to the RGB corners: <c>colour</c> (the squares' colours fix the board's orientation), <c>rotation prior</c> (a symmetric board: the ordering that turns the board least between the cameras), null when not matched.</param>
/// <param name="RmsEventPx">RMS distance of this frame's corners from the joint homography, event pixels; NaN when not matched.</param>
/// <param name="Used">Whether the frame's corners entered the joint fit.</param>
/// <param name="Rejection">Why the frame was left out; null when used.</param>
public sealed record BoardFrameCalibration(long Index, long Events, bool FoundInRgb, bool FoundInEvents, string? Ordering, double RmsEventPx, bool Used, string? Rejection);
