using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>Each <see cref="ReaderLimits"/> field is enforced, reported with file and offset, and reading goes on.</summary>
public class ReaderLimitsTests
{
    private static (string Path, SyntheticRecording Rec) Source(Aedat4Compression c)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "source.aedat4");
        var rec = SyntheticRecording.Random(5000, 3, frames: 2, triggers: 3, imu: 2);
        rec.WriteAedat4(path, c, 1000);
        return (path, rec);
    }

    private static AedatSummary Read(string path, ReaderLimits limits)
    {
        using var r = AedatReader.Open(path, new AedatReaderOptions { Limits = limits });
        return AedatSummary.Compute(r);
    }

    [Fact]
    public void DefaultsAreValidAndNonPositiveLimitsAreRefused()
    {
        Assert.Same(ReaderLimits.Default, ReaderLimits.Default.Validate());
        Assert.Equal(256L << 20, ReaderLimits.Default.MaxDecompressedPacketBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderLimits { MaxInfoNodeDepth = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReaderLimits { MaxDecompressedPacketBytes = -1 }.Validate());
        var (path, _) = Source(Aedat4Compression.Lz4);
        Assert.Throws<ArgumentOutOfRangeException>(() => AedatReader.Open(path, new AedatReaderOptions { Limits = new ReaderLimits { MaxEventsPerPacket = 0 } }));
    }

    [Theory]
    [InlineData(Aedat4Compression.Zstd)]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.None)]
    public void PacketsOverTheDecompressedLimitAreSkippedAndTheRestDecodes(Aedat4Compression c)
    {
        var (path, rec) = Source(c);
        // Frame packets hold 346 × 260 pixel bytes (≈ 90 KB); event packets 1000 × 16 bytes.
        var s = Read(path, new ReaderLimits { MaxDecompressedPacketBytes = 64 << 10 });
        if (c == Aedat4Compression.None)
        {
            Assert.Equal(2, s.FrameCount); // the limit applies to decompression only
            return;
        }
        Assert.Equal(0, s.FrameCount);
        Assert.Equal(rec.T.Length, s.EventCount);
        var limits = s.Problems.Where(p => p.Message.Contains("limit of 64 KiB", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, limits.Count);
        Assert.All(limits, p => Assert.True(p.ByteOffset > 18 && p.FilePath == path));
        if (c == Aedat4Compression.Zstd) Assert.All(limits, p => Assert.Contains("zstd frame header declares", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void EventsPerPacketAndFramePixelLimits()
    {
        var (path, rec) = Source(Aedat4Compression.Lz4);
        var s = Read(path, new ReaderLimits { MaxEventsPerPacket = 999, MaxFramePixels = 346 * 259 });
        Assert.Equal(2 * 500, s.EventCount); // each half is written as 1000 + 1000 + 500 events
        Assert.Equal(rec.T.Skip(2000).Take(500).Concat(rec.T.Skip(4500)).First(), s.FirstTimestampUs);
        Assert.Equal(0, s.FrameCount);
        Assert.Equal(3, s.TriggerCount);
        Assert.Contains(s.Problems, p => p.Message.Contains("holds 1000 events; the reader's limit is 999", StringComparison.Ordinal));
        Assert.Contains(s.Problems, p => p.Message.Contains("frame of 346×260 = 89960 pixels exceeds the reader's limit of 89614 pixels", StringComparison.Ordinal));

        var ok = Read(path, new ReaderLimits { MaxEventsPerPacket = 1000, MaxFramePixels = 346 * 260 });
        Assert.Equal(rec.T.Length, ok.EventCount);
        Assert.False(ok.HasErrors, string.Join("\n", ok.Problems));
    }

    [Fact]
    public void InfoNodeSizeAndDepthLimits()
    {
        var (path, rec) = Source(Aedat4Compression.Lz4);
        var small = Read(path, new ReaderLimits { MaxInfoNodeChars = 100 });
        Assert.Contains(small.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("exceeds the limit of 100 characters", StringComparison.Ordinal));
        Assert.Equal(rec.T.Length, small.EventCount); // types come from the packets' identifiers

        // Our writer nests dv / outInfo / stream / info / attr: 5 levels.
        var shallow = Read(path, new ReaderLimits { MaxInfoNodeDepth = 4 });
        Assert.Contains(shallow.Problems, p => p.Message.Contains("nests deeper than 4 levels", StringComparison.Ordinal));
        Assert.Equal(rec.T.Length, shallow.EventCount);

        Assert.False(Read(path, new ReaderLimits { MaxInfoNodeDepth = 5 }).HasErrors);
    }

    [Fact]
    public void Aedat31EventAndFrameLimits()
    {
        var evs = Enumerable.Range(0, 50).Select(i => (X: i, Y: 1, On: true, Ts: 10 * i, Valid: true)).ToArray();
        string path = Path.Combine(TestPaths.NewTempDir(), "a.aedat");
        File.WriteAllBytes(path, SyntheticRecording.Aedat31([(0, evs), (0, evs[..10])]));
        var s = Read(path, new ReaderLimits { MaxEventsPerPacket = 20 });
        Assert.Equal(10, s.EventCount);
        Assert.Contains(s.Problems, p => p.Message.Contains("holds 50 events; the reader's limit is 20", StringComparison.Ordinal) && p.ByteOffset > 0);
    }

    [Fact]
    public void DtdIsRefusedInTheInfoNode()
    {
        var (path, rec) = Source(Aedat4Compression.Lz4);
        byte[] bytes = File.ReadAllBytes(path);
        string xml = "<!DOCTYPE dv [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>" + Aedat4Surgery.Parse(bytes).InfoXml.Replace("eventdeblur", "&b;");
        string hostile = Path.Combine(TestPaths.NewTempDir(), "dtd.aedat4");
        File.WriteAllBytes(hostile, Aedat4Surgery.WithInfoNode(bytes, xml));
        var s = AedatSummary.Compute(hostile);
        Assert.Contains(s.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("DTD", StringComparison.Ordinal));
        Assert.Equal(rec.T.Length, s.EventCount);
    }
}
