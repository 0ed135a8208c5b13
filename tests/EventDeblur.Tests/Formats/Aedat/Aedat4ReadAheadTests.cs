using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// The AEDAT 4.0 read-ahead thread (<see cref="ReaderLimits.PrefetchPackets"/>): on clean and broken
/// files it delivers exactly what a walk on the caller's thread delivers — the same packets in the
/// same order, the same problems (file, byte offset, severity, message) in the same order, the same
/// summary — and it stays within its queue limits, pauses for a table read, restarts after a seek and
/// stops on dispose.
/// </summary>
public class Aedat4ReadAheadTests
{
    private static readonly ReaderLimits OnCallersThread = new() { PrefetchPackets = 0 };

    private static readonly ReaderLimits[] ReadAheadSettings =
    [
        new(),
        new() { PrefetchPackets = 4 },
        new() { PrefetchPackets = 1 },
        new() { PrefetchPackets = 8, MaxPrefetchBytes = 1 },
        // The decompression thread off, one packet ahead, and far ahead of a short read-ahead queue.
        new() { DecompressAheadPackets = 0 },
        new() { DecompressAheadPackets = 1, MaxPrefetchBytes = 1 },
        new() { PrefetchPackets = 2, DecompressAheadPackets = 32 },
    ];

    private static string Write(string dir, string name, byte[] bytes)
    {
        string p = Path.Combine(dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    /// <summary>Clean files in three compressions, and truncated, corrupted and mutated copies of them (deterministic).</summary>
    private static List<string> Cases()
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(6000, 42, frames: 2, triggers: 3, imu: 2);
        var cases = new List<string>();
        var sources = new List<byte[]>();
        foreach (var c in new[] { Aedat4Compression.Lz4, Aedat4Compression.Zstd, Aedat4Compression.None })
        {
            string p = Path.Combine(dir, $"clean-{c}.aedat4");
            rec.WriteAedat4(p, c, 500);
            cases.Add(p);
            sources.Add(File.ReadAllBytes(p));
        }
        byte[] lz4 = sources[0];
        var packets = Aedat4Surgery.Packets(lz4);
        // Cut on, just after and inside packet headers and bodies.
        foreach (var (at, _, body) in packets.Take(6))
            foreach (long cut in new[] { at, at + 5, at + 8 + body.Length / 2 })
                cases.Add(Write(dir, $"cut-{cut}.aedat4", lz4[..(int)cut]));
        // Corrupt LZ4 bodies: skipped packets, walk goes on.
        for (int k = 1; k < packets.Count; k += 3)
        {
            byte[] m = (byte[])lz4.Clone();
            long mid = packets[k].At + 8 + packets[k].Body.Length / 2;
            for (int j = 0; j < 16; j++) m[mid + j] ^= 0x5A;
            cases.Add(Write(dir, $"corrupt-{k}.aedat4", m));
        }
        // Random byte flips in the uncompressed file: backward times, pixels outside the sensor,
        // bad flatbuffers, lying sizes — many problems of a kind, past the per-kind listing cap.
        byte[] plain = sources[2];
        long dataStart = Aedat4Surgery.Parse(plain).DataStart;
        var rng = new Random(7);
        for (int k = 0; k < 24; k++)
        {
            byte[] m = (byte[])plain.Clone();
            for (int j = 0; j < 40; j++) m[dataStart + rng.NextInt64(m.Length - dataStart)] = (byte)rng.Next(256);
            cases.Add(Write(dir, $"mut-{k}.aedat4", m));
        }
        // A decompression bomb in the middle: over the limit on the read-ahead thread, reported in order.
        byte[] tableless = Aedat4Surgery.WithInfoNode(lz4, Aedat4Surgery.Parse(lz4).InfoXml);
        var bare = Aedat4Surgery.Packets(tableless);
        var bombed = bare.Select((p, i) => (p.Stream, i == 3 ? Aedat4Surgery.Lz4Bomb(3) : p.Body));
        cases.Add(Write(dir, "bomb.aedat4", Aedat4Surgery.Assemble(tableless[..(int)bare[0].At], bombed)));
        return cases;
    }

    private static string Describe(string path, ReaderLimits limits, out string summary)
    {
        var options = new AedatReaderOptions { Limits = limits with { MaxDecompressedPacketBytes = 4 << 20 }, MaxProblemsPerKind = 3 };
        try
        {
            Drained d;
            using (var r = Aedat4Reader.Open(path, options)) d = Drained.From(r);
            AedatSummary s;
            using (var r = Aedat4Reader.Open(path, options)) s = AedatSummary.Compute(r);
            summary = $"{s.EventCount} {s.PositiveCount} {s.FirstTimestampUs} {s.LastTimestampUs} {s.EventsSha256} {s.FrameCount} {s.TriggerCount} {s.ImuCount} {s.PacketCount}\n"
                      + string.Join("\n", s.Problems);
            return string.Join("\n",
                string.Join(",", d.T), string.Join(",", d.X), string.Join(",", d.Y), string.Join(",", d.P),
                string.Join(",", d.Frames.Select(f => $"{f.TimestampUs}:{f.Width}x{f.Height}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Pixels))}")),
                string.Join(",", d.Triggers), string.Join(",", d.Imu),
                string.Join("\n", d.Problems.Select(p => $"{p.FilePath}|{p.ByteOffset}|{p.Severity}|{p.Message}")));
        }
        catch (AedatFormatException e)
        {
            summary = "cannot open";
            return "cannot open: " + e.Message;
        }
    }

    [Fact]
    public void ReadAheadDeliversExactlyWhatTheCallersThreadWalkDelivers()
    {
        int withProblems = 0;
        foreach (string path in Cases())
        {
            string expected = Describe(path, OnCallersThread, out string expectedSummary);
            if (!expectedSummary.EndsWith('\n')) withProblems++; // problem lines follow the totals
            foreach (var limits in ReadAheadSettings)
            {
                string got = Describe(path, limits, out string gotSummary);
                Assert.True(expected == got, $"{Path.GetFileName(path)} with {limits.PrefetchPackets} packets / {limits.MaxPrefetchBytes} bytes ahead, {limits.DecompressAheadPackets} decompressed ahead: packets or problems differ");
                Assert.Equal(expectedSummary, gotSummary);
            }
        }
        // The corpus must exercise the problem paths, not only clean files.
        Assert.True(withProblems >= 30, $"only {withProblems} cases had problems");
    }

    [Fact]
    public void ProblemsFoundAheadAppearOnlyWhenTheirPacketIsTaken()
    {
        string dir = TestPaths.NewTempDir();
        string clean = Path.Combine(dir, "clean.aedat4");
        SyntheticRecording.Random(6000, 3, frames: 0, triggers: 0, imu: 0).WriteAedat4(clean, Aedat4Compression.Lz4, 500);
        byte[] bytes = File.ReadAllBytes(clean);
        bytes = Aedat4Surgery.WithInfoNode(bytes, Aedat4Surgery.Parse(bytes).InfoXml);
        var packets = Aedat4Surgery.Packets(bytes);
        // Packet 5's body is not an LZ4 frame at all (same length, so every offset stays).
        var broken = packets.Select((p, i) => (p.Stream, i == 5 ? Enumerable.Repeat((byte)0xAB, p.Body.Length).ToArray() : p.Body));
        string path = Write(dir, "corrupt-5.aedat4", Aedat4Surgery.Assemble(bytes[..(int)packets[0].At], broken));
        long bad = packets[5].At;

        using var r = Aedat4Reader.Open(path, new AedatReaderOptions { Limits = new ReaderLimits { PrefetchPackets = 8 } });
        Assert.True(r.TryRead(out var first));
        (first as EventsPacket)?.Events.Dispose();
        // The read-ahead thread may well have decoded the corrupt packet by now; its problem waits for its turn.
        for (int k = 1; k < 5; k++)
        {
            Assert.Empty(r.Problems);
            Assert.True(r.TryRead(out var p));
            Assert.Equal(packets[k].At, p!.ByteOffset);
            (p as EventsPacket)?.Events.Dispose();
        }
        Assert.Empty(r.Problems);
        Assert.True(r.TryRead(out var after));
        Assert.Equal(packets[6].At, after!.ByteOffset);
        (after as EventsPacket)?.Events.Dispose();
        var problem = Assert.Single(r.Problems);
        Assert.Equal(bad, problem.ByteOffset);
        Assert.Equal(path, problem.FilePath);
        Assert.Contains("does not decompress", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheQueueHoldsAtMostItsPacketsAndWaitsAtItsByteBudget()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "many.aedat4");
        SyntheticRecording.Random(20_000, 11, frames: 0, triggers: 0, imu: 0).WriteAedat4(path, Aedat4Compression.Lz4, 500);

        // Packets of 500 events hold 13 × 512 bytes each: a budget of 3 packets' worth stops the queue at 3.
        foreach (var (limits, expectedPeak) in new[]
                 {
                     (new ReaderLimits { PrefetchPackets = 5 }, 5),
                     (new ReaderLimits { PrefetchPackets = 5, MaxPrefetchBytes = 3 * 13 * 512 }, 3),
                     (new ReaderLimits { PrefetchPackets = 5, MaxPrefetchBytes = 1 }, 1),
                 })
        {
            using var r = Aedat4Reader.Open(path, new AedatReaderOptions { Limits = limits });
            Assert.True(r.TryRead(out var p));
            (p as EventsPacket)?.Events.Dispose();
            // Let the read-ahead thread fill its queue while the caller does nothing (hang guard only).
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (r.PeakQueuedPackets < expectedPeak && DateTime.UtcNow < until) Thread.Sleep(5);
            Thread.Sleep(50);
            Assert.Equal(expectedPeak, r.PeakQueuedPackets);
            long events = 500;
            while (r.TryRead(out p)) if (p is EventsPacket e) using (e.Events) events += e.Events.Count;
            Assert.Equal(20_000, events);
            Assert.Equal(expectedPeak, r.PeakQueuedPackets);
            Assert.True(r.PeakQueuedBytesBeforeAdding < limits.MaxPrefetchBytes, $"{r.PeakQueuedBytesBeforeAdding} bytes were queued when another packet was added");
        }
    }

    [Fact]
    public void TableReadPausesAndSeekRestartsTheReadAhead()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "seek.aedat4");
        var rec = SyntheticRecording.Random(8000, 5, frames: 1, triggers: 2, imu: 2);
        rec.WriteAedat4(path, Aedat4Compression.Lz4, 400);
        var ahead = new AedatReaderOptions { Limits = new ReaderLimits { PrefetchPackets = 4 } };

        using (var r = Aedat4Reader.Open(path, ahead))
        {
            var t = new List<long>();
            for (int k = 0; k < 3; k++)
            {
                Assert.True(r.TryRead(out var p));
                if (p is EventsPacket e) using (e.Events) t.AddRange(e.Events.Timestamps.ToArray());
            }
            Assert.True(r.IsReadingAhead);
            var table = r.ReadDataTable();
            Assert.NotNull(table);
            Assert.False(r.IsReadingAhead);
            while (r.TryRead(out var p)) if (p is EventsPacket e) using (e.Events) t.AddRange(e.Events.Timestamps.ToArray());
            Assert.Equal(rec.T, t);
            Assert.DoesNotContain(r.Problems, p => p.Severity == ProblemSeverity.Error);
        }

        long mid = rec.T[rec.T.Length / 2 + 17];
        List<long> AfterSeek(AedatReaderOptions o)
        {
            using var r = Aedat4Reader.Open(path, o);
            Assert.True(r.TryRead(out var first));
            (first as EventsPacket)?.Events.Dispose();
            Assert.True(r.SeekToTime(mid));
            var t = new List<long>();
            while (r.TryRead(out var p)) if (p is EventsPacket e) using (e.Events) t.AddRange(e.Events.Timestamps.ToArray());
            return t;
        }
        var expected = rec.T.Where(x => x >= mid).ToList();
        Assert.Equal(expected, AfterSeek(new AedatReaderOptions { Limits = OnCallersThread }));
        Assert.Equal(expected, AfterSeek(ahead));
    }

    [Fact]
    public void DisposeInTheMiddleStopsTheReadAheadThread()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "stop.aedat4");
        SyntheticRecording.Random(20_000, 9, frames: 0, triggers: 0, imu: 0).WriteAedat4(path, Aedat4Compression.Lz4, 500);
        var r = Aedat4Reader.Open(path, new AedatReaderOptions { Limits = new ReaderLimits { PrefetchPackets = 2 } });
        Assert.True(r.TryRead(out var p));
        (p as EventsPacket)?.Events.Dispose();
        Assert.True(r.IsReadingAhead);
        r.Dispose();
        Assert.False(r.IsReadingAhead);
        // The file is closed by both threads: it can be opened for writing exclusively.
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
    }

    [Fact]
    public void AllocationsOfTheReadAheadThreadAreCountedForItsCaller()
    {
        string dir = TestPaths.NewTempDir();
        string clean = Path.Combine(dir, "clean.aedat4");
        SyntheticRecording.Random(3000, 4, frames: 0, triggers: 0, imu: 0).WriteAedat4(clean, Aedat4Compression.Lz4, 1000);
        byte[] bytes = File.ReadAllBytes(clean);
        bytes = Aedat4Surgery.WithInfoNode(bytes, Aedat4Surgery.Parse(bytes).InfoXml);
        var packets = Aedat4Surgery.Packets(bytes);
        // 12 MiB of zeros in the first packet (1000 events): the capped output buffer grows to the 8 MiB limit on the read-ahead thread, then stops.
        var bombed = packets.Select((p, i) => (p.Stream, i == 0 ? Aedat4Surgery.Lz4Bomb(3) : p.Body));
        string path = Write(dir, "bomb.aedat4", Aedat4Surgery.Assemble(bytes[..(int)packets[0].At], bombed));
        var options = new AedatReaderOptions { Limits = new ReaderLimits { PrefetchPackets = 4, MaxDecompressedPacketBytes = 8 << 20 } };

        long before = GC.GetAllocatedBytesForCurrentThread();
        long beforeAll = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead();
        AedatSummary s;
        using (var r = Aedat4Reader.Open(path, options)) s = AedatSummary.Compute(r);
        long callerOnly = GC.GetAllocatedBytesForCurrentThread() - before;
        long all = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead() - beforeAll;

        Assert.Equal(2000, s.EventCount);
        Assert.True(callerOnly < 2 << 20, $"the caller's thread allocated {callerOnly >> 10} KiB");
        Assert.True(all >= 4 << 20, $"only {all >> 10} KiB counted; the read-ahead thread decoded at least 4 MiB of zeros");
    }

    [Theory]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.Zstd)]
    public void TheDecompressionThreadDoesItsShareAndChangesNothing(Aedat4Compression compression)
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "long.aedat4");
        var rec = SyntheticRecording.Random(200_000, 11, frames: 3, triggers: 4, imu: 4);
        rec.WriteAedat4(path, compression, 1000);

        (AedatSummary Summary, int Ahead) Read(ReaderLimits limits, FileHash? hash = null)
        {
            using var r = Aedat4Reader.Open(path, new AedatReaderOptions { Limits = limits, FileHash = hash });
            var s = AedatSummary.Compute(r);
            return (s, r.PacketsDecompressedAhead);
        }
        var (alone, none) = Read(new ReaderLimits { DecompressAheadPackets = 0 });
        Assert.Equal(0, none);
        Assert.Equal(rec.T.Length, alone.EventCount);

        var (helped, ahead) = Read(ReaderLimits.Default);
        // Some of the 200 event packets were decompressed by the second thread (the walk takes its first packet itself);
        // a loaded machine may starve it for a whole read, so three tries.
        for (int attempt = 1; attempt < 3 && ahead == 0; attempt++) (helped, ahead) = Read(ReaderLimits.Default);
        Assert.True(ahead > 0, "no packet was decompressed ahead");
        Assert.True(ahead < 200 + 20, $"{ahead} packets decompressed ahead: more than the file holds");
        Assert.Equal(alone.EventsSha256, helped.EventsSha256);
        Assert.Equal((alone.EventCount, alone.FrameCount, alone.TriggerCount, alone.ImuCount, alone.PacketCount),
            (helped.EventCount, helped.FrameCount, helped.TriggerCount, helped.ImuCount, helped.PacketCount));
        Assert.Empty(helped.Problems);

        // Through a FileHash (replay's fingerprint of the event file): the file is still hashed as it is read.
        var hash = new FileHash(path);
        var (hashed, aheadHashed) = Read(ReaderLimits.Default, hash);
        Assert.Equal(alone.EventsSha256, hashed.EventsSha256);
        for (int attempt = 1; attempt < 3 && aheadHashed == 0; attempt++) aheadHashed = Read(ReaderLimits.Default, new FileHash(path)).Ahead;
        Assert.True(aheadHashed > 0);
        Assert.Equal(new FileInfo(path).Length, hash.BytesHashedInPassing);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), hash.Finish());
    }

    [Fact]
    public void NegativeReadAheadIsRejected()
    {
        Assert.Equal(nameof(ReaderLimits.DecompressAheadPackets),
            Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderLimits { DecompressAheadPackets = -1 }.Validate()).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderLimits { PrefetchPackets = -1 }.Validate());
        Assert.Equal(nameof(ReaderLimits.PrefetchPackets), e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderLimits { MaxPrefetchBytes = 0 }.Validate());
        Assert.Equal(16, ReaderLimits.Default.PrefetchPackets);
    }

    // Stop 40's review of the decompression thread (its tests): one corrupt packet ended the thread for the rest of the
    // run (a loss of speed only); reads mixed with seeks and table reads, through Open and OpenStream, on damaged files,
    // give what the caller's thread gives; and disposing in the middle never hangs.

    [Fact]
    public void OneCorruptPacketDoesNotStopTheDecompressionThread()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "long.aedat4");
        var rec = SyntheticRecording.Random(200_000, 11, frames: 0, triggers: 0, imu: 0);
        rec.WriteAedat4(path, Aedat4Compression.Lz4, 1000);
        byte[] lz4 = File.ReadAllBytes(path);
        var packets = Aedat4Surgery.Packets(lz4);
        byte[] m = (byte[])lz4.Clone();
        long mid = packets[5].At + 8 + packets[5].Body.Length / 2;
        for (int j = 0; j < 16; j++) m[mid + j] ^= 0x5A;
        string bad = Path.Combine(dir, "bad.aedat4");
        File.WriteAllBytes(bad, m);
        int Ahead(string p)
        {
            using var r = Aedat4Reader.Open(p);
            AedatSummary.Compute(r, false);
            return r.PacketsDecompressedAhead;
        }
        // Before the fix the thread stopped at the corrupt packet, so at most the 5 packets before it came from it. How many
        // it takes after it depends on scheduling (a loaded machine may starve it), so three tries may show it going on.
        int broken = 0;
        for (int attempt = 0; attempt < 3 && broken <= 10; attempt++) broken = Math.Max(broken, Ahead(bad));
        Assert.True(broken > 10, $"with packet 5 corrupt, {broken} packets were decompressed ahead (clean file: {Ahead(path)})");
    }

    private static string Pkt(AedatPacket? p) => p switch
    {
        EventsPacket e => $"E{e.StreamId}@{e.ByteOffset}:{e.Events.Count}:{e.Events.Timestamps[0]}:{e.Events.Timestamps[^1]}:{e.Events.Xs[e.Events.Count / 2]}",
        FramePacket f => $"F@{f.ByteOffset}:{f.Frame.TimestampUs}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Frame.Pixels))[..8]}",
        TriggersPacket t => $"T@{t.ByteOffset}:{t.Triggers.Length}",
        ImuPacket i => $"I@{i.ByteOffset}:{i.Samples.Length}",
        _ => "?",
    };

    private static string Script(string path, ReaderLimits limits, int seed, bool viaStream)
    {
        var rng = new Random(seed);
        var sb = new System.Text.StringBuilder();
        var options = new AedatReaderOptions { Limits = limits, MaxProblemsPerKind = 1000 };
        FileStream? fs = null;
        try
        {
            using var r = viaStream
                ? Aedat4Reader.OpenStream(fs = File.OpenRead(path), path, hasVersionLine: true, options)
                : Aedat4Reader.Open(path, options);
            for (int step = 0; step < 400; step++)
            {
                int op = rng.Next(40);
                if (op == 0) sb.Append("table:").Append(r.ReadDataTable()?.Count ?? -1).Append('\n');
                else if (op == 1) sb.Append("seek:").Append(r.SeekToTime(rng.Next(0, 2_000_000))).Append('\n');
                else
                {
                    if (!r.TryRead(out var p)) { sb.Append("end\n"); break; }
                    sb.Append(Pkt(p)).Append('\n');
                    if (p is EventsPacket e) e.Events.Dispose();
                }
            }
            foreach (var pr in r.Problems) sb.Append($"{pr.ByteOffset}|{pr.Severity}|{pr.Message}\n");
        }
        catch (AedatFormatException e) { sb.Append("cannot open " + e.Message); }
        finally { fs?.Dispose(); }
        return sb.ToString();
    }

    [Fact]
    public void SeeksAndTableReadsAmongReadsMatchTheCallersThread()
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(60_000, 3, frames: 3, triggers: 3, imu: 3);
        var files = new List<string>();
        foreach (var c in new[] { Aedat4Compression.Lz4, Aedat4Compression.Zstd })
        {
            string p = Path.Combine(dir, $"c-{c}.aedat4");
            rec.WriteAedat4(p, c, 300);
            files.Add(p);
            byte[] b = File.ReadAllBytes(p);
            var packets = Aedat4Surgery.Packets(b);
            // damaged header size, damaged body, cut mid-packet
            byte[] h = (byte[])b.Clone(); System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan((int)packets[7].At + 4), 12345);
            files.Add(Path.Combine(dir, $"hdr-{c}.aedat4")); File.WriteAllBytes(files[^1], h);
            byte[] h2 = (byte[])b.Clone(); System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(h2.AsSpan((int)packets[7].At + 4), packets[7].Body.Length - 3);
            files.Add(Path.Combine(dir, $"hdr2-{c}.aedat4")); File.WriteAllBytes(files[^1], h2);
            byte[] m = (byte[])b.Clone(); for (int j = 0; j < 16; j++) m[packets[9].At + 8 + packets[9].Body.Length / 2 + j] ^= 0x5A;
            files.Add(Path.Combine(dir, $"body-{c}.aedat4")); File.WriteAllBytes(files[^1], m);
            files.Add(Path.Combine(dir, $"cut-{c}.aedat4")); File.WriteAllBytes(files[^1], b[..(int)(packets[20].At + 8 + packets[20].Body.Length / 2)]);
        }
        var variants = new ReaderLimits[]
        {
            new() { DecompressAheadPackets = 1 }, new() { DecompressAheadPackets = 8, PrefetchPackets = 1 },
            new() { DecompressAheadPackets = 32, PrefetchPackets = 2, MaxPrefetchBytes = 1 }, new(),
        };
        int fails = 0;
        var msgs = new List<string>();
        foreach (string f in files)
            for (int seed = 0; seed < 5; seed++)
            {
                string expected = Script(f, new ReaderLimits { PrefetchPackets = 0 }, seed, false);
                foreach (var v in variants)
                    foreach (bool viaStream in new[] { false, true })
                    {
                        string got = Script(f, v, seed, viaStream);
                        if (got != expected) { fails++; if (msgs.Count < 3) msgs.Add($"{Path.GetFileName(f)} seed {seed} {v.DecompressAheadPackets}/{v.PrefetchPackets} stream {viaStream}:\nEXP\n{expected[..Math.Min(1500, expected.Length)]}\nGOT\n{got[..Math.Min(1500, got.Length)]}"); }
                    }
            }
        Assert.True(fails == 0, $"{fails} differ\n" + string.Join("\n====\n", msgs));
    }

    [Fact]
    public void DisposeInTheMiddleWithTheDecompressionThreadNeverHangs()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "d.aedat4");
        SyntheticRecording.Random(100_000, 5, frames: 2, triggers: 2, imu: 2).WriteAedat4(path, Aedat4Compression.Lz4, 200);
        var rng = new Random(1);
        for (int i = 0; i < 300; i++)
        {
            var fs = File.OpenRead(path);
            var r = rng.Next(2) == 0 ? Aedat4Reader.Open(path, new AedatReaderOptions { Limits = new ReaderLimits { DecompressAheadPackets = 1 + rng.Next(8) } })
                                     : Aedat4Reader.OpenStream(fs, path, true);
            int k = rng.Next(0, 30);
            for (int j = 0; j < k && r.TryRead(out var p); j++) if (p is EventsPacket e) e.Events.Dispose();
            if (rng.Next(3) == 0) fs.Dispose(); // the caller's stream closed under a running helper (leaveOpen)
            if (rng.Next(2) == 0) { try { for (int j = 0; j < 3 && r.TryRead(out var p); j++) if (p is EventsPacket e) e.Events.Dispose(); } catch (ObjectDisposedException) { } }
            r.Dispose();
            fs.Dispose();
        }
    }
}
