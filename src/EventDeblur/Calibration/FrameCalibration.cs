namespace EventDeblur.Calibration;

/// <summary>What one frame contributed to a calibration.</summary>
/// <param name="Index">Frame index (frames.csv).</param>
/// <param name="Events">Events inside the frame's exposure window.</param>
/// <param name="Correlation">ECC correlation coefficient (−1..1) of the frame's refinement; NaN when it was not refined.</param>
/// <param name="DeviationEventPx">RMS distance over the grid between this frame's estimate and the joint one, event pixels; NaN when not refined.</param>
/// <param name="Used">Whether the frame went into the joint estimate.</param>
/// <param name="Rejection">Why the frame was left out; null when used.</param>
public sealed record FrameCalibration(long Index, long Events, double Correlation, double DeviationEventPx, bool Used, string? Rejection);
