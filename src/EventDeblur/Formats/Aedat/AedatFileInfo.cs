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
}
