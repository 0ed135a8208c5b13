using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// The canonical event hash of ../shared/recordings/real/expected.json: SHA-256 over the events in
/// file order, each packed as 13 little-endian bytes (int64 t µs, int16 x, int16 y, uint8 polarity, 1 = ON).
/// </summary>
public sealed class CanonicalEventHash : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buf = new byte[13 * 4096];

    /// <summary>Adds events (parallel spans of equal length).</summary>
    public void Append(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p)
    {
        int i = 0;
        while (i < t.Length)
        {
            int n = Math.Min(4096, t.Length - i);
            var b = _buf.AsSpan(0, n * 13);
            for (int k = 0; k < n; k++, i++)
            {
                var r = b.Slice(k * 13, 13);
                BinaryPrimitives.WriteInt64LittleEndian(r, t[i]);
                BinaryPrimitives.WriteInt16LittleEndian(r[8..], x[i]);
                BinaryPrimitives.WriteInt16LittleEndian(r[10..], y[i]);
                r[12] = p[i] ? (byte)1 : (byte)0;
            }
            _sha.AppendData(b);
        }
    }

    /// <summary>Lower-case hex SHA-256 of everything appended.</summary>
    public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());

    /// <inheritdoc />
    public void Dispose() => _sha.Dispose();
}
