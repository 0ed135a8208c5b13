namespace EventDeblur.Kernels;

/// <summary>One streak's recovered light path.</summary>
/// <param name="Mid">Frame position at mid-exposure.</param>
/// <param name="Offsets">Frame-pixel offsets from <paramref name="Mid"/> at equally spaced exposure times.</param>
/// <param name="Events">Events used.</param>
/// <param name="RmsResidualPx">RMS distance of slice centroids from the smooth path, event pixels.</param>
public sealed record StreakTrajectory((double X, double Y) Mid, (double X, double Y)[] Offsets, int Events, double RmsResidualPx);
