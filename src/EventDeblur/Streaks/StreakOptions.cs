namespace EventDeblur.Streaks;

/// <summary>Options of <see cref="StreakDetector"/>.</summary>
/// <param name="BrightFraction">A pixel belongs to a streak when its luminance reaches this fraction of the saturation level.</param>
/// <param name="MinAreaPx">Smallest streak, RGB pixels.</param>
/// <param name="MaxAreaPx">Largest streak, RGB pixels (bigger bright regions are extended lights or sky glow).</param>
/// <param name="MaxExtentPx">Largest bounding-box side, RGB pixels (longest plausible blur).</param>
/// <param name="MaxWidthPx">Largest streak thickness (minor axis, 2σ), RGB pixels: thick blobs are extended lights.</param>
/// <param name="IsolationPx">No other bright component may come this close, RGB pixels.</param>
/// <param name="BorderPx">Streaks touching this band at the frame edge are rejected (they may be cut).</param>
/// <param name="SeparateAtGapPx">
/// When set, a component that fails <paramref name="IsolationPx"/> only because other bright components come near is kept
/// if each of them is at least this far from it (RGB pixels: the distance between the centres of their nearest bright
/// pixels less one; in [1, 1000]), with a <see cref="Streak.Ownership"/> that gives it the pixels nearer to it than to
/// them; null (the default) rejects it. The events are split at the cells' boundary, about half the gap from each light,
/// so the rig's calibration must be better than that.
/// </param>
public sealed record StreakOptions(double BrightFraction = 0.9, int MinAreaPx = 3, int MaxAreaPx = 1500, int MaxExtentPx = 90, double MaxWidthPx = 5, int IsolationPx = 12, int BorderPx = 4, double? SeparateAtGapPx = null);
