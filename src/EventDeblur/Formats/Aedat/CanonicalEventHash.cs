using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// The canonical event hash of ../shared/recordings/real/expected.json: SHA-256 over the events in
/// file order, each packed as 13 little-endian bytes (int64 t µs, int16 x, int16 y, uint8 polarity, 1 = ON).
/// </summary>
public sealed class CanonicalEventHash : IDisposable
{
    private const int Record = 13, Chunk = 4096;
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buf = new byte[Record * Chunk];

    /// <summary>Adds events (parallel spans of equal length).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p)
    {
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
            throw new ArgumentException($"event spans differ in length: t {t.Length}, x {x.Length}, y {y.Length}, p {p.Length}");
        var pb = MemoryMarshal.Cast<bool, byte>(p);
        ref byte dst = ref MemoryMarshal.GetArrayDataReference(_buf);
        int i = 0;
        while (i < t.Length)
        {
            int n = Math.Min(Chunk, t.Length - i);
            // Three unaligned stores per record instead of per-field spans: the packing is a third of the hash's cost otherwise.
            for (int k = 0; k < n; k++, i++)
            {
                ref byte r = ref Unsafe.Add(ref dst, k * Record);
                Unsafe.WriteUnaligned(ref r, LittleEndian(t[i]));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref r, 8), LittleEndian((int)(ushort)x[i] | ((int)(ushort)y[i] << 16)));
                Unsafe.Add(ref r, 12) = pb[i] != 0 ? (byte)1 : (byte)0;
            }
            _sha.AppendData(_buf, 0, n * Record);
        }
    }

    private static long LittleEndian(long v) => BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);

    private static int LittleEndian(int v) => BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);

    /// <summary>Lower-case hex SHA-256 of everything appended.</summary>
    public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());

    /// <inheritdoc />
    public void Dispose() => _sha.Dispose();
}
