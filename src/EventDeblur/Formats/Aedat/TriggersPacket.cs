using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>Trigger events.</summary>
public sealed record TriggersPacket : AedatPacket
{
    /// <summary>The triggers, in file order.</summary>
    public required TriggerEvent[] Triggers { get; init; }
}
