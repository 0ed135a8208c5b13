using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;

namespace EventDeblur.Benchmarks;

/// <summary>
/// Prophesee RAW decode throughput, single thread, on the largest real file in
/// ../shared/recordings/real/prophesee (EVT 2.0, 2.17 MB, 539 481 events; override with
/// EVENTDEBLUR_PROPHESEE_FILE), read from the page cache. Peers in the same run: reading the file
/// into memory through the same 256 KiB buffer with nothing decoded (the I/O floor), and a bare
/// EVT 2.0 loop over the bytes already in memory that only sums fields (no batches, no checks).
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class PropheseeDecodeBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1));
    }

    private string _path = "";

    /// <summary>The file measured (set by <see cref="Setup"/>).</summary>
    public string FilePath => _path;
    private byte[] _bytes = [];
    private int _payload;

    /// <summary>Finds the file and loads a copy for the in-memory peer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _path = Environment.GetEnvironmentVariable("EVENTDEBLUR_PROPHESEE_FILE") is { Length: > 0 } p
            ? p
            : Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared", "recordings", "real", "prophesee", "evt2", "expelliarmus_evt2_sample_gen3vga.raw"));
        _bytes = File.ReadAllBytes(_path);
        using var r = PropheseeReader.Open(_path);
        _payload = (int)r.Info.DataStartOffset;
    }

    /// <summary>Our reader: words → struct-of-arrays event batches, with every check.</summary>
    [Benchmark]
    public long EventDeblurPropheseeReader()
    {
        long n = 0;
        using var reader = PropheseeReader.Open(_path);
        while (reader.TryRead(out var p))
            if (p is EventsPacket e) using (e.Events) n += e.Events.Count;
        return n;
    }

    /// <summary>Peer: the file read through a 256 KiB buffer, nothing decoded.</summary>
    [Benchmark(Baseline = true)]
    public long PlainReadNothingDecoded()
    {
        long total = 0;
        var buf = new byte[PropheseeReader.ChunkBytes];
        using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        int got;
        while ((got = fs.Read(buf)) > 0) total += got;
        return total;
    }

    /// <summary>Peer: a bare EVT 2.0 loop over the bytes already in memory (fields summed, nothing stored or checked).</summary>
    [Benchmark]
    public long BareEvt2LoopInMemory()
    {
        long sum = 0, high = 0, count = 0;
        var span = _bytes.AsSpan(_payload);
        for (int i = 0; i + 4 <= span.Length; i += 4)
        {
            uint w = BinaryPrimitives.ReadUInt32LittleEndian(span[i..]);
            uint type = w >> 28;
            if (type <= 1) { sum += high + ((w >> 22) & 0x3F) + ((w >> 11) & 0x7FF) + (w & 0x7FF) + type; count++; }
            else if (type == 8) high = (long)(w & 0x0FFFFFFF) << 6;
        }
        return sum + count;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "EventDeblur.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EventDeblur.sln not found above " + AppContext.BaseDirectory);
    }
}
