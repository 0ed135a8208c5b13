namespace EventDeblur.Formats.Aedat;

/// <summary>AEDAT 4.0 constants shared by the reader and the writer (AEDAT.md §4).</summary>
internal static class Aedat4Schema
{
    public const string VersionLine = "#!AER-DAT4.0\r\n";
    public const int VersionLineBytes = 14;
    public const int PacketHeaderBytes = 8;
    public const int EventStructBytes = 16;

    public const string Events = "EVTS";
    public const string Frame = "FRME";
    public const string Imu = "IMUS";
    public const string Triggers = "TRIG";
    public const string DataTable = "FTAB";
    public const string IoHeader = "IOHE";

    public static AedatStreamKind KindOf(string typeIdentifier) => typeIdentifier switch
    {
        Events => AedatStreamKind.Events,
        Frame => AedatStreamKind.Frames,
        Imu => AedatStreamKind.Imu,
        Triggers => AedatStreamKind.Triggers,
        _ => AedatStreamKind.Other,
    };

    public static string IdentifierOf(AedatStreamKind kind) => kind switch
    {
        AedatStreamKind.Events => Events,
        AedatStreamKind.Frames => Frame,
        AedatStreamKind.Imu => Imu,
        AedatStreamKind.Triggers => Triggers,
        _ => "",
    };

    public static string CompressionName(Aedat4Compression c) => c switch
    {
        Aedat4Compression.None => "NONE",
        Aedat4Compression.Lz4 => "LZ4",
        Aedat4Compression.Lz4High => "LZ4_HIGH",
        Aedat4Compression.Zstd => "ZSTD",
        _ => "ZSTD_HIGH",
    };
}

/// <summary>One row of an AEDAT 4.0 FileDataTable: where a packet is and what time it covers.</summary>
/// <param name="ByteOffset">File offset of the packet body (8 bytes after its header).</param>
/// <param name="StreamId">Stream id.</param>
/// <param name="Size">Body size in bytes as stored (compressed).</param>
/// <param name="NumElements">Events, samples or triggers in the packet; 1 for a frame.</param>
/// <param name="TimestampStartUs">First element time in µs (0 when the table leaves it out, the schema's default).</param>
/// <param name="TimestampEndUs">Last element time in µs (0 when the table leaves it out, the schema's default).</param>
public readonly record struct Aedat4TableEntry(long ByteOffset, int StreamId, int Size, long NumElements, long TimestampStartUs, long TimestampEndUs);
