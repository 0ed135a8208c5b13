using EventDeblur.Sync;
using System.Buffers.Binary;
using System.Text;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Hdf5;
using EventDeblur.Formats.Prophesee;
using EventDeblur.Recording;
using SharpFuzz;

namespace EventDeblur.Fuzz;

/// <summary>
/// Fuzzing targets for every reader. <c>TARGET</c> alone runs under afl-fuzz (SharpFuzz, input on
/// stdin); <c>TARGET --replay FILE...</c> runs inputs once in-process and exits 1 when any of them
/// throws an exception the reader does not document; <c>seeds DIR</c> writes small seed inputs
/// made by our own writer. Documented outcomes (<see cref="AedatFormatException"/>,
/// <see cref="BundleException"/>) are not crashes; everything else is.
/// </summary>
public static class Program
{
    /// <summary>Every target, in the order scripts/fuzz.sh runs them.</summary>
    public static readonly string[] Targets = ["aedat2", "aedat31", "aedat4", "bundle", "evt2", "evt3", "dat", "dvstream", "h5"];

    /// <summary>Separates recording.json from frames.csv in a bundle input.</summary>
    public const string BundleSeparator = "\n--frames.csv--\n";

    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "seeds") { Seeds.Write(args[1]); return 0; }
        if (args.Length < 1 || !Targets.Contains(args[0]))
        {
            Console.Error.WriteLine($"usage: EventDeblur.Fuzz {string.Join('|', Targets)} [--replay FILE...] | seeds DIR");
            return 2;
        }
        var target = Target(args[0]);
        if (args.Length >= 2 && args[1] == "--replay")
        {
            int crashes = 0;
            foreach (string file in args.Skip(2))
            {
                try { target(File.ReadAllBytes(file)); }
                catch (Exception e)
                {
                    crashes++;
                    Console.WriteLine($"CRASH {file}: {e}");
                }
            }
            Console.WriteLine($"{args.Length - 2} inputs replayed, {crashes} crashes");
            return crashes == 0 ? 0 : 1;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            target(ms.ToArray());
        });
        return 0;
    }

    /// <summary>The action for one target; it throws only on a crash.</summary>
    public static Action<byte[]> Target(string name) => name switch
    {
        "aedat2" => bytes => ReadAedat(bytes, Aedat2Reader.Open),
        "aedat31" => bytes => ReadAedat(bytes, Aedat31Reader.Open),
        "aedat4" => bytes => ReadAedat(bytes, Aedat4Reader.Open),
        "bundle" => ReadBundle,
        "evt2" => bytes => ReadProphesee(bytes, ".raw"),
        "evt3" => bytes => ReadProphesee(bytes, ".raw"),
        "dat" => bytes => ReadProphesee(bytes, ".dat"),
        "dvstream" => ReadDvStream,
        "h5" => ReadHdf5,
        _ => throw new ArgumentException(name),
    };

    private static string Scratch { get; } = CreateScratch();

    private static string CreateScratch()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string dir = Path.Combine(root, $"eventdeblur-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void ReadAedat(byte[] bytes, Func<string, AedatReaderOptions?, IAedatReader> open)
    {
        string path = Path.Combine(Scratch, "input.aedat");
        File.WriteAllBytes(path, bytes);
        IAedatReader reader;
        try { reader = open(path, null); }
        catch (AedatFormatException) { return; }
        using (reader) AedatSummary.Compute(reader);
        // The network-stream layout (no version line, not seekable) goes through the same reader.
        if (bytes.Length > 14 && bytes.AsSpan(0, 12).SequenceEqual("#!AER-DAT4.0"u8))
        {
            try
            {
                using var net = Aedat4Reader.OpenStream(new ForwardOnlyStream(bytes.AsMemory(14)), "fuzz://stream", hasVersionLine: false);
                AedatSummary.Compute(net);
            }
            catch (AedatFormatException) { }
        }
    }

    // EVT 2.0 / 3.0 and DAT go through the same entry point as `inspect` (the header picks the decoder);
    // the targets differ in their seeds, and DAT also in the extension (a DAT header is recognised by it).
    private static void ReadProphesee(byte[] bytes, string extension)
    {
        string path = Path.Combine(Scratch, "input" + extension);
        File.WriteAllBytes(path, bytes);
        PropheseeReader reader;
        try { reader = PropheseeReader.Open(path); }
        catch (AedatFormatException) { return; }
        using (reader) AedatSummary.Compute(reader);
    }

    // HDF5 event files (DSEC / h5_tools layouts) through the PureHDF-based reader, as `inspect` opens them.
    private static void ReadHdf5(byte[] bytes)
    {
        string path = Path.Combine(Scratch, "input.h5");
        File.WriteAllBytes(path, bytes);
        Hdf5EventReader reader;
        try { reader = Hdf5EventReader.Open(path); }
        catch (AedatFormatException) { return; }
        using (reader) AedatSummary.Compute(reader);
    }

    /// <summary>
    /// The DV network-stream client's parser as `live` runs it: the input is the bytes a DV server sends (AEDAT 4.0 stream
    /// layout, no version line), read through a non-seekable stream by <see cref="Aedat4Reader.OpenStream"/> exactly as
    /// <see cref="DvStreamClient"/> does, packet by packet to the end. Every packet must also satisfy what the client
    /// relies on when it dates packets for gap reports: events, triggers and IMU samples are never empty and come with
    /// their timestamps (an empty packet would make the client index past the end).
    /// </summary>
    private static void ReadDvStream(byte[] bytes)
    {
        try
        {
            using var net = Aedat4Reader.OpenStream(new ForwardOnlyStream(bytes), "fuzz://stream", hasVersionLine: false);
            while (net.TryRead(out var p))
            {
                switch (p)
                {
                    case EventsPacket e:
                        using (e.Events)
                            if (e.Events.Count == 0) throw new InvalidOperationException($"empty events packet at byte {e.ByteOffset}");
                        break;
                    case TriggersPacket tr when tr.Triggers.Length == 0:
                        throw new InvalidOperationException($"empty triggers packet at byte {tr.ByteOffset}");
                    case ImuPacket im when im.Samples.Length == 0:
                        throw new InvalidOperationException($"empty IMU packet at byte {im.ByteOffset}");
                }
            }
            _ = net.Problems.Count;
        }
        catch (AedatFormatException) { }
    }

    private static string? s_bundleEvents;

    private static void ReadBundle(byte[] bytes)
    {
        string dir = Path.Combine(Scratch, "bundle");
        if (s_bundleEvents == null)
        {
            Directory.CreateDirectory(Path.Combine(dir, "rgb"));
            Seeds.WriteEvents(Path.Combine(dir, "events.aedat4"), Aedat4Compression.Lz4, withTriggers: true);
            Seeds.WritePng16(Path.Combine(dir, "rgb", "000000.png"));
            File.Copy(Path.Combine(dir, "rgb", "000000.png"), Path.Combine(dir, "rgb", "000001.png"));
            s_bundleEvents = Path.Combine(dir, "events.aedat4");
        }
        string text = Encoding.UTF8.GetString(bytes);
        int cut = text.IndexOf(BundleSeparator, StringComparison.Ordinal);
        string manifest = cut < 0 ? text : text[..cut];
        string csv = cut < 0 ? "" : text[(cut + BundleSeparator.Length)..];
        File.WriteAllText(Path.Combine(dir, "recording.json"), manifest);
        File.WriteAllText(Path.Combine(dir, "rgb", "frames.csv"), csv);
        try
        {
            var bundle = RecordingBundle.Load(dir);
            bundle.ResolveExposures();
        }
        catch (BundleException) { }
    }

    /// <summary>A read-only, non-seekable stream, as a TCP connection is.</summary>
    private sealed class ForwardOnlyStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _pos;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, data.Length - _pos);
            data.Span.Slice(_pos, n).CopyTo(buffer.AsSpan(offset));
            _pos += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Small seed inputs made by our own writer (AEDAT 4.0) or built byte by byte (2.0, 3.1, bundles).</summary>
public static class Seeds
{
    public static void Write(string dir)
    {
        foreach (var t in Program.Targets) Directory.CreateDirectory(Path.Combine(dir, t));
        WriteEvents(Path.Combine(dir, "aedat4", "lz4.aedat4"), Aedat4Compression.Lz4, withTriggers: true);
        WriteEvents(Path.Combine(dir, "aedat4", "zstd.aedat4"), Aedat4Compression.Zstd, withTriggers: false);
        WriteEvents(Path.Combine(dir, "aedat4", "none.aedat4"), Aedat4Compression.None, withTriggers: true);
        File.WriteAllBytes(Path.Combine(dir, "aedat2", "davis240.aedat"), Aedat2());
        File.WriteAllBytes(Path.Combine(dir, "aedat31", "polarity.aedat"), Aedat31());
        File.WriteAllText(Path.Combine(dir, "bundle", "table.txt"), Bundle("table", 1000));
        File.WriteAllText(Path.Combine(dir, "bundle", "triggers.txt"), Bundle("triggers", 0));
        WriteRaw(Path.Combine(dir, "evt2", "evt2.raw"), AedatVersion.Evt2, vectorize: false);
        WriteRaw(Path.Combine(dir, "evt3", "evt3-vector.raw"), AedatVersion.Evt3, vectorize: true);
        WriteRaw(Path.Combine(dir, "evt3", "evt3-plain.raw"), AedatVersion.Evt3, vectorize: false);
        File.WriteAllBytes(Path.Combine(dir, "dat", "event2d.dat"), Dat(0x00));
        File.WriteAllBytes(Path.Combine(dir, "dat", "eventcd.dat"), Dat(0x0C));
        WriteHdf5(Path.Combine(dir, "h5", "dsec-gzip.h5"), dsec: true, gzip: true);
        WriteHdf5(Path.Combine(dir, "h5", "h5tools-plain.h5"), dsec: false, gzip: false);
        // The DV stream layout is the file's without its version line ("#!AER-DAT4.0\r\n", 14 bytes).
        foreach (var f in Directory.GetFiles(Path.Combine(dir, "aedat4")))
            File.WriteAllBytes(Path.Combine(dir, "dvstream", Path.GetFileNameWithoutExtension(f) + ".stream"), File.ReadAllBytes(f)[14..]);
    }

    /// <summary>A small HDF5 event file by PureHDF's writer: 300 events, DSEC (with t_offset and ms_to_idx) or h5_tools layout (float seconds).</summary>
    public static void WriteHdf5(string path, bool dsec, bool gzip)
    {
        const int n = 300;
        var t = Enumerable.Range(0, n).Select(i => (uint)(i * 17)).ToArray();
        var x = Enumerable.Range(0, n).Select(i => (ushort)(i * 7 % 64)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => (ushort)(i * 5 % 48)).ToArray();
        var p = Enumerable.Range(0, n).Select(i => (byte)(i % 2)).ToArray();
        PureHDF.H5Dataset Data<T>(T[] data) => gzip
            ? new PureHDF.H5Dataset(data, chunks: [(uint)Math.Min(128, data.Length)], datasetCreation: new PureHDF.VOL.Native.H5DatasetCreation(Filters: [PureHDF.Filters.DeflateFilter.Id]))
            : new PureHDF.H5Dataset(data);
        var file = dsec
            ? new PureHDF.H5File
            {
                ["events"] = new PureHDF.H5Group { ["x"] = Data(x), ["y"] = Data(y), ["t"] = Data(t), ["p"] = Data(p) },
                ["t_offset"] = 1_000_000L,
                ["ms_to_idx"] = Data(Enumerable.Range(0, 6).Select(k => (ulong)t.Count(v => v < k * 1000)).ToArray()),
            }
            : new PureHDF.H5File
            {
                ["events"] = new PureHDF.H5Group
                {
                    ["xs"] = Data(x.Select(v => (short)v).ToArray()), ["ys"] = Data(y.Select(v => (short)v).ToArray()),
                    ["ts"] = Data(t.Select(v => v * 1e-6).ToArray()), ["ps"] = Data(p),
                },
            };
        file.Attributes["sensor_resolution"] = new long[] { 48, 64 };
        file.Write(path);
    }

    /// <summary>A RAW file by our writer: 40 events with a run of same-row events (EVT 3.0 vectors), a time-high step and triggers.</summary>
    public static void WriteRaw(string path, AedatVersion encoding, bool vectorize)
    {
        const int n = 40;
        var t = new long[n];
        var x = new short[n];
        var y = new short[n];
        var p = new bool[n];
        for (int i = 0; i < n; i++)
        {
            // Events 0..7 share one time and row with ascending x (a vector run); later ones step across a time-high boundary.
            t[i] = i < 8 ? 4000 : 4000 + 700L * i;
            x[i] = (short)(i < 8 ? 2 + i : i % 16);
            y[i] = (short)(i < 8 ? 5 : i % 12);
            p[i] = i % 3 == 0;
        }
        using var w = PropheseeRawWriter.Create(path, new PropheseeRawWriterOptions { Encoding = encoding, Width = 16, Height = 12, Serial = "FUZZ0001", Vectorize = vectorize });
        w.WriteEvents(t, x, y, p);
        w.WriteTrigger(40_000, 0, true);
        w.WriteTrigger(41_000, 0, false);
    }

    private static byte[] Dat(byte eventType)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes("% Data file containing Event2d events.\n% Version 2\n% Date 2024-01-01 00:00:00\n% Width 16\n% Height 12\n"));
        ms.WriteByte(eventType);
        ms.WriteByte(8);
        var r = new byte[8];
        for (int i = 0; i < 24; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(r, (uint)(1000 + 250 * i));
            BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), (uint)(i % 16) | ((uint)(i % 12) << 14) | ((uint)(i % 2) << 28));
            ms.Write(r);
        }
        return ms.ToArray();
    }

    public static void WriteEvents(string path, Aedat4Compression compression, bool withTriggers)
    {
        const int n = 40;
        var t = new long[n];
        var x = new short[n];
        var y = new short[n];
        var p = new bool[n];
        for (int i = 0; i < n; i++) { t[i] = 1_000_000 + 500 * i; x[i] = (short)(i % 16); y[i] = (short)(i % 12); p[i] = i % 3 == 0; }
        using var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = 16, Height = 12, Compression = compression, MaxEventsPerPacket = 16 });
        w.WriteEvents(t, x, y, p);
        if (withTriggers)
        {
            w.WriteTriggers([new TriggerEvent(1_000_100, TriggerType.ExternalSignalRisingEdge), new TriggerEvent(1_010_000, TriggerType.ExternalSignalFallingEdge)]);
            w.WriteImu([new ImuSample(1_000_200, 30, 0.1f, 0.2f, 1, 3, 2, 1, 0, 0, 0)]);
            var px = new byte[4 * 3];
            for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 20);
            w.WriteFrame(new ApsFrame
            {
                TimestampUs = 1_005_000, StartOfFrameUs = 1_004_000, EndOfFrameUs = 1_006_000, StartOfExposureUs = 1_004_500, EndOfExposureUs = 1_005_500,
                Width = 4, Height = 3, Format = FramePixelFormat.Gray8, Pixels = px,
            });
        }
        w.Complete();
    }

    public static void WritePng16(string path)
    {
        using var img = new OpenCvSharp.Mat(4, 4, OpenCvSharp.MatType.CV_16UC3, new OpenCvSharp.Scalar(100, 200, 300));
        OpenCvSharp.Cv2.ImWrite(path, img);
    }

    private static byte[] Aedat2()
    {
        var ms = new MemoryStream();
        ms.Write("#!AER-DAT2.0\r\n# This is a raw AE data file\r\n# AEChip: eu.seebetter.ini.chips.davis.DAVIS240C\r\n"u8);
        Span<byte> r = stackalloc byte[8];
        for (int i = 0; i < 24; i++)
        {
            uint address = ((uint)(i % 180) << 22) | ((uint)(i * 7 % 240) << 12) | (i % 2 == 0 ? 0x800u : 0);
            if (i == 20) address = 0x80000000u | (1u << 10); // an APS/IMU-class word
            BinaryPrimitives.WriteUInt32BigEndian(r, address);
            BinaryPrimitives.WriteInt32BigEndian(r[4..], 1000 + 10 * i);
            ms.Write(r);
        }
        return ms.ToArray();
    }

    private static byte[] Aedat31()
    {
        var ms = new MemoryStream();
        ms.Write("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DAVIS346B\r\n#!END-HEADER\r\n"u8);
        foreach (short type in new short[] { 1, 0 })
        {
            const int count = 8;
            var h = new byte[28];
            BinaryPrimitives.WriteInt16LittleEndian(h, type);
            BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(2), 1);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), 8);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), 4);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), count);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), count);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(24), count);
            ms.Write(h);
            for (int i = 0; i < count; i++)
            {
                var e = new byte[8];
                uint data = type == 1 ? 1u | (i % 2 == 0 ? 2u : 0) | ((uint)i << 2) | ((uint)(3 * i) << 17) : 1u | (2u << 1);
                BinaryPrimitives.WriteUInt32LittleEndian(e, data);
                BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(4), 100 * i);
                ms.Write(e);
            }
        }
        return ms.ToArray();
    }

    private static string Bundle(string sync, long offset) =>
        $$"""
        {
          "format": "eventdeblur-recording/1",
          "events": { "file": "events.aedat4", "width": 16, "height": 12, "camera": "DAVIS346" },
          "rgb": { "frames": "rgb/frames.csv", "width": 4, "height": 4, "encoding": "gamma:2.2",
                   "black_level": 0, "white_level": 65535, "saturation_level": 65000 },
          "sync": { "source": "{{sync}}", "clock_offset_us": {{offset}} },
          "calibration": { "rgb_to_events_homography": [[1,0,0],[0,1,0],[0,0,1]] },
          "ground_truth": { "kernels": "gt/kernels" }
        }
        """ + Program.BundleSeparator + "index,file,exposure_start_us,exposure_end_us\n0,000000.png,999000,1004000\n1,000001.png,1010000,1015000\n";
}
