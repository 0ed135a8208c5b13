using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// A malformed-input corpus generated here from files our writer made: every fault gives a problem
/// naming the file and byte offset, nothing throws past the header, and all valid data is delivered.
/// </summary>
public class MalformedInputTests
{
    private static (string Path, byte[] Bytes, SyntheticRecording Rec, List<(long Header, int Size, int Events)> Packets) MakeFile(Aedat4Compression c = Aedat4Compression.Lz4)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "source.aedat4");
        var rec = SyntheticRecording.Random(6000, 42, frames: 1, triggers: 3, imu: 2);
        rec.WriteAedat4(path, c, 1000);
        var packets = new List<(long, int, int)>();
        using (var r = Aedat4Reader.Open(path))
        {
            foreach (var row in r.ReadDataTable()!)
                packets.Add((row.ByteOffset - 8, row.Size, row.StreamId == 0 ? (int)row.NumElements : 0));
        }
        return (path, File.ReadAllBytes(path), rec, packets);
    }

    private static string Write(byte[] bytes, string name = "bad.aedat4")
    {
        string p = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Fact]
    public void TruncationAtAndBetweenPacketBoundariesKeepsEveryCompletePacket()
    {
        var (_, bytes, rec, packets) = MakeFile();
        var cuts = new List<long>();
        foreach (var (h, size, _) in packets)
            cuts.AddRange([h, h + 1, h + 7, h + 8, h + 8 + size / 2, h + 8 + size - 1]);
        foreach (long cut in cuts)
        {
            string path = Write(bytes[..(int)cut]);
            var d = Drained.FromFile(path);
            int complete = packets.Where(p => p.Header + 8 + p.Size <= cut).Sum(p => p.Events);
            Assert.Equal(complete, d.T.Count);
            Assert.Equal(rec.T.Take(complete), d.T);
            Assert.True(d.HasErrors, $"cut at {cut}: no error reported");
            Assert.All(d.Problems, p => Assert.Equal(path, p.FilePath));
            // The fault is located at the true cut: a cut inside a packet is named at that packet's header; a cut on a
            // packet boundary leaves whole packets, and only the header's table position (offset 18) shows the loss.
            // (Every cut file also has the offset-18 table problem, so it cannot stand in for the packet's.)
            long stop = packets.First(p => p.Header + 8 + p.Size > cut).Header;
            if (cut > stop)
                Assert.True(d.Problems.Any(p => p.ByteOffset == stop && p.Message.Contains("truncated")),
                    $"cut at {cut}: no truncation located at the packet header {stop}: {string.Join(" | ", d.Problems)}");
            else
                Assert.Contains(d.Problems, p => p.ByteOffset == 18 && p.Message.Contains("truncated"));
        }
    }

    [Fact]
    public void TruncationInsideTheHeaderIsATypedErrorWithOffset()
    {
        var (_, bytes, _, packets) = MakeFile();
        foreach (int cut in new[] { 0, 5, 13, 14, 16, 18, 100, (int)packets[0].Header - 1 })
        {
            string path = Write(bytes[..cut]);
            if (cut < 14)
            {
                var ex = Assert.Throws<AedatFormatException>(() => AedatReader.Open(path));
                Assert.Equal(0, ex.Problem.ByteOffset);
                continue;
            }
            var e = Assert.Throws<AedatFormatException>(() => Aedat4Reader.Open(path));
            Assert.Equal(path, e.Problem.FilePath);
            Assert.True(e.Problem.ByteOffset is 14 or 18, e.Message);
        }
    }

    [Fact]
    public void CorruptCompressedPacketIsSkippedAndLaterPacketsStillDecode()
    {
        var (_, bytes, rec, packets) = MakeFile();
        var victim = packets.Where(p => p.Events > 0).Skip(2).First();
        var bad = (byte[])bytes.Clone();
        // Keep the LZ4 frame magic, garble the block data.
        for (long i = victim.Header + 8 + 12; i < victim.Header + 8 + victim.Size; i += 3) bad[i] ^= 0x5A;
        string path = Write(bad);
        var d = Drained.FromFile(path);
        var err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(victim.Header, err.ByteOffset);
        Assert.Equal(rec.T.Length - victim.Events, d.T.Count);
    }

    [Fact]
    public void AbsurdPacketSizeIsSkippedWithTheFileDataTableAndStopsWithoutIt()
    {
        var (path, bytes, rec, packets) = MakeFile(Aedat4Compression.None);
        var victim = packets[3];
        var bad = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan((int)victim.Header + 4), int.MaxValue - 10);

        // The FileDataTable lists the next packet: the walk resumes there, and only the damaged packet's events are lost
        // (until stop 34 every packet after it was lost).
        var d = Drained.FromFile(Write(bad));
        var err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(victim.Header, err.ByteOffset);
        Assert.Contains("expected 1..", err.Message);
        Assert.Contains($"resynchronised with the FileDataTable at byte {packets[4].Header}, skipping {packets[4].Header - victim.Header} bytes (1 packet(s) listed there, this one included)", err.Message);
        Assert.Equal(rec.T.Length - victim.Events, d.T.Count);
        Assert.Equal(rec.T.Take(packets.Take(3).Sum(p => p.Events)).Concat(rec.T.Skip(packets.Take(4).Sum(p => p.Events))), d.T);

        // A size that overshoots the data but stays under the limit is a corrupt header too when the table is intact.
        var over = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(over.AsSpan((int)victim.Header + 4), bytes.Length);
        d = Drained.FromFile(Write(over));
        err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains("a corrupt header: the file goes on", err.Message);
        Assert.Equal(rec.T.Length - victim.Events, d.T.Count);

        // Without the table (the file cut where it starts, as a recording whose writer died) nothing says where the next
        // packet is: until stop 38 the walk stopped there; now it looks for the next packet header (a declared stream,
        // a plausible size, a body that starts as a flatbuffer of a known type, and the packet after it plausible too).
        long table;
        using (var r = Aedat4Reader.Open(path)) table = r.DataTablePosition;
        d = Drained.FromFile(Write(bad[..(int)table]));
        err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error && p.ByteOffset == victim.Header);
        Assert.Contains($"resynchronised at byte {packets[4].Header}, the next packet header found (no FileDataTable to follow), skipping {packets[4].Header - victim.Header} bytes", err.Message);
        Assert.Equal(rec.T.Take(packets.Take(3).Sum(p => p.Events)).Concat(rec.T.Skip(packets.Take(4).Sum(p => p.Events))), d.T);

        // Garbage from the damaged header to the cut: nothing to resume at, and the walk stops there with the reason.
        var garbage = bad[..(int)table];
        for (long i = victim.Header + 8; i < garbage.Length; i++) garbage[i] = (byte)(i * 131 + 7);
        d = Drained.FromFile(Write(garbage));
        Assert.Contains(d.Problems, p => p.ByteOffset == victim.Header && p.Message.Contains("cannot resynchronise: no FileDataTable lists a later packet, and no packet header follows", StringComparison.Ordinal));
        Assert.Equal(packets.Take(3).Sum(p => p.Events), d.T.Count);
    }

    /// <summary>
    /// The same without a FileDataTable in an LZ4 file (DV's default): a packet's size field damaged so that it overshoots
    /// the file is a corrupt header when a whole packet follows; the walk resumes at the next LZ4 frame that is a packet.
    /// </summary>
    [Fact]
    public void WithoutATableALz4FileResumesAtTheNextPacket()
    {
        var (path, bytes, rec, packets) = MakeFile(Aedat4Compression.Lz4);
        long table;
        using (var r = Aedat4Reader.Open(path)) table = r.DataTablePosition;
        var bad = bytes[..(int)table];
        var victim = packets[2];
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan((int)victim.Header + 4), bad.Length);
        var d = Drained.FromFile(Write(bad));
        var err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error && p.ByteOffset == victim.Header);
        Assert.Contains("(a corrupt header: the file goes on); resynchronised at byte " + packets[3].Header, err.Message);
        Assert.Equal(rec.T.Take(packets.Take(2).Sum(p => p.Events)).Concat(rec.T.Skip(packets.Take(3).Sum(p => p.Events))), d.T);
    }

    [Fact]
    public void AbsurdIoHeaderSizeIsRejectedBeforeAllocating()
    {
        var (_, bytes, _, _) = MakeFile();
        var bad = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(14), 0xFFFFFFF0);
        var e = Assert.Throws<AedatFormatException>(() => AedatReader.Open(Write(bad)));
        Assert.Equal(14, e.Problem.ByteOffset);
        Assert.Contains("IOHeader size", e.Message);
    }

    [Theory]
    [InlineData("#!AER-DAT9.9\r\n", "not supported")]
    [InlineData("#!AER-DAT3.0\r\n", "not supported")]
    [InlineData("hello world, no header", "AEDAT 1.0")]
    [InlineData("", "empty file")]
    public void WrongOrMissingVersionLineIsATypedError(string content, string hint)
    {
        string path = Write(System.Text.Encoding.ASCII.GetBytes(content + new string('x', 20 * (content.Length > 0 ? 1 : 0))), "v.aedat4");
        var e = Assert.Throws<AedatFormatException>(() => AedatReader.Open(path));
        Assert.Equal(0, e.Problem.ByteOffset);
        Assert.Contains("expected a version line", e.Message);
        Assert.Contains(hint, e.Message);
    }

    [Fact]
    public void BackwardTimestampsAreReportedAndEveryEventIsStillDelivered()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "back.aedat4");
        long[] t = [100, 200, 150, 300, 250];
        short[] x = [1, 2, 3, 4, 5];
        bool[] p = [true, false, true, false, true];
        using (var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = 10, Height = 10, MaxEventsPerPacket = 3 }))
        {
            w.WriteEvents(t, x, x, p);
            w.Complete();
        }
        var d = Drained.FromFile(path);
        Assert.Equal(t, d.T);
        Assert.Equal(2, d.Problems.Count(pr => pr.Message.Contains("earlier than the previous")));
    }

    [Fact]
    public void InfoNodeThatUnderstatesTheSensorSizeIsReported()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "lies.aedat4");
        var rec = SyntheticRecording.Random(500, 5, 0, 0, 0);
        using (var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = 100, Height = 100 }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.Complete();
        }
        var d = Drained.FromFile(path);
        Assert.Equal(rec.T, d.T);
        Assert.Contains(d.Problems, pr => pr.Severity == ProblemSeverity.Error && pr.Message.Contains("outside the declared 100×100 sensor"));
    }

    [Fact]
    public void FrameWhosePixelCountDisagreesWithItsSizeIsSkipped()
    {
        var (_, bytes, rec, packets) = MakeFile(Aedat4Compression.None);
        var frameRow = packets.Single(p => p.Events == 0 && p.Size > 80_000);
        var bad = (byte[])bytes.Clone();
        // Locate the frame table's sizeX field (field 6) and make the width disagree with the pixel vector.
        int body = (int)frameRow.Header + 8;
        var fb = FlatBufferView.FromSizePrefixed(bad.AsSpan(body, frameRow.Size));
        int at = body + 4 + fb.Field(fb.Root(), 6);
        Assert.Equal(346, BinaryPrimitives.ReadInt16LittleEndian(bad.AsSpan(at)));
        BinaryPrimitives.WriteInt16LittleEndian(bad.AsSpan(at), 400);
        var d = Drained.FromFile(Write(bad));
        Assert.Empty(d.Frames);
        Assert.Equal(rec.T, d.T);
        Assert.Contains(d.Problems, p => p.ByteOffset == frameRow.Header && p.Message.Contains("pixel bytes"));
    }

    /// <summary>
    /// Stop 41's bad-input trial: one APS frame with a damaged size was skipped, so every later frame of an implied APS
    /// bundle took the index before it (and the ground truth of another frame). The skipped frame now keeps its place:
    /// the reader gives a <see cref="SkippedFramePacket"/>, the bundle numbers it, and replay fails that frame alone.
    /// </summary>
    [Fact]
    public void ADamagedFrameKeepsItsPlaceSoTheLaterFramesKeepTheirIndices()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "three.aedat4");
        var rec = SyntheticRecording.Random(6000, 42, frames: 3, triggers: 0, imu: 0);
        rec.WriteAedat4(path, Aedat4Compression.None, 1000);
        var clean = EventDeblur.Recording.RecordingBundle.Load(path).ApsExposures();
        Assert.Equal(3, clean.Count);
        var packets = new List<(long Header, int Size, int Stream)>();
        using (var r = Aedat4Reader.Open(path))
            foreach (var row in r.ReadDataTable()!) packets.Add((row.ByteOffset - 8, row.Size, row.StreamId));
        var frameRow = packets.Where(p => p.Size > 80_000).OrderBy(p => p.Header).First();
        var bad = File.ReadAllBytes(path);
        int body = (int)frameRow.Header + 8;
        var fb = FlatBufferView.FromSizePrefixed(bad.AsSpan(body, frameRow.Size));
        int at = body + 4 + fb.Field(fb.Root(), 6);
        BinaryPrimitives.WriteInt16LittleEndian(bad.AsSpan(at), 400);
        string damaged = Write(bad, "damaged.aedat4");

        var skipped = new List<SkippedFramePacket>();
        int frames = 0;
        using (var r = Aedat4Reader.Open(damaged))
            while (r.TryRead(out var p))
            {
                if (p is SkippedFramePacket sp) skipped.Add(sp);
                else if (p is FramePacket) frames++;
                else if (p is EventsPacket e) e.Events.Dispose();
            }
        Assert.Equal(2, frames);
        var one = Assert.Single(skipped);
        Assert.Equal(clean[0].Exposure, one.Exposure);
        Assert.Contains("pixel bytes", one.Reason);
        // The implied bundle keeps every frame's index and exposure: the damaged frame is 0, the others 1 and 2.
        Assert.Equal(clean, EventDeblur.Recording.RecordingBundle.Load(damaged).ApsExposures());
    }

    /// <summary>
    /// Stop 41's bad-input trial: an AEDAT 3.1 file cut inside a polarity packet lost the whole packet, though 500 of
    /// its events were whole before the cut. The whole events are kept now, and the error says how many were lost.
    /// </summary>
    [Fact]
    public void Aedat31CutInsideAPacketKeepsTheWholeEventsBeforeTheCut()
    {
        var first = Enumerable.Range(0, 100).Select(i => (X: i % 300, Y: i % 200, On: i % 2 == 0, Ts: 1000 + 10 * i, Valid: true)).ToArray();
        var second = Enumerable.Range(0, 1000).Select(i => (X: i % 300, Y: i % 200, On: i % 3 == 0, Ts: 5000 + 10 * i, Valid: true)).ToArray();
        byte[] bytes = SyntheticRecording.Aedat31([(0, first), (0, second)]);
        // Cut 500 events and 3 bytes into the second packet's body.
        int cut = bytes.Length - 500 * 8 + 3;
        var d = Drained.FromFile(Write(bytes[..cut], "cut.aedat"));
        Assert.Equal(first.Select(e => (long)e.Ts).Concat(second.Take(500).Select(e => (long)e.Ts)), d.T);
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("of the 500 whole events before the cut all are kept, the other 500 are lost"));

        // Stop 42: with half of them invalid (valid bit clear), the message says only the valid ones are kept.
        second = second.Select((e, i) => e with { Valid = i % 2 == 0 }).ToArray();
        bytes = SyntheticRecording.Aedat31([(0, first), (0, second)]);
        d = Drained.FromFile(Write(bytes[..cut], "cut-invalid.aedat"));
        Assert.Equal(first.Select(e => (long)e.Ts).Concat(second.Take(500).Where(e => e.Valid).Select(e => (long)e.Ts)), d.T);
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("of the 500 whole events before the cut the 250 valid ones are kept, the other 500 are lost"));
    }

    /// <summary>
    /// An AEDAT 3.1 packet whose tsOverflow jumped (stop 42, a new user's trial on the real file): the error named the next,
    /// good packet; now the packet that jumped, once.
    /// </summary>
    [Fact]
    public void Aedat31APacketWhoseTimeJumpedForwardIsTheOneNamed()
    {
        (int, (int X, int Y, bool On, int Ts, bool Valid)[]) Packet(int overflow, int from) =>
            (overflow, Enumerable.Range(0, 4).Select(i => (X: i, Y: i, On: true, Ts: from + 10 * i, Valid: true)).ToArray());
        byte[] bytes = SyntheticRecording.Aedat31([Packet(0, 100), Packet(0, 200), Packet(5, 300), Packet(0, 400)]);
        long header = bytes.Length - 4 * (28 + 4 * 8);
        var d = Drained.FromFile(Write(bytes, "overflow.aedat"));
        var error = Assert.Single(d.Problems);
        Assert.Equal(header + 2 * (28 + 32), error.ByteOffset);
        Assert.Contains($"and the packet at byte {header + 3 * (28 + 32)} carries on from 230 µs: the packet at byte {header + 2 * (28 + 32)} is damaged (its tsOverflow, most likely)", error.Message);
    }

    /// <summary>Stop 41's trial: a file cut exactly where its FileDataTable begins read as clean (one byte earlier, an error).</summary>
    [Fact]
    public void Aedat4CutExactlyAtItsTableIsAnError()
    {
        var (_, bytes, rec, packets) = MakeFile();
        long tableAt = packets.Max(p => p.Header + 8 + p.Size);
        using var r = Aedat4Reader.Open(Write(bytes[..(int)tableAt], "no-table.aedat4"));
        var d = Drained.From(r);
        Assert.Equal(rec.T, d.T);
        r.VerifyDataTable();   // as inspect and replay do once the walk has ended
        Assert.Contains(r.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains($"the header puts the FileDataTable at byte {tableAt}, but the file ends at byte {tableAt}"));
    }

    [Fact]
    public void Aedat2PartialRecordBackwardStepsWrapAndRange()
    {
        var records = new List<(uint, int)>
        {
            (SyntheticRecording.DavisDvs(10, 179, true), int.MaxValue - 100),
            (SyntheticRecording.DavisDvs(11, 0, false), int.MinValue + 50), // 32-bit wrap: +2^32
            (SyntheticRecording.DavisDvs(12, 5, true), int.MinValue + 40),  // small backward step
            (SyntheticRecording.DavisDvs(300, 5, true), int.MinValue + 60), // x beyond 240
        };
        var bytes = SyntheticRecording.Aedat2(records).Concat(new byte[] { 1, 2, 3 }).ToArray();
        string path = Write(bytes, "a2.aedat");
        var d = Drained.FromFile(path);
        Assert.Equal(new long[] { int.MaxValue - 100, (1L << 32) + int.MinValue + 50, (1L << 32) + int.MinValue + 40 }, d.T);
        Assert.Equal(new short[] { 0, 179, 174 }, d.Y);
        Assert.Equal(new short[] { 10, 11, 12 }, d.X);
        Assert.Equal(new[] { true, false, true }, d.P);
        Assert.Contains(d.Problems, p => p.Message.Contains("earlier than the previous"));
        Assert.Contains(d.Problems, p => p.ByteOffset == bytes.Length - 3 && p.Message.Contains("whole 8-byte record"));
        Assert.Contains(d.Problems, p => p.Message.Contains("outside the 240×180 sensor"));
    }

    /// <summary>
    /// A record whose time jumped forward, the next carrying on from before it (stop 42, a new user's trial: a flipped bit
    /// in the real DAVIS240C file): the error names the damaged record, not the good one after it, and is said once.
    /// </summary>
    [Fact]
    public void Aedat2ARecordThatJumpedForwardIsTheOneNamed()
    {
        var records = Enumerable.Range(0, 10).Select(i => (SyntheticRecording.DavisDvs(i, 5, true), 1000 + 10 * i)).ToList();
        records[5] = (records[5].Item1, 0x7FFFFF00);
        var bytes = SyntheticRecording.Aedat2(records);
        string path = Write(bytes, "jump.aedat");
        var d = Drained.FromFile(path);
        long headerLength = bytes.Length - 8 * 10;
        var error = Assert.Single(d.Problems);
        Assert.Equal(headerLength + 5 * 8, error.ByteOffset);
        Assert.Equal($"timestamp {0x7FFFFF00} µs jumped forward from 1040 µs (the record at byte {headerLength + 4 * 8}), and the next record, at byte {headerLength + 6 * 8}, carries on from 1040 µs: the record at byte {headerLength + 5 * 8} is damaged", error.Message);
    }

    /// <summary>IMU words of a sample cut short are counted in a note that names the first one's byte (stop 42: it named none).</summary>
    [Fact]
    public void Aedat2StrayImuWordsAreNotedWithTheirFirstByte()
    {
        static uint Imu(int code, int value) => 0x80000C00u | ((uint)code << 28) | ((uint)(ushort)value << 12);
        var records = new List<(uint, int)> { (SyntheticRecording.DavisDvs(1, 5, true), 100) };
        for (int c = 0; c < 7; c++) records.Add((Imu(c, 10 * c), 200));       // a whole sample
        records.Add((SyntheticRecording.DavisDvs(2, 5, true), 300));
        for (int c = 0; c < 3; c++) records.Add((Imu(c, 10 * c), 400));       // cut short at the end
        var bytes = SyntheticRecording.Aedat2(records);
        long header = bytes.Length - 8L * records.Count;
        var d = Drained.FromFile(Write(bytes, "imu.aedat"));
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Note && p.Message == $"3 IMU words outside a complete 7-word sample were dropped (the first at byte {header + 9 * 8})");
    }

    [Fact]
    public void Aedat2WithLfHeaderAndTriggers()
    {
        var records = new List<(uint, int)>
        {
            (SyntheticRecording.DavisDvs(1, 1, true), 10),
            (0x400u | 3u, 20), // external input rising edge
            (SyntheticRecording.DavisDvs(2, 2, false), 30),
            (0x400u | 2u, 40), // falling edge
        };
        string path = Write(SyntheticRecording.Aedat2(records, "eu.seebetter.ini.chips.davis.Davis346red", "\n"), "lf.aedat");
        var d = Drained.FromFile(path);
        Assert.Equal(new long[] { 10, 30 }, d.T);
        Assert.Equal(new short[] { 258, 257 }, d.Y);
        Assert.Equal([new(20, EventDeblur.Events.TriggerType.ExternalSignalRisingEdge), new EventDeblur.Events.TriggerEvent(40, EventDeblur.Events.TriggerType.ExternalSignalFallingEdge)], d.Triggers);
        Assert.False(d.HasErrors);
    }

    /// <summary>
    /// A damaged eventValid count (stop 37's trial: 0xFF XOR on one byte) stopped the reader with "cannot resynchronise",
    /// losing every later packet, though capacity × eventSize still gave the packet's end. It is now an error on that
    /// header, and every event is read, judged by its own valid bit.
    /// </summary>
    [Fact]
    public void Aedat31DamagedValidCountIsReportedAndTheRestRead()
    {
        var bytes = SyntheticRecording.Aedat31(
        [
            (0, [(1, 2, true, 100, true), (3, 4, false, 200, false), (5, 6, false, 300, true)]),
            (0, [(7, 8, true, 400, true)]),
            (0, [(9, 9, true, 500, true), (9, 9, true, 600, true)]),
        ]);
        int second = bytes.Length - (28 + 16) - (28 + 8);
        var bad = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(second + 24), 64744);
        var d = Drained.FromFile(Write(bad, "valid.aedat"));
        Assert.Equal(new long[] { 100, 300, 400, 500, 600 }, d.T);
        var err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(second, err.ByteOffset);
        Assert.Contains("eventValid 64744 is not plausible (expected 0..eventNumber 1)", err.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// jAER's DVS128 files (AEDAT 2.0, <c># AEChip: ch.unizh.ini.jaer.chip.retina.DVS128</c>) were refused ("not a DAVIS
    /// camera"). Their 16-bit address word, hand-built from jAER's DVS128 extractor: bits 14–8 y and 7–1 x from the
    /// lower-left corner, bit 0 the polarity with 0 = ON, bit 15 a sync event (IN pin falling edge). Decoded on our
    /// top-left grid as the DAVIS words are (x as stored, y = 127 − stored y). A DVS240 is a DAVIS240 without frames.
    /// </summary>
    [Fact]
    public void Aedat2Dvs128AddressWordsDecodeAsJaersExtractorReadsThem()
    {
        var bytes = SyntheticRecording.Aedat2(
        [
            ((10u << 8) | (5u << 1), 10),          // x 5, y 10 from the bottom, ON
            ((0u << 8) | (127u << 1) | 1, 20),    // x 127, y 0, OFF
            (0x8000u, 30),                        // sync event
            ((127u << 8) | (0u << 1) | 1, 40),    // x 0, y 127 (the top row), OFF
            (0x0001_0000u, 50),                   // bits above 15: not a DVS128 word
        ], chip: "ch.unizh.ini.jaer.chip.retina.DVS128");
        string path = Write(bytes, "dvs128.aedat");
        var d = Drained.FromFile(path);
        Assert.Equal(new long[] { 10, 20, 40 }, d.T);
        Assert.Equal(new short[] { 5, 127, 0 }, d.X);
        Assert.Equal(new short[] { 117, 127, 0 }, d.Y);
        Assert.Equal(new[] { true, false, false }, d.P);
        Assert.Equal([new EventDeblur.Events.TriggerEvent(30, EventDeblur.Events.TriggerType.ExternalSignalFallingEdge)], d.Triggers);
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("DVS128 address 0x00010000 has bits set above bit 15", StringComparison.Ordinal));
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("1 DVS events had addresses outside the 128×128 sensor and were dropped", StringComparison.Ordinal));
        using (var r = AedatReader.Open(path)) Assert.Equal((128, 128), (r.Info.Width, r.Info.Height));

        var dvs240 = Drained.FromFile(Write(SyntheticRecording.Aedat2([(SyntheticRecording.DavisDvs(3, 179 - 4, true), 5)], chip: "eu.seebetter.ini.chips.davis.DVS240"), "dvs240.aedat"));
        Assert.Equal(new short[] { 3 }, dvs240.X);
        Assert.Equal(new short[] { 4 }, dvs240.Y);
        Assert.False(dvs240.HasErrors);
    }

    /// <summary>
    /// A damaged AEDAT 3.1 packet header (eventSize, capacity) stopped the reader with "cannot resynchronise", losing
    /// every later packet; so did bytes inserted between packets. Since stop 38 the reader looks for the next packet
    /// header (strict checks, and the header after it too) and goes on from there: only the damaged packet is lost.
    /// </summary>
    [Fact]
    public void Aedat31ResynchronisesAfterADamagedPacketHeader()
    {
        var packets = Enumerable.Range(0, 5).Select(k =>
            (0, Enumerable.Range(0, 40).Select(i => (i % 30, (i * 7 + k) % 20, i % 2 == 0, k * 1000 + i * 10, true)).ToArray())).ToList();
        var bytes = SyntheticRecording.Aedat31(packets);
        int packetBytes = 28 + 40 * 8;
        int first = bytes.Length - 5 * packetBytes;
        int victim = first + 2 * packetBytes, after = victim + packetBytes;
        var all = Drained.FromFile(Write(bytes, "whole31.aedat"));
        Assert.Equal(200, all.T.Count);
        var expected = all.T.Take(80).Concat(all.T.Skip(120)).ToList();

        // eventSize damaged (was 8): the header is implausible; the reader resumes at the next packet's header.
        var size = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(size.AsSpan(victim + 4), 0x3F00_0008);
        var d = Drained.FromFile(Write(size, "size31.aedat"));
        Assert.Equal(expected, d.T);
        var err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(victim, err.ByteOffset);
        Assert.Contains($"resynchronised at byte {after}, the next packet header, skipping {packetBytes} bytes", err.Message, StringComparison.Ordinal);

        // Capacity and number damaged so that the body would run past the end of the file: a damaged header, not a truncation.
        var capacity = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(capacity.AsSpan(victim + 16), 5000);
        BinaryPrimitives.WriteInt32LittleEndian(capacity.AsSpan(victim + 20), 5000);
        BinaryPrimitives.WriteInt32LittleEndian(capacity.AsSpan(victim + 24), 5000);
        d = Drained.FromFile(Write(capacity, "capacity31.aedat"));
        Assert.Equal(expected, d.T);
        err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains("a damaged header: the file goes on", err.Message, StringComparison.Ordinal);

        // 1 000 stray bytes between two packets (a bad copy): skipped, nothing lost.
        var stray = bytes[..after].Concat(Enumerable.Range(0, 1000).Select(i => (byte)(i * 37 + 11))).Concat(bytes[after..]).ToArray();
        d = Drained.FromFile(Write(stray, "stray31.aedat"));
        Assert.Equal(all.T, d.T);
        err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(after, err.ByteOffset);
        Assert.Contains("skipping 1000 bytes", err.Message, StringComparison.Ordinal);

        // Garbage from the damaged header to the end: no header to resume at; what came before is kept.
        var tail = bytes[..victim].Concat(Enumerable.Range(0, 3 * packetBytes).Select(i => (byte)(i * 91 + 3))).ToArray();
        d = Drained.FromFile(Write(tail, "tail31.aedat"));
        Assert.Equal(all.T.Take(80), d.T);
        err = Assert.Single(d.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(victim, err.ByteOffset);
        Assert.Contains("cannot resynchronise: no packet header found in the next", err.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// inspect said "problems: 42 error(s)" where the readers had counted 86: each kind lists at most 20, then one
    /// "N more … not listed" line. The text and --json now give the count beyond those listed.
    /// </summary>
    [Fact]
    public void InspectCountsTheProblemsBeyondThoseListed()
    {
        var events = Enumerable.Range(0, 100).Select(i => (400, 10, true, 100 + i, true)).Prepend((1, 1, true, 50, true)).ToArray();
        string path = Write(SyntheticRecording.Aedat31([(0, events)]), "offsensor.aedat");
        var (code, stdout, _) = EventDeblur.Tests.Cli.CliTests.Run("inspect", path);
        Assert.Equal(1, code);
        Assert.Contains("problems:  21 error(s), 0 note(s) listed, and 80 more of the same kinds counted but not listed", stdout, StringComparison.Ordinal);
        var (_, json, _) = EventDeblur.Tests.Cli.CliTests.Run("inspect", "--json", path);
        Assert.Equal(80, System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("problems_not_listed").GetInt64());
    }

    [Fact]
    public void Aedat31ValidBitsOverflowAndTruncation()
    {
        var bytes = SyntheticRecording.Aedat31(
        [
            (0, [(1, 2, true, 100, true), (3, 4, false, 200, false), (5, 6, false, 300, true)]),
            (2, [(7, 8, true, 5, true)]),
            (2, [(9, 9, true, 6, true), (9, 9, true, 7, true)]),
        ]);
        string full = Write(bytes, "ok.aedat");
        var d = Drained.FromFile(full);
        Assert.Equal(new long[] { 100, 300, (2L << 31) | 5, (2L << 31) | 6, (2L << 31) | 7 }, d.T);
        Assert.Equal(new short[] { 1, 5, 7, 9, 9 }, d.X);
        Assert.Equal(new[] { true, false, true, true, true }, d.P);
        Assert.False(d.HasErrors);

        // Cut inside the last packet: the first two packets survive, and (since stop 41) the last packet's first event,
        // whole before the cut; the error names the last packet's offset.
        int lastPacket = bytes.Length - 28 - 16;
        string cut = Write(bytes[..(bytes.Length - 5)], "cut.aedat");
        var c = Drained.FromFile(cut);
        Assert.Equal(new long[] { 100, 300, (2L << 31) | 5, (2L << 31) | 6 }, c.T);
        var err = Assert.Single(c.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(lastPacket, err.ByteOffset);

        // An absurd capacity is refused without allocating it.
        var bad = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(lastPacket + 16), int.MaxValue);
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(lastPacket + 20), int.MaxValue);
        var a = Drained.FromFile(Write(bad, "absurd.aedat"));
        Assert.Equal(3, a.T.Count);
        Assert.Contains(a.Problems, p => p.ByteOffset == lastPacket && p.Message.Contains("not plausible"));
    }
}
