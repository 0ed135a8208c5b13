using EventDeblur.IO;
using System.Buffers.Binary;
using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Streaming reader of cAER AEDAT 3.1 files (little-endian typed packets, AEDAT.md §3). The
/// per-event valid bit is honoured (libcaer semantics); timestamps combine the packet's overflow
/// counter with the 31-bit event time. Polarity, special (trigger), frame and IMU6/IMU9 packets are
/// decoded; other packet types are skipped by their declared size.
/// </summary>
public sealed class Aedat31Reader : IAedatReader
{
    private const int PacketHeaderBytes = 28;

    private readonly Stream _stream;
    private readonly AedatReaderOptions _options;
    private readonly ProblemLog _log;
    private readonly byte[] _header = new byte[PacketHeaderBytes];
    private byte[] _body = new byte[1 << 16];
    private readonly HashSet<int> _skippedTypes = [];
    private readonly int _width;
    private readonly int _height;
    private long _pos;
    private bool _done;
    private long _lastT = long.MinValue;
    // The polarity packet before this one: its byte, its first event's time, and the time before it (µs), to name a
    // packet whose time jumped forward when the next one carries on from before it.
    private long _prevPacketAt = -1, _prevPacketFirstT = long.MinValue, _beforePrevPacketT = long.MinValue;
    private int _lastSource = -1;
    private byte[]? _scanBuffer;
    private int _lastOverflow;

    /// <summary>
    /// How far past a damaged packet header the reader looks for the next one, bytes (64 MiB: far more than any packet
    /// libcaer writes, and a bounded amount of work on a file that is garbage from there on).
    /// </summary>
    public const long MaxResyncScanBytes = 64L << 20;

    private Aedat31Reader(Stream stream, string path, AedatReaderOptions options)
    {
        _stream = stream;
        _options = options;
        options.Limits.Validate();
        _log = new ProblemLog(path, options.MaxProblemsPerKind);
        string source = "";
        bool ended = false;
        int lines = 0;
        while (true)
        {
            long lineStart = _pos;
            string? line = AsciiHeader.ReadLine(stream, ref _pos, out bool complete, _log);
            if (line == null) break;
            lines++;
            if (lines == 1 && !line.StartsWith("#!AER-DAT3.1", StringComparison.Ordinal))
                throw _log.Fatal(0, $"expected the version line '#!AER-DAT3.1', found '{line}'");
            if (!line.StartsWith('#'))
                throw _log.Fatal(lineStart, $"expected a '#' header line or '#!END-HEADER', found '{Truncate(line)}'");
            if (line.StartsWith("#Source ", StringComparison.Ordinal) && source.Length == 0)
            {
                int colon = line.IndexOf(':');
                if (colon > 0) source = line[(colon + 1)..].Trim();
            }
            if (line == "#!END-HEADER") { ended = true; break; }
            if (!complete) break;
            if (_pos > AsciiHeader.MaxHeaderBytes)
                throw _log.Fatal(_pos, $"ASCII header exceeds {AsciiHeader.MaxHeaderBytes} bytes without '#!END-HEADER'");
        }
        if (lines == 0) throw _log.Fatal(0, "expected the version line '#!AER-DAT3.1', found an empty file");
        if (!ended)
        {
            _log.Error("header", _pos, "expected '#!END-HEADER' to close the header, found the end of the file");
            _done = true;
        }
        (_width, _height) = AsciiHeader.SensorSize(source);
        Info = AedatFileInfo.WithFixedStreams(path, AedatVersion.Aedat31, _width, _height, source, _pos,
            (1, AedatStreamKind.Events, "POLARITY"), (2, AedatStreamKind.Frames, "FRAME"), (3, AedatStreamKind.Imu, "IMU6"), (0, AedatStreamKind.Triggers, "SPECIAL"));
    }

    private static string Truncate(string s) => s.Length > 60 ? s[..60] + "…" : s;

    /// <summary>Opens an AEDAT 3.1 file.</summary>
    /// <exception cref="AedatFormatException">The header is missing or malformed.</exception>
    public static Aedat31Reader Open(string path, AedatReaderOptions? options = null) =>
        SequentialFile.Open(path, options?.FileHash, s => new Aedat31Reader(s, path, options ?? AedatReaderOptions.Default));

    /// <inheritdoc />
    public AedatFileInfo Info { get; }

    /// <inheritdoc />
    public IReadOnlyList<Problem> Problems => _log.Items;

    /// <summary>
    /// Packets walked so far: every packet whose header was plausible and whose body was present, including those that
    /// delivered nothing (no valid events, an unknown type, a packet skipped for a problem, or stepped over unread).
    /// </summary>
    public long PacketsRead { get; private set; }

    /// <inheritdoc />
    public bool TryRead(out AedatPacket? packet)
    {
        packet = null;
        while (!_done)
        {
            long at = _pos;
            int got = _stream.ReadAtLeast(_header, PacketHeaderBytes, throwOnEndOfStream: false);
            if (got == 0) { _done = true; break; }
            if (got < PacketHeaderBytes)
            {
                _log.Error("truncated", at, $"expected a 28-byte packet header, found {got} bytes before the end of the file (truncated)");
                _done = true;
                break;
            }
            var (type, source, size, tsOffset, overflow, capacity, number, valid) = PacketHeader.Parse(_header);
            long bodyBytes = (long)capacity * size;
            // The eventValid count only summarises the events' own valid bits; a damaged one leaves the packet's boundary
            // (capacity × eventSize) intact, so it is reported and the packet read on, judged by the bits.
            if ((valid < 0 || valid > number) && type >= 0 && size > 0 && capacity >= 0 && number >= 0 && number <= capacity
                && bodyBytes <= _options.Limits.MaxStoredPacketBytes && tsOffset >= 0 && tsOffset <= size - 4)
            {
                _log.Error("packet-header", at, $"eventValid {valid} is not plausible (expected 0..eventNumber {number}); the packet is read on, each event judged by its own valid bit");
                valid = number;
            }
            if (type < 0 || size <= 0 || capacity < 0 || number < 0 || number > capacity || valid < 0 || valid > number
                || bodyBytes > _options.Limits.MaxStoredPacketBytes || tsOffset < 0 || tsOffset > size - 4)
            {
                string what = $"packet header is not plausible (type {type}, eventSize {size}, tsOffset {tsOffset}, capacity {capacity}, number {number}, valid {valid}); expected size > 0, 0 ≤ valid ≤ number ≤ capacity, body ≤ {_options.Limits.MaxStoredPacketBytes} bytes";
                if (Resync(at, "packet-header", what)) continue;
                break;
            }
            if (_stream.Length - (at + PacketHeaderBytes) < bodyBytes)
            {
                string what = $"packet of type {type} declares {capacity} × {size} = {bodyBytes} bytes, only {_stream.Length - at - PacketHeaderBytes} remain";
                // A damaged header can declare more than the file holds: when a whole packet follows further on, the file goes on.
                if (Resync(at, "packet-header", what + " (a damaged header: the file goes on)", quietFailure: true)) continue;
                _done = true;
                // The events that are whole before the cut are still events: a polarity packet cut short keeps them
                // (the trial's cut file lost 500 whole events with the packet).
                long remain = Math.Max(0, _stream.Length - at - PacketHeaderBytes);
                int whole = type == 1 && _options.DecodeEvents ? (int)Math.Min(number, remain / size) : 0;
                if (whole == 0)
                {
                    _log.Error("truncated", at, what + " (the file is truncated, or this header is damaged)");
                    break;
                }
                _stream.Position = at + PacketHeaderBytes;
                int wholeBytes = whole * size;
                if (_body.Length < wholeBytes) _body = new byte[Math.Max(wholeBytes, _body.Length * 2)];
                _stream.ReadExactly(_body.AsSpan(0, wholeBytes));
                _pos = at + PacketHeaderBytes + wholeBytes;
                var part = _body.AsSpan(0, wholeBytes);
                int marked = 0;
                for (int i = 0; i < whole; i++) if ((part[i * size] & 1) != 0) marked++;
                // What is kept is the valid events among the whole ones (stop 42: "2 kept" where both were invalid).
                _log.Error("truncated", at, what + " (the file is truncated, or this header is damaged)" +
                    $"; of the {whole} whole event{(whole == 1 ? "" : "s")} before the cut {(marked == whole ? (whole == 1 ? "it is" : "all are") : $"the {marked} valid ones are")} kept, the other {number - whole} are lost");
                packet = DecodePolarity(part, at, size, tsOffset, whole, marked, (long)overflow << 31);
                if (packet != null) return true;
                break;
            }
            _lastSource = source;
            _lastOverflow = overflow;
            if (type == 1 && !_options.DecodeEvents)
            {
                // Polarity packet in a pass that does not want events: stepped over unread.
                _stream.Seek(bodyBytes, SeekOrigin.Current);
                _pos = at + PacketHeaderBytes + bodyBytes;
                PacketsRead++;
                continue;
            }
            if (_body.Length < bodyBytes) _body = new byte[Math.Max((int)bodyBytes, _body.Length * 2)];
            _stream.ReadExactly(_body.AsSpan(0, (int)bodyBytes));
            _pos = at + PacketHeaderBytes + bodyBytes;
            PacketsRead++;
            if (capacity != number)
                _log.Note("capacity", at, $"packet capacity {capacity} differs from event number {number}; the body is read as capacity × eventSize (libcaer)");

            var body = _body.AsSpan(0, (int)bodyBytes);
            long high = (long)overflow << 31;
            packet = type switch
            {
                1 => DecodePolarity(body, at, size, tsOffset, number, valid, high),
                0 => DecodeSpecial(body, at, size, tsOffset, number, high),
                2 => DecodeFrames(body, at, size, number, high),
                3 or 4 => DecodeImu(body, at, size, number, high, type == 4),
                _ => Skip(type, at),
            };
            if (packet != null) return true;
        }
        return false;
    }

    /// <summary>
    /// After the damaged packet header at <paramref name="at"/>: looks up to <see cref="MaxResyncScanBytes"/> further for
    /// the next packet header (<see cref="LooksLikeHeader"/>, and the header after its body too, or the file's end), and
    /// moves there, logging <paramref name="what"/> with the bytes skipped. Without one the reader stops, logging that
    /// (unless <paramref name="quietFailure"/>, when the caller logs its own message).
    /// </summary>
    private bool Resync(long at, string kind, string what, bool quietFailure = false)
    {
        long length = _stream.Length;
        long last = Math.Min(length - PacketHeaderBytes, at + MaxResyncScanBytes);
        // A small window first (the next header is usually near: a 1 MiB read per damaged spot made a file with a damaged
        // spot every few packets take minutes), then larger ones; one buffer for the reader's life.
        _scanBuffer ??= new byte[1 << 20];
        var buf = _scanBuffer;
        var next = new byte[PacketHeaderBytes];
        int window = 4 << 10;
        for (long chunk = at + 1; chunk <= last; chunk += window - PacketHeaderBytes + 1, window = Math.Min(buf.Length, window * 16))
        {
            _stream.Position = chunk;
            int got = _stream.ReadAtLeast(buf.AsSpan(0, window), (int)Math.Min(window, length - chunk), throwOnEndOfStream: false);
            for (int i = 0; i + PacketHeaderBytes <= got && chunk + i <= last; i++)
            {
                long p = chunk + i;
                if (!LooksLikeHeader(buf.AsSpan(i, PacketHeaderBytes), p, length, out long end)) continue;
                if (end != length)
                {
                    if (end + PacketHeaderBytes > length) continue;
                    long resume = _stream.Position;
                    _stream.Position = end;
                    _stream.ReadExactly(next);
                    _stream.Position = resume;
                    if (!LooksLikeHeader(next, end, length, out _)) continue;
                }
                _log.Error(kind, at, $"{what}; resynchronised at byte {p}, the next packet header, skipping {p - at} bytes");
                _stream.Position = p;
                _pos = p;
                return true;
            }
        }
        if (!quietFailure)
            _log.Error(kind, at, $"{what}; cannot resynchronise: no packet header found in the next {Math.Min(MaxResyncScanBytes, length - at - 1)} bytes");
        _done = true;
        return false;
    }

    /// <summary>
    /// Whether 28 bytes at <paramref name="p"/> read as a packet header libcaer writes: a decoded type (special, polarity,
    /// frame, IMU6, IMU9) with its event size and timestamp offset, the source and overflow counter of the packets read
    /// before (the counter may have advanced by one), 0 &lt; number ≤ capacity within the limits, 0 ≤ valid ≤ number, and a
    /// body inside the file, which ends at <paramref name="end"/>. Strict on purpose: it is used to find a header among
    /// arbitrary bytes.
    /// </summary>
    private bool LooksLikeHeader(ReadOnlySpan<byte> h, long p, long length, out long end)
    {
        end = 0;
        var (type, source, size, tsOffset, overflow, capacity, number, valid) = PacketHeader.Parse(h);
        bool sizes = type switch
        {
            0 or 1 => size == 8 && tsOffset == 4,
            3 => size == 36 && tsOffset == 4,
            4 => size == 48 && tsOffset == 4,
            2 => size >= 36 && tsOffset >= 0 && tsOffset <= size - 4,
            _ => false,
        };
        if (!sizes || source < 0 || (_lastSource >= 0 && source != _lastSource)) return false;
        // Before any whole packet the counter is unknown: any value a recording can reach (2^31 µs each, 30 days in all).
        if (_lastSource < 0 ? overflow < 0 || overflow > 1200 : overflow < _lastOverflow || overflow > _lastOverflow + 1) return false;
        if (number <= 0 || number > capacity || valid < 0 || valid > number) return false;
        long body = (long)capacity * size;
        if (body > _options.Limits.MaxStoredPacketBytes) return false;
        end = p + PacketHeaderBytes + body;
        return end <= length;
    }

    /// <summary>The 28-byte packet header's fields, little-endian, in file order (AEDAT.md §3).</summary>
    private readonly record struct PacketHeader(short Type, short Source, int Size, int TsOffset, int Overflow, int Capacity, int Number, int Valid)
    {
        public static PacketHeader Parse(ReadOnlySpan<byte> h) => new(
            BinaryPrimitives.ReadInt16LittleEndian(h), BinaryPrimitives.ReadInt16LittleEndian(h[2..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[4..]), BinaryPrimitives.ReadInt32LittleEndian(h[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[12..]), BinaryPrimitives.ReadInt32LittleEndian(h[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[20..]), BinaryPrimitives.ReadInt32LittleEndian(h[24..]));
    }

    private AedatPacket? Skip(int type, long at)
    {
        if (_skippedTypes.Add(type))
            _log.Note("unknown-type", at, $"packets of event type {type} are not decoded and are skipped");
        return null;
    }

    private EventsPacket? DecodePolarity(ReadOnlySpan<byte> body, long at, int size, int tsOffset, int number, int declaredValid, long high)
    {
        if (size < 8)
        {
            _log.Error("event-size", at, $"polarity packet has eventSize {size}; expected 8; packet skipped");
            return null;
        }
        if (number > _options.Limits.MaxEventsPerPacket)
        {
            _log.Error("limit", at, $"polarity packet holds {number} events; the reader's limit is {_options.Limits.MaxEventsPerPacket}; packet skipped");
            return null;
        }
        var batch = EventBatch.Rent(Math.Max(1, number));
        var (T, X, Y, P) = batch.Reserve(Math.Max(1, number));
        int n = 0, marked = 0;
        long lastBefore = _lastT, firstT = long.MinValue;
        bool jumpNamed = false;
        for (int i = 0; i < number; i++)
        {
            var e = body.Slice(i * size, size);
            uint data = BinaryPrimitives.ReadUInt32LittleEndian(e);
            if ((data & 1) == 0) continue;
            marked++;   // counted before the sensor check: an off-sensor event is reported as such, not as unmarked
            long t = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[tsOffset..]);
            int y = (int)((data >> 2) & 0x7FFF);
            int x = (int)(data >> 17);
            if (_width > 0 && (x >= _width || y >= _height))
            {
                _log.Error("out-of-range", at, $"polarity event {i} at ({x}, {y}) lies outside the {_width}×{_height} sensor; dropped");
                continue;
            }
            if (firstT == long.MinValue) firstT = t;
            if (t < _lastT)
            {
                if (!jumpNamed && _prevPacketAt >= 0 && _beforePrevPacketT != long.MinValue && t >= _beforePrevPacketT && _prevPacketFirstT - _beforePrevPacketT >= 1_000_000)
                {
                    // The packet before jumped forward (a damaged tsOverflow, typically) and this one carries on from before it.
                    jumpNamed = true;
                    _log.Error("non-monotonic", _prevPacketAt, $"polarity packet's events start at {_prevPacketFirstT} µs, {(_prevPacketFirstT - _beforePrevPacketT) / 1e6:0.###} s after the event before them ({_beforePrevPacketT} µs), and the packet at byte {at} carries on from {_beforePrevPacketT} µs: the packet at byte {_prevPacketAt} is damaged (its tsOverflow, most likely), its events keep their wrong times");
                }
                else
                    _log.Error("non-monotonic", at, $"polarity event {i} has timestamp {t} µs, earlier than the previous {_lastT} µs (expected non-decreasing)");
            }
            _lastT = t;
            T[n] = t;
            X[n] = (short)x;
            Y[n] = (short)y;
            P[n] = (data & 2) != 0;
            n++;
        }
        if (marked != declaredValid)
            _log.Note("valid-bits", at, marked == 0
                ? $"packet header says {declaredValid} valid events, but none carries the valid mark (bit 0); as in libcaer only marked events count, so this packet yields no event"
                : $"packet header says {declaredValid} valid events, but {marked} carry the valid mark (bit 0); as in libcaer only marked events count, so {marked} are decoded" +
                  (marked != n ? $" ({marked - n} of them then dropped as off the sensor)" : ""));
        if (firstT != long.MinValue)
        {
            _prevPacketAt = at;
            _prevPacketFirstT = firstT;
            _beforePrevPacketT = lastBefore;
        }
        batch.Truncate(n);
        if (n == 0) { batch.Dispose(); return null; }
        return new EventsPacket { StreamId = 1, ByteOffset = at, Events = batch };
    }

    private TriggersPacket? DecodeSpecial(ReadOnlySpan<byte> body, long at, int size, int tsOffset, int number, long high)
    {
        var list = new List<TriggerEvent>();
        for (int i = 0; i < number; i++)
        {
            var e = body.Slice(i * size, size);
            uint data = BinaryPrimitives.ReadUInt32LittleEndian(e);
            if ((data & 1) == 0) continue;
            long t = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[tsOffset..]);
            TriggerType? kind = ((data >> 1) & 0x7F) switch
            {
                1 => TriggerType.TimestampReset,
                2 or 6 or 9 => TriggerType.ExternalSignalRisingEdge,
                3 or 7 or 10 => TriggerType.ExternalSignalFallingEdge,
                4 or 8 or 11 => TriggerType.ExternalSignalPulse,
                12 => TriggerType.ExternalGeneratorRisingEdge,
                13 => TriggerType.ExternalGeneratorFallingEdge,
                14 => TriggerType.ApsFrameStart,
                15 => TriggerType.ApsFrameEnd,
                16 => TriggerType.ApsExposureStart,
                17 => TriggerType.ApsExposureEnd,
                _ => null,
            };
            if (kind == TriggerType.TimestampReset) _lastT = long.MinValue;
            if (kind != null) list.Add(new TriggerEvent(t, kind.Value));
        }
        return list.Count == 0 ? null : new TriggersPacket { StreamId = 0, ByteOffset = at, Triggers = list.ToArray() };
    }

    private FramePacket? DecodeFrames(ReadOnlySpan<byte> body, long at, int size, int number, long high)
    {
        // One frame per packet is what cAER writes; extra frames in a packet are reported and skipped.
        for (int i = 0; i < number; i++)
        {
            var e = body.Slice(i * size, size);
            if (e.Length < 36) { _log.Error("event-size", at, $"frame event size {size} is below the 36-byte header"); return null; }
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(e);
            if ((info & 1) == 0) continue;
            int channels = (int)((info >> 1) & 7);
            int filter = (int)((info >> 4) & 15);
            int w = BinaryPrimitives.ReadInt32LittleEndian(e[20..]);
            int h = BinaryPrimitives.ReadInt32LittleEndian(e[24..]);
            long need = 36 + 2L * w * h * channels;
            if (channels is not (1 or 3 or 4) || w <= 0 || h <= 0 || need > size)
            {
                _log.Error("frame-size", at, $"frame {w}×{h}×{channels} needs {need} bytes, the event slot holds {size}; frame skipped");
                continue;
            }
            if ((long)w * h > _options.Limits.MaxFramePixels)
            {
                _log.Error("limit", at, $"frame of {w}×{h} = {(long)w * h} pixels exceeds the reader's limit of {_options.Limits.MaxFramePixels} pixels; frame skipped");
                continue;
            }
            if (i + 1 < number) _log.Note("frames", at, $"packet holds {number} frames; frames after the first valid one are skipped");
            var pixels = e.Slice(36, (int)(need - 36)).ToArray();
            if (channels >= 3)
            {
                // AEDAT 3.1 stores RGB(A); ApsFrame keeps OpenCV's BGR(A) order.
                for (int p = 0; p < w * h; p++)
                {
                    int r = p * channels * 2, b = r + 4;
                    (pixels[r], pixels[b]) = (pixels[b], pixels[r]);
                    (pixels[r + 1], pixels[b + 1]) = (pixels[b + 1], pixels[r + 1]);
                }
            }
            long soe = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[12..]);
            long eoe = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[16..]);
            var frame = new ApsFrame
            {
                StartOfFrameUs = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[4..]),
                EndOfFrameUs = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[8..]),
                StartOfExposureUs = soe,
                EndOfExposureUs = eoe,
                TimestampUs = soe + (eoe - soe) / 2,
                Width = w,
                Height = h,
                PositionX = BinaryPrimitives.ReadInt32LittleEndian(e[28..]),
                PositionY = BinaryPrimitives.ReadInt32LittleEndian(e[32..]),
                Format = new FramePixelFormat(2 | ((channels - 1) << 3)),
                Pixels = pixels,
                // A colour DAVIS's frames are one channel under a colour filter (libcaer's codes 1–8); codes past 8 are not defined.
                ColorFilter = channels == 1 && filter is >= 1 and <= 8 ? (ColorFilter)filter : ColorFilter.Mono,
            };
            if (channels == 1 && filter > 8)
                _log.Note("frames", at, $"frame colour filter code {filter} (bits 4–7 of the info word) is none of libcaer's (0 mono, 1–8 RGBG … BWRG); the frame is read as grey");
            return new FramePacket { StreamId = 2, ByteOffset = at, Frame = frame };
        }
        return null;
    }

    private ImuPacket? DecodeImu(ReadOnlySpan<byte> body, long at, int size, int number, long high, bool nine)
    {
        int need = nine ? 48 : 36;
        if (size < need) { _log.Error("event-size", at, $"IMU event size {size}; expected {need}"); return null; }
        var list = new List<ImuSample>(number);
        for (int i = 0; i < number; i++)
        {
            var e = body.Slice(i * size, size);
            if ((BinaryPrimitives.ReadUInt32LittleEndian(e) & 1) == 0) continue;
            long t = high | (uint)BinaryPrimitives.ReadInt32LittleEndian(e[4..]);
            list.Add(new ImuSample(t, F(e, 32), F(e, 8), F(e, 12), F(e, 16), F(e, 20), F(e, 24), F(e, 28),
                nine ? F(e, 36) : 0, nine ? F(e, 40) : 0, nine ? F(e, 44) : 0));
        }
        return list.Count == 0 ? null : new ImuPacket { StreamId = 3, ByteOffset = at, Samples = list.ToArray() };
    }

    private static float F(ReadOnlySpan<byte> e, int offset) => BinaryPrimitives.ReadSingleLittleEndian(e[offset..]);

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
