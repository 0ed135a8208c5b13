using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EventDeblur.Formats.Aedat;
using K4os.Compression.LZ4.Streams;

namespace EventDeblur.Benchmarks;

/// <summary>
/// AEDAT 4.0 decode throughput, LZ4, on a generated 50 M-event file: the reader with its read-ahead
/// thread (the default) and on one thread, and <c>inspect</c>'s work (decode + count + canonical
/// SHA-256) both ways. The in-process peer is K4os's LZ4 frame decoder alone over the same packets:
/// the floor any AEDAT 4.0 reader built on it pays before turning a single byte into events. The
/// whole-process comparison with aestream's C++ reader is <c>tools/bench-aedat4-peer.sh</c>.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1));
    }

    /// <summary>Events in the generated file.</summary>
    public const long Events = 50_000_000;

    private string _path = "";

    /// <summary>Generates the input once.</summary>
    [GlobalSetup]
    public void Setup() => _path = BenchData.Ensure(Events);

    /// <summary>Our reader: packets → struct-of-arrays event batches (read-ahead on a second thread, the default).</summary>
    [Benchmark]
    public long EventDeblurAedat4Reader()
    {
        long n = 0;
        using var reader = Aedat4Reader.Open(_path, new AedatReaderOptions { DecodeFrames = false });
        while (reader.TryRead(out var p))
            if (p is EventsPacket e) using (e.Events) n += e.Events.Count;
        return n;
    }

    /// <summary>Our reader with every packet read and decoded on the caller's thread (no read-ahead).</summary>
    [Benchmark]
    public long EventDeblurAedat4ReaderOneThread()
    {
        long n = 0;
        using var reader = Aedat4Reader.Open(_path, new AedatReaderOptions { DecodeFrames = false, Limits = new ReaderLimits { PrefetchPackets = 0 } });
        while (reader.TryRead(out var p))
            if (p is EventsPacket e) using (e.Events) n += e.Events.Count;
        return n;
    }

    /// <summary>
    /// The trigger-sync pass of a replay (<see cref="AedatReaderOptions.DecodeEvents"/> off): triggers, frames and IMU
    /// are read, event packets stepped over unread. Compare with <see cref="EventDeblurAedat4Reader"/>, what the
    /// same pass cost when it decoded every event.
    /// </summary>
    [Benchmark]
    public long EventDeblurTriggerPassSteppingOverEvents()
    {
        long n = 0;
        using var reader = Aedat4Reader.Open(_path, new AedatReaderOptions { DecodeFrames = false, DecodeEvents = false });
        while (reader.TryRead(out var p))
            if (p is TriggersPacket t) n += t.Triggers.Length;
        return n;
    }

    /// <summary>What <c>inspect</c> does (decode, count, canonical SHA-256), with the read-ahead thread decoding while this one hashes.</summary>
    [Benchmark]
    public long EventDeblurSummaryReadAhead() => AedatSummary.Compute(_path).EventCount;

    /// <summary>What <c>inspect</c> does, all on the caller's thread.</summary>
    [Benchmark]
    public long EventDeblurSummaryOneThread() =>
        AedatSummary.Compute(_path, new AedatReaderOptions { Limits = new ReaderLimits { PrefetchPackets = 0 } }).EventCount;

    /// <summary>Our reader forced onto the managed K4os LZ4 decoder (the fallback when liblz4 is absent).</summary>
    [Benchmark]
    public long EventDeblurAedat4ReaderManagedLz4()
    {
        long n = 0;
        using var reader = Aedat4Reader.Open(_path, new AedatReaderOptions { DecodeFrames = false, UseSystemLz4 = false });
        while (reader.TryRead(out var p))
            if (p is EventsPacket e) using (e.Events) n += e.Events.Count;
        return n;
    }

    /// <summary>Peer: walk the packets and LZ4-decompress each body with K4os, decoding nothing.</summary>
    [Benchmark(Baseline = true)]
    public long K4osLz4FrameDecodeOnly()
    {
        long bytes = 0;
        var output = new ArrayBufferWriter<byte>(1 << 20);
        using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var head = new byte[18];
        fs.ReadExactly(head);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(14));
        var header = new byte[headerSize];
        fs.ReadExactly(header);
        var ph = new byte[8];
        var body = new byte[1 << 20];
        long tableAt = ReadTablePosition(header);
        while (fs.Position < tableAt)
        {
            fs.ReadExactly(ph);
            int size = BinaryPrimitives.ReadInt32LittleEndian(ph.AsSpan(4));
            if (body.Length < size) body = new byte[size];
            fs.ReadExactly(body, 0, size);
            output.ResetWrittenCount();
            LZ4Frame.Decode(body.AsSpan(0, size), output);
            bytes += output.WrittenCount;
        }
        return bytes;
    }

    private static long ReadTablePosition(byte[] header)
    {
        // IOHeader field 1 (dataTablePosition) through the flatbuffer vtable.
        int root = BinaryPrimitives.ReadInt32LittleEndian(header);
        int vtable = root - BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(root));
        int off = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(vtable + 6));
        return BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(root + off));
    }
}
