using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// Stop 40's convert trial: an AEDAT 4.0 file with two event streams (two cameras; DV records raw and filtered events
/// side by side) was read as one stream — inspect summed and hashed both, replay would have mixed two sensors' events,
/// and convert merged the second camera into the first (silently when the clocks agree; dropping 40 % of the events as
/// going back in time when they do not). One event stream is read now (the lowest id, or --event-stream), and each other
/// one is named in a note at its first packet.
/// </summary>
public class Aedat4EventStreamsTests
{
    // 20 packets of 1 000 events, the odd ones moved to a second event stream (id 4, 'events_1').
    private static (string Path, long[] Even, long[] Odd) Stereo(string dir, Aedat4Compression compression)
    {
        var rec = SyntheticRecording.Random(20_000, 5, frames: 0, triggers: 0, imu: 0);
        string one = Path.Combine(dir, $"one-{compression}.aedat4");
        using (var w = Aedat4Writer.Create(one, new Aedat4WriterOptions
        {
            Width = SyntheticRecording.Width, Height = SyntheticRecording.Height, Compression = compression, MaxEventsPerPacket = 1000,
            Streams = [new(0, AedatStreamKind.Events, "events")],
        }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.Complete();
        }
        byte[] bytes = File.ReadAllBytes(one);
        // The infoNode declares a second event stream: stream 0's node again as stream 4, output 'events_1'.
        bytes = Aedat4Surgery.WithInfoNode(bytes, WithSecondEventStream(Aedat4Surgery.Parse(bytes).InfoXml));
        var packets = Aedat4Surgery.Packets(bytes);
        Assert.Equal(20, packets.Count);
        string path = Path.Combine(dir, $"stereo-{compression}.aedat4");
        File.WriteAllBytes(path, Aedat4Surgery.Assemble(bytes[..(int)packets[0].At], packets.Select((p, i) => (i % 2 == 0 ? 0 : 4, p.Body))));
        long[] Take(int parity) => Enumerable.Range(0, 20).Where(i => i % 2 == parity).SelectMany(i => rec.T.Skip(1000 * i).Take(1000)).ToArray();
        return (path, Take(0), Take(1));
    }

    /// <summary>The infoNode with stream 0's node again as stream 4, output 'events_1' (a second camera's events).</summary>
    internal static string WithSecondEventStream(string xml, Func<string, string>? firstAs = null)
    {
        int a = xml.IndexOf("<node name=\"0\"", StringComparison.Ordinal), b = xml.IndexOf("</node></node>", a, StringComparison.Ordinal) + "</node></node>".Length;
        string second = xml[a..b].Replace("<node name=\"0\" path=\"/mainloop/Recorder/outInfo/0/\">", "<node name=\"4\" path=\"/mainloop/Recorder/outInfo/4/\">")
            .Replace(">events</attr>", ">events_1</attr>").Replace("outInfo/0/info/", "outInfo/4/info/");
        return xml[..a] + (firstAs ?? (x => x))(xml[a..b]) + second + xml[b..];
    }

    [Theory]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.None)]
    public void OneEventStreamIsReadAndTheOtherNamed(Aedat4Compression compression)
    {
        string dir = TestPaths.NewTempDir();
        var (path, even, odd) = Stereo(dir, compression);

        Drained first;
        using (var r = Aedat4Reader.Open(path)) { first = Drained.From(r); Assert.Equal(0, r.EventStreamId); }
        Assert.Equal(even, first.T);
        var note = Assert.Single(first.Problems);
        Assert.Equal(ProblemSeverity.Note, note.Severity);
        Assert.Contains("stream 4 'events_1' is another event stream: its packets are skipped (one event stream is read, stream 0 'events'; inspect and convert read this one instead with --event-stream 4, and convert --event-stream 4 writes it to a file of its own for bundle and replay)", note.Message);

        Drained second;
        using (var r = Aedat4Reader.Open(path, new AedatReaderOptions { EventStreamId = 4 })) second = Drained.From(r);
        Assert.Equal(odd, second.T);
        Assert.Contains("stream 0 'events' is another event stream", Assert.Single(second.Problems).Message);

        // A stream that holds no events: every event stream is skipped, and the end says where the events are.
        Drained none;
        using (var r = Aedat4Reader.Open(path, new AedatReaderOptions { EventStreamId = 2 })) none = Drained.From(r);
        Assert.Empty(none.T);
        Assert.Contains(none.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("stream 2 (--event-stream) held no event packet; the file's events are in stream(s) 0 'events', 4 'events_1'"));
    }

    [Fact]
    public void ReplayOfABundleWithTwoEventStreamsSaysWhichItUsed()
    {
        string bundle = TestPaths.CopyOfSample();
        string events = Path.Combine(bundle, "events.aedat4");
        byte[] bytes = File.ReadAllBytes(events);
        bytes = Aedat4Surgery.WithInfoNode(bytes, WithSecondEventStream(Aedat4Surgery.Parse(bytes).InfoXml));
        var packets = Aedat4Surgery.Packets(bytes);
        int k = 0;
        File.WriteAllBytes(events, Aedat4Surgery.Assemble(bytes[..(int)packets[0].At], packets.Select(p => (p.Stream == 0 && k++ % 2 == 1 ? 4 : p.Stream, p.Body))));
        var r = Cli.CliTests.RunWithin(TimeSpan.FromMinutes(3), ["replay", bundle, "--out", Path.Combine(TestPaths.NewTempDir(), "out"), "--deconvolver", "wiener"]);
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Contains("stream 4 'events_1' is another event stream: its packets are skipped", r.Out + r.Err);
        // replay has no --event-stream: the note points to convert, which does.
        Assert.Contains("convert --event-stream 4 writes it to a file of its own for bundle and replay", r.Out + r.Err);
    }

    [Fact]
    public void ConvertAndInspectTakeTheStreamAsked()
    {
        string dir = TestPaths.NewTempDir();
        var (path, even, odd) = Stereo(dir, Aedat4Compression.Lz4);
        var inspect = Cli.CliTests.RunWithin(TimeSpan.FromMinutes(2), ["inspect", path]);
        Assert.True(inspect.Code == 0, inspect.Out + inspect.Err);
        Assert.Contains($"{even.Length:N0}".Replace(",", ""), inspect.Out.Replace(",", "").Replace(" ", ""));
        Assert.Contains("read this one instead with --event-stream 4", inspect.Out);

        string out4 = Path.Combine(dir, "camera2.aedat4");
        var convert = Cli.CliTests.RunWithin(TimeSpan.FromMinutes(2), ["convert", path, out4, "--event-stream", "4"]);
        Assert.True(convert.Code == 0, convert.Out + convert.Err);
        using var r = Aedat4Reader.Open(out4);
        var d = Drained.From(r);
        Assert.Equal(odd, d.T);
        Assert.Empty(d.Problems);
        Assert.Equal(4, Assert.Single(r.Info.Streams, s => s.Kind == AedatStreamKind.Events).Id);
    }
}

/// <summary>
/// Stop 40's second review: the first version of one-stream-of-each-kind fixed the event stream from the infoNode before
/// any packet was read, so a file whose events come on an undeclared id, or whose labels are swapped, read as 0 events
/// (before: all), and --event-stream took the first declared camera's sensor size. The stream read is now the first
/// whose packets hold events (or the one asked for, with its own declared size). The files are the reviewer's.
/// </summary>
public class Aedat4StreamLabelsTests
{
    private static (byte[] Bytes, string Xml, SyntheticRecording Rec) One()
    {
        var rec = SyntheticRecording.Random(20_000, 5, frames: 0, triggers: 0, imu: 7);
        string one = Path.Combine(TestPaths.NewTempDir(), "one.aedat4");
        using (var w = Aedat4Writer.Create(one, new Aedat4WriterOptions
        {
            Width = SyntheticRecording.Width, Height = SyntheticRecording.Height, Compression = Aedat4Compression.Lz4, MaxEventsPerPacket = 1000,
            Streams = [new(0, AedatStreamKind.Events, "events"), new(2, AedatStreamKind.Imu, "imu")],
        }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.WriteImu(rec.Imu.ToArray());
            w.Complete();
        }
        byte[] bytes = File.ReadAllBytes(one);
        return (bytes, Aedat4Surgery.Parse(bytes).InfoXml, rec);
    }

    private static (long Events, Aedat4Reader Reader, List<EventDeblur.IO.Problem> Problems) Count(string path, AedatReaderOptions? o = null)
    {
        var r = Aedat4Reader.Open(path, o);
        long n = 0;
        while (r.TryRead(out var p)) if (p is EventsPacket e) { n += e.Events.Count; e.Events.Dispose(); }
        r.VerifyDataTable();
        return (n, r, r.Problems.ToList());
    }

    private static string Write(byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "f.aedat4");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void EventsOnAnUndeclaredIdBesideADeclaredEventStreamAreRead()
    {
        var (bytes, xml, rec) = One();
        var noTable = Aedat4Surgery.WithInfoNode(bytes, xml);
        var packets = Aedat4Surgery.Packets(noTable);
        var (n, r, _) = Count(Write(Aedat4Surgery.Assemble(noTable[..(int)packets[0].At], packets.Select(p => (p.Stream == 0 ? 1 : p.Stream, p.Body)))));
        using (r) Assert.Equal(1, r.EventStreamId);
        Assert.Equal(rec.T.Length, n);
    }

    [Fact]
    public void SwappedLabelsStillGiveEveryEvent()
    {
        var (bytes, xml, rec) = One();
        var noTable = Aedat4Surgery.WithInfoNode(bytes, xml);
        var packets = Aedat4Surgery.Packets(noTable);
        var (n, r, _) = Count(Write(Aedat4Surgery.Assemble(noTable[..(int)packets[0].At], packets.Select(p => (p.Stream == 0 ? 2 : 0, p.Body)))));
        r.Dispose();
        Assert.Equal(rec.T.Length, n);
    }

    [Fact]
    public void TheStreamAskedForBringsItsOwnSensorSize()
    {
        var (bytes, xml, _) = One();
        var nb = Aedat4Surgery.WithInfoNode(bytes, Aedat4EventStreamsTests.WithSecondEventStream(xml, first => first.Replace(">346<", ">100<").Replace(">260<", ">100<")));
        var packets = Aedat4Surgery.Packets(nb);
        int k = 0;
        string path = Write(Aedat4Surgery.Assemble(nb[..(int)packets[0].At], packets.Select(p => (p.Stream == 0 ? (k++ % 2 == 0 ? 0 : 4) : p.Stream, p.Body))));
        var (n, r, problems) = Count(path, new AedatReaderOptions { EventStreamId = 4 });
        using (r) Assert.Equal((346, 260), (r.Info.Width, r.Info.Height));
        Assert.Equal(10_000, n);
        Assert.DoesNotContain(problems, p => p.Severity == EventDeblur.IO.ProblemSeverity.Error);
    }
}

/// <summary>
/// Stop 40's convert trial: events outside a sensor size given with --width/--height (a file that states none) were
/// dropped with only a count; the reader cannot report them, so the conversion names the first, with its packet's byte.
/// </summary>
public class ConvertOutsideGivenSizeTests
{
    [Fact]
    public void TheFirstEventOutsideAGivenSizeIsNamedAtItsPacket()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "in.aedat4");
        var rec = SyntheticRecording.Random(5000, 9, frames: 0, triggers: 0, imu: 0);
        rec.WriteAedat4(path, Aedat4Compression.Lz4, 1000);
        bool Out(int i) => rec.X[i] >= 100 || rec.Y[i] >= 100;
        int first = Enumerable.Range(0, rec.X.Length).First(Out);
        int outside = Enumerable.Range(0, rec.X.Length).Count(Out);
        long packetAt = Aedat4Surgery.Packets(File.ReadAllBytes(path))[first / 1000].At;
        EventDeblur.Formats.ConversionResult r;
        using (var reader = Aedat4Reader.Open(path))
            r = EventDeblur.Formats.AedatConverter.ToAedat4(reader, Path.Combine(dir, "out.aedat4"), Aedat4Compression.Lz4, 100, 100);
        Assert.Equal(outside, r.DroppedOutOfRange);
        var p = Assert.Single(r.Problems, q => q.Message.Contains("given by --width/--height"));
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.Equal(packetAt, p.ByteOffset);
        Assert.StartsWith($"{outside:N0} event(s) lie outside the 100×100 sensor given by --width/--height and were dropped; the first at ({rec.X[first]}, {rec.Y[first]}), {rec.T[first]} µs", p.Message);
    }
}
