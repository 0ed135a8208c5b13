using EventDeblur.IO;
namespace EventDeblur.Sync;

/// <summary>The frames with their exposure windows, and every mismatch found.</summary>
/// <param name="Windows">One entry per frame row, in order.</param>
/// <param name="Problems">Unmatched exposures and rows, each described.</param>
public sealed record ExposureMatch(IReadOnlyList<FrameWindow> Windows, IReadOnlyList<Problem> Problems);
