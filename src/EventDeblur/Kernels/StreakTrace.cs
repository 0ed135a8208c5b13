namespace EventDeblur.Kernels;

/// <summary>What tracing one candidate light gave: its path, or why there is none.</summary>
/// <param name="Path">The light's path, or null when it could not be traced.</param>
/// <param name="EventsUsed">Events the path was made from (after noise filtering); 0 without a path.</param>
/// <param name="Failure">Why there is no path (for the diagnostics), or null.</param>
public sealed record StreakTrace(StreakTrajectory? Path, int EventsUsed, string? Failure);
