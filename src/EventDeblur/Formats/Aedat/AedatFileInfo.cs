namespace EventDeblur.Formats.Aedat;

/// <summary>What a reader knows about a file after opening it.</summary>
public sealed record AedatFileInfo
{
    /// <summary>The file path.</summary>
    public required string FilePath { get; init; }

    /// <summary>Container version.</summary>
    public required AedatVersion Version { get; init; }

    /// <summary>Event sensor width in pixels (0 when unknown).</summary>
    public required int Width { get; init; }

    /// <summary>Event sensor height in pixels (0 when unknown).</summary>
    public required int Height { get; init; }

    /// <summary>Camera model or name, e.g. <c>DAVIS240C</c>; empty when unknown.</summary>
    public string Camera { get; init; } = "";

    /// <summary>Declared streams (AEDAT 4.0) or the implicit ones of older versions.</summary>
    public IReadOnlyList<AedatStreamInfo> Streams { get; init; } = [];

    /// <summary>AEDAT 4.0 packet compression (<c>NONE</c>, <c>LZ4</c>, <c>LZ4_HIGH</c>, <c>ZSTD</c>, <c>ZSTD_HIGH</c>); empty for older versions.</summary>
    public string Compression { get; init; } = "";

    /// <summary>Byte offset of the first data byte after the header.</summary>
    public long DataStartOffset { get; init; }

    /// <summary>
    /// The info of a format whose streams are fixed by the format rather than declared (AEDAT 2.0 / 3.1, Prophesee,
    /// HDF5): each stream is (id, kind, type name) of <paramref name="camera"/>; events and frames streams have the
    /// sensor's size, the others none.
    /// </summary>
    public static AedatFileInfo WithFixedStreams(string path, AedatVersion version, int width, int height, string camera, long dataStart,
        params ReadOnlySpan<(int Id, AedatStreamKind Kind, string Type)> streams)
    {
        var list = new AedatStreamInfo[streams.Length];
        for (int i = 0; i < streams.Length; i++)
        {
            var (id, kind, type) = streams[i];
            bool sized = kind is AedatStreamKind.Events or AedatStreamKind.Frames;
            list[i] = new AedatStreamInfo(id, kind, type, sized ? width : 0, sized ? height : 0, camera);
        }
        return new AedatFileInfo
        {
            FilePath = path,
            Version = version,
            Width = width,
            Height = height,
            Camera = camera,
            DataStartOffset = dataStart,
            Streams = list,
        };
    }
}
