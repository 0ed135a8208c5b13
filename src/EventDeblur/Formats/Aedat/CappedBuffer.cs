using System.Buffers;

namespace EventDeblur.Formats.Aedat;

/// <summary>A growable output buffer with a hard cap, so a decompression bomb cannot exhaust memory.</summary>
internal sealed class CappedBuffer(long cap) : IBufferWriter<byte>
{
    private byte[] _buf = new byte[1 << 16];

    public int WrittenCount { get; private set; }

    /// <summary>Bytes the buffer holds now, whatever is written (for memory bounds).</summary>
    public int Capacity => _buf.Length;

    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, WrittenCount);

    public void Reset() => WrittenCount = 0;

    public void Advance(int count) => WrittenCount += count;

    public Memory<byte> GetMemory(int sizeHint = 0) { Ensure(sizeHint); return _buf.AsMemory(WrittenCount); }

    public Span<byte> GetSpan(int sizeHint = 0) { Ensure(sizeHint); return _buf.AsSpan(WrittenCount); }

    private void Ensure(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buf.Length - WrittenCount >= need) return;
        long want = Math.Max((long)_buf.Length * 2, (long)WrittenCount + need);
        if ((long)WrittenCount + need > cap)
            throw new DecompressionLimitException($"the body expands past the limit of {ReaderLimits.Bytes(cap)} ({WrittenCount} bytes decoded so far, {need} more requested)");
        want = Math.Min(want, Math.Min(cap, Array.MaxLength));
        Array.Resize(ref _buf, (int)want);
    }
}
