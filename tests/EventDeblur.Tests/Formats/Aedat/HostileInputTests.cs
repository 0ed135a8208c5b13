using System.Text;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// Reproducers of issue 15's reader findings (items 3, 4 and 6): each input is built from a file
/// our writer made, and each test failed before its fix.
/// </summary>
public class HostileInputTests
{
    private static (string Path, byte[] Bytes, SyntheticRecording Rec) Source(Aedat4Compression c = Aedat4Compression.Lz4, int events = 6000)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "source.aedat4");
        var rec = SyntheticRecording.Random(events, 7, frames: 1, triggers: 3, imu: 2);
        rec.WriteAedat4(path, c, 1000);
        return (path, File.ReadAllBytes(path), rec);
    }

    private static string Write(byte[] bytes, string name = "hostile.aedat4")
    {
        string p = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Fact]
    public void DeeplyNestedInfoNodeIsAnErrorAtItsOffsetAndPacketsStillDecodeByIdentifier()
    {
        var (_, bytes, rec) = Source();
        const int depth = 5000;
        var xml = new StringBuilder("<dv>");
        for (int i = 0; i < depth; i++) xml.Append("<node name=\"n\">");
        for (int i = 0; i < depth; i++) xml.Append("</node>");
        xml.Append("</dv>");
        byte[] hostile = Aedat4Surgery.WithInfoNode(bytes, xml.ToString());
        var (dataStart, _, _, _) = Aedat4Surgery.Parse(hostile);
        string path = Write(hostile);

        var s = AedatSummary.Compute(path);

        var p = Assert.Single(s.Problems, p => p.Message.Contains("nests deeper", StringComparison.Ordinal));
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.Equal(path, p.FilePath);
        Assert.InRange(p.ByteOffset, 18, dataStart - 1);
        Assert.Equal(rec.T.Length, s.EventCount);
        Assert.Equal(rec.Hash(), s.EventsSha256);
    }

    [Fact]
    public void Lz4BombIsStoppedAtTheDefaultLimitAndLaterPacketsStillDecode()
    {
        var (_, bytes, rec) = Source(events: 4000);
        byte[] prefix = Aedat4Surgery.WithInfoNode(bytes, Aedat4Surgery.Parse(bytes).InfoXml);
        var packets = Aedat4Surgery.Packets(prefix);
        prefix = prefix[..(int)packets[0].At];
        int victim = packets.FindIndex(p => p.Stream == 0);
        byte[] bomb = Aedat4Surgery.Lz4Bomb(129); // 516 MiB of zeros in about 2 MB
        var rebuilt = packets.Select((p, i) => (p.Stream, i == victim ? bomb : p.Body)).ToList();
        string path = Write(Aedat4Surgery.Assemble(prefix, rebuilt));
        long bombAt = Aedat4Surgery.Packets(File.ReadAllBytes(path))[victim].At;

        long before = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead();
        var s = AedatSummary.Compute(path);
        long allocated = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead() - before;

        var p = Assert.Single(s.Problems, p => p.ByteOffset == bombAt);
        Assert.Contains("limit of 256 MiB", p.Message, StringComparison.Ordinal);
        Assert.Equal(rec.T.Length - 1000, s.EventCount);
        // The default limit is 256 MiB; growing the buffer to it allocates under 2 × 256 MiB in all.
        Assert.True(allocated < 600L << 20, $"reading the bomb allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void Lz4FrameDeclaringAnOversizedContentIsRefusedBeforeDecoding()
    {
        var (_, bytes, rec) = Source(events: 3000);
        byte[] prefix = Aedat4Surgery.WithInfoNode(bytes, Aedat4Surgery.Parse(bytes).InfoXml);
        var packets = Aedat4Surgery.Packets(prefix);
        prefix = prefix[..(int)packets[0].At];
        int victim = packets.FindIndex(p => p.Stream == 0);
        var rebuilt = packets.Select((p, i) => (p.Stream, i == victim ? Aedat4Surgery.Lz4Bomb(129, declareSize: true) : p.Body)).ToList();
        string path = Write(Aedat4Surgery.Assemble(prefix, rebuilt));

        long before = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead();
        var s = AedatSummary.Compute(path);
        long allocated = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead() - before;

        Assert.Contains(s.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("declares 541065216 bytes", StringComparison.Ordinal));
        Assert.Equal(rec.T.Length - 1000, s.EventCount);
        Assert.True(allocated < 64L << 20, $"refusing the frame allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void LyingStreamTypeInTheInfoNodeIsAnErrorAndEventsAreDecodedByTheirIdentifier()
    {
        var (_, bytes, rec) = Source();
        var (dataStart, _, _, xml) = Aedat4Surgery.Parse(bytes);
        Assert.Contains(">EVTS<", xml, StringComparison.Ordinal);
        var header = bytes.AsSpan(0, (int)dataStart);
        int at = header.IndexOf("EVTS"u8);
        "XXXX"u8.CopyTo(bytes.AsSpan(at));
        string path = Write(bytes);

        var s = AedatSummary.Compute(path);

        Assert.Equal(rec.T.Length, s.EventCount);
        Assert.Equal(rec.Hash(), s.EventsSha256);
        Assert.True(s.HasErrors);
        Assert.Contains(s.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("'XXXX'", StringComparison.Ordinal) && p.Message.Contains("'EVTS'", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryKindOfFileDataTableCorruptionIsAnError()
    {
        var (path, bytes, _) = Source(Aedat4Compression.None);
        Assert.False(AedatSummary.Compute(path).HasErrors);
        IReadOnlyList<Aedat4TableEntry> rows;
        long tablePos;
        using (var r = Aedat4Reader.Open(path)) { rows = r.ReadDataTable()!; tablePos = r.DataTablePosition; }
        var row = rows[3];
        var corruptions = new (string What, long Value)[]
        {
            ("byte offset", row.ByteOffset), ("start time", row.TimestampStartUs), ("end time", row.TimestampEndUs), ("elements", row.NumElements),
        };
        foreach (var (what, value) in corruptions)
        {
            var bad = (byte[])bytes.Clone();
            var table = bad.AsSpan((int)tablePos);
            int i = table.IndexOf(BitConverter.GetBytes(value));
            Assert.True(i >= 0, what);
            BitConverter.GetBytes(value + 1).CopyTo(table[i..]);
            string badPath = Write(bad);

            var s = AedatSummary.Compute(badPath);

            Assert.True(s.HasErrors, $"{what}: no error");
            Assert.Contains(s.Problems, p => p.ByteOffset == tablePos && p.Message.Contains("FileDataTable entry", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ConvertDropsBackwardAndOutOfRangeEventsSoItsOutputPassesInspect()
    {
        var rec = SyntheticRecording.Random(3000, 11, frames: 0, triggers: 0, imu: 0);
        for (int i = 100; i < 3000; i += 250) rec.T[i] -= 5_000;           // goes back in time
        for (int i = 170; i < 3000; i += 400) rec.X[i] = SyntheticRecording.Width + 3; // off the sensor
        string input = Path.Combine(TestPaths.NewTempDir(), "in.aedat4");
        rec.WriteAedat4(input, Aedat4Compression.Lz4);
        Assert.True(AedatSummary.Compute(input).HasErrors);
        long kept = 0, last = long.MinValue;
        for (int i = 0; i < rec.T.Length; i++)
        {
            if (rec.X[i] >= SyntheticRecording.Width || rec.T[i] < last) continue;
            last = rec.T[i];
            kept++;
        }

        string output = Path.Combine(TestPaths.NewTempDir(), "out.aedat4");
        ConversionResult result;
        using (var reader = AedatReader.Open(input)) result = AedatConverter.ToAedat4(reader, output, Aedat4Compression.Lz4);

        var s = AedatSummary.Compute(output);
        Assert.False(s.HasErrors, string.Join("\n", s.Problems));
        Assert.Equal(kept, s.EventCount);
        Assert.Equal(kept, result.Events);
        Assert.NotEmpty(result.Problems);
    }

    // Found by the abuse corpus: our writer leaves a 0 µs time out of the FileDataTable (the schema's
    // default), and the reader took the absent field for −1, so inspect failed the converted file.
    [Fact]
    public void TableTimesOfZeroReadBackAsZero()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "zero.aedat4");
        using (var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = 4, Height = 4 }))
        {
            w.WriteEvents([0L, 0L, 5L], [(short)1, (short)2, (short)3], [(short)1, (short)1, (short)1], [true, false, true]);
            w.Complete();
        }
        using (var r = Aedat4Reader.Open(path))
        {
            var row = Assert.Single(r.ReadDataTable()!);
            Assert.Equal(0, row.TimestampStartUs);
            Assert.Equal(5, row.TimestampEndUs);
        }
        Assert.False(AedatSummary.Compute(path).HasErrors);
    }
}
