using System.Buffers.Binary;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Where one stored AEDAT 4.0 body ends: an LZ4 frame, a Zstandard frame or (no compression) a size-prefixed
/// flatbuffer, parsed from its own headers without decompressing. Used to find bytes after the FileDataTable (a second
/// recording joined with <c>cat</c>), which a decoder that stops at its frame's end would pass over in silence.
/// </summary>
public static class CompressedFrame
{
    /// <summary>
    /// The length in bytes of the frame starting at <paramref name="data"/>[0], or null when its headers are not those of
    /// <paramref name="compression"/> or it does not end within <paramref name="data"/>.
    /// </summary>
    public static long? Length(ReadOnlySpan<byte> data, Aedat4Compression compression) => compression switch
    {
        Aedat4Compression.None => data.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(data) is var n && 4L + n <= data.Length ? 4L + n : null,
        Aedat4Compression.Zstd or Aedat4Compression.ZstdHigh => Zstd(data),
        _ => Lz4(data),
    };

    private static long? Lz4(ReadOnlySpan<byte> d)
    {
        if (d.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(d) != 0x184D2204) return null;
        byte flg = d[4];
        if (flg >> 6 != 1) return null;
        bool blockChecksum = (flg & 0x10) != 0, contentSize = (flg & 0x08) != 0, contentChecksum = (flg & 0x04) != 0, dictId = (flg & 0x01) != 0;
        long p = 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
        while (true)
        {
            if (p + 4 > d.Length) return null;
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(d[(int)p..]) & 0x7FFFFFFF;
            p += 4;
            if (size == 0) break;
            p += size + (blockChecksum ? 4 : 0);
        }
        p += contentChecksum ? 4 : 0;
        return p <= d.Length ? p : null;
    }

    private static long? Zstd(ReadOnlySpan<byte> d)
    {
        if (d.Length < 6 || BinaryPrimitives.ReadUInt32LittleEndian(d) != 0xFD2FB528) return null;
        byte fhd = d[4];
        int fcsFlag = fhd >> 6, dictFlag = fhd & 3;
        bool single = (fhd & 0x20) != 0, checksum = (fhd & 0x04) != 0;
        long p = 5 + (single ? 0 : 1) + dictFlag switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 } + fcsFlag switch { 0 => single ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        while (true)
        {
            if (p + 3 > d.Length) return null;
            int h = d[(int)p] | d[(int)p + 1] << 8 | d[(int)p + 2] << 16;
            p += 3;
            int type = (h >> 1) & 3, size = h >> 3;
            if (type == 3) return null;
            p += type == 1 ? 1 : size;
            if ((h & 1) != 0) break;
        }
        p += checksum ? 4 : 0;
        return p <= d.Length ? p : null;
    }
}
