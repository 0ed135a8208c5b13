using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

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
        string whole = Path.Combine(dir, "whole.aedat4");
        using (var w = Aedat4Writer.Create(whole, new Aedat4WriterOptions
        {
            Width = SyntheticRecording.Width, Height = SyntheticRecording.Height, MaxEventsPerPacket = 1000,
            Streams = [new(0, AedatStreamKind.Events, "events"), new(1, AedatStreamKind.Frames, "frames")],
        }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.Complete();
        }
        byte[] bytes = File.ReadAllBytes(whole);
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

    [Fact]
    public void AnEventStreamAskedForByIdIsReadEvenIfUndeclared()
    {
        var (path, t, _) = Damaged(7);
        Drained d;
        using (var r = Aedat4Reader.Open(path, new AedatReaderOptions { EventStreamId = 7 })) d = Drained.From(r);
        Assert.Equal(t.Skip(3000).Take(1000), d.T);
    }
}
