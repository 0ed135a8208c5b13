using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>Polarity events.</summary>
public sealed record EventsPacket : AedatPacket
{
    /// <summary>The events, in file order. Dispose when done.</summary>
    public required EventBatch Events { get; init; }
}
