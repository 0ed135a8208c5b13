using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;
using Google.FlatBuffers;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>Byte-level edits of AEDAT 4.0 files made by our writer, to build hostile inputs.</summary>
internal static class Aedat4Surgery
{
    /// <summary>Offsets of the parts of a file: where the packets start and the FileDataTable (−1: none).</summary>
    public static (long DataStart, long TablePosition, int Compression, string InfoXml) Parse(byte[] file)
    {
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(14));
        var fb = new FlatBufferView(file.AsSpan(18, headerSize));
        int root = fb.Root();
        return (18 + headerSize, fb.FieldI64(root, 1, -1), fb.FieldI32(root, 0, 0), fb.String(root, 2) ?? "");
    }

    /// <summary>
    /// The same packets under a new IOHeader holding <paramref name="infoXml"/> (and, given, another compression field);
    /// the FileDataTable is left out (its offsets would no longer hold).
    /// </summary>
    public static byte[] WithInfoNode(byte[] file, string infoXml, int? compressionField = null)
    {
        var (dataStart, table, compression, _) = Parse(file);
        compression = compressionField ?? compression;
        long dataEnd = table >= 0 ? table : file.Length;
        var b = new FlatBufferBuilder(infoXml.Length + 256) { ForceDefaults = true };
        var info = b.CreateString(infoXml);
        b.StartTable(3);
        b.AddLong(1, -1, 0);
        b.AddOffset(2, info.Value, 0);
        b.AddInt(0, compression, -1);
        int root = b.EndTable();
        b.FinishSizePrefixed(root, "IOHE");
        var header = b.SizedByteArray();
        var ms = new MemoryStream();
        ms.Write(file.AsSpan(0, 14));
        ms.Write(header);
        ms.Write(file.AsSpan((int)dataStart, (int)(dataEnd - dataStart)));
        return ms.ToArray();
    }

    /// <summary>The packets of a file without table, as (header offset, stream id, body).</summary>
    public static List<(long At, int Stream, byte[] Body)> Packets(byte[] file)
    {
        var (dataStart, table, _, _) = Parse(file);
        long end = table >= 0 ? table : file.Length;
        var list = new List<(long, int, byte[])>();
        for (long at = dataStart; at + 8 <= end;)
        {
            int stream = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan((int)at));
            int size = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan((int)at + 4));
            list.Add((at, stream, file.AsSpan((int)at + 8, size).ToArray()));
            at += 8 + size;
        }
        return list;
    }

    /// <summary>Rebuilds a table-less file from a header prefix (version line + IOHeader) and packets.</summary>
    public static byte[] Assemble(byte[] headerPrefix, IEnumerable<(int Stream, byte[] Body)> packets)
    {
        var ms = new MemoryStream();
        ms.Write(headerPrefix);
        Span<byte> h = stackalloc byte[8];
        foreach (var (stream, body) in packets)
        {
            BinaryPrimitives.WriteInt32LittleEndian(h, stream);
            BinaryPrimitives.WriteInt32LittleEndian(h[4..], body.Length);
            ms.Write(h);
            ms.Write(body);
        }
        return ms.ToArray();
    }

    /// <summary>
    /// An LZ4 frame (independent 4 MiB blocks, as liblz4 and K4os decode it) that expands to
    /// <paramref name="blocks"/> × 4 MiB of zeros while staying about 16 KB per block; with
    /// <paramref name="declareSize"/> the header states the content size.
    /// </summary>
    public static byte[] Lz4Bomb(int blocks, bool declareSize = false)
    {
        const int blockBytes = 4 << 20;
        var zeros = new byte[blockBytes];
        var packed = new byte[K4os.Compression.LZ4.LZ4Codec.MaximumOutputSize(blockBytes)];
        int n = K4os.Compression.LZ4.LZ4Codec.Encode(zeros, packed);
        var ms = new MemoryStream();
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(word, 0x184D2204);
        ms.Write(word[..4]);
        var descriptor = new List<byte> { (byte)(0x60 | (declareSize ? 0x08 : 0)), 0x70 };
        if (declareSize)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)blocks * blockBytes);
            descriptor.AddRange(word.ToArray());
        }
        ms.Write(descriptor.ToArray());
        ms.WriteByte((byte)(K4os.Hash.xxHash.XXH32.DigestOf(descriptor.ToArray()) >> 8));
        for (int i = 0; i < blocks; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, n);
            ms.Write(word[..4]);
            ms.Write(packed, 0, n);
        }
        ms.Write(new byte[4]);
        return ms.ToArray();
    }
}
