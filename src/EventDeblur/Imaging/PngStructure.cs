using System.Buffers.Binary;
using System.IO.Hashing;

namespace EventDeblur.Imaging;

/// <summary>
/// Walks a PNG file's chunks before any pixel is decoded, the way <c>pngcheck</c> does: the signature, each chunk's
/// length within the file, each chunk's CRC-32 over its type and data, an IHDR first and an IEND last. A bit flipped
/// in transit or on disk is then reported with its chunk and byte offset, instead of surfacing as the native decoder's
/// message on standard error and a bare "cannot decode".
/// </summary>
public static class PngStructure
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary><c>true</c> when <paramref name="data"/> starts with the 8-byte PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    /// <summary>
    /// The first structural fault of the PNG in <paramref name="data"/>, as text naming the chunk and its byte offset
    /// (for example <c>"byte 41: chunk IDAT (8192 bytes of data) has CRC-32 0x1C2D3E4F, its data gives 0x…"</c>);
    /// <c>null</c> when every chunk is whole and its CRC matches, the first chunk is IHDR and the last IEND.
    /// Bytes after IEND are tolerated (some writers pad). Data that does not start with the signature is not a PNG and
    /// gives a fault.
    /// </summary>
    public static string? FindFault(ReadOnlySpan<byte> data)
    {
        if (!IsPng(data)) return "byte 0: not a PNG (no PNG signature)";
        long pos = 8;
        bool first = true;
        while (true)
        {
            if (pos + 8 > data.Length)
                return $"byte {pos}: the file ends ({data.Length} bytes) before the closing IEND chunk (cut short?)";
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)pos..]);
            var type = data.Slice((int)pos + 4, 4);
            string name = ChunkName(type);
            if (length > int.MaxValue)
                return $"byte {pos}: chunk '{name}' declares {length} bytes of data, over the PNG limit of 2^31−1";
            if (pos + 12 + length > data.Length)
                return $"byte {pos}: chunk {name} declares {length} bytes of data, but only {data.Length - pos - 12} remain in the file (cut short?)";
            if (first && name != "IHDR")
                return $"byte {pos}: the first chunk is '{name}', expected IHDR";
            var typeAndData = data.Slice((int)pos + 4, 4 + (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[((int)pos + 8 + (int)length)..]);
            uint computed = Crc32.HashToUInt32(typeAndData);
            if (stored != computed)
                return $"byte {pos}: chunk {name} ({length} bytes of data) has CRC-32 0x{stored:X8}, its content gives 0x{computed:X8} (the file is corrupt)";
            if (name == "IEND") return null;
            first = false;
            pos += 12 + length;
        }
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(c);
    }
}
