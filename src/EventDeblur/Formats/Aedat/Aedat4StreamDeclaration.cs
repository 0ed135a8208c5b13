namespace EventDeblur.Formats.Aedat;

/// <summary>A stream an <see cref="Aedat4Writer"/> declares in its info node.</summary>
/// <param name="Id">Stream id used in packet headers (≥ 0).</param>
/// <param name="Kind">What it carries (events, frames, IMU or triggers).</param>
/// <param name="Name">Its <c>originalOutputName</c>, e.g. <c>events</c>.</param>
/// <param name="TsOffsetUs">Its <c>tsOffset</c>, µs (the device clock's offset; DV states one per stream).</param>
/// <param name="Source">Camera name for its <c>source</c>; null: <see cref="Aedat4WriterOptions.Source"/>.</param>
public sealed record Aedat4StreamDeclaration(int Id, AedatStreamKind Kind, string Name, long TsOffsetUs = 0, string? Source = null)
{
    /// <summary>The four standard streams: 0 events, 1 frames, 2 IMU, 3 triggers, tsOffset 0.</summary>
    public static IReadOnlyList<Aedat4StreamDeclaration> Standard { get; } =
    [
        new(0, AedatStreamKind.Events, "events"),
        new(1, AedatStreamKind.Frames, "frames"),
        new(2, AedatStreamKind.Imu, "imu"),
        new(3, AedatStreamKind.Triggers, "triggers"),
    ];
}
