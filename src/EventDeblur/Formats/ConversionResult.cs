using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Formats;

/// <summary>What a conversion wrote.</summary>
/// <param name="Events">Events written.</param>
/// <param name="Frames">APS frames written.</param>
/// <param name="Triggers">Trigger events written.</param>
/// <param name="Imu">IMU samples written.</param>
/// <param name="Outputs">Files written (absolute paths).</param>
/// <param name="Problems">Problems the reader found in the input; valid data before and around them was still converted.</param>
public sealed record ConversionResult(long Events, long Frames, long Triggers, long Imu, IReadOnlyList<string> Outputs, IReadOnlyList<Problem> Problems)
{
    /// <summary>Events left out because their timestamp (µs) was earlier than the previous kept event's.</summary>
    public long DroppedBackward { get; init; }

    /// <summary>Events dropped because they followed a damaged timestamp that threw time forward (more than 1 s) and the stream then went back to the earlier time.</summary>
    public long DroppedJumpedForward { get; init; }

    /// <summary>Events left out because they lie outside the sensor (x ≥ width or y ≥ height, pixels).</summary>
    public long DroppedOutOfRange { get; init; }

    /// <summary>Trigger events read per stream id (for a Prophesee file, 1 + its EXT_TRIGGER channel), before any was left out.</summary>
    public IReadOnlyDictionary<int, long> TriggersByStream { get; init; } = new Dictionary<int, long>();
}
