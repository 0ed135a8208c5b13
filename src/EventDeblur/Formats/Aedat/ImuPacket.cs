using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>Inertial samples.</summary>
public sealed record ImuPacket : AedatPacket
{
    /// <summary>The samples, in file order.</summary>
    public required ImuSample[] Samples { get; init; }
}
