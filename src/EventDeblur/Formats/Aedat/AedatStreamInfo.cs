namespace EventDeblur.Formats.Aedat;

/// <summary>A declared data stream.</summary>
/// <param name="Id">Stream id as used in packet headers.</param>
/// <param name="Kind">What it carries.</param>
/// <param name="TypeIdentifier">Four-letter flatbuffer identifier (AEDAT 4.0) or a descriptive name.</param>
/// <param name="Width">Declared sensor width in pixels (0 if not stated).</param>
/// <param name="Height">Declared sensor height in pixels (0 if not stated).</param>
/// <param name="Source">Camera name, e.g. <c>DAVIS346_00000104</c>, or empty.</param>
public sealed record AedatStreamInfo(int Id, AedatStreamKind Kind, string TypeIdentifier, int Width, int Height, string Source)
{
    /// <summary>The stream's name (AEDAT 4.0 <c>originalOutputName</c>, e.g. <c>events</c>); empty when not stated.</summary>
    public string Name { get; init; } = "";

    /// <summary>The stream's <c>tsOffset</c> (AEDAT 4.0 info node: the device clock's offset, µs); null when not stated.</summary>
    public long? TsOffsetUs { get; init; }
}
