using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security;
using EventDeblur.Events;
using EventDeblur.IO;
using Google.FlatBuffers;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Writes AEDAT 4.0 files that DV and dv-processing read: version line, size-prefixed IOHeader
/// (fixed size, patched on completion), one compressed flatbuffer per packet, and a FileDataTable.
/// Streams: by default 0 events, 1 frames, 2 IMU, 3 triggers (or those of <see cref="Aedat4WriterOptions.Streams"/>). The file appears under its final name only
/// when <see cref="Complete"/> succeeds; disposing an incomplete writer deletes the partial file.
/// </summary>
public sealed class Aedat4Writer : IDisposable
{
    /// <summary>Stream id of events.</summary>
    public const int EventsStream = 0;
    /// <summary>Stream id of frames.</summary>
    public const int FramesStream = 1;
    /// <summary>Stream id of IMU samples.</summary>
    public const int ImuStream = 2;
    /// <summary>Stream id of triggers.</summary>
    public const int TriggersStream = 3;

    private readonly Stream _out;
    private readonly string? _finalPath;
    private readonly string? _tempPath;
    private readonly bool _isFile;
    private readonly Aedat4WriterOptions _options;
    private readonly PacketCodec _codec;
    private readonly FlatBufferBuilder _fb = new(1 << 16);
    private readonly ArrayBufferWriter<byte> _compressed = new(1 << 16);
    private readonly List<Aedat4TableEntry> _table = [];
    private readonly string _infoXml;
    private readonly Dictionary<AedatStreamKind, int> _ids;
    private byte[] _structs = [];
    private long _pos;
    private bool _completed;

    private Aedat4Writer(Stream output, string? finalPath, string? tempPath, bool isFile, Aedat4WriterOptions options)
    {
        options.Validate();
        _out = output;
        _finalPath = finalPath;
        _tempPath = tempPath;
        _isFile = isFile;
        _options = options;
        _codec = new PacketCodec(options.Compression, long.MaxValue);
        _infoXml = BuildInfoXml(options);
        _ids = (options.Streams ?? Aedat4StreamDeclaration.Standard).ToDictionary(d => d.Kind, d => d.Id);
        if (isFile)
        {
            _out.Write(System.Text.Encoding.ASCII.GetBytes(Aedat4Schema.VersionLine));
            _pos = Aedat4Schema.VersionLineBytes;
        }
        var header = BuildIoHeader(-1);
        _out.Write(header);
        _pos += header.Length;
    }

    /// <summary>Starts a file at <paramref name="path"/> (written to a temporary file until <see cref="Complete"/>).</summary>
    public static Aedat4Writer Create(string path, Aedat4WriterOptions options)
    {
        string tmp = AtomicFile.TempPathFor(path);
        var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        try
        {
            return new Aedat4Writer(fs, path, tmp, true, options);
        }
        catch
        {
            fs.Dispose();
            AtomicFile.TryDelete(tmp);
            throw;
        }
    }

    /// <summary>
    /// Writes the DV network-stream layout to <paramref name="stream"/>: IOHeader without version
    /// line and without FileDataTable, then packets as they are written.
    /// </summary>
    public static Aedat4Writer CreateNetworkStream(Stream stream, Aedat4WriterOptions options) =>
        new(stream, null, null, false, options);

    /// <summary>Bytes written so far.</summary>
    public long Position => _pos;

    /// <summary>Writes events (parallel spans; timestamps µs, pixel coordinates, <c>true</c> = ON) as one or more packets.</summary>
    public void WriteEvents(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p)
    {
        if (t.Length != x.Length || t.Length != y.Length || t.Length != p.Length)
            throw new ArgumentException("event spans must have equal lengths");
        for (int start = 0; start < t.Length; start += _options.MaxEventsPerPacket)
        {
            int n = Math.Min(_options.MaxEventsPerPacket, t.Length - start);
            WriteEventPacket(t.Slice(start, n), x.Slice(start, n), y.Slice(start, n), p.Slice(start, n));
        }
    }

    /// <summary>Writes a batch of events.</summary>
    public void WriteEvents(EventBatch batch) => WriteEvents(batch.Timestamps, batch.Xs, batch.Ys, batch.Polarities);

    private void WriteEventPacket(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p)
    {
        int n = t.Length;
        int bytes = n * Aedat4Schema.EventStructBytes;
        if (_structs.Length < bytes) _structs = new byte[bytes];
        var s = _structs.AsSpan(0, bytes);
        for (int i = 0; i < n; i++)
        {
            var e = s.Slice(i * 16, 16);
            BinaryPrimitives.WriteInt64LittleEndian(e, t[i]);
            BinaryPrimitives.WriteInt16LittleEndian(e[8..], x[i]);
            BinaryPrimitives.WriteInt16LittleEndian(e[10..], y[i]);
            e[12] = p[i] ? (byte)1 : (byte)0;
            e[13] = e[14] = e[15] = 0;
        }
        _fb.Clear();
        _fb.StartVector(Aedat4Schema.EventStructBytes, n, 8);
        _fb.Put(new ArraySegment<byte>(_structs, 0, bytes));
        var vec = _fb.EndVector();
        _fb.StartTable(1);
        _fb.AddOffset(0, vec.Value, 0);
        int root = _fb.EndTable();
        _fb.FinishSizePrefixed(root, Aedat4Schema.Events);
        WritePacket(IdOf(AedatStreamKind.Events), n, t[0], t[^1]);
    }

    /// <summary>Writes one APS frame.</summary>
    public void WriteFrame(ApsFrame frame)
    {
        long expected = (long)frame.Width * frame.Height * frame.Format.BytesPerPixel;
        if (frame.Pixels.Length != expected)
            throw new ArgumentException($"frame has {frame.Pixels.Length} pixel bytes, {frame.Width}×{frame.Height} {frame.Format} needs {expected}");
        _fb.Clear();
        _fb.StartVector(1, frame.Pixels.Length, 1);
        _fb.Put(new ArraySegment<byte>(frame.Pixels));
        var pixels = _fb.EndVector();
        _fb.StartTable(13);
        _fb.AddLong(0, frame.TimestampUs, 0);
        _fb.AddLong(1, frame.StartOfFrameUs, 0);
        _fb.AddLong(2, frame.EndOfFrameUs, 0);
        _fb.AddLong(3, frame.StartOfExposureUs, 0);
        _fb.AddLong(4, frame.EndOfExposureUs, 0);
        _fb.AddLong(11, frame.EndOfExposureUs - frame.StartOfExposureUs, 0);
        _fb.AddOffset(10, pixels.Value, 0);
        _fb.AddShort(6, (short)frame.Width, 0);
        _fb.AddShort(7, (short)frame.Height, 0);
        _fb.AddShort(8, (short)frame.PositionX, 0);
        _fb.AddShort(9, (short)frame.PositionY, 0);
        _fb.AddSbyte(5, (sbyte)frame.Format.OpenCvType, 0);
        _fb.AddSbyte(12, 1, 0);
        int root = _fb.EndTable();
        _fb.FinishSizePrefixed(root, Aedat4Schema.Frame);
        WritePacket(IdOf(AedatStreamKind.Frames), 1, frame.TimestampUs, frame.TimestampUs);
    }

    /// <summary>Writes trigger events as one packet.</summary>
    public void WriteTriggers(ReadOnlySpan<TriggerEvent> triggers)
    {
        if (triggers.IsEmpty) return;
        BuildTables(triggers, 2, static (fb, t) =>
        {
            fb.AddLong(0, t.TimestampUs, 0);
            fb.AddSbyte(1, (sbyte)t.Type, 0);
        }, Aedat4Schema.Triggers);
        WritePacket(IdOf(AedatStreamKind.Triggers), triggers.Length, triggers[0].TimestampUs, triggers[^1].TimestampUs);
    }

    /// <summary>Writes IMU samples as one packet.</summary>
    public void WriteImu(ReadOnlySpan<ImuSample> samples)
    {
        if (samples.IsEmpty) return;
        BuildTables(samples, 11, static (fb, s) =>
        {
            fb.AddLong(0, s.TimestampUs, 0);
            fb.AddFloat(1, s.TemperatureC, 0);
            fb.AddFloat(2, s.AccelX, 0);
            fb.AddFloat(3, s.AccelY, 0);
            fb.AddFloat(4, s.AccelZ, 0);
            fb.AddFloat(5, s.GyroX, 0);
            fb.AddFloat(6, s.GyroY, 0);
            fb.AddFloat(7, s.GyroZ, 0);
            fb.AddFloat(8, s.MagX, 0);
            fb.AddFloat(9, s.MagY, 0);
            fb.AddFloat(10, s.MagZ, 0);
        }, Aedat4Schema.Imu);
        WritePacket(IdOf(AedatStreamKind.Imu), samples.Length, samples[0].TimestampUs, samples[^1].TimestampUs);
    }

    private int IdOf(AedatStreamKind kind) => _ids.TryGetValue(kind, out int id)
        ? id
        : throw new InvalidOperationException($"no {kind} stream is declared in this file's Aedat4WriterOptions.Streams; declare it to write {kind} data");

    /// <summary>
    /// Builds the flatbuffer of a packet of tables (and of the FileDataTable): one table of <paramref name="fields"/> fields
    /// per item, written by <paramref name="addFields"/>, in a vector held by a root table, size-prefixed with
    /// <paramref name="identifier"/>.
    /// </summary>
    private void BuildTables<T>(ReadOnlySpan<T> items, int fields, Action<FlatBufferBuilder, T> addFields, string identifier)
    {
        _fb.Clear();
        var offsets = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            _fb.StartTable(fields);
            addFields(_fb, items[i]);
            offsets[i] = _fb.EndTable();
        }
        _fb.StartVector(4, offsets.Length, 4);
        for (int i = offsets.Length - 1; i >= 0; i--) _fb.AddOffset(offsets[i]);
        var vec = _fb.EndVector();
        _fb.StartTable(1);
        _fb.AddOffset(0, vec.Value, 0);
        _fb.FinishSizePrefixed(_fb.EndTable(), identifier);
    }

    private void WritePacket(int streamId, long elements, long tStart, long tEnd)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var buf = _fb.DataBuffer.ToArraySegment(_fb.DataBuffer.Position, _fb.Offset);
        _compressed.ResetWrittenCount();
        _codec.Encode(buf, _compressed);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, streamId);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], _compressed.WrittenCount);
        _out.Write(header);
        _out.Write(_compressed.WrittenSpan);
        _table.Add(new Aedat4TableEntry(_pos + 8, streamId, _compressed.WrittenCount, elements, tStart, tEnd));
        _pos += 8 + _compressed.WrittenCount;
    }

    /// <summary>Writes the FileDataTable, patches the IOHeader and moves the file to its final name.</summary>
    public void Complete()
    {
        if (_completed) return;
        if (_isFile)
        {
            long tablePos = _pos;
            BuildTables(CollectionsMarshal.AsSpan(_table), 5, static (fb, r) =>
            {
                fb.AddLong(0, r.ByteOffset, 0);
                fb.AddLong(2, r.NumElements, 0);
                fb.AddLong(3, r.TimestampStartUs, 0);
                fb.AddLong(4, r.TimestampEndUs, 0);
                fb.Prep(4, 8);
                fb.PutInt(r.Size);
                fb.PutInt(r.StreamId);
                fb.AddStruct(1, fb.Offset, 0);
            }, Aedat4Schema.DataTable);
            _compressed.ResetWrittenCount();
            _codec.Encode(_fb.DataBuffer.ToArraySegment(_fb.DataBuffer.Position, _fb.Offset), _compressed);
            _out.Write(_compressed.WrittenSpan);
            _pos += _compressed.WrittenCount;

            var header = BuildIoHeader(tablePos);
            _out.Position = Aedat4Schema.VersionLineBytes;
            _out.Write(header);
            _out.Flush();
            ((FileStream)_out).Flush(flushToDisk: true);
            _out.Dispose();
            AtomicFile.Commit(_tempPath!, _finalPath!);
        }
        else
        {
            _out.Flush();
        }
        _completed = true;
    }

    private byte[] BuildIoHeader(long dataTablePosition)
    {
        // ForceDefaults keeps every field present, so the header's size is the same when patched.
        var b = new FlatBufferBuilder(_infoXml.Length + 256) { ForceDefaults = true };
        var info = b.CreateString(_infoXml);
        b.StartTable(3);
        b.AddLong(1, dataTablePosition, -1);
        b.AddOffset(2, info.Value, 0);
        b.AddInt(0, (int)_options.Compression, 0);
        int root = b.EndTable();
        b.FinishSizePrefixed(root, Aedat4Schema.IoHeader);
        return b.SizedByteArray();
    }

    private static string BuildInfoXml(Aedat4WriterOptions o)
    {
        string comp = Aedat4Schema.CompressionName(o.Compression);
        string src = SecurityElement.Escape(o.Source);
        var sb = new System.Text.StringBuilder();
        sb.Append("<dv version=\"2.0\"><node name=\"outInfo\" path=\"/mainloop/Recorder/outInfo/\">");
        void Stream(int id, string output, string type, string description, bool sized, long tsOffset, string source)
        {
            string p = $"/mainloop/Recorder/outInfo/{id}/";
            sb.Append($"<node name=\"{id}\" path=\"{p}\">");
            sb.Append($"<attr key=\"compression\" type=\"string\">{comp}</attr>");
            sb.Append("<attr key=\"originalModuleName\" type=\"string\">eventdeblur</attr>");
            sb.Append($"<attr key=\"originalOutputName\" type=\"string\">{SecurityElement.Escape(output)}</attr>");
            sb.Append($"<attr key=\"typeDescription\" type=\"string\">{description}</attr>");
            sb.Append($"<attr key=\"typeIdentifier\" type=\"string\">{type}</attr>");
            sb.Append($"<node name=\"info\" path=\"{p}info/\">");
            if (sized)
                sb.Append($"<attr key=\"sizeX\" type=\"int\">{o.Width}</attr><attr key=\"sizeY\" type=\"int\">{o.Height}</attr>");
            sb.Append($"<attr key=\"source\" type=\"string\">{source}</attr><attr key=\"tsOffset\" type=\"long\">{tsOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)}</attr>");
            sb.Append("</node></node>");
        }
        foreach (var d in o.Streams ?? Aedat4StreamDeclaration.Standard)
        {
            string streamSource = d.Source != null ? SecurityElement.Escape(d.Source) : src;
            switch (d.Kind)
            {
                case AedatStreamKind.Events: Stream(d.Id, d.Name, Aedat4Schema.Events, "Array of events (polarity ON/OFF).", true, d.TsOffsetUs, streamSource); break;
                case AedatStreamKind.Frames: Stream(d.Id, d.Name, Aedat4Schema.Frame, "Standard frame (8-bit image).", true, d.TsOffsetUs, streamSource); break;
                case AedatStreamKind.Imu: Stream(d.Id, d.Name, Aedat4Schema.Imu, "Inertial Measurement Unit data samples.", false, d.TsOffsetUs, streamSource); break;
                case AedatStreamKind.Triggers: Stream(d.Id, d.Name, Aedat4Schema.Triggers, "External triggers and special signals.", false, d.TsOffsetUs, streamSource); break;
            }
        }
        sb.Append("</node></dv>");
        return sb.ToString();
    }

    /// <summary>Closes the output; an incomplete file is deleted, never left under its final name.</summary>
    public void Dispose()
    {
        try { _codec.Dispose(); }
        finally
        {
            if (!_completed)
            {
                // Closing flushes what is buffered, which fails again on a full disk: the temporary file goes all the same.
                try { _out.Dispose(); }
                finally { if (_tempPath != null) AtomicFile.TryDelete(_tempPath); }
            }
        }
    }
}
