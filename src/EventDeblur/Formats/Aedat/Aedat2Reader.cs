using EventDeblur.IO;
using System.Buffers.Binary;
using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Streaming reader of jAER AEDAT 2.0 files from DAVIS cameras (big-endian address/timestamp
/// records, AEDAT.md §2). Coordinates: x as stored, y = height − 1 − stored y (top-left origin).
/// Timestamps are unwrapped across the 32-bit wrap. DVS events, external-input specials and IMU
/// samples are decoded; APS pixel reads are assembled into frames with their exposure windows by
/// <see cref="Aedat2ApsAssembler"/> (16-bit gray, CDS as jAER) when
/// <see cref="AedatReaderOptions.DecodeFrames"/> is set and the sensor size is known, else counted.
/// </summary>
public sealed class Aedat2Reader : IAedatReader
{
    private const int RecordBytes = 8;
    private const uint ImuMask = 0x80000C00;

    /// <summary>Whether the file is from a DVS128 (its own address word), not a DAVIS.</summary>
    private readonly bool _dvs128;

    private readonly Stream _stream;
    private readonly AedatReaderOptions _options;
    // The first header's AEChip line (empty when it has none).
    private readonly string _chip = "";
    private readonly ProblemLog _log;
    private readonly byte[] _chunk;
    private readonly Queue<AedatPacket> _pending = new();
    private readonly int _width;
    private readonly int _height;
    private long _pos;
    private bool _done;
    private long _lastRaw = long.MinValue;
    private long _wrapOffset;
    private long _lastT = long.MinValue, _lastTOffset = -1, _beforeT = long.MinValue, _beforeTOffset = -1;

    /// <summary>Smallest forward jump, µs, called a damaged record when the next record carries on from before it.</summary>
    private const long DamagedJumpUs = 1_000_000;

    /// <summary>
    /// Checks that the record at <paramref name="at"/> (time <paramref name="t"/>, µs) does not go back. When it does but
    /// carries on from the record before the previous one, and that previous one had jumped a second or more forward, the
    /// previous record is named as the damaged one (stop 42: the error named the good record after it).
    /// </summary>
    private void Order(long t, long at)
    {
        if (t < _lastT)
        {
            if (_beforeT != long.MinValue && t >= _beforeT && _lastT - _beforeT >= DamagedJumpUs)
            {
                _log.Error("non-monotonic", _lastTOffset, $"timestamp {_lastT} µs jumped forward from {_beforeT} µs (the record at byte {_beforeTOffset}), and the next record, at byte {at}, carries on from {_beforeT} µs: the record at byte {_lastTOffset} is damaged");
                // The damaged record is forgotten: the next ones are compared with the time before it.
                _lastT = _beforeT;
                _lastTOffset = _beforeTOffset;
                _beforeT = long.MinValue;
                _beforeTOffset = -1;
            }
            else _log.Error("non-monotonic", at, $"timestamp {t} µs is earlier than the previous record's {_lastT} µs (expected non-decreasing)");
        }
        _beforeT = _lastT;
        _beforeTOffset = _lastTOffset;
        _lastT = t;
        _lastTOffset = at;
    }
    private long _apsSamples;
    private long _outOfRange;
    // IMU sample assembly: 7 words with codes 0..6.
    private readonly short[] _imuWords = new short[7];
    private int _imuNext;
    private long _imuT;
    private long _strayImuWords, _firstStrayImuOffset = -1, _imuSampleOffset = -1;
    private readonly Aedat2ApsAssembler? _aps;

    private Aedat2Reader(Stream stream, string path, AedatReaderOptions options)
    {
        _stream = stream;
        _options = options;
        options.Limits.Validate();
        _log = new ProblemLog(path, options.MaxProblemsPerKind);
        // Two records at least: a version line that starts off the records' alignment must fit whole in a chunk.
        _chunk = new byte[RecordBytes * Math.Max(2, options.BatchEvents)];

        string chip = "";
        long chipAt = -1;
        int lines = 0;
        bool sawVersion = false;
        while (true)
        {
            int peek = stream.ReadByte();
            if (peek < 0) break;
            if (peek != '#')
            {
                stream.Seek(-1, SeekOrigin.Current);
                // An empty line inside the header (an edited file) does not end it when a '#' line follows at once.
                if (lines > 0 && EmptyLineBeforeComment(stream, out string stray) is int skip and > 0)
                {
                    _log.Note("header", _pos, $"{(stray.Trim().Length == 0 ? "an empty line" : $"a line that does not start with '#' ('{(stray.Length > 60 ? stray[..60] + "…" : stray)}')")} inside the ASCII header, where every line starts with '#'; a '#' line follows it, so it is taken as part of the header");
                    stream.Seek(skip, SeekOrigin.Current);
                    _pos += skip;
                    continue;
                }
                break;
            }
            stream.Seek(-1, SeekOrigin.Current);
            // A data record may start with '#' (0x23: a DAVIS240 event with y near 140): after a header without its end
            // line, such a "line" holds binary bytes, and reading it as text misaligned every record after it (stop 44's
            // trial: 39 413 garbage events of the real file's 162 771). The header ends before it.
            if (lines > 0 && BinaryLineAhead(stream) && !EndLineAhead(stream))
            {
                _log.Note("header", _pos, "the ASCII header has no '#End Of ASCII Header' line, and the line here starts with '#' but holds binary bytes: it is taken as the first data record (a record whose first byte is 0x23), not as header text");
                break;
            }
            long lineStart = _pos;
            string? line = AsciiHeader.ReadLine(stream, ref _pos, out bool complete, _log);
            if (line == null) break;
            lines++;
            if (lines == 1)
            {
                if (!line.StartsWith("#!AER-DAT2.0", StringComparison.Ordinal))
                    throw _log.Fatal(0, $"expected the version line '#!AER-DAT2.0', found '{line}'");
                sawVersion = true;
            }
            // Cut inside a line (no newline after it): a copy interrupted early, not a header-only file (stop 44's trial:
            // exit 0 with a note, where a cut 4 bytes into the data is exit 1).
            if (!complete && line.Trim().Equals("#End Of ASCII Header", StringComparison.OrdinalIgnoreCase))
                _log.Note("header", lineStart, "the file ends with its header's end line, without a newline after it (no data records follow)");
            else if (!complete)
                _log.Error("truncated", _pos, $"the file ends in the middle of an ASCII header line (no newline after '{TerminalText.Safe(line.Length > 40 ? line[..40] + "…" : line)}'): truncated inside its header, no data records follow");
            if (line.StartsWith("# AEChip:", StringComparison.OrdinalIgnoreCase))
            {
                string named = line["# AEChip:".Length..].Trim();
                if (chipAt < 0) { chip = named; chipAt = lineStart; }
                else if (named != chip)
                    _log.Error("chip", lineStart, $"a second AEChip line names '{named}', the first (byte {chipAt}) '{chip}'; the first is used (expected one AEChip line)");
            }
            if (_pos > AsciiHeader.MaxHeaderBytes)
                throw _log.Fatal(_pos, $"ASCII header exceeds {AsciiHeader.MaxHeaderBytes} bytes");
            if (line.Trim().Equals("#End Of ASCII Header", StringComparison.OrdinalIgnoreCase)) break;
        }
        if (!sawVersion) throw _log.Fatal(0, "expected the version line '#!AER-DAT2.0', found none");

        _chip = chip;
        (_width, _height) = AsciiHeader.SensorSize(chip);
        // jAER's DVS128 (ch.unizh.ini.jaer.chip.retina.DVS128) has its own 16-bit address word; DVS240 is a DAVIS240 without frames.
        _dvs128 = chip.Contains("DVS128", StringComparison.OrdinalIgnoreCase) && !chip.Contains("DAVIS", StringComparison.OrdinalIgnoreCase);
        if (_width == 0 && options.SizeIfUnstated is { Width: > 0, Height: > 0 } given)
        {
            (_width, _height) = given;
            _log.Note("chip", -1, $"unknown or missing AEChip '{chip}': read as a DAVIS camera of the size given, {_width}×{_height} (y flipped by that height, as jAER does)");
        }
        else if (_width == 0)
            _log.Note("chip", -1, $"unknown or missing AEChip '{chip}': sensor size unknown, y is not flipped");
        else if (!_dvs128 && !chip.Contains("DAVIS", StringComparison.OrdinalIgnoreCase) && !chip.Contains("DVS240", StringComparison.OrdinalIgnoreCase))
            throw _log.Fatal(0, $"AEChip '{chip}' is neither a DAVIS camera nor a DVS128; only their address layouts are supported");

        long dataBytes = stream.Length - _pos;
        if (dataBytes == 0)
            _log.Note("empty", _pos, "the file holds an ASCII header and no data records");
        // A tail that is not a whole record is reported when the walk reaches it (a second header, two files joined with
        // cat, moves the records' alignment).

        // A colour DAVIS (jAER's …Davis346Color and the like): its APS reads are a raw Bayer mosaic (stop 47's trial: deblurred
        // as grey, 0.8–2.5 dB below the input); its frames are marked so, and replay fails them saying why.
        if (_width > 0 && options.DecodeFrames && !_dvs128) _aps = new Aedat2ApsAssembler(_width, _height, _log) { ColorFilter = ColourChip(chip) ? ColorFilter.UnknownMosaic : ColorFilter.Mono };

        string camera = chip.Contains('.') ? chip[(chip.LastIndexOf('.') + 1)..] : chip;
        Info = AedatFileInfo.WithFixedStreams(path, AedatVersion.Aedat2, _width, _height, camera, _pos,
            (0, AedatStreamKind.Events, "DVS"), (1, AedatStreamKind.Imu, "IMU"), (2, AedatStreamKind.Triggers, "SPECIAL"), (3, AedatStreamKind.Frames, "APS"));
    }

    /// <summary>
    /// Whether the header's end line (<c>#End Of ASCII Header</c>) follows within the next 4 MiB: then a line of binary bytes
    /// is an odd header line, not data (stop 44's review: a control byte in a header line of a file with its end line had
    /// ended the header there). The position is kept.
    /// </summary>
    private static bool EndLineAhead(Stream stream)
    {
        long keep = stream.Position;
        try
        {
            var marker = "#End Of ASCII Header"u8;
            var buffer = new byte[1 << 16];
            int carry = 0;
            for (long read = 0; read < 4L << 20;)
            {
                int got = stream.ReadAtLeast(buffer.AsSpan(carry), buffer.Length - carry, throwOnEndOfStream: false);
                if (got == 0) return false;
                int n = carry + got;
                read += got;
                if (buffer.AsSpan(0, n).IndexOf(marker) >= 0) return true;
                // Keep the tail that could be the start of the marker split across two reads.
                carry = Math.Min(marker.Length - 1, n);
                buffer.AsSpan(n - carry, carry).CopyTo(buffer);
            }
            return false;
        }
        finally
        {
            stream.Position = keep;
        }
    }

    /// <summary>
    /// Whether the line at the stream's position (up to its newline, at most 4 KiB) holds a NUL byte — binary data, not
    /// header text. The position is kept.
    /// </summary>
    private static bool BinaryLineAhead(Stream stream)
    {
        long keep = stream.Position;
        try
        {
            Span<byte> b = stackalloc byte[4096];
            int got = stream.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
            foreach (byte c in b[..got])
            {
                if (c == '\n') return false;
                // A NUL byte: records are full of them (high bytes of addresses and timestamps), header text never has
                // one — where terminal control sequences (ESC, BEL) do occur in real headers' text.
                if (c == 0) return true;
            }
            return false;
        }
        finally
        {
            stream.Position = keep;
        }
    }

    /// <summary>
    /// The length of a line of printable text (at most 256 bytes; empty, or a header line broken by an edit) at the
    /// stream's position when a '#' line follows it directly, else 0; the position is kept.
    /// </summary>
    private static int EmptyLineBeforeComment(Stream stream, out string text)
    {
        Span<byte> b = stackalloc byte[258];
        long keep = stream.Position;
        int got = stream.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
        stream.Position = keep;
        text = "";
        int nl = b[..got].IndexOf((byte)'\n');
        if (nl < 0 || nl + 1 >= got || b[nl + 1] != '#') return 0;
        foreach (byte c in b[..nl]) if (c is (< 0x20 and not (byte)'\r' and not (byte)'\t') or >= 0x7F) return 0;
        text = System.Text.Encoding.ASCII.GetString(b[..nl]).TrimEnd('\r');
        return nl + 1;
    }

    /// <summary>Opens an AEDAT 2.0 file.</summary>
    /// <exception cref="AedatFormatException">The header is missing or not from a DAVIS camera or a DVS128.</exception>
    public static Aedat2Reader Open(string path, AedatReaderOptions? options = null) =>
        SequentialFile.Open(path, options?.FileHash, s =>
        {
            var reader = new Aedat2Reader(s, path, options ?? AedatReaderOptions.Default);
            reader.FindTrailingJunk(s);
            return reader;
        });

    /// <summary>A probe of <paramref name="of"/>'s data from byte <paramref name="from"/> of <paramref name="stream"/> (positioned there), its errors into <paramref name="log"/> (see <see cref="FindTrailingJunk"/>).</summary>
    private Aedat2Reader(Stream stream, Aedat2Reader of, ProblemLog log, long from)
    {
        _stream = stream;
        _options = of._options with { FileHash = null, BatchEvents = 1 << 16 };
        _log = log;
        _chunk = new byte[RecordBytes * _options.BatchEvents];
        _chip = of._chip;
        _width = of._width;
        _height = of._height;
        _dvs128 = of._dvs128;
        if (of._aps != null) _aps = new Aedat2ApsAssembler(_width, _height, log) { ColorFilter = of._aps.ColorFilter };
        _pos = from;
        Info = of.Info;
    }

    // Where the data ends (the file's end, or the start of junk after the recording), and the junk's error, said once.
    private long _dataEnd = long.MaxValue;
    private string? _junk;

    /// <summary>
    /// Looks for junk after the recording, as the Prophesee readers do (<see cref="TrailingJunk"/>; stop 44's trial: 5 000
    /// random bytes appended to a real AEDAT 2.0 file became 8 phantom events and a trigger and stretched its time span
    /// from 4.6 s to 3.5 days): the file's last 4 MiB of records are decoded on their own, and a dense run of errors that
    /// reaches the end after clean data is not decoded; one error says so.
    /// </summary>
    private void FindTrailingJunk(Stream stream)
    {
        if (!stream.CanSeek) return;
        long length = stream.Length;
        if (TrailingJunk.Locate(Info.FilePath, _pos, length, RecordBytes, (fs, log, from) => new Aedat2Reader(fs, this, log, from)) is not { } junk) return;
        _dataEnd = junk.Start;
        _junk = TrailingJunk.Describe(length - junk.Start, junk.Errors, "8-byte record");
    }

    /// <inheritdoc />
    public AedatFileInfo Info { get; }

    /// <inheritdoc />
    public IReadOnlyList<Problem> Problems
    {
        get
        {
            var list = new List<Problem>(_log.Items);
            if (_apsSamples > 0 && _aps == null)
                list.Add(new Problem(Info.FilePath, -1, ProblemSeverity.Note, _width > 0
                    ? $"{_apsSamples} APS pixel reads present; frames not decoded (frame decoding is off)"
                    : $"{_apsSamples} APS pixel reads present; frames cannot be assembled without the sensor size"));
            if (_strayImuWords > 0)
                list.Add(new Problem(Info.FilePath, -1, ProblemSeverity.Note, $"{_strayImuWords} IMU words outside a complete 7-word sample were dropped (the first at byte {_firstStrayImuOffset})"));
            if (_outOfRange > 0)
                list.Add(new Problem(Info.FilePath, -1, ProblemSeverity.Error, $"{_outOfRange} DVS events had addresses outside the {_width}×{_height} sensor and were dropped"));
            return list;
        }
    }

    /// <inheritdoc />
    public bool TryRead(out AedatPacket? packet)
    {
        while (_pending.Count == 0 && !_done) ReadChunk();
        if (_done && _junk != null)
        {
            _log.Error("trailing-junk", _dataEnd, _junk);
            _junk = null;
        }
        return _pending.TryDequeue(out packet);
    }

    private void ReadChunk()
    {
        long chunkStart = _pos;
        // Never past the data's end (junk found after the recording is not decoded): the read stops short there, as at the file's end.
        int want = (int)Math.Clamp(_dataEnd - _pos, 0, _chunk.Length);
        int got = want == 0 ? 0 : _stream.ReadAtLeast(_chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
        bool endOfFile = got < _chunk.Length;
        // A second recording's header (files joined with cat) need not start on a record boundary: the first file may end
        // with a record cut short. One where a version line starts off the records' alignment ends this chunk's records at
        // it; one cut by the chunk's end starts the next chunk at its record.
        int unaligned = -1;
        _unalignedHeader = null;
        for (int from = 0; from < got;)
        {
            int k = _chunk.AsSpan(from, got - from).IndexOf("#!AER-DA"u8);
            if (k < 0) break;
            if ((from + k) % RecordBytes != 0 && chunkStart + from + k != _notHeaderAt) { unaligned = from + k; break; }
            from += k + 1;
        }
        // The chunk's end cuts a version line only where none was found whole before it.
        if (unaligned < 0 && !endOfFile && TailHeaderPrefix(_chunk.AsSpan(0, got)) is int tail && tail >= RecordBytes)
        {
            got = tail / RecordBytes * RecordBytes;
            _stream.Position = chunkStart + got;
        }
        if (unaligned >= 0)
        {
            int cutBytes = unaligned % RecordBytes;
            long cutAt = chunkStart + unaligned - cutBytes;
            got = unaligned - cutBytes;
            endOfFile = false;
            _unalignedHeader = (chunkStart + unaligned, cutAt, cutBytes);
        }
        int records = got / RecordBytes;
        // A tail that is not a whole record, at the end of the file: reported once no second header is found in this chunk
        // (after one, the records' alignment starts over and the tail is measured from there).
        bool tailCut = got < _chunk.Length && got % RecordBytes != 0 && !HeaderAt(_chunk.AsSpan(records * RecordBytes, got % RecordBytes));
        // Not a version line after all: the next chunk goes on from the same place, past that position.
        if (records == 0 && _unalignedHeader != null) { TakeUnalignedHeader(); return; }
        if (records == 0)
        {
            if (got > 0 && HeaderAt(_chunk.AsSpan(0, got)) && SkipSecondHeader(chunkStart)) return;
            if (tailCut)
                _log.Error("truncated", chunkStart, $"the last {got % RecordBytes} bytes do not form a whole 8-byte record (file truncated); they are ignored");
            _done = true; FlushImu(); _aps?.Finish(_pos); return;
        }
        _pos += records * RecordBytes;
        if (endOfFile) _done = true;
        long? secondHeader = null;

        var batch = EventBatch.Rent(records);
        var (T, X, Y, P) = batch.Reserve(records);
        int n = 0;
        List<TriggerEvent>? triggers = null;
        List<ImuSample>? imu = null;
        List<(ApsFrame Frame, long Offset)>? frames = null;
        var span = _chunk.AsSpan(0, records * RecordBytes);
        for (int r = 0; r < records; r++)
        {
            if (span[r * 8] == '#' && HeaderAt(span[(r * 8)..]))
            {
                // A second recording's header (two files joined with cat): the records before it end here.
                secondHeader = chunkStart + r * 8;
                break;
            }
            uint addr = BinaryPrimitives.ReadUInt32BigEndian(span[(r * 8)..]);
            long raw = BinaryPrimitives.ReadInt32BigEndian(span[(r * 8 + 4)..]);
            if (_lastRaw != long.MinValue && raw < _lastRaw - (1L << 31)) _wrapOffset += 1L << 32;
            _lastRaw = raw;
            long t = raw + _wrapOffset;

            if (_dvs128)
            {
                // DVS128 (jAER's extractor): bit 15 (or 31) marks a sync event, a falling edge on the camera's IN pin;
                // else bits 14–8 y (from the bottom row) and 7–1 x, bit 0 the polarity with 0 = ON. jAER shows x mirrored
                // (127 − stored), as it shows a DAVIS's; here x is taken as stored, as for the DAVIS words and as DV does.
                Order(t, chunkStart + r * 8);
                if ((addr & 0x80008000) != 0) { (triggers ??= []).Add(new TriggerEvent(t, TriggerType.ExternalSignalFallingEdge)); continue; }
                if ((addr & 0x7FFF0000) != 0)
                {
                    if (_outOfRange++ == 0)
                        _log.Error("out-of-range", chunkStart + r * 8, $"DVS128 address 0x{addr:X8} has bits set above bit 15 (expected a 16-bit address word)");
                    continue;
                }
                T[n] = t;
                X[n] = (short)((addr >> 1) & 0x7F);
                Y[n] = (short)(127 - ((addr >> 8) & 0x7F));
                P[n] = (addr & 1) == 0;
                n++;
                continue;
            }
            if ((addr & ImuMask) == ImuMask)
            {
                var s = AddImuWord(addr, t, chunkStart + r * 8);
                if (s != null) (imu ??= []).Add(s.Value);
                continue;
            }
            if ((addr & 0x80000000) != 0)
            {
                _apsSamples++;
                if (_aps?.Add(addr, t, chunkStart + r * 8) is { } frame) (frames ??= []).Add((frame, chunkStart + r * 8));
                continue;
            }

            Order(t, chunkStart + r * 8);

            if ((addr & 0x400) != 0)
            {
                TriggerType? kind = (addr & 0x3FF) switch
                {
                    2 => TriggerType.ExternalSignalFallingEdge,
                    3 => TriggerType.ExternalSignalRisingEdge,
                    4 => TriggerType.ExternalSignalPulse,
                    _ => null,
                };
                if (kind != null) (triggers ??= []).Add(new TriggerEvent(t, kind.Value));
                continue;
            }
            int x = (int)((addr >> 12) & 0x3FF);
            int yRaw = (int)((addr >> 22) & 0x1FF);
            int y = _height > 0 ? _height - 1 - yRaw : yRaw;
            if (_width > 0 && (x >= _width || y < 0))
            {
                if (_outOfRange++ == 0)
                    _log.Error("out-of-range", chunkStart + r * 8, $"DVS address x={x}, y={yRaw} lies outside the {_width}×{_height} sensor");
                continue;
            }
            T[n] = t;
            X[n] = (short)x;
            Y[n] = (short)y;
            P[n] = (addr & 0x800) != 0;
            n++;
        }
        batch.Truncate(n);
        if (n > 0 && _options.DecodeEvents) _pending.Enqueue(new EventsPacket { StreamId = 0, ByteOffset = chunkStart, Events = batch });
        else batch.Dispose();
        if (imu != null) _pending.Enqueue(new ImuPacket { StreamId = 1, ByteOffset = chunkStart, Samples = imu.ToArray() });
        if (triggers != null) _pending.Enqueue(new TriggersPacket { StreamId = 2, ByteOffset = chunkStart, Triggers = triggers.ToArray() });
        if (frames != null)
            foreach (var (frame, offset) in frames) _pending.Enqueue(new FramePacket { StreamId = 3, ByteOffset = offset, Frame = frame });
        if (secondHeader is long at && SkipSecondHeader(at)) return;
        if (TakeUnalignedHeader()) return;
        if (tailCut)
            _log.Error("truncated", chunkStart + records * RecordBytes,
                $"the last {got % RecordBytes} bytes do not form a whole 8-byte record (file truncated); they are ignored");
        if (_done) { FlushImu(); _aps?.Finish(_pos); }
    }

    // A version line found off the records' alignment in the chunk just read: where, where the record it cuts starts,
    // and how many bytes of that record came before it.
    private (long At, long CutAt, int CutBytes)? _unalignedHeader;
    // A "#!AER-DA" off the alignment that turned out not to start a version line: not looked at again.
    private long _notHeaderAt = -1;

    /// <summary>
    /// Skips the unaligned second header found in the chunk just read (its records up to the cut one are decoded), reporting
    /// the cut record before it; false (and nothing changed but that this position is not taken for a header again) when
    /// there is none or it is not a whole version line.
    /// </summary>
    private bool TakeUnalignedHeader()
    {
        if (_unalignedHeader is not { } h) return false;
        _unalignedHeader = null;
        if (SkipSecondHeader(h.At, (h.CutAt, h.CutBytes))) return true;
        _notHeaderAt = h.At;
        return false;
    }

    /// <summary>
    /// Where a proper prefix of <c>#!AER-DA</c> (1..7 bytes) runs to the end of <paramref name="chunk"/>, or null: a
    /// version line that the chunk's end cuts.
    /// </summary>
    private static int? TailHeaderPrefix(ReadOnlySpan<byte> chunk)
    {
        ReadOnlySpan<byte> magic = "#!AER-DA"u8;
        for (int k = Math.Min(magic.Length - 1, chunk.Length); k >= 1; k--)
            if (chunk[^k..].SequenceEqual(magic[..k])) return chunk.Length - k;
        return null;
    }

    /// <summary>Whether <paramref name="bytes"/> start with an AEDAT version line's <c>#!AER-DA</c> (as far as they reach, 8 bytes at most).</summary>
    private static bool HeaderAt(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> magic = "#!AER-DA"u8;
        int n = Math.Min(bytes.Length, magic.Length);
        return n >= 4 && bytes[..n].SequenceEqual(magic[..n]);
    }

    /// <summary>
    /// At <paramref name="at"/> a second AEDAT header begins (two recordings joined with <c>cat</c>): reported at its byte,
    /// its lines skipped, and the records after it decoded as the second recording alone would be (its own timestamp
    /// wrap, its time from its own start: time goes back there). False when it is not a whole version line after all.
    /// </summary>
    /// <param name="at">Where the version line starts, bytes.</param>
    /// <param name="cut">The record the header cuts (its first byte, and how many bytes of it precede the header), reported before it.</param>
    private bool SkipSecondHeader(long at, (long At, int Bytes)? cut = null)
    {
        _stream.Position = at;
        long pos = at;
        string? version = AsciiHeader.ReadLine(_stream, ref pos, out _, _log);
        if (version == null || !version.StartsWith("#!AER-DAT", StringComparison.Ordinal))
        {
            _stream.Position = _pos;
            return false;
        }
        string chip = "";
        while (true)
        {
            int peek = _stream.ReadByte();
            if (peek < 0) break;
            _stream.Position = pos;
            if (peek != '#') break;
            string? line = AsciiHeader.ReadLine(_stream, ref pos, out _, _log);
            if (line == null) break;
            if (line.StartsWith("# AEChip:", StringComparison.OrdinalIgnoreCase)) chip = line["# AEChip:".Length..].Trim();
            if (pos - at > AsciiHeader.MaxHeaderBytes || line.Trim().Equals("#End Of ASCII Header", StringComparison.OrdinalIgnoreCase)) break;
        }
        // Compared with the first header's AEChip (stop 44's review: against the size, a chip of no known size read with a
        // size given was said to differ from itself).
        string sameChip = chip.Length == 0 || chip == _chip || (AsciiHeader.SensorSize(chip) is { Width: > 0 } size && size == AsciiHeader.SensorSize(_chip)) ? "" : $"; its AEChip '{chip}' differs from the first's, whose address layout is kept";
        if (cut is { } c)
            _log.Error("truncated", c.At, $"the {c.Bytes} bytes before the second AEDAT header at byte {at} do not form a whole 8-byte record (the first recording was cut short); they are ignored");
        _log.Error("second-header", at, $"a second AEDAT header ('{version.Trim()}', {pos - at} bytes: two recordings joined with cat?) inside the data, where an 8-byte record was expected; skipped, and the records after it decoded as that recording alone (its time starts over){sameChip}");
        _pos = pos;
        _stream.Position = pos;
        _lastRaw = long.MinValue;
        _wrapOffset = 0;
        _lastT = _beforeT = long.MinValue;
        _lastTOffset = _beforeTOffset = -1;
        _done = false;
        return true;
    }

    private ImuSample? AddImuWord(uint addr, long t, long offset)
    {
        int code = (int)((addr >> 28) & 7);
        short value = (short)((addr >> 12) & 0xFFFF);
        if (code != _imuNext)
        {
            // Out of sequence: drop the partial sample and resynchronise on code 0.
            if (_imuNext > 0 && _firstStrayImuOffset < 0) _firstStrayImuOffset = _imuSampleOffset;
            _strayImuWords += _imuNext;
            _imuNext = 0;
            if (code != 0)
            {
                if (_firstStrayImuOffset < 0) _firstStrayImuOffset = offset;
                _strayImuWords++;
                return null;
            }
        }
        if (code == 0) { _imuT = t; _imuSampleOffset = offset; }
        _imuWords[code] = value;
        _imuNext++;
        if (_imuNext < 7) return null;
        _imuNext = 0;
        const float accel = 1f / 8192f, gyro = 1f / 65.5f;
        return new ImuSample(_imuT, _imuWords[3] / 340f + 35f,
            -_imuWords[0] * accel, _imuWords[1] * accel, _imuWords[2] * accel,
            _imuWords[4] * gyro, _imuWords[5] * gyro, _imuWords[6] * gyro);
    }

    private void FlushImu()
    {
        if (_imuNext > 0 && _firstStrayImuOffset < 0) _firstStrayImuOffset = _imuSampleOffset;
        _strayImuWords += _imuNext;
        _imuNext = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        while (_pending.TryDequeue(out var p)) if (p is EventsPacket e) e.Events.Dispose();
        _stream.Dispose();
    }

    /// <summary>Whether a jAER AEChip class name is a colour DAVIS's (it names colour: <c>Davis346Color</c>, <c>…Colour…</c>).</summary>
    internal static bool ColourChip(string chip) =>
        chip.Contains("color", StringComparison.OrdinalIgnoreCase) || chip.Contains("colour", StringComparison.OrdinalIgnoreCase);
}
