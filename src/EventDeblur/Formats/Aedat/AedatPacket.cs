namespace EventDeblur.Formats.Aedat;

/// <summary>One decoded unit from a reader. Event batches are owned by the receiver (dispose them).</summary>
public abstract record AedatPacket
{
    /// <summary>Stream id the packet belongs to.</summary>
    public required int StreamId { get; init; }

    /// <summary>Byte offset in the file where the packet (or record run) starts.</summary>
    public required long ByteOffset { get; init; }
}
