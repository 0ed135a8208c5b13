using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// Prophesee DAT event files, version 2 (PROPHESEE.md §4; N-CARS and older Prophesee tools): the <c>%</c>
/// header, one event-type byte (0x00 Event2d or 0x0C EventCd) and one event-size byte (8), then 8-byte
/// little-endian records: uint32 t (µs), uint32 data with x = bits 13..0, y = bits 27..14 (pixels) and
/// polarity = bits 31..28 (0 OFF, 1 ON). The 32-bit time is unwrapped when it drops by more than 2^31 µs.
/// </summary>
public sealed class DatReader : PropheseeReader
{
    /// <summary>DAT event type byte of Event2d (N-CARS).</summary>
    public const byte Event2dType = 0x00;

    /// <summary>DAT event type byte of EventCd.</summary>
    public const byte EventCdType = 0x0C;

    private long _lastRaw = -1;
    private long _wrap;

    private DatReader(Stream stream, string path, PropheseeHeader header, ProblemLog log, AedatReaderOptions options, int width, int height, string geometrySource, long dataStart, byte eventType)
        : base(stream, path, header, log, options, AedatVersion.Dat, width, height, geometrySource, 8, "DAT event record", dataStart)
    {
        EventType = eventType;
    }

    /// <summary>The event type byte (<see cref="Event2dType"/> or <see cref="EventCdType"/>).</summary>
    public byte EventType { get; }

    internal static DatReader Create(Stream stream, string path, PropheseeHeader header, ProblemLog log, AedatReaderOptions options, int width, int height, string geometrySource)
    {
        Span<byte> ts = stackalloc byte[2];
        int got = stream.ReadAtLeast(ts, 2, throwOnEndOfStream: false);
        if (got < 2)
        {
            log.Error("truncated", header.Length, $"expected the 2-byte event type and size after the DAT header, found {got} byte{(got == 1 ? "" : "s")} before the end of the file (truncated)");
            return new DatReader(stream, path, header, log, options, width, height, geometrySource, header.Length + got, Event2dType);
        }
        if (ts[0] != Event2dType && ts[0] != EventCdType)
            throw log.Fatal(header.Length, $"expected the DAT event type 0x00 (Event2d) or 0x0C (EventCd), found 0x{ts[0]:X2}{(ts[0] == 0x0E ? " (EventExtTrigger, not read)" : "")}");
        if (ts[1] != 8)
            throw log.Fatal(header.Length + 1, $"expected the DAT event size 8 (bytes per record), found {ts[1]}");
        if (header["Version"] is { } v && v != "2")
            log.Note("header", 0, $"DAT header says Version {v}; this reader follows version 2");
        return new DatReader(stream, path, header, log, options, width, height, geometrySource, header.Length + 2, ts[0]);
    }

    /// <inheritdoc />
    private protected override int HeaderTrailerLength => 2;

    /// <inheritdoc />
    private protected override int HeaderTrailerBytes(ReadOnlySpan<byte> after) =>
        after.Length < 2 ? 0 : after[0] == EventType && after[1] == 8 ? 2 : -1;

    /// <inheritdoc />
    private protected override void RecordingRestarts()
    {
        _lastRaw = -1;
        _wrap = 0;
    }

    private protected override void Decode(ReadOnlySpan<byte> words, long offset)
    {
        for (int i = 0; i < words.Length; i += 8)
        {
            long raw = BinaryPrimitives.ReadUInt32LittleEndian(words[i..]);
            uint data = BinaryPrimitives.ReadUInt32LittleEndian(words[(i + 4)..]);
            if (_lastRaw >= 0 && raw < _lastRaw && _lastRaw - raw > 1L << 31) _wrap += 1L << 32;
            _lastRaw = raw;
            uint p = data >> 28;
            if (p > 1)
            {
                Log.Error("polarity", offset + i, $"expected polarity 0 or 1 in bits 31..28, found {p}; record skipped");
                continue;
            }
            Emit(raw + _wrap, (int)(data & 0x3FFF), (int)((data >> 14) & 0x3FFF), p == 1, offset + i);
        }
    }
}
