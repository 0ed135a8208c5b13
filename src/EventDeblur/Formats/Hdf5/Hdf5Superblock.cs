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
        ReadOnlySpan<byte> signature = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];
        if (head.Length < 9 || !head[..8].SequenceEqual(signature)) return null;
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

    private static ulong Address(ReadOnlySpan<byte> head, int at, int size) => size switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(head[at..]),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(head[at..]),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(head[at..]),
    };
}
