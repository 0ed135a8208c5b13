namespace EventDeblur.Streaks;

/// <summary>A light streak in the blurry frame.</summary>
/// <param name="X0">Bounding box left, RGB pixels.</param>
/// <param name="Y0">Bounding box top.</param>
/// <param name="Width">Bounding box width.</param>
/// <param name="Height">Bounding box height.</param>
/// <param name="AreaPx">Bright pixels.</param>
/// <param name="CentroidX">Centroid column.</param>
/// <param name="CentroidY">Centroid row.</param>
/// <param name="LengthPx">Major-axis extent (4σ), pixels.</param>
/// <param name="ThicknessPx">Minor-axis extent (4σ), pixels.</param>
/// <param name="Score">Trust in [0, 1]: thin, long enough, isolated, well inside the frame.</param>
public sealed record Streak(int X0, int Y0, int Width, int Height, int AreaPx, double CentroidX, double CentroidY, double LengthPx, double ThicknessPx, double Score)
{
    /// <summary>
    /// Set when other bright components come near this streak (its bounding box overlapping theirs, or within
    /// <see cref="StreakOptions.IsolationPx"/>) but lie at least <see cref="StreakOptions.SeparateAtGapPx"/> away: the frame
    /// pixels nearer to this streak than to any other bright component, whose events are this light's. Null for an
    /// isolated streak (its whole box is its own).
    /// </summary>
    public StreakOwnership? Ownership { get; init; }
}
