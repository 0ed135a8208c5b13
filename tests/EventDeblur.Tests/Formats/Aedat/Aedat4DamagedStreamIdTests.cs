using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>Small AEDAT 4.0 files of a synthetic recording's events, packets of 1 000, for the damage tests below.</summary>
internal static class Aedat4Fixture
{
    /// <summary>The bytes of <paramref name="rec"/>'s events written to DIR/whole.aedat4 with <paramref name="streams"/> declared.</summary>
    public static byte[] Written(string dir, SyntheticRecording rec, Aedat4Compression compression, params Aedat4StreamDeclaration[] streams)
    {
        string whole = Path.Combine(dir, "whole.aedat4");
        using (var w = Aedat4Writer.Create(whole, new Aedat4WriterOptions
        {
            Width = SyntheticRecording.Width, Height = SyntheticRecording.Height, MaxEventsPerPacket = 1000, Compression = compression, Streams = streams,
        }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.Complete();
        }
        return File.ReadAllBytes(whole);
    }
}

/// <summary>
/// A damaged stream id in an AEDAT 4.0 packet header (stop 42, a new user's trial on the real DAVIS346 file): a packet of
/// events whose id became one the infoNode does not declare was skipped as "another event stream" with a note (exit 0,
/// 9 % of the events gone); relabelled as the declared frame stream it was said to be "decoded as EVTS" and then skipped.
/// Both are now an error at the packet's byte, naming the declared stream of that kind.
/// </summary>
public class Aedat4DamagedStreamIdTests
{
    // 10 packets of 1 000 events (stream 0), the infoNode also declaring a frame stream (1); packet 3's id replaced.
    private static (string Path, long[] T, long At) Damaged(int id)
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(10_000, 5, frames: 0, triggers: 0, imu: 0);
        byte[] bytes = Aedat4Fixture.Written(dir, rec, Aedat4Compression.Lz4, new Aedat4StreamDeclaration(0, AedatStreamKind.Events, "events"), new Aedat4StreamDeclaration(1, AedatStreamKind.Frames, "frames"));
        var packets = Aedat4Surgery.Packets(bytes);
        Assert.Equal(10, packets.Count);
        string path = Path.Combine(dir, $"sid{id}.aedat4");
        File.WriteAllBytes(path, Aedat4Surgery.Assemble(bytes[..(int)packets[0].At], packets.Select((p, i) => (i == 3 ? id : 0, p.Body))));
        return (path, rec.T, packets[3].At);
    }

    [Theory]
    [InlineData(7, "the infoNode declares no stream 7 (it declares 0, 1)")]
    [InlineData(1, "the infoNode declares stream 1 as 'FRME'")]
    public void AnEventsPacketWithADamagedStreamIdIsAnErrorAtItsByte(int id, string declared)
    {
        var (path, t, at) = Damaged(id);
        Drained d;
        using (var r = Aedat4Reader.Open(path)) d = Drained.From(r);
        Assert.Equal(t.Take(3000).Concat(t.Skip(4000)), d.T);
        var error = Assert.Single(d.Problems);
        Assert.Equal(ProblemSeverity.Error, error.Severity);
        Assert.Equal(at, error.ByteOffset);
        Assert.Contains($"holds a 'EVTS' buffer (1000 events), but {declared} and its 'EVTS' stream is 0 'events': the packet header's stream id is damaged, most likely; packet skipped", error.Message);
    }

    /// <summary>
    /// Stop 44's trial: a damaged id on the first packet of a kind made the reader take that id for the stream, and every
    /// later packet of the real one was skipped as "another stream" (9 920 of 117 667 events kept; replay failed 2 of 3
    /// frames). Where the FileDataTable lists the packet under the declared stream of its kind, the packet is read as that
    /// stream's: every event kept, one error at its byte.
    /// </summary>
    [Theory]
    [InlineData(0, 7, "the infoNode declares no stream 7 (it declares 0, 1)")]
    [InlineData(0, 1, "the infoNode declares stream 1 as 'FRME'")]
    [InlineData(3, 7, "the infoNode declares no stream 7 (it declares 0, 1)")]
    public void APacketWhoseIdTheFileDataTableContradictsIsReadAsTheListedStream(int packet, int id, string declared)
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(10_000, 5, frames: 0, triggers: 0, imu: 0);
        byte[] bytes = Aedat4Fixture.Written(dir, rec, Aedat4Compression.Lz4, new Aedat4StreamDeclaration(0, AedatStreamKind.Events, "events"), new Aedat4StreamDeclaration(1, AedatStreamKind.Frames, "frames"));
        long at = Aedat4Surgery.Packets(bytes)[packet].At;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)at), id);
        string path = Path.Combine(dir, $"first{id}.aedat4");
        File.WriteAllBytes(path, bytes);
        using var r = Aedat4Reader.Open(path);
        var d = Drained.From(r);
        r.VerifyDataTable();
        Assert.Equal(rec.T, d.T);
        Assert.Equal(rec.X, d.X);
        var error = Assert.Single(r.Problems);
        Assert.Equal(ProblemSeverity.Error, error.Severity);
        Assert.Equal(at, error.ByteOffset);
        Assert.Contains($"holds a 'EVTS' buffer, but {declared}, and the FileDataTable lists this packet as stream 0 'events', declared 'EVTS': the packet header's stream id is damaged; the packet is read as stream 0's", error.Message);
    }

    [Fact]
    public void AnEventStreamAskedForByIdIsReadEvenIfUndeclared()
    {
        var (path, t, _) = Damaged(7);
        Drained d;
        using (var r = Aedat4Reader.Open(path, new AedatReaderOptions { EventStreamId = 7 })) d = Drained.From(r);
        Assert.Equal(t.Skip(3000).Take(1000), d.T);
    }

    /// <summary>
    /// `--event-stream` naming a stream the infoNode declares as frames (stop 43's README audit: 0 events read, exit 0,
    /// `convert` wrote an empty file) is refused when the file is opened, naming the event stream; so is a trigger or IMU
    /// stream's id (it failed as "the sensor size is not stated"). The event stream's own id still reads every event.
    /// </summary>
    [Fact]
    public void AnEventStreamIdThatTheInfoNodeDeclaresAsFramesIsRefused()
    {
        var (path, t, at) = Damaged(0);
        Assert.True(at > 0);
        var e = Assert.Throws<AedatFormatException>(() => { using var r = Aedat4Reader.Open(path, new AedatReaderOptions { EventStreamId = 1 }); });
        Assert.Contains("--event-stream 1: the infoNode declares stream 1 'frames' as a frame stream ('FRME'), not events; the file's event stream is 0 'events'", e.Message);
        Assert.Equal(UserInputKind.Unusable, e.Kind);
        Drained d;
        using (var r = Aedat4Reader.Open(path, new AedatReaderOptions { EventStreamId = 0 })) d = Drained.From(r);
        Assert.Equal(t, d.T);
    }
}

/// <summary>
/// A packet size too large but plausible (stop 42, the same trial: the real file's packet 5 declared 1 000 bytes more than
/// its LZ4 frame): the walk landed inside a later packet, lost the two after it even with an intact FileDataTable, and
/// the table check, matching entries by position, then blamed 20 correct entries. The frame's own end now gives the size.
/// </summary>
public class Aedat4OversizedPacketTests
{
    [Theory]
    [InlineData(Aedat4Compression.Lz4, true)]
    [InlineData(Aedat4Compression.Lz4, false)]
    [InlineData(Aedat4Compression.Zstd, true)]
    [InlineData(Aedat4Compression.None, true)]
    public void ASizeBeyondItsFramesEndLosesNoPacket(Aedat4Compression compression, bool withTable)
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(10_000, 5, frames: 0, triggers: 0, imu: 0);
        byte[] bytes = Aedat4Fixture.Written(dir, rec, compression, new Aedat4StreamDeclaration(0, AedatStreamKind.Events, "events"));
        var packets = Aedat4Surgery.Packets(bytes);
        if (!withTable) bytes = Aedat4Surgery.Assemble(bytes[..(int)packets[0].At], packets.Select(p => (p.Stream, p.Body)));
        long at = packets[5].At;
        int size = packets[5].Body.Length;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)at + 4), size + 300);
        string path = Path.Combine(dir, "oversized.aedat4");
        File.WriteAllBytes(path, bytes);

        Drained d;
        using (var r = Aedat4Reader.Open(path))
        {
            d = Drained.From(r);
            r.VerifyDataTable();
            // (Without its table the file still has the IOHeader that points at one: that is the other problem.)
            var error = Assert.Single(r.Problems, p => !p.Message.Contains("FileDataTable at byte"));
            Assert.Equal(withTable ? 1 : 2, r.Problems.Count);
            Assert.Equal(at, error.ByteOffset);
            Assert.Contains($"declares a body of {size + 300} bytes, but its", error.Message);
            Assert.Contains($"ends after {size} bytes and a packet header follows there: the header's size is corrupt", error.Message);
        }
        Assert.Equal(rec.T, d.T);
    }
}

/// <summary>The FileDataTable check matches entries with packets by byte offset (stop 42), so what disagrees is named once.</summary>
public class Aedat4TableMatchTests
{
    [Fact]
    public void TwoPacketsSwappedAreNamedByWhereTheyLie()
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(10_000, 5, frames: 0, triggers: 0, imu: 0);
        byte[] bytes = Aedat4Fixture.Written(dir, rec, Aedat4Compression.Lz4, new Aedat4StreamDeclaration(0, AedatStreamKind.Events, "events"));
        var packets = Aedat4Surgery.Packets(bytes);
        Assert.NotEqual(packets[3].Body.Length, packets[4].Body.Length);
        // Packets 3 and 4 swapped in place (same bytes in all; the table still lists the old order).
        long at3 = packets[3].At;
        byte[] swapped = [.. bytes[(int)packets[4].At..(int)(packets[4].At + 8 + packets[4].Body.Length)], .. bytes[(int)at3..(int)packets[4].At]];
        swapped.CopyTo(bytes, at3);
        string path = Path.Combine(dir, "swapped.aedat4");
        File.WriteAllBytes(path, bytes);

        using var r = Aedat4Reader.Open(path);
        Drained.From(r);
        r.VerifyDataTable();
        var table = r.Problems.Where(p => p.Message.Contains("FileDataTable") || p.Message.Contains("not in the")).Select(p => p.Message).ToList();
        long at4 = packets[4].At, moved = at3 + 8 + packets[4].Body.Length;
        Assert.Contains(table, m => m.Contains($"FileDataTable entry 3 (packet at byte {at3}) says size {packets[3].Body.Length} bytes, the packet body holds {packets[4].Body.Length}"));
        Assert.Contains(table, m => m.Contains($"FileDataTable entry 4 lists a packet at byte {at4} (stream 0, {packets[4].Body.Length} bytes) that the walk did not read there"));
        Assert.Contains(table, m => m.Contains($"the packet at byte {moved} (stream 0) is not in the FileDataTable"));
        Assert.Equal(3, table.Count);
    }
}

/// <summary>
/// An IOHeader whose compression field names another format than the packets are in (stop 42, a new user's trial: the
/// real file's field flipped from LZ4 to ZSTD decoded nothing). The bodies are decoded by their own magic, said once.
/// </summary>
public class Aedat4WrongCompressionFieldTests
{
    [Theory]
    [InlineData(Aedat4Compression.Lz4, 3)]   // LZ4 bodies, header says ZSTD
    [InlineData(Aedat4Compression.Zstd, 1)]  // Zstandard bodies, header says LZ4
    [InlineData(Aedat4Compression.Lz4, 0)]   // LZ4 bodies, header says none (stop 44's trial: nothing was read)
    [InlineData(Aedat4Compression.Zstd, 0)]  // Zstandard bodies, header says none
    public void BodiesAreDecodedByTheirOwnMagicAndTheFieldIsNamed(Aedat4Compression written, int field)
    {
        string dir = TestPaths.NewTempDir();
        var rec = SyntheticRecording.Random(5_000, 5, frames: 0, triggers: 0, imu: 0);
        byte[] bytes = Aedat4Fixture.Written(dir, rec, written, new Aedat4StreamDeclaration(0, AedatStreamKind.Events, "events"));
        string path = Path.Combine(dir, "flipped.aedat4");
        File.WriteAllBytes(path, Aedat4Surgery.WithInfoNode(bytes, Aedat4Surgery.Parse(bytes).InfoXml, field));
        Drained d;
        using (var r = Aedat4Reader.Open(path)) d = Drained.From(r);
        Assert.Equal(rec.T, d.T);
        var error = Assert.Single(d.Problems);
        Assert.Contains("the IOHeader's compression field is damaged, most likely", error.Message);
    }

    /// <summary>
    /// The real DV file (LZ4) with its IOHeader's compression byte (byte 46) set to none or ZSTD: every packet and the
    /// FileDataTable are read, and the damaged field is the one error (stop 44's trial: the table, compressed like the
    /// packets, was also called unreadable, and the walk read it as a packet of stream 407708164 with a 1.9 GB body).
    /// </summary>
    [SkippableTheory]
    [InlineData(0)]
    [InlineData(3)]
    public void RealFileWithTheFieldDamagedKeepsItsTableAndReportsOneError(byte field)
    {
        TestPaths.RequireShared();
        string real = Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4");
        byte[] bytes = File.ReadAllBytes(real);
        Assert.Equal(1, bytes[46]);   // LZ4, the field this test damages
        bytes[46] = field;
        string path = Path.Combine(TestPaths.NewTempDir(), "field.aedat4");
        File.WriteAllBytes(path, bytes);
        var expected = TestPaths.ExpectedJson().GetProperty("aedat4/aestream_davis346_evts_frames_imu_trig.aedat4");
        using var reader = Aedat4Reader.Open(path);
        var d = Drained.From(reader);
        reader.VerifyDataTable();
        Assert.Equal(expected.GetProperty("streams").GetProperty("0").GetProperty("event_count").GetInt64(), d.T.Count);
        Assert.Equal(3, d.Frames.Count);
        Assert.Equal(expected.GetProperty("streams").GetProperty("3").GetProperty("elements").GetInt32(), d.Triggers.Count);
        var error = Assert.Single(reader.Problems);
        Assert.Equal(3126, error.ByteOffset);
        Assert.Contains("the IOHeader's compression field is damaged, most likely", error.Message);
    }
}
