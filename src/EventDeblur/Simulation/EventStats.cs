namespace EventDeblur.Simulation;

/// <summary>Event counts of one simulated window, by cause.</summary>
/// <param name="SignalOn">ON events from log-intensity changes (leak included).</param>
/// <param name="SignalOff">OFF events from log-intensity changes.</param>
/// <param name="ShotNoise">Shot-noise events.</param>
/// <param name="HotPixel">Hot-pixel events.</param>
/// <param name="Suppressed">Threshold crossings delayed by the refractory period.</param>
public sealed record EventStats(long SignalOn, long SignalOff, long ShotNoise, long HotPixel, long Suppressed)
{
    /// <summary>All events emitted.</summary>
    public long Total => SignalOn + SignalOff + ShotNoise + HotPixel;

    /// <summary>Sum of two windows' counts.</summary>
    public static EventStats operator +(EventStats a, EventStats b) =>
        new(a.SignalOn + b.SignalOn, a.SignalOff + b.SignalOff, a.ShotNoise + b.ShotNoise, a.HotPixel + b.HotPixel, a.Suppressed + b.Suppressed);

    /// <summary>No events.</summary>
    public static EventStats Zero { get; } = new(0, 0, 0, 0, 0);
}
