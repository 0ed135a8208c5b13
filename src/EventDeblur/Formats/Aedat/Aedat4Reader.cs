using EventDeblur.IO;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Xml;
using System.Xml.Linq;
using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Streaming AEDAT 4.0 reader (DV / dv-processing files, and the DV network stream layout, which
/// is the same minus the version line). Packets are decompressed one at a time into a reused
/// buffer; on a file, a second thread reads and decodes a few packets ahead (bounded by
/// <see cref="ReaderLimits.PrefetchPackets"/> and <see cref="ReaderLimits.MaxPrefetchBytes"/>), so memory is
/// bounded by the largest packet plus that budget. Corrupt packets are reported and skipped
/// (packet boundaries survive a bad body); a truncated or nonsensical packet header ends the walk.
/// </summary>
public sealed partial class Aedat4Reader : IAedatReader
{
    [StructLayout(LayoutKind.Sequential, Pack = 1, Size = 16)]
    private readonly struct RawEvent
    {
        public readonly long T;
        public readonly short X;
        public readonly short Y;
        public readonly byte P;
    }

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string _path;
    private readonly AedatReaderOptions _options;
    private readonly ReaderLimits _limits;
    private readonly ProblemLog _log;
    private readonly PacketCodec _codec;
    private readonly Dictionary<int, AedatStreamInfo> _streams = [];
    // The streams the infoNode declares (id → kind), as parsed: a packet of another id holding a declared stream's kind
    // has a damaged stream id, most likely.
    private readonly Dictionary<int, AedatStreamKind> _declared = [];
    // (stream id, kind) of every packet decoded so far: the kinds each stream's packets held.
    private readonly HashSet<(int, AedatStreamKind)> _heldKinds = [];
    private readonly Dictionary<int, long> _lastT = [];
    private readonly HashSet<int> _skippedStreams = [];
    private readonly HashSet<int> _mislabelledStreams = [];
    // Streams declared EVTS whose packets were seen to hold EVTS buffers (with DecodeEvents off, later ones are stepped over).
    private readonly HashSet<int> _eventStreamsShown = [];
    private readonly Dictionary<int, AedatStreamKind> _otherStreams = [];
    private readonly Dictionary<AedatStreamKind, int> _chosen = [];
    private readonly HashSet<int> _metChosen = [];
    private bool _endChecked;

    /// <summary>
    /// The id of the event stream whose events are delivered: the one asked for (<see cref="AedatReaderOptions.EventStreamId"/>),
    /// else the first whose packets hold events; null before any is known.
    /// </summary>
    public int? EventStreamId => _chosen.TryGetValue(AedatStreamKind.Events, out int id) ? id : null;

    private string StreamName(int id) => _streams.TryGetValue(id, out var s) && s.Name.Length > 0 ? $" '{Printable(s.Name)}'" : "";

    /// <summary>Whether packets of <paramref name="streamId"/> are the ones of their kind read; a note for each other stream.</summary>
    private bool IsChosen(AedatStreamKind kind, int streamId, long at, AedatStreamInfo info)
    {
        if (!_chosen.TryGetValue(kind, out int chosen)) _chosen[kind] = chosen = streamId;
        if (streamId == chosen)
        {
            // Only an event packet meets the event stream asked for (a stream chosen for its frames too held none).
            if (kind == AedatStreamKind.Events) _metChosen.Add(streamId);
            return true;
        }
        if (_otherStreams.TryAdd(streamId, kind))
        {
            string what = kind switch { AedatStreamKind.Events => "event", AedatStreamKind.Frames => "frame", AedatStreamKind.Imu => "IMU", _ => "trigger" };
            ReportNote("other-stream", at, $"stream {streamId}{StreamName(streamId)} is another {what} stream: its packets are skipped (one {what} stream is read, stream {chosen}{StreamName(chosen)}" +
                (kind == AedatStreamKind.Events
                    ? $"; inspect and convert read this one instead with --event-stream {streamId}, and convert --event-stream {streamId} writes it to a file of its own for bundle and replay)"
                    : ", the one of the event stream read)"));
        }
        return false;
    }

    /// <summary>At the end of the walk: an event stream asked for that held no events is an error naming the ones that did.</summary>
    private void CheckChosenMet()
    {
        if (_endChecked || _options.EventStreamId is not int wanted || _metChosen.Contains(wanted)) return;
        _endChecked = true;
        var others = _otherStreams.Where(o => o.Value == AedatStreamKind.Events).Select(o => o.Key).Order().ToList();
        _log.Error("event-stream", _pos, $"stream {wanted} (--event-stream) held no event packet; {(others.Count > 0 ? $"the file's events are in stream(s) {string.Join(", ", others.Select(id => id + StreamName(id)))}" : "the file has no other event stream")}");
    }
    private readonly List<ObservedPacket> _observed = [];
    private long _infoNodeOffset = 18;
    private readonly byte[] _header = new byte[8];
    private byte[] _body = new byte[1 << 16];
    private readonly long _dataStart;
    private readonly long _dataEnd;
    private readonly long _dataTablePosition;
    // The IOHeader's FileDataTable position is in the file, but no table can be read there (reported once, at open).
    private readonly bool _tableUnreadable;
    private long _pos;
    private bool _done;
    private long _seekUs = long.MinValue;
    private bool _tableVerified;

    private Aedat4Reader(Stream stream, bool ownsStream, string path, bool hasVersionLine, AedatReaderOptions options)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _path = path;
        _options = options;
        _limits = options.Limits.Validate();
        _log = new ProblemLog(path, options.MaxProblemsPerKind);

        long length = stream.CanSeek ? stream.Length : long.MaxValue;
        if (hasVersionLine)
        {
            Span<byte> line = stackalloc byte[Aedat4Schema.VersionLineBytes];
            int got = stream.ReadAtLeast(line, line.Length, throwOnEndOfStream: false);
            if (got < line.Length || System.Text.Encoding.ASCII.GetString(line) != Aedat4Schema.VersionLine)
                throw _log.Fatal(0, $"expected the version line '#!AER-DAT4.0\\r\\n' (14 bytes), found '{Escape(line[..got])}'");
            _pos = line.Length;
        }

        Span<byte> sizeBytes = stackalloc byte[4];
        if (stream.ReadAtLeast(sizeBytes, 4, throwOnEndOfStream: false) < 4)
            throw _log.Fatal(_pos, "expected the 4-byte IOHeader size, found end of data");
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(sizeBytes);
        const uint maxHeader = 16 << 20;
        if (headerSize < 12 || headerSize > maxHeader || _pos + 4 + headerSize > length)
            throw _log.Fatal(_pos, headerSize >= 12 && headerSize <= maxHeader && length != long.MaxValue
                ? $"IOHeader of {headerSize} bytes does not fit in the {length}-byte file: it ends {_pos + 4 + headerSize - length} bytes early (truncated while it was written or copied?)"
                : $"IOHeader size {headerSize} is not plausible (expected 12..{maxHeader} bytes within a {(length == long.MaxValue ? "stream" : length + "-byte file")})");
        _pos += 4;
        var headerBytes = new byte[headerSize];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
            throw _log.Fatal(_pos, $"IOHeader of {headerSize} bytes is cut short by the end of data");

        Aedat4Compression compression;
        string infoXml;
        bool infoRefused = false;
        try
        {
            var fb = new FlatBufferView(headerBytes);
            if (fb.Identifier != Aedat4Schema.IoHeader)
                throw new FlatBufferException($"expected flatbuffer identifier 'IOHE', found '{fb.Identifier}'");
            int root = fb.Root();
            int c = fb.FieldI32(root, 0, 0);
            if (c is < 0 or > 4) throw new FlatBufferException($"compression type {c} is not one of 0..4 (NONE, LZ4, LZ4_HIGH, ZSTD, ZSTD_HIGH)");
            compression = (Aedat4Compression)c;
            _dataTablePosition = fb.FieldI64(root, 1, -1);
            var (xmlStart, xmlBytes) = fb.Vector(root, 2, 1);
            _infoNodeOffset = _pos + xmlStart;
            // Refuse an oversized infoNode before decoding it into a string (UTF-8: chars ≤ bytes).
            if (xmlBytes > _limits.MaxInfoNodeChars && System.Text.Encoding.UTF8.GetCharCount(fb.Slice(xmlStart, xmlBytes)) > _limits.MaxInfoNodeChars)
            {
                infoRefused = true;
                _log.Error("info-node", _infoNodeOffset, $"infoNode XML of {xmlBytes} bytes exceeds the limit of {_limits.MaxInfoNodeChars} characters (the reader's limit); it is not parsed and stream types are taken from each packet's identifier");
                infoXml = "";
            }
            else
            {
                infoXml = xmlStart == 0 ? "" : System.Text.Encoding.UTF8.GetString(fb.Slice(xmlStart, xmlBytes));
            }
        }
        catch (FlatBufferException e)
        {
            throw _log.Fatal(_pos, "IOHeader is corrupt: " + e.Message);
        }
        _pos += headerSize;
        _dataStart = _pos;
        _codec = new PacketCodec(compression, _limits.MaxDecompressedPacketBytes, options.UseSystemLz4);
        _compression = compression;
        _tableCompression = compression;

        if (!infoRefused) ParseInfoNode(infoXml);
        foreach (var (id, declared) in _streams) _declared[id] = declared.Kind;
        // One stream of each kind is read (one sensor's events in time order, its frames, IMU and triggers): the first whose
        // packets hold that kind, or for events the one asked for, and for the other kinds the declared stream of the same
        // source as that one; the others are skipped with a note each. Decided by what packets hold, not by the infoNode,
        // which may name the wrong streams (it is not trusted for a packet's type either).
        if (options.EventStreamId is int wanted)
        {
            // A stream the infoNode declares as frames, IMU or triggers is refused at once (stop 43: `--event-stream 1`, the
            // frames, read 0 events with exit 0, and the triggers stream's id failed as "the sensor size is not stated").
            if (_streams.TryGetValue(wanted, out var declaredAs) && declaredAs.Kind is AedatStreamKind.Frames or AedatStreamKind.Imu or AedatStreamKind.Triggers)
            {
                var eventStreams = _streams.Values.Where(x => x.Kind == AedatStreamKind.Events).Select(x => $"{x.Id}{StreamName(x.Id)}").ToList();
                string kindName = declaredAs.Kind switch { AedatStreamKind.Frames => "frame", AedatStreamKind.Imu => "IMU", _ => "trigger" };
                throw _log.Fatal(_infoNodeOffset, $"--event-stream {wanted}: the infoNode declares stream {wanted}{StreamName(wanted)} as a {kindName} stream ('{Printable(declaredAs.TypeIdentifier)}'), not events; " +
                                                  (eventStreams.Count > 0 ? $"the file's event stream{(eventStreams.Count == 1 ? " is" : "s are")} {string.Join(", ", eventStreams)}" : "it declares no event stream"));
            }
            _chosen[AedatStreamKind.Events] = wanted;
            if (_streams.TryGetValue(wanted, out var asked) && asked.Source.Length > 0)
                foreach (var kind in new[] { AedatStreamKind.Frames, AedatStreamKind.Imu, AedatStreamKind.Triggers })
                    if (_streams.Values.Where(x => x.Kind == kind && x.Source == asked.Source).OrderBy(x => x.Id).FirstOrDefault() is { } same)
                        _chosen[kind] = same.Id;
        }

        _dataEnd = length;
        if (_dataTablePosition >= 0 && stream.CanSeek)
        {
            if (_dataTablePosition < _dataStart || _dataTablePosition > length)
            {
                _log.Error("table", 14 + 4, $"IOHeader says the FileDataTable starts at byte {_dataTablePosition}, but data spans {_dataStart}..{length}: file truncated or header corrupt; walking packets to the end of the file");
                // A corrupt position: the walk may still meet the real table, which is then said to be one (stop 42: it
                // was called a corrupt packet header).
                _tableUnreadable = true;
            }
            else
                _dataEnd = _dataTablePosition;
        }

        // A stream whose declared type is unknown may still carry events (a mislabelled infoNode):
        // its declared sensor size is the best guess left.
        var events = (options.EventStreamId is int chosenEvents && _streams.TryGetValue(chosenEvents, out var chosenInfo) ? chosenInfo : null)
                     ?? _streams.Values.FirstOrDefault(s => s.Kind == AedatStreamKind.Events)
                     ?? _streams.Values.FirstOrDefault(s => s.Kind == AedatStreamKind.Frames)
                     ?? _streams.Values.FirstOrDefault(s => s.Width > 0 && s.Height > 0);
        Info = new AedatFileInfo
        {
            FilePath = path,
            Version = AedatVersion.Aedat4,
            Width = events?.Width ?? 0,
            Height = events?.Height ?? 0,
            Camera = events?.Source ?? "",
            Streams = _streams.Values.OrderBy(s => s.Id).ToArray(),
            Compression = Aedat4Schema.CompressionName(compression),
            DataStartOffset = _dataStart,
        };
        // A position inside the data where no table starts (a header naming the wrong byte, a packet inserted before the
        // table): the packets after it would be lost in silence if the walk stopped there. Checked cheaply, by the first
        // bytes a table stored with this compression starts with (a table that starts right but is damaged or cut is
        // reported when it is read, as before, and the walk still ends at it).
        // A table stored in another compression than the IOHeader names (its compression field damaged: the packets are then
        // decoded by their own magic, said once with the first) is read in that compression (stop 45: it was called
        // unreadable, and the walk to the end of the file then read the table as a packet with an absurd size).
        if (_dataEnd == _dataTablePosition && _dataEnd < length && !StartsLikeTable(_dataTablePosition, out _)
            && TableMagicCompression(_dataTablePosition) is { } stored)
            _tableCompression = stored;
        if (_dataEnd == _dataTablePosition && _dataEnd < length && !StartsLikeTable(_dataTablePosition, out string found))
        {
            _log.Error("table", _dataTablePosition, $"FileDataTable is unreadable (expected {TableStartDescription()}, found {found}): the IOHeader says it starts here, so that position is wrong; walking packets to the end of the file");
            _dataEnd = length;
            _tableUnreadable = true;
        }
    }

    /// <summary>What a stored FileDataTable starts with under this file's compression, for messages.</summary>
    private string TableStartDescription() => _tableCompression switch
    {
        Aedat4Compression.None => "a size-prefixed flatbuffer with the identifier 'FTAB'",
        Aedat4Compression.Zstd or Aedat4Compression.ZstdHigh => "a Zstandard frame (28 B5 2F FD)",
        _ => "an LZ4 frame (04 22 4D 18)",
    };

    /// <summary>
    /// Whether the bytes at <paramref name="position"/> start as a stored FileDataTable does under this file's compression
    /// (an LZ4 or Zstandard frame's magic number; uncompressed, a size prefix reaching no further than the file and the
    /// identifier <c>FTAB</c>); <paramref name="found"/> shows the first bytes. The stream's position is kept.
    /// </summary>
    private bool StartsLikeTable(long position, out string found)
    {
        Span<byte> b = stackalloc byte[12];
        long keep = _stream.Position;
        int got;
        try
        {
            _stream.Position = position;
            got = _stream.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
        }
        finally
        {
            _stream.Position = keep;
        }
        found = string.Join(' ', b[..Math.Min(got, 4)].ToArray().Select(x => x.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        if (got < 4) return false;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(b);
        return _tableCompression switch
        {
            Aedat4Compression.None => got == 12 && b[8..12].SequenceEqual("FTAB"u8) && position + 4 + magic <= _stream.Length,
            Aedat4Compression.Zstd or Aedat4Compression.ZstdHigh => magic == 0xFD2FB528,
            _ => magic == 0x184D2204,
        };
    }

    /// <summary>The compression whose magic number the bytes at <paramref name="position"/> start with when it is not the IOHeader's (LZ4 or Zstandard), else null.</summary>
    private Aedat4Compression? TableMagicCompression(long position)
    {
        Span<byte> b = stackalloc byte[4];
        long keep = _stream.Position;
        try
        {
            _stream.Position = position;
            return _stream.ReadAtLeast(b, b.Length, throwOnEndOfStream: false) == 4 ? OtherCompression(b) : null;
        }
        finally
        {
            _stream.Position = keep;
        }
    }

    /// <summary>Opens an AEDAT 4.0 file.</summary>
    /// <exception cref="AedatFormatException">The version line or IOHeader is missing or corrupt.</exception>
    public static Aedat4Reader Open(string path, AedatReaderOptions? options = null) =>
        // A small buffer: packet bodies larger than it are read straight into the reader's buffer, a packet the decompression
        // thread has read is stepped over without its bytes passing through the stream's buffer, and runs of small packets
        // (IMU, triggers) still take one read call between them.
        SequentialFile.Open(path, options?.FileHash, s => new Aedat4Reader(s, true, path, hasVersionLine: true, options ?? AedatReaderOptions.Default), bufferBytes: 4096);

    /// <summary>
    /// Reads a DV network stream (or any AEDAT 4.0 byte stream): an IOHeader without version line,
    /// then packets. <paramref name="name"/> is used in problem reports (e.g. <c>tcp://host:port</c>).
    /// </summary>
    public static Aedat4Reader OpenStream(Stream stream, string name, bool hasVersionLine, AedatReaderOptions? options = null, bool leaveOpen = true) =>
        new(stream, !leaveOpen, name, hasVersionLine, options ?? AedatReaderOptions.Default);

    /// <inheritdoc />
    public AedatFileInfo Info { get; }

    /// <inheritdoc />
    public IReadOnlyList<Problem> Problems => _log.Items;

    /// <summary>Event packets stepped over without being read (<see cref="AedatReaderOptions.DecodeEvents"/> off; for tests).</summary>
    internal int PacketsSteppedOver { get; private set; }

    /// <summary>Absolute file offset of the FileDataTable, or −1 when the file has none.</summary>
    public long DataTablePosition => _dataTablePosition;

    /// <inheritdoc />
    /// <remarks>
    /// On a seekable input (a file) with <see cref="ReaderLimits.PrefetchPackets"/> &gt; 0, the packets
    /// are read, decompressed and decoded ahead on a second thread (with a third sharing the decompression,
    /// <see cref="ReaderLimits.DecompressAheadPackets"/>) while the caller works on the
    /// previous ones; the packets, their order and every problem (file, byte offset, message, and the
    /// order in which they appear in <see cref="Problems"/>) are exactly those of reading on the caller's thread.
    /// </remarks>
    public bool TryRead(out AedatPacket? packet)
    {
        bool more = _limits.PrefetchPackets > 0 && _stream.CanSeek ? TryReadPrefetched(out packet) : TryReadCore(out packet);
        if (!more) CheckChosenMet();
        return more;
    }

    /// <summary>Reads, decompresses and decodes the next deliverable packet on the calling thread.</summary>
    private bool TryReadCore(out AedatPacket? packet)
    {
        packet = null;
        while (!_done)
        {
            if (_pos >= _dataEnd) { _done = true; break; }
            long at = _pos;
            int got = _stream.ReadAtLeast(_header, 8, throwOnEndOfStream: false);
            if (got == 0 && _dataEnd == long.MaxValue) { _done = true; break; }
            if (got < 8 || (_dataEnd != long.MaxValue && _dataEnd - at < 8))
            {
                Report("truncated", at, $"expected an 8-byte packet header, found {Math.Min(got, _dataEnd - at)} bytes before the end of data (file truncated)");
                _done = true;
                break;
            }
            int streamId = BinaryPrimitives.ReadInt32LittleEndian(_header);
            int size = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(4));
            if (_tableUnreadable && StartsLikeTable(at, out _) && IsTableAt(at))
            {
                // The walk past a wrong table position met the real table: every packet was read.
                ReportNote("table", at, $"the FileDataTable is here (the IOHeader said byte {_dataTablePosition}): every packet before it was read");
                _done = true;
                break;
            }
            if (size <= 0 || size > _limits.MaxStoredPacketBytes)
            {
                string what = $"packet of stream {streamId} declares a body of {size} bytes; expected 1..{_limits.MaxStoredPacketBytes} (the reader's limit: a corrupt header, or a packet over the limit";
                if (TryResync(at, out string how) || TryScanResync(at, out how)) { Report("packet-size", at, $"{what}); {how}"); continue; }
                Report("packet-size", at, _stream.CanSeek
                    ? $"{what}, cannot resynchronise: no FileDataTable lists a later packet, and no packet header follows in the next {Math.Min(MaxResyncScanBytes, Math.Max(0, _dataEnd - at - 1))} bytes)"
                    // A network stream (stop 42: the message spoke of a FileDataTable and of 64 MiB scanned, on a socket).
                    : $"{what}); a stream that cannot seek (a network stream) cannot be resynchronised past it: the rest of this connection is not read");
                _done = true;
                break;
            }
            if (_dataEnd != long.MaxValue && at + 8 + size > _dataEnd)
            {
                string what = $"packet of stream {streamId} declares a body of {size} bytes, but only {_dataEnd - at - 8} remain before {(_dataEnd == _dataTablePosition ? "the FileDataTable" : "the end of the file")}";
                // A size that overshoots an intact FileDataTable is a corrupt header, not a truncation: the table finds the next packet.
                // Without a table that finds it: a whole packet further on means the header, not the file, is damaged.
                if ((_dataEnd == _dataTablePosition && TryResync(at, out string how)) || TryScanResync(at, out how)) { Report("packet-size", at, $"{what} (a corrupt header: the file goes on); {how}"); continue; }
                Report("truncated", at, $"{what} (truncated)");
                _done = true;
                break;
            }
            if (!_options.DecodeEvents && _stream.CanSeek && _eventStreamsShown.Contains(streamId))
            {
                // An event stream whose identifier was checked on its first packet: stepped over unread.
                _stream.Seek(size, SeekOrigin.Current);
                _pos = at + 8 + size;
                PacketsSteppedOver++;
                if (_seekUs == long.MinValue && _dataTablePosition >= 0) _observed.Add(new ObservedPacket(at, streamId, size));
                continue;
            }
            // Read and decompressed ahead by the decompression thread, or read here (and decompressed below).
            var ahead = _inflater?.Take(at, size);
            var seen = new ObservedPacket(at, streamId, size);
            try
            {
                ReadOnlySpan<byte> stored;
                if (ahead != null && _stream is FileStream)
                {
                    _stream.Seek(size, SeekOrigin.Current);
                    stored = ahead.Stored.AsSpan(0, size);
                }
                else
                {
                    // Read through the stream all the same where it hashes the file as it goes.
                    if (_body.Length < size) _body = new byte[Math.Max(size, _body.Length * 2)];
                    int bodyGot = _stream.ReadAtLeast(_body.AsSpan(0, size), size, throwOnEndOfStream: false);
                    if (bodyGot < size)
                    {
                        Report("truncated", at, $"packet of stream {streamId} declares a body of {size} bytes, the data ended after {bodyGot}");
                        _done = true;
                        break;
                    }
                    stored = _body.AsSpan(0, size);
                }
                _pos = at + 8 + size;
                if (ShorterBody(stored, at) is int real)
                {
                    // The body's own frame ends before the declared size, and a packet header follows where it ends: the
                    // header's size is corrupt (stop 42: the walk landed inside a later packet and lost the two after it).
                    Report("packet-size", at, $"packet of stream {streamId} declares a body of {size} bytes, but its {(_compression == Aedat4Compression.None ? "flatbuffer" : Info.Compression + " frame")} ends after {real} bytes and a packet header follows there: the header's size is corrupt (the packet is read with its frame's {real} bytes; the walk goes on at byte {at + 8 + real})");
                    stored = stored[..real];
                    size = real;
                    seen = new ObservedPacket(at, streamId, size);
                    _pos = at + 8 + size;
                    _stream.Position = _pos;
                }
                packet = DecodePacket(streamId, at, stored, ahead?.Body, ref seen);
            }
            finally
            {
                if (ahead != null) _inflater!.Return(ahead);
            }
            // Kept only where a FileDataTable can be checked: a live network stream would grow it forever.
            if (_seekUs == long.MinValue && _stream.CanSeek && _dataTablePosition >= 0) _observed.Add(seen);
            if (packet != null) return true;
        }
        return false;
    }

    private readonly Aedat4Compression _compression;

    /// <summary>The compression the FileDataTable is stored in: the IOHeader's, or the one its bytes show when that field is damaged.</summary>
    private Aedat4Compression _tableCompression;

    /// <summary>
    /// How far past a corrupt packet header the walk looks for the next packet when no FileDataTable says where it is
    /// (a recording whose writer died before writing the table), bytes.
    /// </summary>
    public const long MaxResyncScanBytes = 64L << 20;

    /// <summary>
    /// After a corrupt packet header at <paramref name="at"/> with no table to follow: looks up to
    /// <see cref="MaxResyncScanBytes"/> ahead for the next packet — a declared stream, a size within the limits and the
    /// data, a body that starts as the file's compression writes it (an LZ4 or Zstandard frame, else a flatbuffer of a
    /// known type), and the packet after it plausible too (or the end of the data) — and moves the walk there.
    /// </summary>
    private bool TryScanResync(long at, out string how)
    {
        how = "";
        if (!_stream.CanSeek || _dataEnd == long.MaxValue) return false;
        const int Probe = 20;
        long last = Math.Min(_dataEnd - Probe, at + MaxResyncScanBytes);
        // A small window first (the next packet is usually near), then larger ones; one buffer for the reader's life.
        _scanBuffer ??= new byte[1 << 20];
        var next = new byte[Probe];
        int window = 64 << 10;
        for (long chunk = at + 1; chunk <= last; chunk += window - Probe + 1, window = _scanBuffer.Length)
        {
            _stream.Position = chunk;
            int got = _stream.ReadAtLeast(_scanBuffer.AsSpan(0, window), (int)Math.Min(window, _dataEnd - chunk), throwOnEndOfStream: false);
            for (int i = 0; i + Probe <= got && chunk + i <= last; i++)
            {
                long p = chunk + i;
                if (!PlausiblePacket(_scanBuffer.AsSpan(i, Probe), p, out long end)) continue;
                if (end != _dataEnd)
                {
                    if (end + Probe > _dataEnd) continue;
                    _stream.Position = end;
                    if (_stream.ReadAtLeast(next, Probe, throwOnEndOfStream: false) < Probe || !PlausiblePacket(next, end, out _)) continue;
                }
                _skipped.Add((at, p));
                _stream.Position = p;
                _pos = p;
                how = $"resynchronised at byte {p}, the next packet header found (no FileDataTable to follow), skipping {p - at} bytes";
                return true;
            }
        }
        _stream.Position = at + 8;
        return false;
    }

    private byte[]? _scanBuffer;

    /// <summary>
    /// The length of the stored body at <paramref name="at"/> when its frame (LZ4 / Zstandard, or the uncompressed
    /// flatbuffer's size prefix) ends at least 20 bytes before the declared size and what follows reads as a packet
    /// header (<see cref="PlausiblePacket"/>); otherwise null (the declared size stands).
    /// </summary>
    private int? ShorterBody(ReadOnlySpan<byte> stored, long at)
    {
        if (!_stream.CanSeek || CompressedFrame.Length(stored, _compression) is not long n || n + 20 > stored.Length) return null;
        return PlausiblePacket(stored.Slice((int)n, 20), at + 8 + n, out _) ? (int)n : null;
    }

    /// <summary>Whether 20 bytes at <paramref name="p"/> read as a packet header and the start of its body (see <see cref="TryScanResync"/>).</summary>
    private bool PlausiblePacket(ReadOnlySpan<byte> h, long p, out long end)
    {
        end = 0;
        int streamId = BinaryPrimitives.ReadInt32LittleEndian(h);
        int size = BinaryPrimitives.ReadInt32LittleEndian(h[4..]);
        if (_streams.Count > 0 ? !_streams.ContainsKey(streamId) : streamId is < 0 or > 15) return false;
        if (size < 8 || size > _limits.MaxStoredPacketBytes || p + 8 + size > _dataEnd) return false;
        var body = h[8..];
        bool head = _compression switch
        {
            Aedat4Compression.Lz4 or Aedat4Compression.Lz4High => BinaryPrimitives.ReadUInt32LittleEndian(body) == 0x184D2204,
            Aedat4Compression.Zstd or Aedat4Compression.ZstdHigh => BinaryPrimitives.ReadUInt32LittleEndian(body) == 0xFD2FB528,
            // Uncompressed: a size-prefixed flatbuffer (size, root offset, then the 4-byte file identifier).
            _ => body[8..12].SequenceEqual("EVTS"u8) || body[8..12].SequenceEqual("FRME"u8) || body[8..12].SequenceEqual("IMUS"u8) || body[8..12].SequenceEqual("TRIG"u8),
        };
        if (!head) return false;
        end = p + 8 + size;
        return true;
    }

    private IReadOnlyList<Aedat4TableEntry>? _resyncTable;
    private bool _resyncTableRead;
    private Dictionary<long, int>? _tableStreams;

    /// <summary>
    /// The stream id the FileDataTable lists for the packet whose header is at <paramref name="at"/>; null without a
    /// readable table (a network stream, a truncated file) or an entry there. Runs in the walk (the stream's position is kept).
    /// </summary>
    private int? TableStreamAt(long at)
    {
        if (!_stream.CanSeek || _dataTablePosition < 0) return null;
        if (!_resyncTableRead)
        {
            long position = _stream.Position;
            _resyncTableRead = true;
            try { _resyncTable = ReadDataTableCore(quiet: true); }
            finally { _stream.Position = position; }
        }
        if (_resyncTable == null) return null;
        if (_tableStreams == null)
        {
            _tableStreams = new Dictionary<long, int>(_resyncTable.Count);
            foreach (var row in _resyncTable) _tableStreams.TryAdd(row.ByteOffset - Aedat4Schema.PacketHeaderBytes, row.StreamId);
        }
        return _tableStreams.TryGetValue(at, out int id) ? id : null;
    }
    // Byte ranges [from, to) the walk jumped over after a corrupt packet header: their table entries are not checked against packets read.
    private readonly List<(long From, long To)> _skipped = [];

    /// <summary>
    /// After a corrupt packet header at <paramref name="at"/>: moves the walk to the next packet the FileDataTable lists
    /// after it whose header on disk agrees with the table (stream and size), so that the packets after a damaged one
    /// are still read. Runs on the thread that owns the stream. False without a readable table or an agreeing entry.
    /// </summary>
    private bool TryResync(long at, out string how)
    {
        how = "";
        if (!_stream.CanSeek || _dataTablePosition < 0) return false;
        if (!_resyncTableRead)
        {
            _resyncTableRead = true;
            _resyncTable = ReadDataTableCore(quiet: true);
        }
        if (_resyncTable == null) return false;
        Span<byte> h = stackalloc byte[8];
        int tried = 0;
        foreach (var row in _resyncTable)
        {
            long header = row.ByteOffset - Aedat4Schema.PacketHeaderBytes;
            if (header <= at || header < _dataStart || row.Size <= 0 || header + 8 + (long)row.Size > _dataEnd) continue;
            if (++tried > 16) break;
            _stream.Position = header;
            if (_stream.ReadAtLeast(h, 8, throwOnEndOfStream: false) < 8) continue;
            if (BinaryPrimitives.ReadInt32LittleEndian(h) != row.StreamId || BinaryPrimitives.ReadInt32LittleEndian(h[4..]) != row.Size) continue;
            int listed = _resyncTable.Count(r => r.ByteOffset - Aedat4Schema.PacketHeaderBytes >= at && r.ByteOffset - Aedat4Schema.PacketHeaderBytes < header);
            _skipped.Add((at, header));
            _stream.Position = header;
            _pos = header;
            how = $"resynchronised with the FileDataTable at byte {header}, skipping {header - at} bytes ({listed} packet(s) listed there, this one included)";
            return true;
        }
        _stream.Position = at + 8;
        return false;
    }

    // ahead: the body the decompression thread decompressed from the same stored bytes, or null.
    private AedatPacket? DecodePacket(int streamId, long at, ReadOnlySpan<byte> stored, CappedBuffer? ahead, ref ObservedPacket seen)
    {
        ReadOnlySpan<byte> body;
        try
        {
            body = ahead != null ? ahead.Written : _codec.Decode(stored);
            // Under "no compression" an LZ4 or Zstandard frame reads as a flatbuffer whose size prefix (the magic number)
            // overshoots the packet (stop 44's trial: the field flipped from LZ4 to none read 0 of 117 667 events).
            if (_compression == Aedat4Compression.None && stored.Length >= 4
                && BinaryPrimitives.ReadUInt32LittleEndian(stored) > (uint)(stored.Length - 4) && OtherCompression(stored) != null)
                throw new InvalidDataException($"its flatbuffer size prefix says {BinaryPrimitives.ReadUInt32LittleEndian(stored)} bytes, {stored.Length - 4} available");
        }
        catch (DecompressionLimitException e)
        {
            Report("limit", at, $"packet of stream {streamId} ({stored.Length} bytes stored): {e.Message} (the reader's limit on a decompressed packet is {ReaderLimits.Bytes(_limits.MaxDecompressedPacketBytes)}); packet skipped, reading goes on with the next one");
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or ZstdSharp.ZstdException)
        {
            // A body in another compression than the IOHeader names (a damaged header field): decoded by the body's own
            // magic, said once (stop 42: every packet failed with the header's codec and nothing was read).
            if (OtherCompression(stored) is { } other)
            {
                try
                {
                    _otherCodec ??= new PacketCodec(other, _limits.MaxDecompressedPacketBytes, _options.UseSystemLz4);
                    body = other == Aedat4Compression.None ? stored : _otherCodec.Decode(stored);
                    if (!_otherCompressionSaid)
                    {
                        _otherCompressionSaid = true;
                        Report("compression", at, $"the IOHeader says the packets are compressed with {Info.Compression}, but this packet's body is {Aedat4Schema.CompressionName(other)} (it starts with that format's magic number): the IOHeader's compression field is damaged, most likely; packets in {Aedat4Schema.CompressionName(other)} are decoded as such");
                    }
                }
                catch (Exception again) when (again is InvalidDataException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or ZstdSharp.ZstdException or DecompressionLimitException)
                {
                    Report("corrupt-body", at, $"packet of stream {streamId} ({stored.Length} bytes): {Info.Compression} body does not decompress: {e.Message}; packet skipped");
                    return null;
                }
            }
            else
            {
                Report("corrupt-body", at, $"packet of stream {streamId} ({stored.Length} bytes): {Info.Compression} body does not decompress: {e.Message}; packet skipped");
                return null;
            }
        }

        try
        {
            var fb = FlatBufferView.FromSizePrefixed(body);
            string id = fb.Identifier;
            var kind = Aedat4Schema.KindOf(id);
            if (kind != AedatStreamKind.Other && _options.EventStreamId != streamId
                && (!_declared.TryGetValue(streamId, out var headerKind) || headerKind != kind)
                && TableStreamAt(at) is int listed && listed != streamId
                && _declared.TryGetValue(listed, out var listedKind) && listedKind == kind)
            {
                // The FileDataTable lists this packet under a stream the infoNode declares with the kind its buffer holds,
                // and the header names another: the header's stream id is damaged, and two records agree on the right one
                // (stop 44's trial: a damaged id on the first packet of a kind made the reader take that id for the stream,
                // and every later packet of the real one was skipped as "another stream": 9 920 of 117 667 events kept).
                Report("stream-id", at, $"packet of stream {streamId}{StreamName(streamId)} holds a '{Printable(id)}' buffer, but " +
                    (_declared.ContainsKey(streamId) ? $"the infoNode declares stream {streamId} as '{Printable(_streams[streamId].TypeIdentifier)}'" : $"the infoNode declares no stream {streamId} (it declares {string.Join(", ", _declared.Keys.Order())})") +
                    $", and the FileDataTable lists this packet as stream {listed}{StreamName(listed)}, declared '{Printable(_streams[listed].TypeIdentifier)}': the packet header's stream id is damaged; the packet is read as stream {listed}'s");
                streamId = listed;
                seen = seen with { StreamId = listed };
            }
            if (kind != AedatStreamKind.Other && _options.EventStreamId != streamId
                && (!_declared.TryGetValue(streamId, out var declaredKind) || declaredKind != kind)
                && _declared.FirstOrDefault(d => d.Key != streamId && d.Value == kind) is { Value: not AedatStreamKind.Other } twin
                && _declared.Count(d => d.Value == kind) == 1
                && _heldKinds.Contains((twin.Key, kind)))
            {
                // A packet of an undeclared stream, or of a stream declared as another kind, holding the kind of the one
                // declared stream of that kind, whose own packets already held it: its header's stream id is damaged, most
                // likely (an infoNode that lies about every packet of a stream is read as before; stop 42: such a packet's
                // events were skipped as "another event stream" with a note, exit 0). An error at its byte, packet skipped.
                string held = kind == AedatStreamKind.Events ? $" ({EventCount(fb)} events)" : "";
                Report("stream-id", at, $"packet of stream {streamId}{StreamName(streamId)} holds a '{Printable(id)}' buffer{held}, but " +
                    (_declared.ContainsKey(streamId) ? $"the infoNode declares stream {streamId} as '{Printable(_streams[streamId].TypeIdentifier)}'" : $"the infoNode declares no stream {streamId} (it declares {string.Join(", ", _declared.Keys.Order())})") +
                    $" and its '{Printable(id)}' stream is {twin.Key}{StreamName(twin.Key)}: the packet header's stream id is damaged, most likely; packet skipped");
                return null;
            }
            _heldKinds.Add((streamId, kind));
            if (!_streams.TryGetValue(streamId, out var info))
            {
                // Not declared in the info node: trust the buffer's own identifier, as streams may be undeclared.
                info = new AedatStreamInfo(streamId, kind, id, 0, 0, "");
                _streams[streamId] = info;
            }
            else if (info.TypeIdentifier != id)
            {
                // The flatbuffer's file identifier says what the packet really holds; the infoNode can lie.
                if (kind == AedatStreamKind.Other)
                {
                    Report("identifier", at, $"stream {streamId} is declared as '{Printable(info.TypeIdentifier)}' but its packet holds a '{Printable(id)}' buffer (flatbuffer file identifier), which this reader does not decode; packet skipped");
                    return null;
                }
                if (_mislabelledStreams.Add(streamId))
                    Report("identifier", at, $"stream {streamId} is declared in the infoNode as '{Printable(info.TypeIdentifier)}', but its packets hold '{id}' buffers (flatbuffer file identifier at offset 4); they are decoded as '{id}'");
                info = info with { Kind = kind, TypeIdentifier = id };
            }

            if (info.Kind is AedatStreamKind.Events or AedatStreamKind.Frames or AedatStreamKind.Imu or AedatStreamKind.Triggers && !IsChosen(info.Kind, streamId, at, info))
                return null;
            switch (info.Kind)
            {
                case AedatStreamKind.Events: return DecodeEvents(fb, streamId, at, info, ref seen);
                case AedatStreamKind.Frames: return DecodeFrame(fb, streamId, at, ref seen);
                case AedatStreamKind.Triggers: return DecodeTriggers(fb, streamId, at, ref seen);
                case AedatStreamKind.Imu: return DecodeImu(fb, streamId, at, ref seen);
                default:
                    if (_skippedStreams.Add(streamId))
                        ReportNote("unknown-stream", at, $"stream {streamId} carries '{Printable(id)}' buffers, which this reader does not decode; its packets are skipped");
                    return null;
            }
        }
        catch (FlatBufferException e)
        {
            Report("corrupt-flatbuffer", at, $"packet of stream {streamId}: {e.Message}; packet skipped");
            return null;
        }
    }

    private PacketCodec? _otherCodec;
    private bool _otherCompressionSaid;

    /// <summary>
    /// The compression a stored body's first bytes name when it is not the file's: an LZ4 frame's or a Zstandard frame's
    /// magic number (the high-compression variants store the same frames); null otherwise.
    /// </summary>
    private Aedat4Compression? OtherCompression(ReadOnlySpan<byte> stored)
    {
        if (stored.Length < 4) return null;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(stored);
        bool lz4 = _compression is Aedat4Compression.Lz4 or Aedat4Compression.Lz4High, zstd = _compression is Aedat4Compression.Zstd or Aedat4Compression.ZstdHigh;
        if (magic == 0x184D2204 && !lz4) return Aedat4Compression.Lz4;
        if (magic == 0xFD2FB528 && !zstd) return Aedat4Compression.Zstd;
        return null;
    }

    /// <summary>How many events an events packet's buffer holds (0 when its vector cannot be read).</summary>
    private static int EventCount(FlatBufferView fb)
    {
        try { return fb.Vector(fb.Root(), 0, Aedat4Schema.EventStructBytes).Count; }
        catch (FlatBufferException) { return 0; }
    }

    // Fully optimised from the first call: a short run (inspect of one file) would otherwise spend its
    // first ~100 ms of packets in unoptimised code while tiered compilation waits to promote it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EventsPacket? DecodeEvents(FlatBufferView fb, int streamId, long at, AedatStreamInfo info, ref ObservedPacket seen)
    {
        int root = fb.Root();
        var (start, n) = fb.Vector(root, 0, Aedat4Schema.EventStructBytes);
        seen = seen with { Elements = n };
        if (n == 0) return null;
        var raw = MemoryMarshal.Cast<byte, RawEvent>(fb.Slice(start, n * Aedat4Schema.EventStructBytes));
        seen = seen with { FirstUs = raw[0].T, LastUs = raw[n - 1].T };
        if (!_options.DecodeEvents)
        {
            if (!_mislabelledStreams.Contains(streamId)) _eventStreamsShown.Add(streamId);
            return null;
        }
        if (n > _limits.MaxEventsPerPacket)
        {
            Report("limit", at, $"packet of stream {streamId} holds {n} events; the reader's limit is {_limits.MaxEventsPerPacket}; packet skipped");
            return null;
        }
        var batch = EventBatch.Rent(n);
        var (t, x, y, p) = batch.Reserve(n);
        long l = _lastT.TryGetValue(streamId, out long prev) ? prev : long.MinValue;
        long last = l;
        uint w = info.Width > 0 ? (uint)info.Width : uint.MaxValue;
        uint h = info.Height > 0 ? (uint)info.Height : uint.MaxValue;
        int firstBackward = -1, firstOutside = -1;
        // One pass: copy to struct-of-arrays and check order and range; problems are reported after.
        for (int i = 0; i < n; i++)
        {
            ref readonly var e = ref raw[i];
            long ti = e.T;
            if (ti < last && firstBackward < 0) firstBackward = i;
            last = ti;
            t[i] = ti;
            x[i] = e.X;
            y[i] = e.Y;
            p[i] = e.P != 0;
            if (((uint)e.X >= w || (uint)e.Y >= h) && firstOutside < 0) firstOutside = i;
        }
        if (firstBackward >= 0) ReportBackward(streamId, at, batch, firstBackward, l);
        if (firstOutside >= 0) ReportOutside(streamId, at, batch, firstOutside, info);
        _lastT[streamId] = last;
        if (_seekUs != long.MinValue) TrimBefore(batch);
        if (batch.Count == 0) { batch.Dispose(); return null; }
        return new EventsPacket { StreamId = streamId, ByteOffset = at, Events = batch };
    }

    private void ReportBackward(int streamId, long at, EventBatch batch, int from, long previous)
    {
        var t = batch.Timestamps;
        long last = from > 0 ? t[from - 1] : previous;
        for (int i = from; i < t.Length; i++)
        {
            if (t[i] < last)
                Report("non-monotonic", at, $"stream {streamId}: event {i} of the packet has timestamp {t[i]} µs, earlier than the previous event's {last} µs (expected non-decreasing)");
            last = t[i];
        }
    }

    private void ReportOutside(int streamId, long at, EventBatch batch, int from, AedatStreamInfo info)
    {
        var xs = batch.Xs;
        var ys = batch.Ys;
        for (int i = from; i < xs.Length; i++)
        {
            if ((uint)xs[i] >= (uint)info.Width || (uint)ys[i] >= (uint)info.Height)
                Report("out-of-range", at, $"stream {streamId}: event {i} of the packet at ({xs[i]}, {ys[i]}) lies outside the declared {info.Width}×{info.Height} sensor");
        }
    }

    private void TrimBefore(EventBatch batch)
    {
        var t = batch.Timestamps;
        int k = 0;
        while (k < t.Length && t[k] < _seekUs) k++;
        batch.RemoveFirst(k);
    }

    private AedatPacket? DecodeFrame(FlatBufferView fb, int streamId, long at, ref ObservedPacket seen)
    {
        int root = fb.Root();
        long ts = fb.FieldI64(root, 0, 0);
        seen = seen with { Elements = 1, FirstUs = ts, LastUs = ts };
        if (!_options.DecodeFrames || ts < _seekUs) return null;
        var format = new FramePixelFormat(fb.FieldI8(root, 5, 0));
        int w = fb.FieldI16(root, 6, 0);
        int h = fb.FieldI16(root, 7, 0);
        // A frame skipped for its size keeps its place (SkippedFramePacket): the frames after it keep their indices.
        var exposure = new TimeRangeUs(fb.FieldI64(root, 3, 0), fb.FieldI64(root, 4, 0));
        SkippedFramePacket Skipped(string reason) => new() { StreamId = streamId, ByteOffset = at, Reason = reason, Exposure = exposure };
        if ((long)w * h > _limits.MaxFramePixels)
        {
            string why = $"stream {streamId}: frame of {w}×{h} = {(long)w * h} pixels exceeds the reader's limit of {_limits.MaxFramePixels} pixels; frame skipped";
            Report("limit", at, why);
            return Skipped(why);
        }
        var (start, n) = fb.Vector(root, 10, 1);
        long expected = (long)w * h * format.BytesPerPixel;
        if (w <= 0 || h <= 0 || n != expected)
        {
            string why = $"stream {streamId}: frame {w}×{h} {format} needs {expected} pixel bytes, the packet holds {n}; frame skipped";
            Report("frame-size", at, why);
            return Skipped(why);
        }
        var frame = new ApsFrame
        {
            TimestampUs = ts,
            StartOfFrameUs = fb.FieldI64(root, 1, 0),
            EndOfFrameUs = fb.FieldI64(root, 2, 0),
            StartOfExposureUs = fb.FieldI64(root, 3, 0),
            EndOfExposureUs = fb.FieldI64(root, 4, 0),
            Format = format,
            Width = w,
            Height = h,
            PositionX = fb.FieldI16(root, 8, 0),
            PositionY = fb.FieldI16(root, 9, 0),
            Pixels = fb.Slice(start, n).ToArray(),
        };
        if (frame.EndOfExposureUs < frame.StartOfExposureUs)
            Report("frame-time", at, $"stream {streamId}: frame at {ts} µs has an exposure [{frame.StartOfExposureUs}, {frame.EndOfExposureUs}) µs that ends before it starts (expected start ≤ end); the frame is kept, and deblurring it fails for want of an exposure");
        return new FramePacket { StreamId = streamId, ByteOffset = at, Frame = frame };
    }

    private TriggersPacket? DecodeTriggers(FlatBufferView fb, int streamId, long at, ref ObservedPacket seen)
    {
        int root = fb.Root();
        var (start, n) = fb.Vector(root, 0, 4);
        seen = seen with { Elements = n };
        var list = new List<TriggerEvent>(n);
        for (int i = 0; i < n; i++)
        {
            int table = fb.Indirect(start + 4 * i);
            long t = fb.FieldI64(table, 0, 0);
            if (i == 0) seen = seen with { FirstUs = t };
            if (i == n - 1) seen = seen with { LastUs = t };
            if (t < _seekUs) continue;
            list.Add(new TriggerEvent(t, (TriggerType)fb.FieldI8(table, 1, 0)));
        }
        return list.Count == 0 ? null : new TriggersPacket { StreamId = streamId, ByteOffset = at, Triggers = list.ToArray() };
    }

    private ImuPacket? DecodeImu(FlatBufferView fb, int streamId, long at, ref ObservedPacket seen)
    {
        int root = fb.Root();
        var (start, n) = fb.Vector(root, 0, 4);
        seen = seen with { Elements = n };
        var list = new List<ImuSample>(n);
        for (int i = 0; i < n; i++)
        {
            int tb = fb.Indirect(start + 4 * i);
            long t = fb.FieldI64(tb, 0, 0);
            if (i == 0) seen = seen with { FirstUs = t };
            if (i == n - 1) seen = seen with { LastUs = t };
            if (t < _seekUs) continue;
            list.Add(new ImuSample(t, fb.FieldF32(tb, 1, 0),
                fb.FieldF32(tb, 2, 0), fb.FieldF32(tb, 3, 0), fb.FieldF32(tb, 4, 0),
                fb.FieldF32(tb, 5, 0), fb.FieldF32(tb, 6, 0), fb.FieldF32(tb, 7, 0),
                fb.FieldF32(tb, 8, 0), fb.FieldF32(tb, 9, 0), fb.FieldF32(tb, 10, 0)));
        }
        return list.Count == 0 ? null : new ImuPacket { StreamId = streamId, ByteOffset = at, Samples = list.ToArray() };
    }

    /// <summary>
    /// Reads the FileDataTable (one row per packet, in file order), or returns <c>null</c> when the
    /// file has none or it is unreadable (the problem is recorded). The read position is unchanged.
    /// </summary>
    public IReadOnlyList<Aedat4TableEntry>? ReadDataTable()
    {
        if (!_stream.CanSeek || _dataTablePosition < _dataStart || _dataTablePosition >= _stream.Length || _tableUnreadable) return null;
        // The read-ahead thread owns the stream while it runs: stop it (its packets stay queued).
        PausePrefetch();
        return ReadDataTableCore(quiet: false, out _);
    }

    /// <summary>As <see cref="ReadDataTable"/> on the thread that owns the stream; with <paramref name="quiet"/> an unreadable table is not logged (the end-of-file check logs it).</summary>
    private IReadOnlyList<Aedat4TableEntry>? ReadDataTableCore(bool quiet) => ReadDataTableCore(quiet, out _);

    /// <summary>
    /// The stored body (an LZ4 or Zstandard frame, or a size-prefixed flatbuffer) starting at <paramref name="position"/>,
    /// read as far as its own headers say it reaches (a 64 KiB read first, more only when the frame is longer, never past
    /// <see cref="ReaderLimits.MaxStoredPacketBytes"/>), and the first bytes after it; null when it does not end within the
    /// file or the limit. The stream's position is left where the read ended.
    /// </summary>
    private (byte[] Frame, byte[] After)? ReadStoredFrame(long position)
    {
        long available = Math.Min(_stream.Length - position, _limits.MaxStoredPacketBytes);
        long want = Math.Min(available, 64 << 10);
        while (true)
        {
            var bytes = new byte[want];
            _stream.Position = position;
            _stream.ReadExactly(bytes);
            if (CompressedFrame.Length(bytes, _tableCompression) is long n)
                return (bytes[..(int)n], bytes[(int)n..Math.Min(bytes.Length, (int)n + 16)]);
            if (want >= available) return null;
            want = Math.Min(available, want * 8);
        }
    }

    /// <summary>Whether a FileDataTable is stored at <paramref name="position"/> (the stream's position is kept).</summary>
    private bool IsTableAt(long position)
    {
        if (!_stream.CanSeek || position >= _stream.Length) return false;
        long keep = _stream.Position;
        try
        {
            if (ReadStoredFrame(position) is not { } stored) return false;
            using var codec = new PacketCodec(_tableCompression, _limits.MaxDecompressedPacketBytes, _options.UseSystemLz4);
            return FlatBufferView.FromSizePrefixed(codec.Decode(stored.Frame)).Identifier == Aedat4Schema.DataTable;
        }
        catch (Exception e) when (e is FlatBufferException or InvalidDataException or IOException or ArgumentException or ZstdSharp.ZstdException)
        {
            return false;
        }
        finally
        {
            _stream.Position = keep;
        }
    }

    /// <summary>As <see cref="ReadDataTableCore(bool)"/>, with the reason when the table is unreadable.</summary>
    private IReadOnlyList<Aedat4TableEntry>? ReadDataTableCore(bool quiet, out string why)
    {
        why = "";
        if (!_stream.CanSeek || _dataTablePosition < _dataStart || _dataTablePosition >= _stream.Length || _tableUnreadable) return null;
        long keep = _stream.Position;
        try
        {
            long size = _stream.Length - _dataTablePosition;
            if (ReadStoredFrame(_dataTablePosition) is not { } read)
            {
                why = $"the stored table ({TableStartDescription()}) does not end within the {Math.Min(size, _limits.MaxStoredPacketBytes)} bytes after its start: damaged, cut short, or over the reader's limit on a stored packet";
                if (!quiet) _log.Error("table", _dataTablePosition, $"FileDataTable is unreadable: {why}");
                return null;
            }
            var compression = _tableCompression;
            using var codec = new PacketCodec(compression, _limits.MaxDecompressedPacketBytes, _options.UseSystemLz4);
            var fb = FlatBufferView.FromSizePrefixed(codec.Decode(read.Frame));
            // The table is the file's last body: bytes after its frame are another recording joined to this one, or junk.
            long frame = read.Frame.Length;
            if (!quiet && frame < size)
            {
                long end = _dataTablePosition + frame;
                bool joined = read.After.StartsWith("#!AER-DAT"u8);
                _log.Error("table", end, $"{size - frame} byte(s) follow the FileDataTable, which ends here; expected the end of the file" +
                    (joined ? ": a second AEDAT recording (joined with cat?) starts here and is not read; split the file at this byte (e.g. tail -c +" + (end + 1) + ")" : ""));
            }
            if (fb.Identifier != Aedat4Schema.DataTable)
                throw new FlatBufferException($"expected identifier 'FTAB', found '{fb.Identifier}'");
            int root = fb.Root();
            var (start, n) = fb.Vector(root, 0, 4);
            var rows = new Aedat4TableEntry[n];
            for (int i = 0; i < n; i++)
            {
                int tb = fb.Indirect(start + 4 * i);
                int ph = fb.Field(tb, 1);
                int sid = ph == 0 ? 0 : fb.I32(ph);
                int psize = ph == 0 ? 0 : fb.I32(ph + 4);
                // Absent fields take the schema's default, 0 (writers omit default values; a time of 0 µs is stored that way).
                rows[i] = new Aedat4TableEntry(fb.FieldI64(tb, 0, 0), sid, psize, fb.FieldI64(tb, 2, 0), fb.FieldI64(tb, 3, 0), fb.FieldI64(tb, 4, 0));
            }
            return rows;
        }
        catch (Exception e) when (e is FlatBufferException or InvalidDataException or IOException or ArgumentException or ZstdSharp.ZstdException)
        {
            why = e.Message;
            if (!quiet) _log.Error("table", _dataTablePosition, $"FileDataTable is unreadable: {e.Message}");
            return null;
        }
        finally
        {
            _stream.Position = keep;
        }
    }

    private static string CompressionEnumName(string name) => name switch
    {
        "NONE" => nameof(Aedat4Compression.None),
        "LZ4" => nameof(Aedat4Compression.Lz4),
        "LZ4_HIGH" => nameof(Aedat4Compression.Lz4High),
        "ZSTD" => nameof(Aedat4Compression.Zstd),
        _ => nameof(Aedat4Compression.ZstdHigh),
    };

    /// <summary>
    /// Positions the reader so that the next packets hold the data at or after <paramref name="timeUs"/>
    /// (µs); earlier elements are dropped. Uses the FileDataTable (lower bound on each stream's
    /// packet end time, as dv-processing does); without a table it restarts a sequential walk.
    /// Returns <c>true</c> when the table was used.
    /// </summary>
    public bool SeekToTime(long timeUs)
    {
        if (!_stream.CanSeek) throw new NotSupportedException("seeking needs a seekable file, not a network stream");
        DiscardPrefetch();
        _seekUs = timeUs;
        _done = false;
        _lastT.Clear();
        var table = ReadDataTable();
        long target = _dataStart;
        bool used = false;
        if (table != null)
        {
            long best = long.MaxValue;
            foreach (var row in table)
            {
                if (row.TimestampEndUs < 0 || row.TimestampEndUs < timeUs) continue;
                best = Math.Min(best, row.ByteOffset - Aedat4Schema.PacketHeaderBytes);
            }
            target = best == long.MaxValue ? _dataEnd : best;
            used = true;
        }
        _stream.Position = target;
        _pos = target;
        return used;
    }

    private void ParseInfoNode(string xml)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            _log.Note("info-node", _infoNodeOffset, "IOHeader has no infoNode XML; stream types are taken from each packet's identifier");
            return;
        }
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = _limits.MaxInfoNodeChars,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        XElement doc;
        try
        {
            // A streaming pass first: linear in the size, and it stops at the first element nested
            // deeper than the limit, before any tree is built.
            using (var check = XmlReader.Create(new StringReader(xml), settings))
            {
                while (check.Read())
                {
                    if (check.NodeType == XmlNodeType.Element && check.Depth + 1 > _limits.MaxInfoNodeDepth)
                    {
                        var where = (IXmlLineInfo)check;
                        _log.Error("info-node", _infoNodeOffset, $"infoNode XML nests deeper than {_limits.MaxInfoNodeDepth} levels (the reader's limit; DV writes about 6), found at line {where.LineNumber}, column {where.LinePosition}; it is not used and stream types are taken from each packet's identifier");
                        return;
                    }
                }
            }
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            doc = XElement.Load(reader);
        }
        catch (XmlException e)
        {
            _log.Error("info-node", _infoNodeOffset, $"infoNode is not valid XML or exceeds {_limits.MaxInfoNodeChars} characters ({e.Message}); stream types are taken from each packet's identifier");
            return;
        }
        var outInfo = doc.Descendants("node").FirstOrDefault(n => (string?)n.Attribute("name") == "outInfo");
        if (outInfo == null) return;
        foreach (var node in outInfo.Elements("node"))
        {
            if (!int.TryParse((string?)node.Attribute("name"), out int id)) continue;
            string? type = Attr(node, "typeIdentifier");
            if (type == null || Attr(node, "originalOutputName") == null) continue;
            var info = node.Elements("node").FirstOrDefault(n => (string?)n.Attribute("name") == "info");
            int Size(string key)
            {
                if (info == null || Attr(info, key) is not { } text) return 0;
                if (int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int v)) return v;
                // Not a number: said, not silently read as "not stated" (the other dimension is kept).
                _log.Error("info-node", _infoNodeOffset, $"stream {id} declares {key} '{TextClip.Of(text)}', which is not an integer; that dimension is ignored");
                return 0;
            }
            int w = Size("sizeX");
            int h = Size("sizeY");
            if (w < 0 || h < 0 || w > 32767 || h > 32767)
            {
                _log.Error("info-node", _infoNodeOffset, $"stream {id} declares an impossible sensor size {w}×{h}; size ignored");
                w = h = 0;
            }
            string source = info != null ? Attr(info, "source") ?? "" : "";
            long? tsOffset = info != null && long.TryParse(Attr(info, "tsOffset"), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long o) ? o : null;
            _streams[id] = new AedatStreamInfo(id, Aedat4Schema.KindOf(type), type, w, h, source) { Name = Attr(node, "originalOutputName") ?? "", TsOffsetUs = tsOffset };
        }
    }

    private static string? Attr(XElement node, string key) =>
        node.Elements("attr").FirstOrDefault(a => (string?)a.Attribute("key") == key)?.Value;

    /// <summary>
    /// Checks the FileDataTable against the packets actually read: one entry per packet, in file
    /// order, with the packet's body offset, stream id, stored size, element count and first/last
    /// element time (µs). Every mismatch is an error (kind <c>table</c>) at the table's offset. Call
    /// it after <see cref="TryRead"/> has returned <c>false</c>; it does nothing on a network
    /// stream, a file without table, or after <see cref="SeekToTime"/>.
    /// </summary>
    public void VerifyDataTable()
    {
        if (!_done || _ahead != null || _seekUs != long.MinValue || _tableVerified) return;
        _tableVerified = true;
        var table = ReadDataTable();
        // A file cut exactly where its table begins read as clean (one byte earlier the same cut was an error).
        // (Exactly there: a position past the end was already reported when the file was opened.)
        if (table == null && _stream.CanSeek && _dataTablePosition >= _dataStart && _dataTablePosition == _stream.Length)
            _log.Error("table", _stream.Length, $"the header puts the FileDataTable at byte {_dataTablePosition}, but the file ends at byte {_stream.Length} (cut short? the packets before it are read)");
        if (table == null) return;
        // Packets the walk jumped over after a corrupt header (already reported) have no packet read to compare with.
        if (_skipped.Count > 0)
            table = table.Where(r => !_skipped.Any(k => r.ByteOffset - Aedat4Schema.PacketHeaderBytes >= k.From && r.ByteOffset - Aedat4Schema.PacketHeaderBytes < k.To)).ToList();
        // Entries are matched with the packets read by where their bodies start (stop 42: matched by position, one lost
        // packet made every later entry "disagree"); an entry that lists no packet read, or a packet read that no entry
        // lists, is reported in runs, one message per run.
        var byBody = new Dictionary<long, int>(_observed.Count);
        for (int k = 0; k < _observed.Count; k++) byBody.TryAdd(_observed[k].HeaderOffset + Aedat4Schema.PacketHeaderBytes, k);
        var listed = new HashSet<int>();
        int runStart = -1;
        void CloseRun(int end)
        {
            if (runStart < 0) return;
            var a = table[runStart];
            _log.Error("table", _dataTablePosition, runStart == end - 1
                ? $"FileDataTable entry {runStart} lists a packet at byte {a.ByteOffset - Aedat4Schema.PacketHeaderBytes} (stream {a.StreamId}, {a.Size} bytes) that the walk did not read there"
                : $"FileDataTable entries {runStart}..{end - 1} list {end - runStart} packets at bytes {a.ByteOffset - Aedat4Schema.PacketHeaderBytes}..{table[end - 1].ByteOffset - Aedat4Schema.PacketHeaderBytes} that the walk did not read there");
            runStart = -1;
        }
        for (int i = 0; i < table.Count; i++)
        {
            var row = table[i];
            if (!byBody.TryGetValue(row.ByteOffset, out int k))
            {
                if (runStart < 0) runStart = i;
                continue;
            }
            CloseRun(i);
            listed.Add(k);
            var seen = _observed[k];
            var diffs = new List<string>();
            if (row.StreamId != seen.StreamId) diffs.Add($"stream {row.StreamId}, the packet is of stream {seen.StreamId}");
            if (row.Size != seen.StoredBytes) diffs.Add($"size {row.Size} bytes, the packet body holds {seen.StoredBytes}");
            if (seen.Elements >= 0 && row.NumElements != seen.Elements) diffs.Add($"{row.NumElements} elements, the packet holds {seen.Elements}");
            if (seen.FirstUs != long.MinValue && row.TimestampStartUs != seen.FirstUs) diffs.Add($"start time {row.TimestampStartUs} µs, the packet's first element is at {seen.FirstUs} µs");
            if (seen.LastUs != long.MinValue && row.TimestampEndUs != seen.LastUs) diffs.Add($"end time {row.TimestampEndUs} µs, the packet's last element is at {seen.LastUs} µs");
            if (diffs.Count > 0)
                _log.Error("table", _dataTablePosition, $"FileDataTable entry {i} (packet at byte {seen.HeaderOffset}) says " + string.Join("; ", diffs));
        }
        CloseRun(table.Count);
        var unlisted = Enumerable.Range(0, _observed.Count).Where(k => !listed.Contains(k)).ToList();
        if (unlisted.Count > 0)
            _log.Error("table", _dataTablePosition, unlisted.Count == 1
                ? $"the packet at byte {_observed[unlisted[0]].HeaderOffset} (stream {_observed[unlisted[0]].StreamId}) is not in the FileDataTable"
                : $"{unlisted.Count} packets read are not in the FileDataTable, the first at byte {_observed[unlisted[0]].HeaderOffset} (stream {_observed[unlisted[0]].StreamId})");
        if (table.Count != _observed.Count)
            _log.Error("table", _dataTablePosition, $"FileDataTable lists {table.Count} packets; expected one per packet read, {_observed.Count}");
    }

    /// <summary>What one packet really held, to check the FileDataTable against (−1 / <see cref="long.MinValue"/>: unknown).</summary>
    private readonly record struct ObservedPacket(long HeaderOffset, int StreamId, int StoredBytes)
    {
        public long Elements { get; init; } = -1;
        public long FirstUs { get; init; } = long.MinValue;
        public long LastUs { get; init; } = long.MinValue;
    }

    private static string Printable(string s) =>
        new(s.Select(c => c is >= ' ' and < (char)127 ? c : '?').ToArray());

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new System.Text.StringBuilder();
        foreach (byte b in bytes)
            sb.Append(b is >= 32 and < 127 ? ((char)b).ToString() : b == '\r' ? "\\r" : b == '\n' ? "\\n" : $"\\x{b:x2}");
        return sb.ToString();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DiscardPrefetch();
        _codec.Dispose();
        _otherCodec?.Dispose();
        if (_ownsStream) _stream.Dispose();
    }
}
