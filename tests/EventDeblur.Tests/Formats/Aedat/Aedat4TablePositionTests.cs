using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// Stop 39's ingest trial: an IOHeader whose FileDataTable position lies inside the data but names no table (a wrong
/// position, or a packet inserted before the table) ended the walk there and lost every later packet with only "the
/// table is unreadable" (convert: exit 0, no message); and two recordings joined with <c>cat</c> read as one, the
/// second ignored with no message. Our own sample (<c>recordings/sample-night/events.aedat4</c>) is the input.
/// </summary>
public class Aedat4TablePositionTests
{
    private static string Sample => Path.Combine(TestPaths.RepoRoot, "recordings", "sample-night", "events.aedat4");

    /// <summary>The sample's events converted to an AEDAT 4.0 file with <paramref name="compression"/>.</summary>
    private static string SampleAs(Aedat4Compression compression)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "c.aedat4");
        using var reader = AedatReader.Open(Sample);
        EventDeblur.Formats.AedatConverter.ToAedat4(reader, path, compression);
        return path;
    }

    private static string Write(byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "f.aedat4");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.None)] // the review's case: an uncompressed table's first bytes look like a small packet
    [InlineData(Aedat4Compression.Zstd)]
    public void AWrongTablePositionInsideTheDataLosesNoPacket(Aedat4Compression compression)
    {
        string source = SampleAs(compression);
        byte[] bytes = File.ReadAllBytes(source);
        var clean = AedatSummary.Compute(source);
        Assert.Empty(clean.Problems);
        var (dataStart, table, _, _) = Aedat4Surgery.Parse(bytes);
        var packets = Aedat4Surgery.Packets(bytes[..(int)table]);
        Assert.True(packets.Count > 4);
        long wrong = packets[packets.Count / 2].At + 8 + 5; // inside a middle packet's body
        int field = FindInt64(bytes, (int)dataStart, table);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(field), wrong);
        var s = AedatSummary.Compute(Write(bytes));
        Assert.Equal(clean.EventCount, s.EventCount);
        Assert.Equal(clean.EventsSha256, s.EventsSha256);
        Assert.Equal(clean.FrameCount + clean.TriggerCount + clean.ImuCount, s.FrameCount + s.TriggerCount + s.ImuCount);
        var error = Assert.Single(s.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(wrong, error.ByteOffset);
        Assert.Contains("FileDataTable is unreadable (expected ", error.Message);
        Assert.Contains("the IOHeader says it starts here, so that position is wrong", error.Message);
        Assert.Contains("walking packets to the end of the file", error.Message);
        var note = Assert.Single(s.Problems, p => p.Severity == ProblemSeverity.Note);
        Assert.Equal(table, note.ByteOffset);
        Assert.Contains($"the FileDataTable is here (the IOHeader said byte {wrong})", note.Message);
    }

    [Fact]
    public void TwoRecordingsJoinedWithCatAreReportedAtTheSecondOnesByte()
    {
        byte[] one = File.ReadAllBytes(Sample);
        var clean = AedatSummary.Compute(Sample);
        string joined = Write([.. one, .. one]);
        var s = AedatSummary.Compute(joined);
        Assert.Equal(clean.EventCount, s.EventCount);
        var error = Assert.Single(s.Problems);
        Assert.Equal(one.Length, error.ByteOffset);
        Assert.Contains($"{one.Length} byte(s) follow the FileDataTable, which ends here; expected the end of the file: a second AEDAT recording (joined with cat?) starts here and is not read; split the file at this byte (e.g. tail -c +{one.Length + 1})", error.Message);
        // convert reports it too (it had exited 0 with no message).
        using var reader = AedatReader.Open(joined);
        var result = EventDeblur.Formats.AedatConverter.ToAedat4(reader, Path.Combine(TestPaths.NewTempDir(), "o.aedat4"), Aedat4Compression.Lz4);
        Assert.Contains(result.Problems, p => p.ByteOffset == one.Length && p.Message.Contains("a second AEDAT recording"));
    }

    [Theory]
    [InlineData(Aedat4Compression.None)]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.Lz4High)]
    [InlineData(Aedat4Compression.Zstd)]
    [InlineData(Aedat4Compression.ZstdHigh)]
    public void TheTablesFrameLengthIsFoundForEveryCompression(Aedat4Compression compression)
    {
        string path = SampleAs(compression);
        byte[] bytes = File.ReadAllBytes(path);
        var (_, table, _, _) = Aedat4Surgery.Parse(bytes);
        Assert.Equal(bytes.Length - table, CompressedFrame.Length(bytes.AsSpan((int)table), compression));
        Assert.Equal(bytes.Length - table, CompressedFrame.Length([.. bytes.AsSpan((int)table), .. "#!AER-DAT4.0\r\n"u8], compression));
        Assert.Null(CompressedFrame.Length(bytes.AsSpan((int)table, (int)(bytes.Length - table) - 1), compression));
        Assert.Empty(AedatSummary.Compute(path).Problems);
    }

    /// <summary>
    /// A copy cut short inside its FileDataTable: the table's position is right, so the walk ends there and the one error
    /// names the table (the first version of the wrong-position check walked on and read the table's bytes as a packet).
    /// </summary>
    [Fact]
    public void ACopyCutShortInsideTheTableGivesOneErrorAtTheTable()
    {
        byte[] bytes = File.ReadAllBytes(Sample);
        var (_, table, _, _) = Aedat4Surgery.Parse(bytes);
        var clean = AedatSummary.Compute(Sample);
        var s = AedatSummary.Compute(Write(bytes[..(int)(table + (bytes.Length - table) / 2)]));
        Assert.Equal(clean.EventCount, s.EventCount);
        var error = Assert.Single(s.Problems);
        Assert.Equal(table, error.ByteOffset);
        Assert.Contains("FileDataTable is unreadable: the stored table (an LZ4 frame (04 22 4D 18)) does not end within", error.Message);
    }

    /// <summary>The offset of the IOHeader's little-endian int64 <paramref name="value"/> (the table position field).</summary>
    private static int FindInt64(byte[] bytes, int end, long value)
    {
        for (int i = 18; i + 8 <= end; i++)
            if (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i)) == value) return i;
        throw new InvalidOperationException("table position not found in the IOHeader");
    }
}
