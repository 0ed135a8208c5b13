using CsCheck;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>PropheseeRawWriter → PropheseeReader is the identity on events and triggers, and triggers decode as documented.</summary>
public class PropheseeRoundTripTests
{
    [Fact]
    public void WriterThenReaderIsTheIdentity()
    {
        string dir = TestPaths.NewTempDir();
        Gen.Select(Gen.Int[0, 4000], Gen.Int, Gen.Bool, Gen.Bool, Gen.Int[1, 5000], Gen.Int[0, 3]).Sample((n, seed, evt3, vectorize, batch, jumps) =>
        {
            var enc = evt3 ? AedatVersion.Evt3 : AedatVersion.Evt2;
            // Jumps: none, ~1 s, ~20 s (beyond the EVT 3.0 loop of 16.8 s), ~5.5 h (beyond the EVT 2.0 loop of 2^34 µs).
            long jump = jumps switch { 0 => 0, 1 => 1_000_000, 2 => 20_000_000, _ => 20_000_000_000 };
            var rec = PropheseeRecording.Random(n, seed, triggers: n / 100, width: 1280, height: 720, jumpUs: jump, maxChannel: evt3 ? 15 : 31);
            // CsCheck runs samples in parallel, and two may draw the same seed: one file per sample.
            string path = rec.WriteRaw(Path.Combine(dir, $"rt-{Guid.NewGuid():N}.raw"), enc, vectorize);
            var d = PropheseeDrained.FromFile(path, batch);
            File.Delete(path);
            Assert.DoesNotContain(d.Problems, p => p.Severity == ProblemSeverity.Error);
            Assert.Equal(rec.T.Select((t, i) => (t, rec.X[i], rec.Y[i], rec.P[i])), d.Events);
            Assert.Equal(rec.Triggers.OrderBy(t => t.Channel).ThenBy(t => t.T), d.Triggers.OrderBy(t => t.Channel).ThenBy(t => t.T));
        }, iter: 60);
    }

    [Fact]
    public void Evt3VectorWordsAreUsedAndDecodeLikeSingleAddresses()
    {
        var rec = PropheseeRecording.Random(20_000, 3, width: 1280, height: 720);
        string dir = TestPaths.NewTempDir();
        string vec = rec.WriteRaw(Path.Combine(dir, "v.raw"), AedatVersion.Evt3, vectorize: true);
        string plain = rec.WriteRaw(Path.Combine(dir, "p.raw"), AedatVersion.Evt3, vectorize: false);
        Assert.True(new FileInfo(vec).Length < new FileInfo(plain).Length * 0.9, "vectorised file should be markedly smaller");
        var bytes = File.ReadAllBytes(vec);
        int headerLength = (int)PropheseeReader.Open(vec).Header.Length;
        int vectorWords = 0;
        for (int i = headerLength; i + 1 < bytes.Length; i += 2) if (bytes[i + 1] >> 4 is 0x3 or 0x4 or 0x5) vectorWords++;
        Assert.True(vectorWords > 100, $"only {vectorWords} vector words written");
        Assert.Equal(PropheseeDrained.FromFile(plain).Events, PropheseeDrained.FromFile(vec).Events);
    }

    [Theory]
    [InlineData(AedatVersion.Evt2)]
    [InlineData(AedatVersion.Evt3)]
    public void TriggersCarryTimeChannelAndEdge(AedatVersion enc)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "trig.raw");
        using (var w = PropheseeRawWriter.Create(path, new PropheseeRawWriterOptions { Encoding = enc, Width = 640, Height = 480 }))
        {
            w.WriteEvents([1000L], [(short)5], [(short)6], [true]);
            w.WriteTrigger(1003, 0, rising: true);
            w.WriteTrigger(5_001_234, 0, rising: false);
            w.WriteTrigger(5_001_234, 7, rising: true);
            w.WriteEvents([5_001_300L], [(short)639], [(short)479], [false]);
            w.WriteTrigger(17_000_000, 1, rising: true); // after an EVT 3.0 loop boundary (2^24 µs)
        }
        var d = PropheseeDrained.FromFile(path);
        Assert.False(d.HasErrors, string.Join("\n", d.Problems));
        Assert.Equal([(1000L, (short)5, (short)6, true), (5_001_300L, (short)639, (short)479, false)], d.Events);
        Assert.Equal(
            [new TestTrigger(1003, 0, true), new TestTrigger(5_001_234, 0, false), new TestTrigger(5_001_234, 7, true), new TestTrigger(17_000_000, 1, true)],
            d.Triggers.OrderBy(t => t.T).ThenBy(t => t.Channel));
    }

    [Fact]
    public void HandMadeEvt3TriggerWordsDecodeAsTheSpecSays()
    {
        // Built word by word from the EVT 3.0 table, independent of our writer:
        // TIME_HIGH 0x123, TIME_LOW 0x456 → t = 0x123456 µs; EXT_TRIGGER id 5 rising; ADDR_Y 10; ADDR_X 20 ON;
        // EXT_TRIGGER id 15 falling.
        ushort[] words = [0x8123, 0x6456, 0xA501, 0x000A, 0x2814, 0xAF00];
        string path = WriteWords("% evt 3.0\n% geometry 64x64\n", words.SelectMany(w => new[] { (byte)w, (byte)(w >> 8) }));
        var d = PropheseeDrained.FromFile(path);
        Assert.False(d.HasErrors, string.Join("\n", d.Problems));
        Assert.Equal([(0x123456L, (short)20, (short)10, true)], d.Events);
        Assert.Equal([new TestTrigger(0x123456, 5, true), new TestTrigger(0x123456, 15, false)], d.Triggers);
    }

    [Fact]
    public void HandMadeEvt2TriggerWordsDecodeAsTheSpecSays()
    {
        // TIME_HIGH 1000 (t = 64 000 µs); EXT_TRIGGER t_low 7, id 19, rising; CD_ON t_low 9, x 300, y 200; EXT_TRIGGER t_low 63, id 0, falling.
        uint[] words = [0x8000_0000u | 1000, 0xA000_0000u | (7u << 22) | (19u << 8) | 1, 0x1000_0000u | (9u << 22) | (300u << 11) | 200, 0xA000_0000u | (63u << 22)];
        string path = WriteWords("% evt 2.0\n% geometry 640x480\n% end\n", words.SelectMany(BitConverter.GetBytes));
        var d = PropheseeDrained.FromFile(path);
        Assert.False(d.HasErrors, string.Join("\n", d.Problems));
        Assert.Equal([(64_009L, (short)300, (short)200, true)], d.Events);
        Assert.Equal([new TestTrigger(64_007, 19, true), new TestTrigger(64_063, 0, false)], d.Triggers);
    }

    [Fact]
    public void DatTimeIsUnwrappedAcrossThe32BitWrap()
    {
        long start = (1L << 32) - 1500;
        var rec = new PropheseeRecording
        {
            T = [start, start + 1000, start + 1499, start + 1500, start + 4000, (1L << 32) + 3_000_000_000L],
            X = [1, 2, 3, 4, 5, 6],
            Y = [7, 8, 9, 10, 11, 12],
            P = [true, false, true, false, true, false],
            Triggers = [],
            Width = 64,
            Height = 64,
        };
        string path = Path.Combine(TestPaths.NewTempDir(), "wrap.dat");
        File.WriteAllBytes(path, rec.DatBytes(DatReader.EventCdType));
        var d = PropheseeDrained.FromFile(path);
        Assert.False(d.HasErrors, string.Join("\n", d.Problems));
        Assert.Equal(rec.T, d.Events.Select(e => e.T));
        Assert.Equal(rec.X, d.Events.Select(e => e.X));
        using var r = PropheseeReader.Open(path);
        Assert.Equal(64, r.Info.Width);
        Assert.Equal("Width/Height", r.GeometrySource);
        Assert.Equal(DatReader.EventCdType, ((DatReader)r).EventType);
    }

    internal static string WriteWords(string header, IEnumerable<byte> payload, string name = "hand.raw")
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllBytes(path, [.. System.Text.Encoding.ASCII.GetBytes(header), .. payload]);
        return path;
    }
}
