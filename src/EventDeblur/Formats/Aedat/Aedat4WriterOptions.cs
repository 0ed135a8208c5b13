namespace EventDeblur.Formats.Aedat;

/// <summary>Settings of an <see cref="Aedat4Writer"/>.</summary>
public sealed record Aedat4WriterOptions
{
    /// <summary>Packet compression. Default LZ4 (what DV records with).</summary>
    public Aedat4Compression Compression { get; init; } = Aedat4Compression.Lz4;

    /// <summary>Event sensor width in pixels (1–32767).</summary>
    public required int Width { get; init; }

    /// <summary>Event sensor height in pixels (1–32767).</summary>
    public required int Height { get; init; }

    /// <summary>Camera name written as each stream's <c>source</c>, e.g. <c>DAVIS346_00000104</c>.</summary>
    public string Source { get; init; } = "EventDeblur";

    /// <summary>Most events per packet; longer spans are split. Default 16 384.</summary>
    public int MaxEventsPerPacket { get; init; } = 16384;

    /// <summary>
    /// The streams to declare, at most one per kind (events, frames, IMU, triggers); null: all four
    /// with the standard ids (<see cref="Aedat4StreamDeclaration.Standard"/>). Writing data of a kind
    /// that is not declared throws.
    /// </summary>
    public IReadOnlyList<Aedat4StreamDeclaration>? Streams { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Width is < 1 or > 32767 || Height is < 1 or > 32767)
            throw new ArgumentException($"sensor size {Width}×{Height} must be within 1..32767 pixels");
        if (MaxEventsPerPacket < 1) throw new ArgumentException("MaxEventsPerPacket must be ≥ 1");
        if (Streams is { } streams)
        {
            if (streams.Any(s => s.Kind == AedatStreamKind.Other)) throw new ArgumentException("Streams: only events, frames, IMU and triggers can be written");
            if (streams.Select(s => s.Kind).Distinct().Count() != streams.Count) throw new ArgumentException("Streams: at most one stream per kind");
            if (streams.Select(s => s.Id).Distinct().Count() != streams.Count) throw new ArgumentException("Streams: stream ids must be distinct");
            if (streams.Any(s => s.Id < 0)) throw new ArgumentException("Streams: stream ids must be ≥ 0");
        }
    }
}
