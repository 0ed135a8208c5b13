using System.Globalization;
using System.Text.RegularExpressions;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using PureHDF;
using PureHDF.VOL.Native;
using EventDeblur.IO;

namespace EventDeblur.Formats.Hdf5;

/// <summary>
/// Streaming reader of HDF5 event files in the DSEC or h5_tools layout (<see cref="Hdf5EventLayout"/>), through
/// the managed PureHDF library: uncompressed, gzip (deflate), shuffle and fletcher32 datasets, contiguous,
/// compact or chunked. Events come out as pooled batches of <see cref="AedatReaderOptions.BatchEvents"/> events
/// (stream 0; t in µs with DSEC's <c>t_offset</c> added, x and y in pixels as stored, ON = p &gt; 0), read slice
/// by slice, so memory stays bounded whatever the file size. A dataset compressed with a filter this reader
/// does not decode (zstd, blosc, lz4, Prophesee ECF, …) is refused at <see cref="Open"/> with the file, the
/// dataset and the filter named. Faults in the data (time going backwards, coordinates outside the sensor,
/// datasets of different lengths, an <c>ms_to_idx</c> that disagrees with the times, a dataset that cannot be read
/// mid-file) become problems naming the dataset and the event index; no exception escapes <see cref="TryRead"/>.
/// </summary>
public sealed partial class Hdf5EventReader : IAedatReader
{
    /// <summary>Stream id of the events.</summary>
    public const int EventStreamId = 0;

    /// <summary>HDF5 filter ids and names this reader names in its error (only 1, 2 and 3 are decoded).</summary>
    private static readonly Dictionary<int, string> FilterNames = new()
    {
        [1] = "deflate/gzip", [2] = "shuffle", [3] = "fletcher32", [4] = "szip", [5] = "nbit", [6] = "scaleoffset",
        [307] = "bzip2", [32000] = "lzf", [32001] = "blosc", [32004] = "lz4", [32008] = "bitshuffle",
        [32013] = "zfp", [32015] = "zstd", [32026] = "blosc2", [36559] = "Prophesee ECF",
    };

    private readonly NativeFile _file;
    private readonly ProblemLog _log;
    private readonly Hdf5Column _t;
    private readonly Hdf5Column _x;
    private readonly Hdf5Column _y;
    private readonly Hdf5Column _p;
    private readonly Hdf5Column? _msToIdx;
    private readonly int _batch;
    private readonly long[] _lt;
    private readonly double[] _dt;
    private readonly long[] _lx;
    private readonly long[] _ly;
    private readonly long[] _lp;
    private readonly long _limitX;
    private readonly long _limitY;
    private long _next;
    private long _lastT = long.MinValue;
    private bool _done;
    private readonly long[] _msBuf = new long[4096];
    private long _msBufStart = -1;
    private int _msBufCount;
    private long _msNext;
    // DSEC events whose p is neither 0 nor 1 (stop 43's HDF5 trial: 2, 255 and −3 passed as ON/OFF without a word).
    private long _otherPolarities;

    /// <summary>The file's stream, when the file is shorter than its superblock says (else null): a slice read past its end is not data.</summary>
    private PastEndGuardStream? _truncatedStream;

    /// <summary>Events per slice when a region is read again after a failed slice (a typical chunk is 4 Ki–64 Ki events).</summary>
    private const int FineSliceEvents = 4096;

    /// <summary>
    /// Events of failed slices in a row after which reading stops (1 Mi: sixteen of the largest chunks h5py makes for a
    /// byte column, so one damaged chunk never ends the read, while a file nothing more can be read from is left soon).
    /// </summary>
    private const long MaxFailedEventsInARow = 1 << 20;

    private long _fineUntil;
    private long _failedEvents;

    private Hdf5EventReader(NativeFile file, string path, ProblemLog log, AedatReaderOptions options, Hdf5EventLayout layout,
        Hdf5Column t, Hdf5Column x, Hdf5Column y, Hdf5Column p, Hdf5Column? msToIdx, long timeOffsetUs, int width, int height, string? unusableSize)
    {
        _file = file;
        _log = log;
        _t = t;
        _x = x;
        _y = y;
        _p = p;
        _msToIdx = msToIdx;
        Layout = layout;
        TimeOffsetUs = timeOffsetUs;
        _batch = Math.Max(1, options.BatchEvents);
        _lt = new long[_batch];
        _dt = new double[_batch];
        _lx = new long[_batch];
        _ly = new long[_batch];
        _lp = new long[_batch];
        _limitX = width > 0 ? width : short.MaxValue + 1L;
        _limitY = height > 0 ? height : short.MaxValue + 1L;
        bool negative = false;
        foreach (var d in new[] { t, x, y, p })
            if (d.Length < 0)
            {
                negative = true;
                log.Error("lengths", -1, $"{d.Name} declares {d.Length} elements: a damaged HDF5 dataspace (expected a count ≥ 0); no events are read");
            }
        EventCount = negative ? 0 : new[] { t.Length, x.Length, y.Length, p.Length }.Min();
        Info = AedatFileInfo.WithFixedStreams(path, AedatVersion.Hdf5, width, height, "", 0,
            (EventStreamId, AedatStreamKind.Events, "HDF5 " + (layout == Hdf5EventLayout.Dsec ? "events/{x,y,t,p}" : "events/{xs,ys,ts,ps}")));
        if (!negative && new[] { t.Length, x.Length, y.Length, p.Length }.Distinct().Count() > 1)
            log.Error("lengths", -1, $"expected {t.Name}, {x.Name}, {y.Name}, {p.Name} of one length, found {t.Length}, {x.Length}, {y.Length}, {p.Length}; the first {EventCount} events are read");
        if (width <= 0)
            log.Note("geometry", -1, unusableSize != null
                ? $"the file states no usable sensor size ({unusableSize}); events are not checked against one"
                : "the file states no sensor size (no root attribute sensor_resolution = (height, width), nor width / height); events are not checked against one");
        if (t.IsFloat)
            log.Note("time-unit", -1, $"{t.Name} is {t.TypeName}: read as seconds and rounded to µs");
    }

    /// <summary>Which layout the file has.</summary>
    public Hdf5EventLayout Layout { get; }

    /// <summary>DSEC's <c>t_offset</c> (µs) added to every event time; 0 when the file has none (and for h5_tools).</summary>
    public long TimeOffsetUs { get; }

    /// <summary>Number of events the file holds (the shortest of the four datasets), ≥ 0.</summary>
    public long EventCount { get; }

    /// <inheritdoc />
    public AedatFileInfo Info { get; }

    /// <inheritdoc />
    public IReadOnlyList<Problem> Problems => _log.Items;

    /// <summary>
    /// When set, run by <see cref="Open"/> before it opens a file: a check, in another process, that the file's structure
    /// can be resolved at all, returning why not (or null). PureHDF follows soft links without a limit, and a cycle of them
    /// overflows the stack, which ends the process whatever catches it (stop 43's HDF5 trial: exit 134 and a 20 000-line
    /// trace); the command-line tool sets this, so such a file is refused instead. Null: no check (a library user's
    /// process opens the file itself).
    /// </summary>
    public static Func<string, string?>? Preflight { get; set; }

    /// <summary>True when <paramref name="path"/> starts with the HDF5 signature (at byte 0, or after a user block of 512, 1024, … bytes).</summary>
    public static bool IsHdf5File(string path)
    {
        if (SequentialFile.ReadsAsEmpty(path)) return false;   // never opened: a FIFO would block
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[8];
        for (long at = 0; at + 8 <= fs.Length && at <= 1 << 20; at = at == 0 ? 512 : at * 2)
        {
            fs.Position = at;
            if (fs.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(Hdf5Superblock.SignatureBytes)) return true;
        }
        return false;
    }

    /// <summary>
    /// Opens an HDF5 event file. Every event dataset is probed once, so a dataset compressed with a filter this
    /// reader does not decode is refused here.
    /// </summary>
    /// <exception cref="AedatFormatException">Not an HDF5 file, a damaged one, neither layout, a dataset that is not 1-D numbers, or an unsupported filter (named, with its dataset).</exception>
    public static Hdf5EventReader Open(string path, AedatReaderOptions? options = null)
    {
        if (Preflight?.Invoke(path) is { } cannot)
            throw new AedatFormatException(new Problem(path, -1, ProblemSeverity.Error, cannot));
        long? cutAt = null, statedEnd = null;
        try { return OpenCore(path, options, ref cutAt, ref statedEnd); }
        catch (AedatFormatException e) when (cutAt is long have && statedEnd is long end)
        {
            // A cut that hits metadata or a chunk read at open fails in the library ("Filter pipeline failed.", a
            // signature): the truncation found before is the likelier cause, and said with it (stop 43's HDF5 trial).
            throw new AedatFormatException(e.Problem with { Message = $"{e.Problem.Message}; the file is truncated ({have:N0} of the {end:N0} bytes its superblock states), the likelier cause: copy it again" });
        }
    }

    private static Hdf5EventReader OpenCore(string path, AedatReaderOptions? options, ref long? cutAt, ref long? statedEnd)
    {
        options ??= AedatReaderOptions.Default;
        var log = new ProblemLog(path, options.MaxProblemsPerKind);
        NativeFile file;
        PastEndGuardStream? truncatedStream = null;
        bool truncated = false;
        // A truncated file: PureHDF would read its missing bytes as zeros and deliver them as events.
        Span<byte> head = stackalloc byte[64];
        long length;
        int got;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096))
        {
            length = fs.Length;
            got = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        // A version 2 / 3 superblock carries a checksum: a damaged one is said as such (stop 43: a flipped byte of its
        // end-of-file address was reported as a truncation by 280 TB). A version 3 one may mark a writer still (or killed) in it.
        if (Hdf5Superblock.Checksum(head[..got]) is { Matches: false } bad)
            throw log.Fatal(0, $"the superblock (bytes 0..{bad.Length - 1}) fails its checksum: the file is damaged at its start (h5py refuses it too); copy it again");
        if (Hdf5Superblock.OpenForWriting(head[..got]))
            log.Note("open-for-writing", 11, "the superblock marks the file as open for writing: its writer did not close it (killed, or still writing), so it may be incomplete (h5py refuses it; 'h5clear -s FILE' clears the mark once it is known to be whole)");
        if (Hdf5Superblock.StatedEnd(head[..got]) is { } end && length < end)
        {
            log.Error("truncated", length, $"the file is truncated: it has {length:N0} bytes, and its superblock says it ends at byte {end:N0} ({end - length:N0} bytes missing); events are read up to the first slice whose data lies past the cut (copy the file again; h5py refuses it)");
            truncated = true;
            (cutAt, statedEnd) = (length, end);
        }
        try
        {
            // Reads past the end of the file fail at once (PastEndGuardStream) instead of returning nothing, one address at a time.
            var stream = new PastEndGuardStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess));
            if (truncated) truncatedStream = stream;
            try { file = H5File.Open(stream, leaveOpen: false); }
            catch { stream.Dispose(); throw; }
        }
        catch (Exception e)
        {
            throw log.Fatal(0, $"not a readable HDF5 file (expected the HDF5 superblock and a readable root group): {Printable(e.Message)}");
        }
        try
        {
            Hdf5EventLayout layout;
            string[] names;
            if (Exists(file, "events/x") || Exists(file, "events/t")) (layout, names) = (Hdf5EventLayout.Dsec, ["events/t", "events/x", "events/y", "events/p"]);
            else if (Exists(file, "events/xs") || Exists(file, "events/ts")) (layout, names) = (Hdf5EventLayout.H5Tools, ["events/ts", "events/xs", "events/ys", "events/ps"]);
            else throw log.Fatal(-1, $"expected the datasets events/{{x,y,t,p}} (DSEC) or events/{{xs,ys,ts,ps}} (h5_tools), found {Listing(file)}");
            var cols = new Hdf5Column[4];
            for (int i = 0; i < 4; i++)
            {
                if (!Exists(file, names[i])) throw log.Fatal(-1, $"{LayoutName(layout)} layout: dataset {names[i]} is missing (found {Listing(file)})");
                cols[i] = Column(file, path, names[i], log);
                if (i > 0 && cols[i].IsFloat) throw log.Fatal(-1, $"dataset {names[i]}: expected integers, found {cols[i].TypeName}");
            }
            // More events than the file can hold even compressed: chunks never written, which read as fill values (stop 43:
            // a 3.5 KB file declaring 10^11 events ran inspect for hours, delivering zeros).
            // Measured against the size the file was written to (a truncated file's stated end), and only for data stored in
            // the file itself (a virtual dataset's lies in others).
            long written = Math.Max(length, statedEnd ?? 0);
            if (cols[0].Length * (double)cols[0].ElementSize > written * MaxPackRatio && !cols[0].StoredElsewhere)
                throw log.Fatal(-1, $"dataset {names[0]} declares {cols[0].Length:N0} events ({cols[0].Length * (double)cols[0].ElementSize:N0} bytes of {cols[0].TypeName}), " +
                                    $"more than a file of {written:N0} bytes can hold even compressed (deflate packs at most about {MaxPackRatio:N0}:1): its data was never written " +
                                    "(HDF5 reads unwritten chunks as fill values, not events)");
            long offset = 0;
            Hdf5Column? msToIdx = null;
            if (layout == Hdf5EventLayout.Dsec)
            {
                if (cols[0].IsFloat) throw log.Fatal(-1, $"dataset events/t: expected integer µs (DSEC), found {cols[0].TypeName}");
                if (Exists(file, "t_offset"))
                {
                    int pastEnd = truncatedStream?.ReadsPastEnd ?? 0;
                    try { offset = Guard(path, "t_offset", () => ScalarLong(file.Dataset("t_offset"))); }
                    catch (AedatFormatException e) when (truncated)
                    {
                        // Its header or value cut off: the events are still there, without it (as below).
                        log.Error("t-offset", -1, $"{e.Problem.Message}; the event times are given without it (events/t as stored, not DSEC's absolute µs)");
                        pastEnd = int.MinValue;
                    }
                    // Its value past the cut of a truncated file reads as 0 (stop 43: every time 47 s early without a word,
                    // and bundle then proposed a clock offset of −1.7·10^15 µs).
                    if (pastEnd != int.MinValue && truncatedStream is { } guard && guard.ReadsPastEnd > pastEnd)
                    {
                        log.Error("t-offset", -1, "dataset t_offset lies past the cut of the truncated file: its value is lost, so the event times are given without it " +
                                                  "(events/t as stored, relative to the recording's start, not DSEC's absolute µs)");
                        offset = 0;
                    }
                }
                else
                    log.Note("t-offset", -1, "the file has no t_offset dataset (DSEC adds it to events/t): times are events/t as stored");
                // Only checked: one that cannot be read (cut off, damaged) is said, and the events are read all the same
                // (stop 43: a cut in its chunk refused a file whose events were whole).
                if (Exists(file, "ms_to_idx"))
                {
                    try { msToIdx = Column(file, path, "ms_to_idx", log); }
                    catch (AedatFormatException e) { log.Error("ms-to-idx", -1, $"{e.Problem.Message}; not checked"); }
                }
                if (msToIdx is { Length: > MaxMsToIdxEntries })
                {
                    log.Error("ms-to-idx", -1, $"dataset ms_to_idx has {msToIdx.Length} entries (expected at most {MaxMsToIdxEntries}, one per millisecond of a recording up to 27 h); not checked");
                    msToIdx = null;
                }
            }
            var (w, h, unusable, fromResolution) = Guard(path, "attributes", () => SensorSize(file));
            if (w > short.MaxValue + 1 || h > short.MaxValue + 1 || w < 0 || h < 0)
            {
                log.Note("geometry", -1, $"the stated sensor size {w}×{h} is outside 1..32768; ignored");
                (w, h) = (0, 0);
            }
            // Named width / height attributes are not ambiguous; a (height, width) pair may have been written the other way round.
            // (Not on a truncated file: its samples could lie past the cut, where reads fail or count against the guard.)
            if (fromResolution && truncatedStream == null && w > 0 && h > 0 && w != h && SwappedSize(cols[1], cols[2], w, h) is { } outside)
            {
                log.Note("geometry", -1, $"the root attribute sensor_resolution = ({h}, {w}) read as (height, width), as h5_tools writes it, leaves {outside} of the " +
                                         $"sampled events outside a {w}×{h} sensor and every one inside {h}×{w}: this file stores (width, height), so the sensor is read as {h}×{w}");
                (w, h) = (h, w);
            }
            return new Hdf5EventReader(file, path, log, options, layout, cols[0], cols[1], cols[2], cols[3], msToIdx, offset, w, h, unusable) { _truncatedStream = truncatedStream };
        }
        catch (AedatFormatException)
        {
            file.Dispose();
            throw;
        }
        catch (Exception e)
        {
            // PureHDF reports a damaged structure (object headers, links, B-trees) with exceptions of many types.
            file.Dispose();
            throw log.Fatal(-1, $"a damaged HDF5 structure: {e.GetType().Name}: {Printable(e.Message)}");
        }
    }

    /// <inheritdoc />
    public bool TryRead(out AedatPacket? packet)
    {
        packet = null;
        while (!_done)
        {
            long start = _next;
            // After a slice that could not be read, its events are read again in small slices, so that only the damaged
            // chunk's events are lost.
            int n = (int)Math.Min(start < _fineUntil ? Math.Min(_batch, FineSliceEvents) : _batch, EventCount - start);
            if (n <= 0)
            {
                FinishMsToIdx();
                if (_otherPolarities > 0)
                    _log.Note("polarity", -1, $"{_otherPolarities:N0} event(s) have p other than 0 or 1 (DSEC's polarities; taken as ON when p > 0): damaged values, or another writer's convention");
                _done = true;
                break;
            }
            string reading = _t.Name;
            int pastEnd = _truncatedStream?.ReadsPastEnd ?? 0;
            try
            {
                if (_t.IsFloat) _t.ReadDouble(start, _dt.AsSpan(0, n));
                else _t.ReadLong(start, _lt.AsSpan(0, n));
                reading = _x.Name;
                _x.ReadLong(start, _lx.AsSpan(0, n));
                reading = _y.Name;
                _y.ReadLong(start, _ly.AsSpan(0, n));
                reading = _p.Name;
                _p.ReadLong(start, _lp.AsSpan(0, n));
            }
            catch (Exception e)
            {
                if (e is not EndOfStreamException && n > FineSliceEvents)
                {
                    _fineUntil = start + n;
                    continue;
                }
                // A damaged chunk (a bad gzip stream, a checksum): its events are skipped and the rest of the file read,
                // unless 1 Mi events in a row fail (a damaged index, a filter this reader lacks: nothing more can be read).
                _failedEvents += n;
                bool stop = e is EndOfStreamException || _failedEvents >= MaxFailedEventsInARow;
                _log.Error("read", -1, $"dataset {reading}, events {start}..{start + n - 1}: {Describe(e)}; " +
                                       (stop ? "reading stops here" : "these events are skipped, the rest is read"));
                if (stop) { _done = true; break; }
                _next = start + n;
                continue;
            }
            _failedEvents = 0;
            if (_truncatedStream is { } guard && guard.ReadsPastEnd > pastEnd)
            {
                // PureHDF answered part of this slice with zeros from past the cut: those are not events.
                _log.Error("truncated", guard.Length, $"events {start:N0}..{start + n - 1:N0}: dataset data lies past the end of the truncated file (read as zeros); reading stops here, with the {start:N0} events before them");
                _done = true;
                break;
            }
            _next = start + n;
            var batch = Decode(start, n);
            if (batch != null)
            {
                packet = new EventsPacket { StreamId = EventStreamId, ByteOffset = -1, Events = batch };
                return true;
            }
        }
        return false;
    }

    private EventBatch? Decode(long start, int n)
    {
        var batch = EventBatch.Rent(n);
        var (bt, bx, by, bp) = batch.Reserve(n);
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            long index = start + i;
            long rel;
            if (_t.IsFloat)
            {
                double s = _dt[i];
                if (!double.IsFinite(s) || Math.Abs(s) > 9e12)
                {
                    _log.Error("bad-time", -1, $"{_t.Name}[{index}] = {s.ToString(CultureInfo.InvariantCulture)} s is not a usable time; event dropped");
                    continue;
                }
                rel = (long)Math.Round(s * 1e6);
            }
            else rel = _lt[i];
            if (_msToIdx != null) CheckMsToIdx(rel, index);
            long t = rel + TimeOffsetUs;
            long x = _lx[i], y = _ly[i];
            if ((ulong)x >= (ulong)_limitX || (ulong)y >= (ulong)_limitY)
            {
                _log.Error("out-of-geometry", -1, Info.Width > 0
                    ? $"event {index} at x={x}, y={y} lies outside the stated {Info.Width}×{Info.Height} sensor; dropped"
                    : $"event {index} at x={x}, y={y}: expected coordinates in 0..32767; dropped");
                continue;
            }
            if (t < _lastT)
                _log.Error("time-backwards", -1, $"event {index}: time {t} µs is earlier than the previous event's {_lastT} µs (expected non-decreasing time); delivered as read");
            _lastT = t;
            bt[k] = t;
            bx[k] = (short)x;
            by[k] = (short)y;
            bp[k] = _lp[i] > 0;
            if (Layout == Hdf5EventLayout.Dsec && (ulong)_lp[i] > 1) _otherPolarities++;
            k++;
        }
        if (k == 0)
        {
            batch.Dispose();
            return null;
        }
        batch.Truncate(k);
        return batch;
    }

    /// <summary>Checks DSEC's ms_to_idx: entry k must be the index of the first event with (relative) t ≥ k ms.</summary>
    private void CheckMsToIdx(long relUs, long index)
    {
        while (_msNext < _msToIdx!.Length && relUs >= _msNext * 1000)
        {
            CheckMsEntry(_msNext, index);
            _msNext++;
        }
    }

    private void FinishMsToIdx()
    {
        if (_msToIdx == null) return;
        // After the last event every entry must equal the event count, but only up to the last event's millisecond + 1:
        // a longer table (a damaged size, found by fuzzing, made this loop run for hours) is reported, not walked.
        long lastMs = _lastT == long.MinValue ? 0 : (long)Math.Clamp(((double)_lastT - TimeOffsetUs) / 1000, 0, MaxMsToIdxEntries);
        long end = Math.Min(_msToIdx.Length, lastMs + 2);
        if (_msToIdx.Length > end && _msNext < _msToIdx.Length)
            _log.Error("ms-to-idx", -1, $"dataset ms_to_idx has {_msToIdx.Length} entries, but the last event is at {lastMs} ms (expected at most {lastMs + 2}); entries from {Math.Max(end, _msNext)} on are not checked");
        while (_msNext < end)
        {
            CheckMsEntry(_msNext, EventCount);
            _msNext++;
        }
    }

    private void CheckMsEntry(long k, long expected)
    {
        if (_msBufStart < 0 || k < _msBufStart || k >= _msBufStart + _msBufCount)
        {
            int n = (int)Math.Min(_msBuf.Length, _msToIdx!.Length - k);
            try
            {
                _msToIdx.ReadLong(k, _msBuf.AsSpan(0, n));
            }
            catch (Exception e)
            {
                _log.Error("ms-to-idx", -1, $"dataset ms_to_idx, entries {k}..{k + n - 1}: {Describe(e)}; not checked further");
                _msNext = _msToIdx.Length;
                return;
            }
            (_msBufStart, _msBufCount) = (k, n);
        }
        long v = _msBuf[k - _msBufStart];
        if (v != expected)
            _log.Error("ms-to-idx", -1, $"ms_to_idx[{k}] = {v}, expected {expected} (the index of the first event with t ≥ {k} ms, t relative to t_offset)");
    }

    private static Hdf5Column Column(NativeFile file, string path, string name, ProblemLog log)
    {
        var col = Guard(path, name, () => Hdf5Column.Open(file, name, out string? why) ?? throw log.Fatal(-1, $"dataset {name}: {why}"));
        // Probe one element: a dataset compressed with a filter PureHDF lacks fails here, not mid-run.
        if (col.Length > 0)
            Guard(path, name, () =>
            {
                if (col.IsFloat) col.ReadDouble(0, new double[1]);
                else col.ReadLong(0, new long[1]);
                return 0;
            });
        return col;
    }

    /// <summary>Runs <paramref name="read"/>, turning any library exception into an <see cref="AedatFormatException"/> naming the file and dataset.</summary>
    private static T Guard<T>(string path, string dataset, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (AedatFormatException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new AedatFormatException(new Problem(path, -1, ProblemSeverity.Error, $"dataset {dataset}: {Describe(e)}"));
        }
    }

    /// <summary>What went wrong, with a missing filter named and the filters this reader has.</summary>
    private static string Describe(Exception e)
    {
        var m = MissingFilter().Match(e.Message);
        if (!m.Success && e.Message.Contains("Byte order conversion", StringComparison.Ordinal))
            // h5repack cannot change byte order (stop 43's HDF5 trial: PureHDF's own text was all the user got).
            return "stored big-endian, which this reader does not convert; rewrite it little-endian with h5py, e.g. " +
                   "out.create_dataset(name, data=src[name][()].astype(src[name].dtype.newbyteorder('<')))";
        if (!m.Success)
            // PureHDF names no filter here (stop 43: an N-bit dataset and a damaged chunk both said only this).
            return e.Message.Contains("Filter pipeline failed", StringComparison.Ordinal)
                ? $"cannot be read ({e.GetType().Name}: {Printable(e.Message)}): a damaged compressed chunk, or a filter this reader does not decode " +
                  "(it decodes gzip/deflate, shuffle, fletcher32 and scale-offset; not N-bit or SZIP); 'h5dump -pH FILE' lists the dataset's filters, and 'h5repack -f GZIP=4 IN OUT' re-saves it with gzip"
                : $"cannot be read ({e.GetType().Name}: {Printable(e.Message)})";
        int id = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        string name = FilterNames.TryGetValue(id, out var known) ? known : "an unregistered filter";
        // LZF is built into h5py, and no HDF5 plugin of it is packaged for h5repack (stop 43: the advice wrote a file with no datasets).
        string resave = id == 32000
            ? "re-save it with h5py, which has LZF built in, writing each dataset with compression='gzip'"
            : "re-save it with gzip, e.g. 'h5repack -f GZIP=4 IN OUT' with the filter's plugin installed";
        return $"compressed with HDF5 filter {id} ({name}), which this reader does not decode (it decodes uncompressed, gzip/deflate, shuffle, fletcher32 and scale-offset data); {resave}";
    }

    /// <summary>
    /// The library's message with control characters shown as <c>\xNN</c>: a damaged file's bytes end up in PureHDF's
    /// messages ("the actual signature '\0\0\0\0'…"), and raw NULs on a terminal or in a log make it a binary file.
    /// </summary>
    internal static string Printable(string message) =>
        message.Any(char.IsControl) ? string.Concat(message.Select(c => char.IsControl(c) && c is not ('\n' or '\t') ? $"\\x{(int)c:x2}" : c.ToString())) : message;

    [GeneratedRegex(@"filter\b.*?\bID '?(\d+)'?", RegexOptions.IgnoreCase)]
    private static partial Regex MissingFilter();

    private static bool Exists(NativeFile file, string name)
    {
        int slash = name.IndexOf('/');
        if (slash > 0 && !file.LinkExists(name[..slash])) return false;
        return file.LinkExists(name);
    }

    /// <summary>
    /// Most bytes of event times a byte of the file can stand for: deflate's limit is about 1 032:1; timestamps of real
    /// events, which change, pack far less with any filter.
    /// </summary>
    private const double MaxPackRatio = 1100;

    /// <summary>The longest ms_to_idx table checked: one entry per millisecond of 27.8 hours.</summary>
    private const long MaxMsToIdxEntries = 100_000_000;

    // Which of the names the two layouts use exist. The root group's children are not enumerated: enumerating resolves
    // every soft link, and PureHDF follows a soft link that points at itself until the stack overflows (found by
    // fuzzing), which no catch can stop.
    private static readonly string[] KnownNames =
        ["events", "events/t", "events/x", "events/y", "events/p", "events/ts", "events/xs", "events/ys", "events/ps", "t_offset", "ms_to_idx"];

    private static string Listing(NativeFile file)
    {
        try
        {
            var names = KnownNames.Where(n => Exists(file, n)).ToList();
            return names.Count == 0 ? $"none of {string.Join(", ", KnownNames)}" : string.Join(", ", names);
        }
        catch (Exception e)
        {
            return $"an unreadable root group ({e.Message})";
        }
    }

    private static string LayoutName(Hdf5EventLayout layout) => layout == Hdf5EventLayout.Dsec ? "DSEC" : "h5_tools";

    private static long ScalarLong(IH5Dataset ds)
    {
        var type = ds.Type;
        return (type.Class, type.Size, type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned) switch
        {
            (H5DataTypeClass.FixedPoint, 8, true) => ds.Read<long>(),
            (H5DataTypeClass.FixedPoint, 8, false) => checked((long)ds.Read<ulong>()),
            (H5DataTypeClass.FixedPoint, 4, true) => ds.Read<int>(),
            (H5DataTypeClass.FixedPoint, 4, false) => ds.Read<uint>(),
            (H5DataTypeClass.FloatingPoint, 8, _) => (long)Math.Round(ds.Read<double>()),
            _ => throw new InvalidDataException($"expected a scalar integer (µs), found HDF5 class {type.Class} of {type.Size} bytes"),
        };
    }

    /// <summary>
    /// Sensor size from the root attribute <c>sensor_resolution</c> (height, width), or <c>width</c> / <c>height</c>
    /// attributes on the root or the events group; (0, 0) when none, with what made a <c>sensor_resolution</c> that is
    /// there unusable (stop 43's HDF5 trial: one of floats was said to be absent).
    /// </summary>
    private static (int Width, int Height, string? Unusable, bool FromResolution) SensorSize(NativeFile file)
    {
        string? unusable = null;
        if (file.AttributeExists("sensor_resolution"))
        {
            var a = file.Attribute("sensor_resolution");
            var v = IntegerAttribute(a);
            if (v is { Length: >= 2 }) return ((int)Math.Clamp(v[1], int.MinValue, int.MaxValue), (int)Math.Clamp(v[0], int.MinValue, int.MaxValue), null, true);
            unusable = v == null
                ? $"the root attribute sensor_resolution is HDF5 class {a.Type.Class} of {a.Type.Size} bytes, expected two integers (height, width)"
                : $"the root attribute sensor_resolution holds {v.Length} integer(s), expected two (height, width)";
        }
        foreach (IH5Object obj in new IH5Object[] { file, file.Group("events") })
        {
            if (obj.AttributeExists("width") && obj.AttributeExists("height"))
            {
                var w = IntegerAttribute(obj.Attribute("width"));
                var h = IntegerAttribute(obj.Attribute("height"));
                if (w is { Length: 1 } && h is { Length: 1 }) return ((int)Math.Clamp(w[0], int.MinValue, int.MaxValue), (int)Math.Clamp(h[0], int.MinValue, int.MaxValue), null, false);
            }
        }
        return (0, 0, unusable, false);
    }

    /// <summary>Events sampled for <see cref="SwappedSize"/>: this many windows of <see cref="SwapSampleWindow"/> events spread over the file.</summary>
    private const int SwapSampleWindows = 32, SwapSampleWindow = 2048;

    /// <summary>
    /// Whether a stated sensor size is the other way round (some writers store <c>sensor_resolution</c> as (width,
    /// height)): on <see cref="SwapSampleWindows"/> windows of events spread over the file, at least 1 % of them lie
    /// outside <paramref name="width"/>×<paramref name="height"/> and none outside the size swapped. Returns how many
    /// of the sampled events lie outside (as text), or null: not swapped, or the sample could not be read (a truncated
    /// or damaged file; its events are then checked against the size as stated, and the reading says what is wrong).
    /// </summary>
    private static string? SwappedSize(Hdf5Column xs, Hdf5Column ys, int width, int height)
    {
        long n = Math.Min(xs.Length, ys.Length);
        if (n <= 0) return null;
        int window = (int)Math.Min(SwapSampleWindow, n);
        int windows = (int)Math.Min(SwapSampleWindows, Math.Max(1, n / window));
        var x = new long[window];
        var y = new long[window];
        long sampled = 0, outside = 0;
        try
        {
            for (int k = 0; k < windows; k++)
            {
                long start = windows == 1 ? 0 : (n - window) * k / (windows - 1);
                xs.ReadLong(start, x);
                ys.ReadLong(start, y);
                for (int i = 0; i < window; i++)
                {
                    if (x[i] < 0 || y[i] < 0 || x[i] >= height || y[i] >= width) return null;
                    if (x[i] >= width || y[i] >= height) outside++;
                }
                sampled += window;
            }
        }
        catch (Exception)
        {
            return null;
        }
        return outside * 100 >= sampled ? $"{outside:N0} of {sampled:N0}" : null;
    }

    private static long[]? IntegerAttribute(IH5Attribute a)
    {
        var type = a.Type;
        if (type.Class != H5DataTypeClass.FixedPoint) return null;
        bool signed = type.FixedPoint.IsSigned;
        return (type.Size, signed) switch
        {
            (8, true) => a.Read<long[]>(),
            (8, false) => a.Read<ulong[]>().Select(u => u > long.MaxValue ? long.MaxValue : (long)u).ToArray(),
            (4, true) => a.Read<int[]>().Select(v => (long)v).ToArray(),
            (4, false) => a.Read<uint[]>().Select(v => (long)v).ToArray(),
            (2, true) => a.Read<short[]>().Select(v => (long)v).ToArray(),
            (2, false) => a.Read<ushort[]>().Select(v => (long)v).ToArray(),
            _ => null,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file.Dispose();
        GC.SuppressFinalize(this);
    }
}
