namespace EventDeblur.Streaks;

/// <summary>A bright component that was not used, and why.</summary>
/// <param name="X0">Bounding box left.</param>
/// <param name="Y0">Bounding box top.</param>
/// <param name="Width">Bounding box width.</param>
/// <param name="Height">Bounding box height.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record RejectedStreak(int X0, int Y0, int Width, int Height, string Reason);
