using EventDeblur.IO;
using System.Runtime.CompilerServices;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// Streaming reader of Prophesee event files: RAW EVT 2.0 (<see cref="Evt2Reader"/>), RAW EVT 3.0
/// (<see cref="Evt3Reader"/>) and DAT (<see cref="DatReader"/>). The payload is read through one
/// fixed-size buffer and comes out as pooled event batches (stream 0: CD events, t in µs of the raw
/// sensor clock, x and y in pixels as stored, top-left origin) and external-trigger packets (stream
/// <c>1 + trigger channel</c>). Faults (truncation mid-word, unknown word types, time going
/// backwards, events outside the declared geometry) become problems with the file's byte offset;
/// every valid event is still delivered and no exception escapes for bad payload data.
/// </summary>
public abstract class PropheseeReader : IAedatReader
{
    /// <summary>Size of the fixed read buffer, bytes.</summary>
    public const int ChunkBytes = 1 << 18;

    /// <summary>Stream id of CD events.</summary>
    public const int EventStreamId = 0;

    /// <summary>Stream id of the triggers of channel 0; channel c's triggers come with stream id <c>1 + c</c>.</summary>
    public const int TriggerStreamIdBase = 1;

    private readonly Stream _stream;
    private readonly byte[] _chunk = new byte[ChunkBytes];
    private readonly int _wordBytes;
    private readonly string _wordName;
    private readonly Queue<AedatPacket> _pending = new();
    private readonly int _batchEvents;
    private readonly int _limitX;
    private readonly int _limitY;
    private readonly SortedDictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private int _carry;
    private long _chunkPos;
    private bool _done;
    private EventBatch? _batch;
    private long[] _bt = [];
    private short[] _bx = [];
    private short[] _by = [];
    private bool[] _bp = [];
    private int _n;
    private int _cap;
    private long _batchOffset;
    private long _triggerOffset;
    private List<(int Channel, TriggerEvent Trigger)>? _triggers;
    private long _lastT = long.MinValue;

    // Where the data ends: the file's end, or the start of junk found after the recording (FindTrailingJunk), and its error.
    private long _dataEnd = long.MaxValue;
    private string? _junk;

    private protected PropheseeReader(Stream stream, string path, PropheseeHeader header, ProblemLog log, AedatReaderOptions options,
        AedatVersion version, int width, int height, string geometrySource, int wordBytes, string wordName, long dataStart)
    {
        _stream = stream;
        Log = log;
        Header = header;
        GeometrySource = geometrySource;
        _wordBytes = wordBytes;
        _wordName = wordName;
        _batchEvents = Math.Max(1, options.BatchEvents);
        _limitX = width > 0 ? width : short.MaxValue + 1;
        _limitY = height > 0 ? height : short.MaxValue + 1;
        _chunkPos = dataStart;
        string camera = string.Join(' ', new[] { header["plugin_name"] ?? "", header.Serial }.Where(s => s.Length > 0));
        Info = AedatFileInfo.WithFixedStreams(path, version, width, height, camera, dataStart,
            (EventStreamId, AedatStreamKind.Events, "CD"), (TriggerStreamIdBase, AedatStreamKind.Triggers, "EXT_TRIGGER (stream id = 1 + channel)"));
        if (width <= 0)
            log.Note("geometry", -1, "the header states no sensor geometry (no format width/height, geometry, Width/Height or known system_ID); events are not checked against one");
        if (stream.Length == dataStart)
            log.Note("empty", dataStart, "the file holds a header and no events");
    }

    /// <summary>The file's ASCII header.</summary>
    public PropheseeHeader Header { get; }

    /// <summary>Where the geometry came from (e.g. <c>format</c>, <c>geometry</c>, <c>system_ID 48 (…)</c>); empty when unknown.</summary>
    public string GeometrySource { get; }

    /// <inheritdoc />
    public AedatFileInfo Info { get; }

    private protected ProblemLog Log { get; }

    /// <inheritdoc />
    public IReadOnlyList<Problem> Problems
    {
        get
        {
            var list = new List<Problem>(Log.Items);
            foreach (var (what, n) in _skipped)
                list.Add(new Problem(Info.FilePath, -1, ProblemSeverity.Note, $"{n} {what}"));
            return list;
        }
    }

    /// <summary>
    /// True when <paramref name="path"/> looks like a Prophesee file: it starts with the <c>%</c> header
    /// prefix, or it is named <c>*.raw</c> / <c>*.dat</c> and does not start like an AEDAT file (<c>#</c>).
    /// </summary>
    public static bool IsPropheseeFile(string path)
    {
        int first;
        if (SequentialFile.ReadsAsEmpty(path)) first = -1;   // never opened: a FIFO would block
        else using (var fs = File.OpenRead(path)) first = fs.ReadByte();
        if (first == '%') return true;
        string ext = Path.GetExtension(path);
        return first != '#' && (ext.Equals(".raw", StringComparison.OrdinalIgnoreCase) || ext.Equals(".dat", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Opens a RAW (EVT 2.0 / 3.0) or DAT file, choosing the decoder from its header (DAT also from the <c>.dat</c> extension).</summary>
    /// <exception cref="AedatFormatException">The header is missing, over the limits, or names no supported encoding.</exception>
    public static PropheseeReader Open(string path, AedatReaderOptions? options = null)
    {
        options ??= AedatReaderOptions.Default;
        return SequentialFile.Open(path, options.FileHash, fs =>
        {
            var log = new ProblemLog(path, options.MaxProblemsPerKind);
            var header = PropheseeHeader.Read(fs, log);
            var encoding = header.Encoding(out string? unsupported);
            if (unsupported != null)
                throw log.Fatal(header["format"] != null ? header.OffsetOf("format") : header.OffsetOf("evt"), $"the header names the encoding '{unsupported}'; expected EVT2 or EVT3 (format) or evt 2.0 / 3.0");
            if (encoding == null && Path.GetExtension(path).Equals(".dat", StringComparison.OrdinalIgnoreCase) && header.Entries.Count > 0)
                encoding = AedatVersion.Dat;
            if (encoding == null)
            {
                string found = header.Entries.Count == 0
                    ? header.StoppedAtBinaryLine ? "a first '%' line that is not text (a control byte, or bytes that are not UTF-8), so no header" : "no '%' header at all"
                    : "only " + string.Join(", ", header.Entries.Select(e => $"'% {e.Key}'").Take(8));
                throw log.Fatal(0, $"expected a '%' header naming the encoding ('% format EVT2|EVT3;…', '% evt 2.0|3.0', a known '% system_ID', or DAT's '% Data file containing …'), found {found}");
            }
            if (header.EndsInsideHeader)
                log.Note("header", header.Length, "the file ends inside its ASCII header (no payload follows)");
            var (w, h, source) = header.Geometry(log);
            PropheseeReader reader = encoding switch
            {
                AedatVersion.Evt2 => new Evt2Reader(fs, path, header, log, options, w, h, source),
                AedatVersion.Evt3 => new Evt3Reader(fs, path, header, log, options, w, h, source),
                _ => DatReader.Create(fs, path, header, log, options, w, h, source),
            };
            reader.FindTrailingJunk(fs);
            return reader;
        });
    }

    /// <inheritdoc />
    public bool TryRead(out AedatPacket? packet)
    {
        while (_pending.Count == 0 && !_done) ReadChunk();
        return _pending.TryDequeue(out packet);
    }

    private void ReadChunk()
    {
        // Never past the data's end (junk found after the recording is not decoded).
        int want = (int)Math.Clamp(_dataEnd - _chunkPos - _carry, 0, _chunk.Length - _carry);
        int got = want == 0 ? 0 : _stream.ReadAtLeast(_chunk.AsSpan(_carry, want), want, throwOnEndOfStream: false);
        int total = _carry + got;
        // The last read: the file ended, or the data did (before junk).
        bool atEnd = got < want || _chunkPos + total >= _dataEnd;
        // A second '%' header in the payload (two recordings joined with cat): its text decoded as words put everything
        // after it out of alignment. Decode up to it, skip it, and go on word-aligned after it.
        PropheseeHeader? second = null;
        int h = FindEmbeddedHeader(_chunk.AsSpan(0, total), atEnd) ?? -1;
        if (h >= 0)
        {
            try { second = PropheseeHeader.Read(new MemoryStream(_chunk, h, total - h, writable: false), new ProblemLog(Info.FilePath, 1)); }
            catch (AedatFormatException) { second = null; }
            if (second is { Entries.Count: 0 }) second = null;
        }
        if (second != null)
        {
            int aligned = h - h % _wordBytes;
            if (aligned > 0) Decode(_chunk.AsSpan(0, aligned), _chunkPos);
            // The header, or the bytes that follow it before its payload (a DAT header's 2-byte event type and size), runs
            // past this chunk: read on from the header's start.
            if ((second.EndsInsideHeader || h + second.Length + HeaderTrailerLength > total) && !atEnd && h > 0)
            {
                _chunk.AsSpan(h, total - h).CopyTo(_chunk);
                _chunkPos += h;
                _carry = total - h;
                FlushEvents();
                FlushTriggers();
                return;
            }
            // A DAT header's event type and size are skipped with it when they match this file's.
            int trailer = HeaderTrailerBytes(_chunk.AsSpan((int)Math.Min(total, h + second.Length)));
            int length = (int)Math.Min(second.Length + Math.Max(0, trailer), total - h);
            string first = second.Entries.Count > 0 ? $"'% {second.Entries[0].Key} {second.Entries[0].Value}'".TrimEnd() : "'%'";
            var encoding = second.Encoding(out _);
            bool same = (encoding == null || encoding == Info.Version) && trailer >= 0;
            Log.Error("second-header", _chunkPos + h, $"a second {(Info.Version == AedatVersion.Dat ? "DAT" : "RAW")} header ({length} bytes from {first}; two recordings joined?){(h > aligned ? $", after {h - aligned} byte(s) that are not a whole {_wordName} (ignored)" : "")}; " +
                                                     (same ? "skipped: decoding goes on after it, and the times of the recording that follows go back to its own start"
                                                            : trailer < 0 ? "its event type and size differ from this file's: the rest of the file is not decoded"
                                                            : $"it names another encoding ({encoding}): the rest of the file is not decoded"));
            if (!same)
            {
                EndOrphanRun();
                EndOfData(_chunkPos + h);
                _done = true;
                FlushEvents();
                FlushTriggers();
                return;
            }
            RecordingRestarts();
            _lastT = long.MinValue; // its time starts over: said in the error above, not once per event
            int after = total - h - length;
            _chunk.AsSpan(h + length, after).CopyTo(_chunk);
            _chunkPos += h + length;
            _carry = after;
            if (atEnd && after == 0) { EndOrphanRun(); ReportJunk(); EndOfData(_chunkPos); _done = true; }
            FlushEvents();
            FlushTriggers();
            return;
        }
        int whole = total - total % _wordBytes;
        if (whole > 0) Decode(_chunk.AsSpan(0, whole), _chunkPos);
        int rest = total - whole;
        if (atEnd)
        {
            if (rest > 0)
                Log.Error("truncated", _chunkPos + whole,
                    $"expected a {_wordBytes}-byte {_wordName}, found {rest} byte{(rest == 1 ? "" : "s")} before the end of the file (truncated mid-word); ignored");
            EndOrphanRun();
            ReportJunk();
            EndOfData(_chunkPos + whole);
            _done = true;
        }
        else if (rest > 0)
        {
            _chunk.AsSpan(whole, rest).CopyTo(_chunk);
        }
        _chunkPos += whole;
        _carry = rest;
        FlushEvents();
        FlushTriggers();
    }

    /// <summary>
    /// Looks for junk after the recording (bytes appended to the file, or left by an interrupted copy): the file's last
    /// <see cref="TrailingJunk.TailProbeBytes"/> are decoded on their own, and a dense run of errors that reaches the end of
    /// the file after clean data (<see cref="TrailingJunk.Find"/>) is not decoded: the data ends at its first error, and one
    /// error says so (stop 44's trial: 5 000 random bytes appended to a real EVT 3.0 file became 185 phantom triggers and
    /// stretched its time span from 8.8 ms to 208 s).
    /// </summary>
    private void FindTrailingJunk(Stream stream)
    {
        if (!stream.CanSeek) return;
        long length = stream.Length;
        if (TrailingJunk.Locate(Info.FilePath, _chunkPos, length, _wordBytes,
                (fs, log, from) => Probe(fs, log, AedatReaderOptions.Default with { BatchEvents = 1 << 16 }, from)) is not { } junk) return;
        _dataEnd = junk.Start;
        _junk = TrailingJunk.Describe(length - junk.Start, junk.Errors, _wordName);
    }

    /// <summary>A fresh decoder of this file's encoding over <paramref name="stream"/> from <paramref name="dataStart"/> (for <see cref="FindTrailingJunk"/>).</summary>
    private protected abstract PropheseeReader Probe(Stream stream, ProblemLog log, AedatReaderOptions options, long dataStart);

    private void ReportJunk()
    {
        if (_junk == null) return;
        Log.Error("trailing-junk", _dataEnd, _junk);
        _junk = null;
    }

    private static readonly byte[][] HeaderKeyBytes = [.. HeaderKeys().Select(k => System.Text.Encoding.ASCII.GetBytes(k))];

    /// <summary>Keys that open the lines of a RAW or DAT header (modern and legacy): a '%' line in the payload starting with one is a header.</summary>
    private static string[] HeaderKeys() =>
    [
        "date", "Date", "Data", "evt", "format", "geometry", "camera_integrator_name", "integrator_name", "plugin_integrator_name",
        "plugin_name", "serial_number", "system_ID", "sensor_generation", "generation", "firmware_version", "end", "Version", "Width", "Height",
    ];

    /// <summary>
    /// The index in <paramref name="data"/> of a '%' header line embedded in the payload — <c>% KEY …</c> with a known key,
    /// printable text and a line end within 256 bytes (or the end of the data when more follows) — or null.
    /// </summary>
    private static int? FindEmbeddedHeader(ReadOnlySpan<byte> data, bool atEnd)
    {
        int from = 0;
        while (true)
        {
            int i = data[from..].IndexOf("% "u8);
            if (i < 0) return null;
            i += from;
            from = i + 1;
            var line = data[(i + 2)..];
            int nl = line[..Math.Min(line.Length, 256)].IndexOf((byte)'\n');
            if (nl < 0 && (atEnd || line.Length >= 256)) continue;
            var text = nl >= 0 ? line[..nl] : line;
            bool printable = true;
            foreach (byte b in text) if (b is (< 0x20 and not (byte)'\t' and not (byte)'\r') or 0x7F) { printable = false; break; }
            if (!printable) continue;
            int space = text.IndexOf((byte)' ');
            var key = space >= 0 ? text[..space] : text.TrimEnd((byte)'\r');
            foreach (var k in HeaderKeyBytes)
                if (key.SequenceEqual(k)) return i;
        }
    }

    /// <summary>
    /// The bytes between a second header's last line and its payload, given the bytes after its text: 0 for RAW, 2 for
    /// DAT (its event type and size) when they equal this file's; −1 when they do not (the rest cannot be read alike).
    /// </summary>
    private protected virtual int HeaderTrailerBytes(ReadOnlySpan<byte> after) => 0;

    /// <summary>How many bytes follow a header before its payload (DAT: 2, its event type and size; RAW: 0).</summary>
    private protected virtual int HeaderTrailerLength => 0;

    /// <summary>A second recording begins after a skipped header: its time starts over (wrap or loop state reset).</summary>
    private protected virtual void RecordingRestarts()
    {
    }

    /// <summary>Decodes whole words; <paramref name="offset"/> is the file offset of <paramref name="words"/>[0].</summary>
    private protected abstract void Decode(ReadOnlySpan<byte> words, long offset);

    /// <summary>Called once at the end of the payload (<paramref name="offset"/> = the file offset after the last whole word).</summary>
    private protected virtual void EndOfData(long offset)
    {
    }

    // Continuation words (CONTINUED…) that follow no word they may continue: the current run's first byte and length.
    private long _continuableEnd = -1, _orphanFrom = -1, _orphanEnd = -1, _orphans;
    private string _orphanWord = "", _orphanParents = "";

    /// <summary>The word at <paramref name="offset"/> (an OTHERS or IMU word) may be followed by continuation words.</summary>
    private protected void Continuable(long offset) => _continuableEnd = offset + _wordBytes;

    /// <summary>
    /// A continuation word (<paramref name="word"/>) at <paramref name="offset"/>: valid right after a word that takes one
    /// (<see cref="Continuable"/>) or another continuation, else counted in a run of orphans, reported as one error at the
    /// run's first byte (stop 42: 40 000 bytes of 0xFF in a real EVT 2.0 file were a note without a byte, exit 0).
    /// </summary>
    /// <returns>True when the word is a valid continuation (the caller counts it as skipped).</returns>
    private protected bool Continuation(string word, string parents, long offset)
    {
        if (offset == _continuableEnd) { _continuableEnd += _wordBytes; return true; }
        if (offset != _orphanEnd) { EndOrphanRun(); _orphanFrom = offset; _orphanWord = word; _orphanParents = parents; }
        _orphans++;
        _orphanEnd = offset + _wordBytes;
        return false;
    }

    private void EndOrphanRun()
    {
        if (_orphanFrom < 0) return;
        Log.Error("orphan-word", _orphanFrom, $"{_orphans} {_orphanWord} word{(_orphans == 1 ? "" : "s")} from byte {_orphanFrom} to {_orphanEnd} follow{(_orphans == 1 ? "s" : "")} no {_orphanParents} word (a continuation is valid only after one): erased or overwritten data, most likely (a run of 0xFF bytes); skipped");
        _orphanFrom = _orphanEnd = -1;
        _orphans = 0;
    }

    /// <summary>Counts something valid but not decoded (e.g. "OTHERS words skipped"), reported as one note "N <paramref name="what"/>" at the end.</summary>
    private protected void Count(string what) => _skipped[what] = _skipped.GetValueOrDefault(what) + 1;

    /// <summary>The 16 word types of a RAW encoding with the note counted for each type that is skipped (valid but not decoded); null for the others.</summary>
    private protected static string?[] SkippedWordTypes(params ReadOnlySpan<(int Type, string Note)> skipped)
    {
        var table = new string?[16];
        foreach (var (type, note) in skipped) table[type] = note;
        return table;
    }

    /// <summary>Counts a word of a type that <paramref name="skipped"/> (<see cref="SkippedWordTypes"/>) names; false, and nothing counted, for any other type.</summary>
    private protected bool CountSkipped(string?[] skipped, int type)
    {
        if (skipped[type] is not { } note) return false;
        Count(note);
        return true;
    }

    /// <summary>
    /// The EVT_TIME_HIGH counter of EVT 2.0 and 3.0: <paramref name="highBits"/> bits of time in steps of
    /// 2^<paramref name="shift"/> µs. A drop of at least half its range is a loop (the counter wrapped); a smaller drop is
    /// reported as time going backwards. <see cref="BaseUs"/> = loops·2^(highBits + shift) + high·2^shift.
    /// One damaged word must not shift the rest of the recording by a whole range: a drop of half the range or more after
    /// a word that jumped forward, to a value that continues from the time high before that jump, is that jump's damage
    /// (reported at both words, no loop); and a loop whose next time high continues from the value before the loop
    /// rather than from the loop's own value was a damaged word that looked like a wrap (reported, the loop undone).
    /// </summary>
    private protected sealed class TimeHighClock(ProblemLog log, int highBits, int shift)
    {
        /// <summary>True once the first EVT_TIME_HIGH was seen (before it, event times are unknown).</summary>
        public bool Known { get; private set; }

        /// <summary>The last time high.</summary>
        public uint High { get; private set; }

        private long _highOffset = -1, _highBeforeOffset = -1;
        private uint _highBefore;

        // The last loop counted, until the next time high confirms it: the value before it, the loop's own value and word.
        private bool _loopPending;
        private uint _loopFrom, _loopTo;
        private long _loopOffset;

        /// <summary>Loops (wraps of the counter) seen so far.</summary>
        public long Loops { get; private set; }

        /// <summary>The time of the last time high, µs, loops included.</summary>
        public long BaseUs { get; private set; }

        /// <summary>Takes the time high of the word at <paramref name="offset"/>; true when it is the first or differs from the last.</summary>
        public bool Set(uint high, long offset)
        {
            bool changed = !Known || high != High;
            if (changed && Known && _loopPending)
            {
                _loopPending = false;
                // The loop's next value continues from before the loop, not from the loop's value: no wrap happened.
                if (high >= _loopFrom)
                {
                    Loops--;
                    log.Error("time-backwards", _loopOffset, $"EVT_TIME_HIGH {_loopTo} ({(long)_loopTo << shift} µs) dropped from {_loopFrom} like a loop of the 2^{highBits + shift} µs counter, but the next time high, {high} at byte {offset}, continues from {_loopFrom}: this word is damage, not a loop (no loop counted; events before the next time high may carry wrong times)");
                }
            }
            if (Known && high < High)
            {
                // A drop of half the range or more to a value at or past the time high before the last one: the last
                // word jumped forward (damage), this one carries on from before it.
                bool continuesFromBefore = _highBeforeOffset >= 0 && high >= _highBefore;
                if (High - high >= 1u << (highBits - 1) && !continuesFromBefore)
                {
                    Loops++;
                    _loopPending = true;
                    _loopFrom = High;
                    _loopTo = high;
                    _loopOffset = offset;
                }
                else if (High - high >= 1u << (highBits - 1))
                    log.Error("time-backwards", _highOffset, $"EVT_TIME_HIGH {High} ({(long)High << shift} µs) jumped forward from {_highBefore} (byte {_highBeforeOffset}), and the next one, {high} at byte {offset}, continues from {_highBefore}: this word is damage, not a loop of the 2^{highBits + shift} µs counter (no loop counted; the events after it, up to byte {offset}, carry times from it)");
                else
                    // The word before may be the damaged one (a flipped bit throws time forward): name it too.
                    log.Error("time-backwards", offset, $"EVT_TIME_HIGH {high} ({(long)high << shift} µs) is below the previous {High} ({(long)High << shift} µs, the word at byte {_highOffset}); expected a non-decreasing time high, or a drop of at least half the 2^{highBits + shift} µs range for a loop" +
                        (continuesFromBefore ? $" — this one continues from the time high before that ({_highBefore}, byte {_highBeforeOffset}), so the word at byte {_highOffset} is the likelier damage" : ""));
            }
            if (!Known || high != High) { _highBefore = High; _highBeforeOffset = Known ? _highOffset : -1; _highOffset = offset; }
            High = high;
            Known = true;
            BaseUs = (Loops << (highBits + shift)) + ((long)high << shift);
            return changed;
        }
    }

    /// <summary>Delivers one CD event (t in µs, x and y in pixels) decoded from the word at file offset <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected void Emit(long t, int x, int y, bool on, long offset)
    {
        if ((uint)x >= (uint)_limitX || (uint)y >= (uint)_limitY)
        {
            OutOfGeometry(x, y, offset);
            return;
        }
        if (t < _lastT) Backwards(t, offset);
        _lastT = t;
        if (_n == _cap) NewBatch(offset);
        _bt[_n] = t;
        _bx[_n] = (short)x;
        _by[_n] = (short)y;
        _bp[_n] = on;
        _n++;
    }

    /// <summary>
    /// Sets the time the next event is checked against (µs): after a record found damaged and reported as such, the time
    /// before it, so the records after it are not reported again as going back.
    /// </summary>
    private protected void RestoreLastTime(long t) => _lastT = t;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OutOfGeometry(int x, int y, long offset) =>
        Log.Error("out-of-geometry", offset, $"event at x={x}, y={y} lies outside the declared {Info.Width}×{Info.Height} sensor (expected x < {Info.Width}, y < {Info.Height}); dropped");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Backwards(long t, long offset) =>
        Log.Error("time-backwards", offset, $"event time {t} µs is earlier than the previous event's {_lastT} µs (expected non-decreasing time); delivered as decoded");

    /// <summary>Delivers one external trigger (t in µs) of <paramref name="channel"/>, rising or falling edge.</summary>
    private protected void Trigger(long t, int channel, bool rising, long offset)
    {
        if (_triggers == null) { _triggers = []; _triggerOffset = offset; }
        _triggers.Add((channel, new TriggerEvent(t, rising ? TriggerType.ExternalSignalRisingEdge : TriggerType.ExternalSignalFallingEdge)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NewBatch(long offset)
    {
        FlushEvents();
        _batch = EventBatch.Rent(_batchEvents);
        (_bt, _bx, _by, _bp) = _batch.Reserve(_batchEvents);
        _cap = _batchEvents;
        _n = 0;
        _batchOffset = offset;
    }

    private void FlushEvents()
    {
        if (_batch == null) return;
        var b = _batch;
        _batch = null;
        if (_n == 0) { b.Dispose(); }
        else
        {
            b.Truncate(_n);
            _pending.Enqueue(new EventsPacket { StreamId = EventStreamId, ByteOffset = _batchOffset, Events = b });
        }
        _cap = 0;
        _n = 0;
    }

    private void FlushTriggers()
    {
        if (_triggers == null) return;
        foreach (var group in _triggers.GroupBy(t => t.Channel))
            _pending.Enqueue(new TriggersPacket { StreamId = TriggerStreamIdBase + group.Key, ByteOffset = _triggerOffset, Triggers = group.Select(g => g.Trigger).ToArray() });
        _triggers = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _batch?.Dispose();
        _batch = null;
        while (_pending.TryDequeue(out var p)) if (p is EventsPacket e) e.Events.Dispose();
        _stream.Dispose();
        GC.SuppressFinalize(this);
    }
}
