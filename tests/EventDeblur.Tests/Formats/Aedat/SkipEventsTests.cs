using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// <see cref="AedatReaderOptions.DecodeEvents"/> off (the trigger-sync and APS-exposure passes): no events are
/// delivered, event packets are stepped over unread where the format allows it, and everything else —
/// triggers, frames, IMU samples, the FileDataTable check — is exactly what a full read gives.
/// </summary>
public class SkipEventsTests
{
    private static readonly AedatReaderOptions Skip = new() { DecodeFrames = true, DecodeEvents = false };

    [Theory]
    [InlineData(Aedat4Compression.Lz4, 16)]
    [InlineData(Aedat4Compression.Lz4, 0)]
    [InlineData(Aedat4Compression.Zstd, 4)]
    [InlineData(Aedat4Compression.None, 0)]
    public void Aedat4StepsOverEventPacketsAndKeepsEverythingElse(Aedat4Compression compression, int prefetch)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "rec.aedat4");
        var rec = SyntheticRecording.Random(5000, 7, frames: 3, triggers: 9, imu: 4);
        rec.WriteAedat4(path, compression, maxEventsPerPacket: 500);

        Drained full;
        using (var r = Aedat4Reader.Open(path)) full = Drained.From(r);
        using var reader = Aedat4Reader.Open(path, Skip with { Limits = new ReaderLimits { PrefetchPackets = prefetch } });
        var skipped = Drained.From(reader);
        reader.VerifyDataTable();

        Assert.Empty(skipped.T);
        Assert.Equal(5000, full.T.Count);
        Assert.Equal(full.Triggers, skipped.Triggers);
        Assert.Equal(full.Imu, skipped.Imu);
        Assert.Equal(full.Frames.Select(f => (f.Exposure, f.TimestampUs, Convert.ToHexString(f.Pixels))), skipped.Frames.Select(f => (f.Exposure, f.TimestampUs, Convert.ToHexString(f.Pixels))));
        // 10 event packets of 500: the first shows the stream's identifier, the other 9 are never read.
        Assert.Equal(9, reader.PacketsSteppedOver);
        Assert.DoesNotContain(reader.Problems, p => p.Severity == ProblemSeverity.Error);
    }

    [Fact]
    public void Aedat4TableCheckStillFindsALyingOffsetOfASteppedOverPacket()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "rec.aedat4");
        SyntheticRecording.Random(3000, 3, frames: 0, triggers: 2, imu: 0).WriteAedat4(path, Aedat4Compression.None, maxEventsPerPacket: 500);
        IReadOnlyList<Aedat4TableEntry> rows;
        long tablePos;
        using (var r = Aedat4Reader.Open(path)) { rows = r.ReadDataTable()!; tablePos = r.DataTablePosition; }
        using (var clean = Aedat4Reader.Open(path, Skip))
        {
            Drained.From(clean);
            clean.VerifyDataTable();
            Assert.True(clean.PacketsSteppedOver >= 4);
            Assert.DoesNotContain(clean.Problems, p => p.Severity == ProblemSeverity.Error);
        }
        // Entry 4 is an event packet that the pass steps over: its stated offset is off by one.
        Assert.Equal(0, rows[4].StreamId);
        byte[] bytes = File.ReadAllBytes(path);
        var table = bytes.AsSpan((int)tablePos);
        int i = table.IndexOf(BitConverter.GetBytes(rows[4].ByteOffset));
        Assert.True(i >= 0);
        BitConverter.GetBytes(rows[4].ByteOffset + 1).CopyTo(table[i..]);
        File.WriteAllBytes(path, bytes);

        using var reader = Aedat4Reader.Open(path, Skip);
        Drained.From(reader);
        reader.VerifyDataTable();
        Assert.Contains(reader.Problems, p => p.ByteOffset == tablePos && p.Message.Contains("FileDataTable entry 4", StringComparison.Ordinal));
    }

    [Fact]
    public void Aedat31StepsOverPolarityPackets()
    {
        var packets = Enumerable.Range(0, 4).Select(k => (0, Enumerable.Range(0, 50).Select(i => (i % 346, i % 260, i % 2 == 0, k * 1000 + i, true)).ToArray()));
        string path = Path.Combine(TestPaths.NewTempDir(), "rec.aedat");
        File.WriteAllBytes(path, SyntheticRecording.Aedat31(packets));

        Drained full, skipped;
        using (var r = AedatReader.Open(path)) full = Drained.From(r);
        using (var r = AedatReader.Open(path, Skip)) skipped = Drained.From(r);
        Assert.Equal(200, full.T.Count);
        Assert.Empty(skipped.T);
        Assert.Empty(skipped.Problems);
    }

    [Fact]
    public void Aedat2DeliversTriggersButNoEvents()
    {
        var records = new List<(uint, int)>();
        for (int i = 0; i < 100; i++) records.Add((SyntheticRecording.DavisDvs(i % 240, i % 180, i % 2 == 0), 10 * i));
        records.Add((0x400u | 3, 1005)); // rising edge of the external input
        records.Add((0x400u | 2, 1500)); // falling edge
        string path = Path.Combine(TestPaths.NewTempDir(), "rec.aedat");
        File.WriteAllBytes(path, SyntheticRecording.Aedat2(records));

        Drained full, skipped;
        using (var r = AedatReader.Open(path)) full = Drained.From(r);
        using (var r = AedatReader.Open(path, Skip)) skipped = Drained.From(r);
        Assert.Equal(100, full.T.Count);
        Assert.Empty(skipped.T);
        Assert.Equal([new TriggerEvent(1005, TriggerType.ExternalSignalRisingEdge), new TriggerEvent(1500, TriggerType.ExternalSignalFallingEdge)], skipped.Triggers);
        Assert.Equal(full.Triggers, skipped.Triggers);
    }

    [SkippableFact]
    public void RealDavisFileGivesTheSameTriggersFramesAndImuWithoutReadingItsEvents()
    {
        TestPaths.RequireShared();
        string path = Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4");
        var expected = TestPaths.ExpectedJson().GetProperty("aedat4/aestream_davis346_evts_frames_imu_trig.aedat4").GetProperty("streams");
        Drained full;
        using (var r = Aedat4Reader.Open(path)) full = Drained.From(r);
        using var reader = Aedat4Reader.Open(path, Skip);
        var skipped = Drained.From(reader);
        reader.VerifyDataTable();

        Assert.Empty(skipped.T);
        Assert.Equal(expected.GetProperty("3").GetProperty("elements").GetInt32(), skipped.Triggers.Count);
        Assert.Equal(full.Triggers, skipped.Triggers);
        Assert.Equal(full.Imu, skipped.Imu);
        Assert.Equal(full.Frames.Select(f => f.Exposure), skipped.Frames.Select(f => f.Exposure));
        // The independent decoder counts 13 event packets: one is read to check its identifier.
        Assert.Equal(expected.GetProperty("0").GetProperty("packets").GetInt32() - 1, reader.PacketsSteppedOver);
        Assert.DoesNotContain(reader.Problems, p => p.Severity == ProblemSeverity.Error);
    }
}
