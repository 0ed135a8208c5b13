using System.Xml.Linq;
using EventDeblur.Events;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// DV interop of <c>convert → .aedat4</c> (issue 13): the source's <c>tsOffset</c> is kept, only the
/// streams that exist are declared (a DV client that stops when any declared stream ends would
/// otherwise see one event batch), and the source's stream ids and names are kept. The output's
/// infoNode is checked as text, not through our reader.
/// </summary>
public class DvInteropTests
{
    private static string InfoXml(string path) => Aedat4Surgery.Parse(File.ReadAllBytes(path)).InfoXml;

    /// <summary>(id, originalOutputName, typeIdentifier, tsOffset) of every stream declared in an infoNode.</summary>
    private static List<(int Id, string Name, string Type, string TsOffset)> Declared(string xml)
    {
        static string Attr(XElement? node, string key) => node?.Elements("attr").FirstOrDefault(a => (string?)a.Attribute("key") == key)?.Value ?? "";
        var outInfo = XElement.Parse(xml).Descendants("node").First(n => (string?)n.Attribute("name") == "outInfo");
        return outInfo.Elements("node")
            .Where(n => int.TryParse((string?)n.Attribute("name"), out _))
            .Select(n => (int.Parse((string)n.Attribute("name")!, System.Globalization.CultureInfo.InvariantCulture), Attr(n, "originalOutputName"), Attr(n, "typeIdentifier"),
                Attr(n.Elements("node").FirstOrDefault(i => (string?)i.Attribute("name") == "info"), "tsOffset")))
            .ToList();
    }

    private static string Convert(string input)
    {
        string output = Path.Combine(TestPaths.NewTempDir(), "out.aedat4");
        using var reader = AedatReader.Open(input);
        AedatConverter.ToAedat4(reader, output, Aedat4Compression.Lz4);
        return output;
    }

    [SkippableFact]
    public void RealDvFileKeepsItsTsOffsetIdsAndNames()
    {
        TestPaths.RequireShared();
        string src = Path.Combine(TestPaths.RealRecordingsDir, "aedat4", "aestream_davis346_evts_frames_imu_trig.aedat4");
        var before = Declared(InfoXml(src));
        Assert.Equal(4, before.Count);
        Assert.All(before, s => Assert.Equal("1633953629213182", s.TsOffset));
        var after = Declared(InfoXml(Convert(src)));
        Assert.Equal(before, after);
    }

    [Fact]
    public void OnlyStreamsThatExistAreDeclared()
    {
        string dir = TestPaths.NewTempDir();
        string src = Path.Combine(dir, "dvs-only.aedat");
        File.WriteAllBytes(src, SyntheticRecording.Aedat2([(SyntheticRecording.DavisDvs(1, 2, true), 10), (SyntheticRecording.DavisDvs(3, 4, false), 20)]));
        string output = Convert(src);
        var declared = Declared(InfoXml(output));
        var only = Assert.Single(declared);
        Assert.Equal((0, "events", "EVTS"), (only.Id, only.Name, only.Type));
        using var r = AedatReader.Open(output);
        Assert.Single(r.Info.Streams);
        Assert.Equal(2, Drained.From(r).T.Count);
    }

    [Fact]
    public void StreamsWithFramesAndTriggersInAnAedat2SourceAreDeclaredAndFilled()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 3_000);
        fx.Dvs(5, 6, true, 2_000);
        string output = Convert(fx.Write());
        Assert.Equal([(0, "events", "EVTS"), (1, "frames", "FRME")], Declared(InfoXml(output)).Select(s => (s.Id, s.Name, s.Type)));
        var d = Drained.FromFile(output);
        Assert.Single(d.Frames);
        Assert.Single(d.T);
    }

    [Fact]
    public void CustomStreamIdsNamesAndOffsetsOfAnAedat4SourceAreKept()
    {
        // A source whose events are stream 4 "dvs" (tsOffset 1234567) and triggers stream 9 "ext_input" (tsOffset 7654321).
        string dir = TestPaths.NewTempDir();
        string plain = Path.Combine(dir, "plain.aedat4");
        var rec = SyntheticRecording.Random(3000, 5, frames: 0, triggers: 0, imu: 0);
        using (var w = Aedat4Writer.Create(plain, new Aedat4WriterOptions { Width = 346, Height = 260 }))
        {
            w.WriteEvents(rec.T, rec.X, rec.Y, rec.P);
            w.WriteTriggers([new TriggerEvent(rec.T[10], TriggerType.ExternalSignalRisingEdge), new TriggerEvent(rec.T[900], TriggerType.ExternalSignalFallingEdge)]);
            w.Complete();
        }
        var bytes = File.ReadAllBytes(plain);
        string xml = "<dv version=\"2.0\"><node name=\"outInfo\" path=\"/mainloop/Recorder/outInfo/\">" +
                     Node(4, "dvs", "EVTS", "<attr key=\"sizeX\" type=\"int\">346</attr><attr key=\"sizeY\" type=\"int\">260</attr>", 1234567) +
                     Node(9, "ext_input", "TRIG", "", 7654321) + "</node></dv>";
        var withInfo = Aedat4Surgery.WithInfoNode(bytes, xml);
        var (dataStart, _, _, _) = Aedat4Surgery.Parse(withInfo);
        var packets = Aedat4Surgery.Packets(withInfo).Select(p => (p.Stream == Aedat4Writer.EventsStream ? 4 : 9, p.Body));
        string src = Path.Combine(dir, "custom.aedat4");
        File.WriteAllBytes(src, Aedat4Surgery.Assemble(withInfo.AsSpan(0, (int)dataStart).ToArray(), packets));

        string output = Convert(src);
        Assert.Equal([(4, "dvs", "EVTS", "1234567"), (9, "ext_input", "TRIG", "7654321")], Declared(InfoXml(output)));
        var packetsOut = Aedat4Surgery.Packets(File.ReadAllBytes(output)).Select(p => p.Stream).Distinct().Order().ToList();
        Assert.Equal([4, 9], packetsOut);
        var d = Drained.FromFile(output);
        Assert.Equal(rec.T, d.T);
        Assert.Equal(2, d.Triggers.Count);
    }

    private static string Node(int id, string name, string type, string sizes, long tsOffset) =>
        $"<node name=\"{id}\" path=\"/mainloop/Recorder/outInfo/{id}/\"><attr key=\"compression\" type=\"string\">LZ4</attr>" +
        $"<attr key=\"originalModuleName\" type=\"string\">capture</attr><attr key=\"originalOutputName\" type=\"string\">{name}</attr>" +
        $"<attr key=\"typeIdentifier\" type=\"string\">{type}</attr><node name=\"info\" path=\"/mainloop/Recorder/outInfo/{id}/info/\">{sizes}" +
        $"<attr key=\"source\" type=\"string\">DAVIS346_TEST</attr><attr key=\"tsOffset\" type=\"long\">{tsOffset}</attr></node></node>";
}
