namespace EventDeblur.Formats.Aedat;

/// <summary>AEDAT 4.0 packet compression (IOHeader <c>CompressionType</c>).</summary>
public enum Aedat4Compression
{
    /// <summary>Uncompressed bodies.</summary>
    None = 0,
    /// <summary>LZ4 frame format, fast level.</summary>
    Lz4 = 1,
    /// <summary>LZ4 frame format, high-compression level.</summary>
    Lz4High = 2,
    /// <summary>One zstd frame per packet, level 3.</summary>
    Zstd = 3,
    /// <summary>One zstd frame per packet, maximum level.</summary>
    ZstdHigh = 4,
}
