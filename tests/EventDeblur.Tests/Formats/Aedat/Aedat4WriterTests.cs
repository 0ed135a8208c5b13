using CsCheck;
using EventDeblur.Events;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Tests.Formats.Aedat;

public class Aedat4WriterTests
{
    [Fact]
    public void RoundTripPropertyHoldsForEveryCompression()
    {
        string dir = TestPaths.NewTempDir();
        Gen.Select(Gen.Int[0, 5000], Gen.Int, Gen.Int[0, 4], Gen.Int[1, 3000]).Sample((n, seed, c, perPacket) =>
        {
            var rec = SyntheticRecording.Random(n, seed, frames: seed & 3, triggers: (seed >> 2) & 7, imu: (seed >> 5) & 15);
            string path = Path.Combine(dir, $"rt-{Guid.NewGuid():N}.aedat4"); // samples run in parallel and may repeat
            rec.WriteAedat4(path, (Aedat4Compression)c, perPacket);
            var d = Drained.FromFile(path);
            Assert.False(d.HasErrors, string.Join("\n", d.Problems));
            Assert.Equal(rec.T, d.T);
            Assert.Equal(rec.X, d.X);
            Assert.Equal(rec.Y, d.Y);
            Assert.Equal(rec.P, d.P);
            Assert.Equal(rec.Triggers, d.Triggers);
            Assert.Equal(rec.Imu, d.Imu);
            Assert.Equal(rec.Frames.Count, d.Frames.Count);
            for (int i = 0; i < rec.Frames.Count; i++)
            {
                Assert.Equal(rec.Frames[i].Pixels, d.Frames[i].Pixels);
                Assert.Equal(rec.Frames[i] with { Pixels = [] }, d.Frames[i] with { Pixels = [] });
            }
            File.Delete(path);
        }, iter: 40);
    }

    [Fact]
    public void DataTableRowsPointAtEveryPacketBody()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "table.aedat4");
        var rec = SyntheticRecording.Random(10_000, 7);
        rec.WriteAedat4(path, Aedat4Compression.Zstd, 1500);
        using var reader = Aedat4Reader.Open(path);
        var table = reader.ReadDataTable()!;
        var d = new List<(long, int)>();
        while (reader.TryRead(out var p)) { d.Add((p!.ByteOffset + 8, p.StreamId)); if (p is EventsPacket e) e.Events.Dispose(); }
        Assert.Equal(d, table.Select(r => (r.ByteOffset, r.StreamId)));
        Assert.Equal(10_000, table.Where(r => r.StreamId == Aedat4Writer.EventsStream).Sum(r => r.NumElements));
        Assert.Equal(rec.T[0], table.First(r => r.StreamId == 0).TimestampStartUs);
        Assert.Equal(rec.T[^1], table.Last(r => r.StreamId == 0).TimestampEndUs);
    }

    [Fact]
    public void IncompleteWriterLeavesNoFileUnderTheFinalName()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "partial.aedat4");
        var rec = SyntheticRecording.Random(100, 3);
        using (var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = 346, Height = 260 }))
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [SkippableTheory]
    [InlineData("lz4")]
    [InlineData("zstd")]
    [InlineData("none")]
    public void ConvertingEveryRealRecordingKeepsItsHash(string compression)
    {
        TestPaths.RequireShared();
        var c = compression switch { "lz4" => Aedat4Compression.Lz4, "zstd" => Aedat4Compression.Zstd, _ => Aedat4Compression.None };
        string dir = TestPaths.NewTempDir();
        foreach (var file in Directory.GetFiles(TestPaths.RealRecordingsDir, "*.aedat*", SearchOption.AllDirectories))
        {
            var original = Drained.FromFile(file);
            string outPath = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".aedat4");
            using (var reader = AedatReader.Open(file))
                AedatConverter.ToAedat4(reader, outPath, c, width: reader.Info.Width > 0 ? null : 346, height: reader.Info.Height > 0 ? null : 260);
            var converted = Drained.FromFile(outPath);
            Assert.Equal(original.Hash(), converted.Hash());
            Assert.Equal(original.Frames.Count, converted.Frames.Count);
            Assert.Equal(original.Triggers, converted.Triggers);
            Assert.Equal(original.Imu, converted.Imu);
            Assert.False(converted.HasErrors, string.Join("\n", converted.Problems));
        }
    }

    [Fact]
    public void NetworkStreamLayoutReadsBackWithoutVersionLine()
    {
        var rec = SyntheticRecording.Random(3000, 11, frames: 0, triggers: 0, imu: 0);
        // A non-seekable copy, as a socket would be.
        var bytes = NetworkStream(rec, 700);
        using var reader = Aedat4Reader.OpenStream(new NonSeekable(bytes), "tcp://test", hasVersionLine: false);
        var d = Drained.From(reader);
        Assert.Equal(rec.Hash(), d.Hash());
        Assert.False(d.HasErrors);
    }

    /// <summary>
    /// An absurd packet size on a network stream (stop 42, a new user's live trial): the message spoke of a FileDataTable
    /// and of 64 MiB scanned ahead, on a socket. It now says the stream cannot be resynchronised, and the packets before are kept.
    /// </summary>
    [Fact]
    public void AnAbsurdPacketSizeOnANetworkStreamSaysTheRestOfTheConnectionIsNotRead()
    {
        var rec = SyntheticRecording.Random(3000, 11, frames: 0, triggers: 0, imu: 0);
        var bytes = NetworkStream(rec, 1000);
        // The second packet's size (after the 4-byte header length, the header, the first packet) set to 2^31 − 256.
        int headerLength = 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);
        int first = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(headerLength + 4));
        int second = headerLength + 8 + first;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(second + 4), int.MaxValue - 255);
        using var reader = Aedat4Reader.OpenStream(new NonSeekable(bytes), "tcp://test", hasVersionLine: false);
        var d = Drained.From(reader);
        Assert.Equal(rec.T.Take(1000), d.T);
        var error = Assert.Single(d.Problems);
        Assert.Equal(second, error.ByteOffset);
        Assert.Contains("a stream that cannot seek (a network stream) cannot be resynchronised past it: the rest of this connection is not read", error.Message);
        Assert.DoesNotContain("FileDataTable", error.Message);
    }

    /// <summary><paramref name="rec"/>'s events in the DV network stream layout, <paramref name="perPacket"/> to a packet.</summary>
    private static byte[] NetworkStream(SyntheticRecording rec, int perPacket)
    {
        var ms = new MemoryStream();
        using (var w = Aedat4Writer.CreateNetworkStream(ms, new Aedat4WriterOptions { Width = 346, Height = 260, MaxEventsPerPacket = perPacket }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.Complete();
        }
        return ms.ToArray();
    }

    private sealed class NonSeekable(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
