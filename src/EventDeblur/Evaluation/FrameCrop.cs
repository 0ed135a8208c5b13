using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>Where the report's crop of a frame lies.</summary>
/// <param name="Rect">The crop, frame pixels (at most <see cref="ReportFrames.CropWidthPx"/> × <see cref="ReportFrames.CropHeightPx"/>).</param>
/// <param name="FrameWidth">Width of the frame (one panel of the comparison), pixels.</param>
/// <param name="FrameHeight">Height of the frame, pixels.</param>
internal sealed record FrameCrop(Rect Rect, int FrameWidth, int FrameHeight);
