namespace EventDeblur.Formats.Aedat;

/// <summary>One row of an AEDAT 4.0 FileDataTable: where a packet is and what time it covers.</summary>
/// <param name="ByteOffset">File offset of the packet body (8 bytes after its header).</param>
/// <param name="StreamId">Stream id.</param>
/// <param name="Size">Body size in bytes as stored (compressed).</param>
/// <param name="NumElements">Events, samples or triggers in the packet; 1 for a frame.</param>
/// <param name="TimestampStartUs">First element time in µs (0 when the table leaves it out, the schema's default).</param>
/// <param name="TimestampEndUs">Last element time in µs (0 when the table leaves it out, the schema's default).</param>
public readonly record struct Aedat4TableEntry(long ByteOffset, int StreamId, int Size, long NumElements, long TimestampStartUs, long TimestampEndUs);
