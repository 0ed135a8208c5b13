using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using Parquet;
using Parquet.Schema;

namespace EventDeblur.Formats;

/// <summary>Converts any readable AEDAT file to AEDAT 4.0 or to Parquet tables, streaming packet by packet.</summary>
public static class AedatConverter
{
    private static ReadOnlyMemory<T> AsReadOnly<T>(this T[] array) => array;

    /// <summary>What became of a colour DAVIS's raw mosaic frames in an AEDAT 4.0 file, whose frames state no colour filter.</summary>
    private static IEnumerable<Problem> MosaicProblems(string path, (Events.ColorFilter Filter, long Offset)? first, long demosaiced, long kept)
    {
        if (first is not var (filter, at)) yield break;
        string name = filter == Events.ColorFilter.UnknownMosaic ? "a colour filter the file does not state" : $"a {filter.ToString().ToUpperInvariant()} colour filter";
        if (demosaiced > 0)
            yield return new Problem(path, at, ProblemSeverity.Note, $"{demosaiced:N0} APS frame(s), the first here, are a colour DAVIS's raw mosaic under {name}: written demosaiced as BGR frames, since the output's frames state no colour filter");
        if (kept > 0)
            yield return new Problem(path, at, ProblemSeverity.Error, $"{kept:N0} APS frame(s), the first here, are a colour DAVIS's raw mosaic under {name}, which cannot be demosaiced: written as one-channel frames, which readers of the output (this tool's too) will take as grey images");
    }

    /// <summary>The trigger with the external input's rising and falling edges swapped (other kinds as they are).</summary>
    internal static Events.TriggerEvent Inverted(Events.TriggerEvent t) => t.Type switch
    {
        Events.TriggerType.ExternalSignalRisingEdge => t with { Type = Events.TriggerType.ExternalSignalFallingEdge },
        Events.TriggerType.ExternalSignalFallingEdge => t with { Type = Events.TriggerType.ExternalSignalRisingEdge },
        _ => t,
    };

    /// <summary>
    /// Writes every stream of <paramref name="reader"/> to an AEDAT 4.0 file at <paramref name="outPath"/>.
    /// <paramref name="width"/>/<paramref name="height"/> (pixels) override or supply the sensor size when the input does not state one.
    /// Events going back in time or outside the sensor are dropped and counted in the result (see <see cref="EventSanitizer"/>).
    /// With <paramref name="invertExternalSignal"/> the external input's rising and falling edges trade places (an RGB
    /// camera whose exposure output is active-low: its exposures then read as rising → falling edges, as
    /// RECORDING_FORMAT.md has them); other trigger kinds are kept. With <paramref name="triggerStream"/> only the triggers
    /// of that stream id are written (a Prophesee file's EXT_TRIGGER channel c is stream 1 + c); the result counts those
    /// read per stream either way.
    /// </summary>
    /// <exception cref="ArgumentException">The sensor size is unknown and not supplied.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (checked per packet); nothing is left at <paramref name="outPath"/>.</exception>
    public static ConversionResult ToAedat4(IAedatReader reader, string outPath, Aedat4Compression compression, int? width = null, int? height = null, CancellationToken ct = default,
        bool invertExternalSignal = false, int? triggerStream = null)
    {
        var triggersByStream = new Dictionary<int, long>();
        int w = width ?? reader.Info.Width, h = height ?? reader.Info.Height;
        if (w <= 0 || h <= 0)
            throw new ArgumentException($"{reader.Info.FilePath}: the sensor size is not stated in the file; pass --width and --height");
        var options = new Aedat4WriterOptions
        {
            Width = w, Height = h, Compression = compression, Source = reader.Info.Camera.Length > 0 ? reader.Info.Camera : "EventDeblur",
            Streams = StreamsToDeclare(reader),
        };
        long events = 0, frames = 0, triggers = 0, imu = 0, demosaiced = 0, keptMosaic = 0;
        (Events.ColorFilter Filter, long Offset)? mosaicFilter = null;
        var sanitizer = new EventSanitizer(w, h);
        var declaredKinds = options.Streams!.Select(d => d.Kind).ToHashSet();
        var undeclared = new Dictionary<AedatStreamKind, (long Packets, long Offset)>();
        using (var writer = Aedat4Writer.Create(outPath, options))
        {
            while (reader.TryRead(out var packet))
            {
                if (ct.IsCancellationRequested)
                {
                    if (packet is EventsPacket cancelled) cancelled.Events.Dispose();
                    ct.ThrowIfCancellationRequested();
                }
                var kind = packet switch { EventsPacket => AedatStreamKind.Events, FramePacket => AedatStreamKind.Frames, ImuPacket => AedatStreamKind.Imu, TriggersPacket => AedatStreamKind.Triggers, _ => AedatStreamKind.Other };
                if (kind != AedatStreamKind.Other && !declaredKinds.Contains(kind))
                {
                    undeclared[kind] = undeclared.TryGetValue(kind, out var u) ? (u.Packets + 1, u.Offset) : (1, packet!.ByteOffset);
                    if (packet is EventsPacket skipped) skipped.Events.Dispose();
                    continue;
                }
                switch (packet)
                {
                    case EventsPacket ep:
                        using (ep.Events)
                        {
                            sanitizer.Filter(ep.Events, ep.ByteOffset);
                            if (ep.Events.Count > 0) writer.WriteEvents(ep.Events);
                            events += ep.Events.Count;
                        }
                        break;
                    case FramePacket fp:
                        var frame = fp.Frame;
                        // AEDAT 4.0 frames state no colour filter: a colour DAVIS's raw mosaic is written demosaiced (BGR), as DV
                        // writes such a camera's frames; one whose layout is not known stays a mosaic, said as an error below.
                        if (Aedat.ApsMosaic.IsMosaic(frame))
                        {
                            mosaicFilter ??= (frame.ColorFilter, fp.ByteOffset);
                            try { frame = Aedat.ApsMosaic.ForConversion(frame); demosaiced++; }
                            catch (NotSupportedException) { keptMosaic++; }
                        }
                        writer.WriteFrame(frame);
                        frames++;
                        break;
                    case TriggersPacket tp:
                        triggersByStream[tp.StreamId] = triggersByStream.GetValueOrDefault(tp.StreamId) + tp.Triggers.Length;
                        // One trigger channel kept (a rig whose second channel carries a strobe or a PPS, not the exposures).
                        if (triggerStream is int only && tp.StreamId != only) break;
                        writer.WriteTriggers(invertExternalSignal ? Array.ConvertAll(tp.Triggers, Inverted) : tp.Triggers);
                        triggers += tp.Triggers.Length;
                        break;
                    case ImuPacket ip: writer.WriteImu(ip.Samples); imu += ip.Samples.Length; break;
                }
            }
            using (var rest = EventBatch.Rent(256))
            {
                sanitizer.Flush(rest);
                if (rest.Count > 0) writer.WriteEvents(rest);
                events += rest.Count;
            }
            writer.Complete();
        }
        // The FileDataTable against the packets read (and bytes after it: a second recording joined with cat), as inspect checks it.
        if (reader is Aedat.Aedat4Reader a4) a4.VerifyDataTable();
        var problems = reader.Problems.Concat(undeclared.Select(u => new Problem(reader.Info.FilePath, u.Value.Offset, ProblemSeverity.Error,
            $"{u.Value.Packets} {u.Key} packet(s), the first here, belong to no {u.Key} stream declared in the header (expected the infoNode to declare every stream); left out of the output")))
            .Concat(OutsideGivenSize(reader, sanitizer, width, height, w, h))
            .Concat(MosaicProblems(reader.Info.FilePath, mosaicFilter, demosaiced, keptMosaic)).ToList();
        return new ConversionResult(events, frames, triggers, imu, [Path.GetFullPath(outPath)], problems)
        {
            DroppedBackward = sanitizer.Backward,
            DroppedOutOfRange = sanitizer.OutOfRange,
            DroppedJumpedForward = sanitizer.JumpedForward,
            TriggersByStream = triggersByStream,
        };
    }

    /// <summary>
    /// Events outside a sensor size given by the caller (--width/--height) where the file states none: the reader could not
    /// report them, so the first is named here, with the byte offset of its packet, and the rest counted; empty otherwise.
    /// </summary>
    private static IEnumerable<Problem> OutsideGivenSize(IAedatReader reader, EventSanitizer sanitizer, int? width, int? height, int w, int h)
    {
        if (width == null || height == null || sanitizer.FirstOutOfRange is not { } f) yield break;
        yield return new Problem(reader.Info.FilePath, ProblemLocation.AtByte(f.At), ProblemSeverity.Error,
            $"{sanitizer.OutOfRange:N0} event(s) lie outside the {w}×{h} sensor given by --width/--height and were dropped; the first at ({f.X}, {f.Y}), {f.T} µs, in the packet starting here (a damaged event, or a size too small for this camera)");
    }

    /// <summary>
    /// The streams an AEDAT 4.0 output declares (DV interop: a DV client that stops when any declared
    /// stream ends must not wait on streams that never come). An AEDAT 4.0 input: its own declared
    /// streams of the four kinds written, with their ids, names, tsOffset and source (the first stream
    /// of each kind, for events the one the reader reads; packets of a kind go to that stream; packets of a kind the header does not declare
    /// are left out and reported, as the header is not read twice). Other inputs, whose streams are implicit:
    /// the kinds that hold data, found by one more streaming pass over the file, with the standard ids
    /// and names (0 events, 1 frames, 2 imu, 3 triggers).
    /// </summary>
    internal static IReadOnlyList<Aedat4StreamDeclaration> StreamsToDeclare(IAedatReader reader)
    {
        var info = reader.Info;
        if (info.Version == AedatVersion.Aedat4)
        {
            // The event stream the reader delivers (one of several: --event-stream), else the first of each kind.
            int? events = (reader as Aedat4Reader)?.EventStreamId;
            var declared = info.Streams
                .Where(s => s.Kind != AedatStreamKind.Other)
                .GroupBy(s => s.Kind).Select(g => g.OrderBy(s => s.Kind == AedatStreamKind.Events && s.Id == events ? 0 : 1).ThenBy(s => s.Id).First())
                .OrderBy(s => s.Id)
                .Select(s => new Aedat4StreamDeclaration(s.Id, s.Kind, s.Name.Length > 0 ? s.Name : StandardName(s.Kind), s.TsOffsetUs ?? 0, s.Source.Length > 0 ? s.Source : null))
                .ToList();
            // A file with no declared event stream still gets one (every output declares events).
            if (declared.All(d => d.Kind != AedatStreamKind.Events))
                declared.Add(new Aedat4StreamDeclaration(FreeId(declared, AedatStreamKind.Events), AedatStreamKind.Events, StandardName(AedatStreamKind.Events)));
            return declared;
        }
        var kinds = KindsWithData(info.FilePath);
        return Aedat4StreamDeclaration.Standard.Where(d => kinds.Contains(d.Kind) || d.Kind == AedatStreamKind.Events).ToList();
    }

    private static string StandardName(AedatStreamKind kind) => Aedat4StreamDeclaration.Standard.First(d => d.Kind == kind).Name;

    private static int FreeId(List<Aedat4StreamDeclaration> declared, AedatStreamKind kind)
    {
        int id = Aedat4StreamDeclaration.Standard.First(d => d.Kind == kind).Id;
        while (declared.Any(d => d.Id == id)) id++;
        return id;
    }

    /// <summary>The kinds of data <paramref name="path"/> holds (one streaming pass).</summary>
    private static HashSet<AedatStreamKind> KindsWithData(string path)
    {
        var kinds = new HashSet<AedatStreamKind>();
        using var scan = Prophesee.EventFile.Open(path);
        while (scan.TryRead(out var p))
        {
            switch (p)
            {
                case EventsPacket ep: ep.Events.Dispose(); kinds.Add(AedatStreamKind.Events); break;
                case FramePacket: kinds.Add(AedatStreamKind.Frames); break;
                case ImuPacket: kinds.Add(AedatStreamKind.Imu); break;
                case TriggersPacket: kinds.Add(AedatStreamKind.Triggers); break;
            }
        }
        return kinds;
    }

    /// <summary>
    /// Renames a set of finished temporary tables to their final names, the events table (the first pair) last. An old
    /// set (--force) is first moved aside to temporary names, so that a run killed in between leaves a set without its
    /// events table — plainly incomplete — and never new tables beside old ones that each look whole (stop 40's convert
    /// trial killed one between two renames). When a rename fails, the new tables already in place are removed and the
    /// old set is moved back, so a failed replacement loses nothing; the old tables are deleted only once the new set is
    /// complete.
    /// </summary>
    /// <exception cref="IOException">A rename failed (the old set is back in place).</exception>
    internal static void CommitSet(IReadOnlyList<(string Temp, string Final)> temps)
    {
        var aside = new List<(string Backup, string Final)>();
        var placed = new List<string>();
        try
        {
            foreach (var (_, final) in temps)
            {
                if (!File.Exists(final)) continue;
                string backup = AtomicFile.TempPathFor(final);
                File.Move(final, backup);
                aside.Add((backup, final));
            }
            foreach (var (tmp, final) in temps.Skip(1).Append(temps[0]))
            {
                AtomicFile.Commit(tmp, final);
                placed.Add(final);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var final in placed) AtomicFile.TryDelete(final);
            var lost = new List<string>();
            foreach (var (backup, final) in aside)
            {
                try { File.Move(backup, final); }
                catch (Exception r) when (r is IOException or UnauthorizedAccessException) { lost.Add($"{final} (kept as {backup}: {r.Message})"); }
            }
            if (lost.Count > 0) throw new IOException($"{e.Message}; and the old tables could not all be moved back: {string.Join("; ", lost)}", e);
            throw;
        }
        foreach (var (backup, _) in aside) AtomicFile.TryDelete(backup);
    }

    /// <summary>
    /// Writes events to <paramref name="outPath"/> as Parquet (columns t int64 µs, x int16, y int16,
    /// p bool = ON) in row groups of <paramref name="rowGroupRows"/>; frames, triggers and IMU
    /// samples, when present, go to sibling files <c>NAME.frames.parquet</c>, <c>NAME.triggers.parquet</c>,
    /// <c>NAME.imu.parquet</c>. Every file is written atomically. Events going back in time or outside
    /// the sensor (stated by the input, or <paramref name="width"/> × <paramref name="height"/> pixels) are dropped and counted in the result.
    /// The side files are written even when the input has none of their kind (zero rows, same schema), and every
    /// file carries <see cref="ParquetMetadata"/>: table, sensor size, camera, source file and its SHA-256, time unit (µs)
    /// and origin (the source's own clock), tool version.
    /// </summary>
    public static async Task<ConversionResult> ToParquetAsync(IAedatReader reader, string outPath, int rowGroupRows = 1 << 20, CancellationToken ct = default, int? width = null, int? height = null)
    {
        int sensorW = width ?? reader.Info.Width, sensorH = height ?? reader.Info.Height;
        var provenance = new Dictionary<string, string>
        {
            [ParquetMetadata.CameraKey] = reader.Info.Camera,
            [ParquetMetadata.SourceFileKey] = Path.GetFullPath(reader.Info.FilePath),
            [ParquetMetadata.SourceSha256Key] = ParquetMetadata.Sha256OfFile(reader.Info.FilePath),
            [ParquetMetadata.TimeOriginKey] = "the source file's own clock: timestamps as recorded in source_file, not shifted",
            ["source_format"] = reader.Info.Version.DisplayName(),
        };
        // A source that states no sensor size (e.g. a DAT file without geometry) leaves the keys out: "0" read as a size.
        if (sensorW > 0 && sensorH > 0)
        {
            provenance[ParquetMetadata.SensorWidthKey] = sensorW.ToString(System.Globalization.CultureInfo.InvariantCulture);
            provenance[ParquetMetadata.SensorHeightKey] = sensorH.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        Dictionary<string, string> Metadata(string table)
        {
            var m = ParquetMetadata.Base(table);
            foreach (var (k, v) in provenance) m[k] = v;
            return m;
        }
        string stem = outPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? outPath[..^8] : outPath;
        var outputs = new List<string>();
        var temps = new List<(string Temp, string Final)>();
        long events = 0, frameCount = 0;
        var triggers = new List<Events.TriggerEvent>();
        var imu = new List<Events.ImuSample>();
        var sanitizer = new EventSanitizer(sensorW, sensorH);

        string eventsTmp = AtomicFile.TempPathFor(outPath);
        temps.Add((eventsTmp, outPath));
        FrameTableWriter? frameWriter = null;
        long demosaiced = 0, keptMosaic = 0;
        (Events.ColorFilter Filter, long Offset)? mosaicFilter = null;
        try
        {
            await using (var fs = new FileStream(eventsTmp, FileMode.CreateNew))
            await using (var pw = await EventsParquet.CreateWriterAsync(fs, Metadata(EventsParquet.TableName), ct))
            {
                var t = new long[rowGroupRows];
                var x = new short[rowGroupRows];
                var y = new short[rowGroupRows];
                var p = new bool[rowGroupRows];
                int n = 0;
                async Task FlushAsync()
                {
                    if (n == 0) return;
                    await pw.WriteRowGroupAsync(t.AsMemory(0, n), x.AsMemory(0, n), y.AsMemory(0, n), p.AsMemory(0, n), ct);
                    n = 0;
                }
                while (reader.TryRead(out var packet))
                {
                    ct.ThrowIfCancellationRequested();
                    switch (packet)
                    {
                        case EventsPacket ep:
                            using (var b = ep.Events)
                            {
                                sanitizer.Filter(b, ep.ByteOffset);
                                int done = 0;
                                while (done < b.Count)
                                {
                                    int k = Math.Min(rowGroupRows - n, b.Count - done);
                                    b.Timestamps.Slice(done, k).CopyTo(t.AsSpan(n));
                                    b.Xs.Slice(done, k).CopyTo(x.AsSpan(n));
                                    b.Ys.Slice(done, k).CopyTo(y.AsSpan(n));
                                    b.Polarities.Slice(done, k).CopyTo(p.AsSpan(n));
                                    n += k;
                                    done += k;
                                    events += k;
                                    if (n == rowGroupRows) await FlushAsync();
                                }
                            }
                            break;
                        case FramePacket fp:
                            frameWriter ??= await CreateFrameWriterAsync();
                            // As ToAedat4 writes them: Parquet's frame table states no colour filter or full scale either.
                            var pf = fp.Frame;
                            if (Aedat.ApsMosaic.IsMosaic(pf))
                            {
                                mosaicFilter ??= (pf.ColorFilter, fp.ByteOffset);
                                try { pf = Aedat.ApsMosaic.ForConversion(pf); demosaiced++; }
                                catch (NotSupportedException) { keptMosaic++; }
                            }
                            await frameWriter.AddAsync(pf, ct);
                            frameCount++;
                            break;
                        case TriggersPacket tp: triggers.AddRange(tp.Triggers); break;
                        case ImuPacket ip: imu.AddRange(ip.Samples); break;
                    }
                }
                using (var rest = EventBatch.Rent(256))
                {
                    sanitizer.Flush(rest);
                    for (int i = 0; i < rest.Count; i++)
                    {
                        t[n] = rest.Timestamps[i]; x[n] = rest.Xs[i]; y[n] = rest.Ys[i]; p[n] = rest.Polarities[i];
                        n++;
                        events++;
                        if (n == rowGroupRows) await FlushAsync();
                    }
                }
                await FlushAsync();
            }
            frameWriter ??= await CreateFrameWriterAsync();
            await frameWriter.DisposeAsync();
            frameWriter = null;

            {
                string final = stem + ".triggers.parquet", tmp = AtomicFile.TempPathFor(final);
                temps.Add((tmp, final));
                await WriteTriggersAsync(tmp, triggers, Metadata("triggers"), ct);
            }
            {
                string final = stem + ".imu.parquet", tmp = AtomicFile.TempPathFor(final);
                temps.Add((tmp, final));
                await WriteImuAsync(tmp, imu, Metadata("imu"), ct);
            }
            CommitSet(temps);
            outputs.AddRange(temps.Select(x => Path.GetFullPath(x.Final)));
        }
        catch
        {
            if (frameWriter != null) await frameWriter.DisposeAsync();
            foreach (var (tmp, _) in temps) AtomicFile.TryDelete(tmp);
            throw;
        }
        if (reader is Aedat.Aedat4Reader table) table.VerifyDataTable();
        return new ConversionResult(events, frameCount, triggers.Count, imu.Count, outputs, reader.Problems.Concat(OutsideGivenSize(reader, sanitizer, width, height, sensorW, sensorH))
            .Concat(MosaicProblems(reader.Info.FilePath, mosaicFilter, demosaiced, keptMosaic)).ToList())
        {
            DroppedBackward = sanitizer.Backward,
            DroppedOutOfRange = sanitizer.OutOfRange,
            DroppedJumpedForward = sanitizer.JumpedForward,
        };

        async Task<FrameTableWriter> CreateFrameWriterAsync()
        {
            string final = stem + ".frames.parquet";
            string tmp = AtomicFile.TempPathFor(final);
            temps.Add((tmp, final));
            return await FrameTableWriter.CreateAsync(tmp, Metadata("aps_frames"), ct);
        }
    }

    private static async Task WriteTriggersAsync(string path, List<Events.TriggerEvent> triggers, Dictionary<string, string> metadata, CancellationToken ct)
    {
        var tf = new DataField<long>("t");
        var kf = new DataField<int>("type");
        var nf = new DataField<string>("type_name");
        await using var fs = new FileStream(path, FileMode.CreateNew);
        await using var pw = await ParquetWriter.CreateAsync(new ParquetSchema(tf, kf, nf), fs, cancellationToken: ct);
        pw.CustomMetadata = metadata;
        using var rg = pw.CreateRowGroup();
        await rg.WriteAsync(tf, triggers.Select(t => t.TimestampUs).ToArray().AsReadOnly(), cancellationToken: ct);
        await rg.WriteAsync(kf, triggers.Select(t => (int)t.Type).ToArray().AsReadOnly(), cancellationToken: ct);
        await rg.WriteAsync(nf, triggers.Select(t => t.Type.ToString()).ToArray());
    }

    private static async Task WriteImuAsync(string path, List<Events.ImuSample> imu, Dictionary<string, string> metadata, CancellationToken ct)
    {
        var tf = new DataField<long>("t");
        string[] names = ["temperature_c", "accel_x_g", "accel_y_g", "accel_z_g", "gyro_x_dps", "gyro_y_dps", "gyro_z_dps", "mag_x_ut", "mag_y_ut", "mag_z_ut"];
        var fields = names.Select(n => new DataField<float>(n)).ToArray();
        Func<Events.ImuSample, float>[] get =
        [
            s => s.TemperatureC, s => s.AccelX, s => s.AccelY, s => s.AccelZ, s => s.GyroX, s => s.GyroY, s => s.GyroZ, s => s.MagX, s => s.MagY, s => s.MagZ,
        ];
        await using var fs = new FileStream(path, FileMode.CreateNew);
        await using var pw = await ParquetWriter.CreateAsync(new ParquetSchema([tf, .. fields]), fs, cancellationToken: ct);
        pw.CustomMetadata = metadata;
        using var rg = pw.CreateRowGroup();
        await rg.WriteAsync(tf, imu.Select(s => s.TimestampUs).ToArray().AsReadOnly(), cancellationToken: ct);
        for (int i = 0; i < fields.Length; i++)
            await rg.WriteAsync(fields[i], imu.Select(get[i]).ToArray().AsReadOnly(), cancellationToken: ct);
    }

    /// <summary>Frames as rows (times in µs, size, format, raw pixels), in row groups of a few frames to bound memory.</summary>
    private sealed class FrameTableWriter : IAsyncDisposable
    {
        private const int FramesPerGroup = 32;
        private static readonly DataField<long> T = new("t"), Sof = new("start_of_frame_us"), Eof = new("end_of_frame_us"), Soe = new("start_of_exposure_us"), Eoe = new("end_of_exposure_us");
        private static readonly DataField<int> W = new("width"), H = new("height"), Px = new("position_x"), Py = new("position_y");
        private static readonly DataField<string> Fmt = new("format");
        private static readonly DataField<byte[]> Pix = new("pixels");
        private readonly FileStream _fs;
        private readonly ParquetWriter _pw;
        private readonly List<Events.ApsFrame> _pending = [];

        private FrameTableWriter(FileStream fs, ParquetWriter pw) { _fs = fs; _pw = pw; }

        public static async Task<FrameTableWriter> CreateAsync(string path, Dictionary<string, string> metadata, CancellationToken ct)
        {
            var fs = new FileStream(path, FileMode.CreateNew);
            var pw = await ParquetWriter.CreateAsync(new ParquetSchema(T, Sof, Eof, Soe, Eoe, W, H, Px, Py, Fmt, Pix), fs, cancellationToken: ct);
            pw.CustomMetadata = metadata;
            return new FrameTableWriter(fs, pw);
        }

        public async Task AddAsync(Events.ApsFrame f, CancellationToken ct)
        {
            _pending.Add(f);
            if (_pending.Count >= FramesPerGroup) await FlushAsync(ct);
        }

        private async Task FlushAsync(CancellationToken ct)
        {
            if (_pending.Count == 0) return;
            using var rg = _pw.CreateRowGroup();
            await rg.WriteAsync(T, _pending.Select(f => f.TimestampUs).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Sof, _pending.Select(f => f.StartOfFrameUs).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Eof, _pending.Select(f => f.EndOfFrameUs).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Soe, _pending.Select(f => f.StartOfExposureUs).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Eoe, _pending.Select(f => f.EndOfExposureUs).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(W, _pending.Select(f => f.Width).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(H, _pending.Select(f => f.Height).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Px, _pending.Select(f => f.PositionX).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Py, _pending.Select(f => f.PositionY).ToArray().AsReadOnly(), cancellationToken: ct);
            await rg.WriteAsync(Fmt, _pending.Select(f => f.Format.ToString()).ToArray());
            await rg.WriteAsync(Pix, _pending.Select(f => f.Pixels).ToArray());
            _pending.Clear();
        }

        public async ValueTask DisposeAsync()
        {
            await FlushAsync(CancellationToken.None);
            await _pw.DisposeAsync();
            await _fs.DisposeAsync();
        }
    }
}
