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
