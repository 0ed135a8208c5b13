namespace EventDeblur.Streaks;

/// <summary>Result of streak detection.</summary>
/// <param name="Streaks">Trustworthy streaks, best first.</param>
/// <param name="Rejected">Other bright components with the reason.</param>
public sealed record StreakDetection(IReadOnlyList<Streak> Streaks, IReadOnlyList<RejectedStreak> Rejected);
