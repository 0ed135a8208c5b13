using PureHDF;
using PureHDF.Selections;

namespace EventDeblur.Formats.Hdf5;

/// <summary>
/// One 1-D numeric HDF5 dataset read in slices: integers of 1, 2, 4 or 8 bytes (signed or not, also
/// HDF5 enums and bit fields such as h5py's bool) widened to <c>long</c>, floats of 4 or 8 bytes to <c>double</c>.
/// Only the slice asked for is read (PureHDF decompresses the chunks it touches), so memory stays bounded.
/// </summary>
/// <remarks>Made by <see cref="Open"/>, which checks the element type: <paramref name="size"/> bytes, <paramref name="signed"/> or not.</remarks>
internal sealed class Hdf5Column(string name, IH5Dataset ds, long length, bool isFloat, int size, bool signed)
{
    private Array _scratch = Array.Empty<byte>();

    /// <summary>The dataset's path in the file, e.g. <c>events/t</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Number of elements.</summary>
    public long Length { get; } = length;

    /// <summary>True for floating-point data (read with <see cref="ReadDouble"/>).</summary>
    public bool IsFloat { get; } = isFloat;

    /// <summary>Whether the data lies in other files (a virtual dataset), so that this file's size does not bound it.</summary>
    public bool StoredElsewhere => ds.Layout.Class == H5DataLayoutClass.VirtualStorage;

    /// <summary>Bytes per element as stored (1, 2, 4 or 8).</summary>
    public int ElementSize => size;

    /// <summary>A short description of the element type, e.g. <c>uint16</c>, <c>float64</c>.</summary>
    public string TypeName => IsFloat ? $"float{size * 8}" : $"{(signed ? "" : "u")}int{size * 8}";

    /// <summary>Opens <paramref name="name"/> as a 1-D numeric column; <c>null</c> and a reason when it is not one.</summary>
    public static Hdf5Column? Open(IH5Group file, string name, out string? why)
    {
        var ds = file.Dataset(name);
        var type = ds.Type;
        var dims = ds.Space.Dimensions;
        why = null;
        if (dims.Length != 1)
        {
            why = $"expected a 1-D dataset, found {dims.Length}-D ({string.Join("×", dims)})";
            return null;
        }
        long length = (long)dims[0];
        int size = type.Size;
        switch (type.Class)
        {
            case H5DataTypeClass.FixedPoint when size is 1 or 2 or 4 or 8:
                return new Hdf5Column(name, ds, length, false, size, type.FixedPoint.IsSigned);
            case H5DataTypeClass.Enumerated or H5DataTypeClass.BitField when size is 1 or 2 or 4 or 8:
                return new Hdf5Column(name, ds, length, false, size, false);
            case H5DataTypeClass.FloatingPoint when size is 4 or 8:
                return new Hdf5Column(name, ds, length, true, size, true);
            default:
                why = $"expected integer or floating-point numbers, found HDF5 class {type.Class} of {size} bytes";
                return null;
        }
    }

    /// <summary>Reads elements [<paramref name="start"/>, start + dest.Length) as integers.</summary>
    public void ReadLong(long start, Span<long> dest)
    {
        int n = dest.Length;
        if (n == 0) return;
        var sel = new HyperslabSelection((ulong)start, (ulong)n);
        switch (size, signed)
        {
            case (1, true): { var b = Scratch<sbyte>(n); ds.Read(b.AsMemory(0, n), sel); for (int i = 0; i < n; i++) dest[i] = b[i]; break; }
            case (1, false): { var b = Scratch<byte>(n); ds.Read(b.AsMemory(0, n), sel); for (int i = 0; i < n; i++) dest[i] = b[i]; break; }
            case (2, true): { var b = Scratch<short>(n); ds.Read(b.AsMemory(0, n), sel); for (int i = 0; i < n; i++) dest[i] = b[i]; break; }
            case (2, false): { var b = Scratch<ushort>(n); ds.Read(b.AsMemory(0, n), sel); for (int i = 0; i < n; i++) dest[i] = b[i]; break; }
            case (4, true): { var b = Scratch<int>(n); ds.Read(b.AsMemory(0, n), sel); for (int i = 0; i < n; i++) dest[i] = b[i]; break; }
            case (4, false): { var b = Scratch<uint>(n); ds.Read(b.AsMemory(0, n), sel); for (int i = 0; i < n; i++) dest[i] = b[i]; break; }
            case (8, true): { var b = Scratch<long>(n); ds.Read(b.AsMemory(0, n), sel); b.AsSpan(0, n).CopyTo(dest); break; }
            default:
                {
                    var b = Scratch<ulong>(n);
                    ds.Read(b.AsMemory(0, n), sel);
                    for (int i = 0; i < n; i++) dest[i] = b[i] > long.MaxValue ? long.MaxValue : (long)b[i];
                    break;
                }
        }
    }

    /// <summary>Reads elements [<paramref name="start"/>, start + dest.Length) of a floating-point column.</summary>
    public void ReadDouble(long start, Span<double> dest)
    {
        int n = dest.Length;
        if (n == 0) return;
        var sel = new HyperslabSelection((ulong)start, (ulong)n);
        if (size == 4)
        {
            var b = Scratch<float>(n);
            ds.Read(b.AsMemory(0, n), sel);
            for (int i = 0; i < n; i++) dest[i] = b[i];
        }
        else
        {
            var b = Scratch<double>(n);
            ds.Read(b.AsMemory(0, n), sel);
            b.AsSpan(0, n).CopyTo(dest);
        }
    }

    private T[] Scratch<T>(int n)
    {
        if (_scratch is T[] a && a.Length >= n) return a;
        var fresh = new T[n];
        _scratch = fresh;
        return fresh;
    }
}
