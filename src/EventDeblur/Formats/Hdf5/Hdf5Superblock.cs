using System.Buffers.Binary;

namespace EventDeblur.Formats.Hdf5;

/// <summary>
/// The one field of the HDF5 superblock (at byte 0; HDF5 File Format Specification §II.A, versions 0–3) that tells a
/// truncated file: the end-of-file address, the size the library wrote the file to. PureHDF reads past the end as
/// zeros, so without this check a truncated file delivered zero-filled columns (all events OFF, time 0) as data.
/// </summary>
internal static class Hdf5Superblock
{
    /// <summary>
    /// The byte at which the superblock says the file ends (base address + end-of-file address), or null when the
    /// superblock is not at byte 0, is of an unknown version, or leaves the address undefined.
    /// </summary>
    public static long? StatedEnd(ReadOnlySpan<byte> head)
    {
        if (head.Length < 9 || !head[..8].SequenceEqual(SignatureBytes)) return null;
        int version = head[8];
        int offsets, baseAt, eofAt;
        switch (version)
        {
            case 0 or 1:
                if (head.Length < 15) return null;
                offsets = head[13];
                baseAt = version == 0 ? 24 : 28;
                eofAt = baseAt + 2 * offsets;
                break;
            case 2 or 3:
                if (head.Length < 12) return null;
                offsets = head[9];
                baseAt = 12;
                eofAt = baseAt + 2 * offsets;
                break;
            default:
                return null;
        }
        if (offsets is not (2 or 4 or 8) || head.Length < eofAt + offsets) return null;
        ulong undefined = offsets == 8 ? ulong.MaxValue : (1UL << (8 * offsets)) - 1;
        ulong b = Address(head, baseAt, offsets), eof = Address(head, eofAt, offsets);
        if (b == undefined || eof == undefined || b > long.MaxValue / 2 || eof > long.MaxValue / 2) return null;
        return (long)(b + eof);
    }

    /// <summary>
    /// For a version 2 or 3 superblock (the ones with a checksum): whether its Jenkins lookup3 checksum matches
    /// (HDF5 File Format Specification §II.A and appendix "Checksums"), with the superblock's length; null for versions
    /// 0 and 1, which have none, or when <paramref name="head"/> is too short.
    /// </summary>
    public static (bool Matches, int Length)? Checksum(ReadOnlySpan<byte> head)
    {
        // Only a superblock at byte 0 (a file with a user block has it further on: not judged here).
        if (head.Length < 12 || !head[..8].SequenceEqual(SignatureBytes) || head[8] is not (2 or 3)) return null;
        int offsets = head[9];
        if (offsets is not (2 or 4 or 8)) return null;
        int length = 12 + 4 * offsets;
        if (head.Length < length + 4) return null;
        return (Lookup3(head[..length]) == BinaryPrimitives.ReadUInt32LittleEndian(head[length..]), length + 4);
    }

    /// <summary>
    /// Whether a version 3 superblock's file consistency flags (byte 11) mark the file as open for writing (bit 0) or for
    /// SWMR writing (bit 2): set while a writer has it open, and left set when the writer is killed.
    /// </summary>
    public static bool OpenForWriting(ReadOnlySpan<byte> head) => head.Length >= 12 && head[..8].SequenceEqual(SignatureBytes) && head[8] == 3 && (head[11] & 0b101) != 0;

    /// <summary>The HDF5 format signature, the first 8 bytes of a superblock.</summary>
    internal static ReadOnlySpan<byte> SignatureBytes => [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Bob Jenkins' lookup3 <c>hashlittle</c> (initial value 0), HDF5's metadata checksum.</summary>
    internal static uint Lookup3(ReadOnlySpan<byte> k)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)k.Length;
        int i = 0, n = k.Length;
        while (n > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(k[i..]);
            b += BinaryPrimitives.ReadUInt32LittleEndian(k[(i + 4)..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(k[(i + 8)..]);
            a -= c; a ^= Rot(c, 4); c += b;
            b -= a; b ^= Rot(a, 6); a += c;
            c -= b; c ^= Rot(b, 8); b += a;
            a -= c; a ^= Rot(c, 16); c += b;
            b -= a; b ^= Rot(a, 19); a += c;
            c -= b; c ^= Rot(b, 4); b += a;
            n -= 12;
            i += 12;
        }
        if (n == 0) return c;
        // The last 1..12 bytes, little-endian into a, b, c (bytes past the end count as zero).
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        k.Slice(i, n).CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]);
        c ^= b; c -= Rot(b, 14);
        a ^= c; a -= Rot(c, 11);
        b ^= a; b -= Rot(a, 25);
        c ^= b; c -= Rot(b, 16);
        a ^= c; a -= Rot(c, 4);
        b ^= a; b -= Rot(a, 14);
        c ^= b; c -= Rot(b, 24);
        return c;
    }

    private static uint Rot(uint x, int k) => (x << k) | (x >> (32 - k));

    private static ulong Address(ReadOnlySpan<byte> head, int at, int size) => size switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(head[at..]),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(head[at..]),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(head[at..]),
    };
}
