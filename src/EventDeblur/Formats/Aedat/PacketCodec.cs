using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using ZstdSharp;

namespace EventDeblur.Formats.Aedat;

/// <summary>Compresses and decompresses AEDAT 4.0 packet bodies exactly as DV does (AEDAT.md §4.5).</summary>
internal sealed class PacketCodec : IDisposable
{
    private readonly Aedat4Compression _compression;
    private readonly long _cap;
    private readonly CappedBuffer _out;
    private Decompressor? _zstdIn;
    private NativeLz4? _lz4;
    private bool _lz4Tried;
    private Compressor? _zstdOut;

    private readonly bool _useSystemLz4;

    public PacketCodec(Aedat4Compression compression, long maxDecompressedBytes, bool useSystemLz4 = true)
    {
        _useSystemLz4 = useSystemLz4;
        _compression = compression;
        _cap = maxDecompressedBytes;
        _out = new CappedBuffer(maxDecompressedBytes);
    }

    /// <summary>Decompresses one packet body; the result is valid until the next call.</summary>
    public ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> body) =>
        _compression == Aedat4Compression.None ? body : DecodeInto(body, _out);

    /// <summary>
    /// Decompresses one compressed packet body into <paramref name="output"/> (reset first; its cap, not this codec's,
    /// bounds the result) and returns what it holds. Not for <see cref="Aedat4Compression.None"/>.
    /// </summary>
    public ReadOnlySpan<byte> DecodeInto(ReadOnlySpan<byte> body, CappedBuffer output)
    {
        switch (_compression)
        {
            case Aedat4Compression.None:
                throw new InvalidOperationException("an uncompressed body is not decoded into a buffer");
            case Aedat4Compression.Lz4:
            case Aedat4Compression.Lz4High:
                output.Reset();
                if (Lz4DeclaredContentSize(body) is ulong declared && declared > (ulong)_cap)
                    throw new DecompressionLimitException($"the LZ4 frame header declares {declared} bytes of content, over the limit of {ReaderLimits.Bytes(_cap)}");
                if (!_lz4Tried) { _lz4 = _useSystemLz4 ? NativeLz4.TryCreate() : null; _lz4Tried = true; }
                // The frame stores no content size: decode until the frame ends, never into a fixed buffer.
                if (_lz4 != null) _lz4.Decode(body, output);
                else LZ4Frame.Decode(body, output);
                return output.Written;
            default:
                output.Reset();
                _zstdIn ??= new Decompressor();
                ulong size = Decompressor.GetDecompressedSize(body);
                if (size != ContentSizeUnknown && size != ContentSizeError && size > (ulong)_cap)
                    throw new DecompressionLimitException($"the zstd frame header declares {size} bytes of content, over the limit of {ReaderLimits.Bytes(_cap)}");
                if (size <= int.MaxValue)
                {
                    var dst = output.GetSpan((int)size);
                    int n = _zstdIn.Unwrap(body, dst[..(int)size]);
                    output.Advance(n);
                    return output.Written;
                }
                _zstdIn.ResetStream();
                var src = body;
                while (true)
                {
                    var span = output.GetSpan(1 << 16);
                    var status = _zstdIn.UnwrapStream(src, span, out int consumed, out int written);
                    output.Advance(written);
                    src = src[consumed..];
                    if (status == OperationStatus.Done) return output.Written;
                    if (status == OperationStatus.NeedMoreData && src.IsEmpty)
                        throw new InvalidDataException("zstd frame ends before its end mark");
                    if (status == OperationStatus.InvalidData) throw new InvalidDataException("corrupt zstd frame");
                }
        }
    }

    // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR.
    private const ulong ContentSizeUnknown = ulong.MaxValue, ContentSizeError = ulong.MaxValue - 1;

    /// <summary>
    /// The content size an LZ4 frame header declares (FLG bit 3, then 8 bytes after FLG/BD), or
    /// <c>null</c> when absent (DV never writes it) or the bytes are not an LZ4 frame header.
    /// </summary>
    internal static ulong? Lz4DeclaredContentSize(ReadOnlySpan<byte> frame)
    {
        const uint magic = 0x184D2204;
        if (frame.Length < 14 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame) != magic) return null;
        byte flg = frame[4];
        if ((flg & 0x08) == 0) return null;
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(frame[6..]);
    }

    /// <summary>Compresses one packet body into <paramref name="output"/>.</summary>
    public void Encode(ReadOnlySpan<byte> body, IBufferWriter<byte> output)
    {
        switch (_compression)
        {
            case Aedat4Compression.None:
                output.Write(body);
                break;
            case Aedat4Compression.Lz4:
            case Aedat4Compression.Lz4High:
                var settings = new LZ4EncoderSettings
                {
                    ChainBlocks = true,
                    BlockSize = 64 * 1024,
                    ContentChecksum = false,
                    BlockChecksum = false,
                    CompressionLevel = _compression == Aedat4Compression.Lz4 ? LZ4Level.L00_FAST : LZ4Level.L09_HC,
                };
                LZ4Frame.Encode(body, output, settings);
                break;
            default:
                _zstdOut ??= new Compressor(_compression == Aedat4Compression.Zstd ? 3 : Compressor.MaxCompressionLevel);
                // Wrap writes the content size into the frame header, which dv-processing requires.
                int bound = Compressor.GetCompressBound(body.Length);
                var dst = output.GetSpan(bound);
                int n = _zstdOut.Wrap(body, dst);
                output.Advance(n);
                break;
        }
    }

    public void Dispose()
    {
        _zstdIn?.Dispose();
        _lz4?.Dispose();
        _zstdOut?.Dispose();
    }
}
