using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>One APS frame.</summary>
public sealed record FramePacket : AedatPacket
{
    /// <summary>The frame.</summary>
    public required ApsFrame Frame { get; init; }
}
