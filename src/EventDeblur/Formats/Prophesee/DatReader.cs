using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// Prophesee DAT event files, version 2 (PROPHESEE.md §4; N-CARS and older Prophesee tools): the <c>%</c>
/// header, one event-type byte (0x00 Event2d or 0x0C EventCd) and one event-size byte (8), then 8-byte
/// little-endian records: uint32 t (µs), uint32 data with x = bits 13..0, y = bits 27..14 (pixels) and
/// polarity = bits 31..28 (0 OFF, 1 ON). The 32-bit time is unwrapped when it drops by more than 2^31 µs. One damaged
/// record must not shift the rest of the recording by 2^32 µs: a record whose time jumped forward is damage when the
/// next one carries on from the record before it (reported at the damaged record, no wrap counted); a wrap whose next
/// record carries on from the time before the wrap was a damaged record that looked like one (reported, the wrap
/// undone); a skipped record (bad polarity) does not move the clock.
/// </summary>
public sealed class DatReader : PropheseeReader
{
    /// <summary>DAT event type byte of Event2d (N-CARS).</summary>
    public const byte Event2dType = 0x00;

    /// <summary>DAT event type byte of EventCd.</summary>
    public const byte EventCdType = 0x0C;

    private long _lastRaw = -1, _lastOffset = -1;
    private long _beforeRaw = -1, _beforeOffset = -1;   // the valid record before the last one
    private long _wrap;
    // The last wrap counted, until the next record confirms it: the raw time before it, and the wrapping record's byte.
    private bool _wrapPending;
    private long _wrapFrom, _wrapOffset;

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
    private protected override PropheseeReader Probe(Stream stream, ProblemLog log, AedatReaderOptions options, long dataStart) =>
        new DatReader(stream, Info.FilePath, Header, log, options, Info.Width, Info.Height, GeometrySource, dataStart, EventType);

    /// <inheritdoc />
    private protected override int HeaderTrailerLength => 2;

    /// <inheritdoc />
    private protected override int HeaderTrailerBytes(ReadOnlySpan<byte> after) =>
        after.Length < 2 ? 0 : after[0] == EventType && after[1] == 8 ? 2 : -1;

    /// <inheritdoc />
    private protected override void RecordingRestarts()
    {
        _lastRaw = _lastOffset = _beforeRaw = _beforeOffset = -1;
        _wrap = 0;
        _wrapPending = false;
    }

    private protected override void Decode(ReadOnlySpan<byte> words, long offset)
    {
        for (int i = 0; i < words.Length; i += 8)
        {
            long raw = BinaryPrimitives.ReadUInt32LittleEndian(words[i..]);
            uint data = BinaryPrimitives.ReadUInt32LittleEndian(words[(i + 4)..]);
            uint p = data >> 28;
            if (p > 1)
            {
                // Skipped, so its time (often as damaged as its polarity: erased flash reads 0xFF…) leaves the clock alone.
                Log.Error("polarity", offset + i, $"expected polarity 0 or 1 in bits 31..28, found {p}; record skipped (its time, {raw} µs, is not used)");
                continue;
            }
            Clock(raw, offset + i);
            Emit(raw + _wrap, (int)(data & 0x3FFF), (int)((data >> 14) & 0x3FFF), p == 1, offset + i);
        }
    }

    /// <summary>Takes the raw 32-bit time of the valid record at <paramref name="at"/>: wraps, and the damage that looks like a wrap or a jump.</summary>
    private void Clock(long raw, long at)
    {
        if (_wrapPending)
        {
            _wrapPending = false;
            if (raw >= _wrapFrom)
            {
                // The record after the wrap carries on from before it: the wrapping record was damage, not a wrap.
                _wrap -= 1L << 32;
                Log.Error("time-backwards", _wrapOffset, $"record time dropped from {_wrapFrom} µs like a wrap of the 32-bit µs clock, but the next record, at byte {at}, carries on from {_wrapFrom} µs: the record at byte {_wrapOffset} is damaged, not a wrap (no wrap counted; that record's event keeps its wrong time)");
                RestoreLastTime(_wrapFrom + _wrap);
                Forget();
                Remember(raw, at);
                return;
            }
        }
        if (_lastRaw >= 0 && raw < _lastRaw)
        {
            // Carries on from the record before the last one: the last one jumped forward (a damaged time).
            // (A jump of a second or more: a flipped bit of 2^20 µs or above; a smaller step back is reported as such.)
            bool continuesFromBefore = _beforeRaw >= 0 && raw >= _beforeRaw && _lastRaw - raw >= DamagedJumpUs;
            if (continuesFromBefore)
            {
                Log.Error("time-backwards", _lastOffset, $"record time {_lastRaw} µs jumped forward from {_beforeRaw} µs (the record at byte {_beforeOffset}), and the next record, at byte {at}, carries on from {_beforeRaw} µs: the record at byte {_lastOffset} is damaged (its event keeps its wrong time; no wrap of the 32-bit clock counted)");
                RestoreLastTime(_beforeRaw + _wrap);
                Forget();
            }
            else if (_lastRaw - raw > 1L << 31)
            {
                _wrap += 1L << 32;
                _wrapPending = true;
                _wrapFrom = _lastRaw;
                _wrapOffset = at;
            }
        }
        Remember(raw, at);
    }

    /// <summary>Smallest forward jump, µs, that is called a damaged record when the next record carries on from before it.</summary>
    private const long DamagedJumpUs = 1_000_000;

    /// <summary>Drops the last record (found damaged) from the history the next records are compared with.</summary>
    private void Forget()
    {
        _lastRaw = _beforeRaw;
        _lastOffset = _beforeOffset;
        _beforeRaw = _beforeOffset = -1;
    }

    private void Remember(long raw, long at)
    {
        _beforeRaw = _lastRaw;
        _beforeOffset = _lastOffset;
        _lastRaw = raw;
        _lastOffset = at;
    }
}
