using System.Buffers.Binary;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Bounds-checked hand decoding of flatbuffers (little-endian). Every offset read from the data is
/// checked before use, so corrupt buffers raise <see cref="FlatBufferException"/> instead of
/// reading out of range. See AEDAT.md §4.3.
/// </summary>
internal readonly ref struct FlatBufferView
{
    private readonly ReadOnlySpan<byte> _b;

    public FlatBufferView(ReadOnlySpan<byte> buffer) => _b = buffer;

    public int Length => _b.Length;

    public ReadOnlySpan<byte> Span => _b;

    /// <summary>Strips the 4-byte size prefix of a size-prefixed buffer and checks it.</summary>
    public static FlatBufferView FromSizePrefixed(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8) throw new FlatBufferException($"size-prefixed flatbuffer needs at least 8 bytes, found {data.Length}");
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (size > data.Length - 4 || size < 8)
            throw new FlatBufferException($"flatbuffer size prefix says {size} bytes, {data.Length - 4} available");
        return new FlatBufferView(data.Slice(4, (int)size));
    }

    public string Identifier => _b.Length >= 8 ? System.Text.Encoding.ASCII.GetString(_b.Slice(4, 4)) : "";

    public int Root()
    {
        uint off = U32(0);
        Check(off, 4);
        return (int)off;
    }

    /// <summary>Position of field <paramref name="index"/> in table <paramref name="table"/>, or 0 when absent.</summary>
    public int Field(int table, int index)
    {
        long vtable = table - (long)I32(table);
        Check(vtable, 4);
        ushort vtSize = U16((int)vtable);
        int slot = 4 + 2 * index;
        if (slot + 2 > vtSize) return 0;
        Check(vtable + slot, 2);
        ushort rel = U16((int)vtable + slot);
        if (rel == 0) return 0;
        Check((long)table + rel, 1);
        return table + rel;
    }

    public long FieldI64(int table, int index, long dflt)
    {
        int p = Field(table, index);
        return p == 0 ? dflt : I64(p);
    }

    public int FieldI32(int table, int index, int dflt)
    {
        int p = Field(table, index);
        return p == 0 ? dflt : I32(p);
    }

    public short FieldI16(int table, int index, short dflt)
    {
        int p = Field(table, index);
        return p == 0 ? dflt : BinaryPrimitives.ReadInt16LittleEndian(Slice(p, 2));
    }

    public sbyte FieldI8(int table, int index, sbyte dflt)
    {
        int p = Field(table, index);
        return p == 0 ? dflt : (sbyte)Slice(p, 1)[0];
    }

    public float FieldF32(int table, int index, float dflt)
    {
        int p = Field(table, index);
        return p == 0 ? dflt : BinaryPrimitives.ReadSingleLittleEndian(Slice(p, 4));
    }

    /// <summary>Follows a uoffset stored at <paramref name="pos"/>.</summary>
    public int Indirect(int pos)
    {
        long target = pos + (long)U32(pos);
        Check(target, 4);
        return (int)target;
    }

    /// <summary>A vector field: position of its first element and its length; (0, 0) when absent.</summary>
    public (int Start, int Count) Vector(int table, int index, int elementSize)
    {
        int p = Field(table, index);
        if (p == 0) return (0, 0);
        int v = Indirect(p);
        uint n = U32(v);
        long bytes = (long)n * elementSize;
        if (v + 4 + bytes > _b.Length)
            throw new FlatBufferException($"vector of {n} elements × {elementSize} bytes at buffer offset {v} runs past the buffer end ({_b.Length} bytes)");
        return (v + 4, (int)n);
    }

    public string? String(int table, int index)
    {
        var (start, n) = Vector(table, index, 1);
        if (start == 0) return null;
        return System.Text.Encoding.UTF8.GetString(_b.Slice(start, n));
    }

    public ReadOnlySpan<byte> Slice(int pos, int len)
    {
        Check(pos, len);
        return _b.Slice(pos, len);
    }

    public uint U32(int pos) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(pos, 4));

    public int I32(int pos) => BinaryPrimitives.ReadInt32LittleEndian(Slice(pos, 4));

    public long I64(int pos) => BinaryPrimitives.ReadInt64LittleEndian(Slice(pos, 8));

    public ushort U16(int pos) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(pos, 2));

    private void Check(long pos, long len)
    {
        if (pos < 0 || pos + len > _b.Length)
            throw new FlatBufferException($"flatbuffer offset {pos} (+{len}) is outside the {_b.Length}-byte buffer");
    }
}
