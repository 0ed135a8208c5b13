using EventDeblur.Sync;
using System.Diagnostics;
using System.Text;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.Recording;
using EventDeblur.Tests.Recording;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// The abuse corpus of issue 15: the hostile inputs of items 3, 4, 6 and 9, every input the fuzzer
/// crashed on, and seeded truncations and mutations of files in every AEDAT version. Each case is
/// read as <c>inspect</c> and <c>convert</c> do (bundles as <c>RecordingBundle.Load</c> and exposure
/// matching). Asserted: no exception other than the documented "cannot be opened" ones, no case
/// running 10 s or more (a hang guard, not a speed test), and at most
/// <see cref="MaxAllocatedBytesPerCase"/> bytes allocated by the reading thread (and its AEDAT 4.0 read-ahead thread) per case, an upper
/// bound on the managed memory a read can hold at once.
/// </summary>
public class AbuseCorpusTests
{
    /// <summary>600 MiB: the 256 MiB decompressed-packet limit, reached by doubling, plus the rest of the read.</summary>
    private const long MaxAllocatedBytesPerCase = 600L << 20;

    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private static string Write(string dir, string name, byte[] bytes)
    {
        string p = Path.Combine(dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    private static List<string> AedatCases()
    {
        string dir = TestPaths.NewTempDir();
        var cases = new List<string>();
        var rec = SyntheticRecording.Random(3000, 5, frames: 1, triggers: 3, imu: 2);
        var sources = new List<byte[]>();
        foreach (var c in new[] { Aedat4Compression.Lz4, Aedat4Compression.Zstd, Aedat4Compression.None })
        {
            string p = Path.Combine(dir, $"src-{c}.aedat4");
            rec.WriteAedat4(p, c, 700);
            sources.Add(File.ReadAllBytes(p));
        }
        sources.Add(SyntheticRecording.Aedat2(Enumerable.Range(0, 400).Select(i => (SyntheticRecording.DavisDvs(i % 240, i % 180, i % 2 == 0), 10 * i))));
        sources.Add(SyntheticRecording.Aedat31([(0, Enumerable.Range(0, 300).Select(i => (i % 346, i % 260, i % 3 == 0, 7 * i, true)).ToArray()), (1, [(1, 2, true, 5, true)])]));
        byte[] lz4 = sources[0];
        string xml = Aedat4Surgery.Parse(lz4).InfoXml;

        // Item 3: the hang (200 000 levels, about 2.6 MB of XML) and an oversized infoNode.
        var deep = new StringBuilder("<dv>");
        for (int i = 0; i < 200_000; i++) deep.Append("<node>");
        for (int i = 0; i < 200_000; i++) deep.Append("</node>");
        cases.Add(Write(dir, "deep-infonode.aedat4", Aedat4Surgery.WithInfoNode(lz4, deep.Append("</dv>").ToString())));
        cases.Add(Write(dir, "huge-infonode.aedat4", Aedat4Surgery.WithInfoNode(lz4, xml.Replace("eventdeblur", new string('x', 2 << 20)))));
        cases.Add(Write(dir, "dtd-infonode.aedat4", Aedat4Surgery.WithInfoNode(lz4, "<!DOCTYPE dv [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + xml.Replace("eventdeblur", "&x;"))));

        // Item 4: LZ4 bombs, with and without a declared content size.
        byte[] tableless = Aedat4Surgery.WithInfoNode(lz4, xml);
        var packets = Aedat4Surgery.Packets(tableless);
        byte[] prefix = tableless[..(int)packets[0].At];
        foreach (bool declared in new[] { false, true })
        {
            byte[] bomb = Aedat4Surgery.Lz4Bomb(129, declared);
            cases.Add(Write(dir, $"bomb-declared-{declared}.aedat4", Aedat4Surgery.Assemble(prefix, packets.Select((p, i) => (p.Stream, i == 1 ? bomb : p.Body)))));
        }

        // Item 6: a lying stream type and a corrupted FileDataTable.
        var lying = (byte[])lz4.Clone();
        "XXXX"u8.CopyTo(lying.AsSpan(lying.AsSpan(0, (int)Aedat4Surgery.Parse(lz4).DataStart).IndexOf("EVTS"u8)));
        cases.Add(Write(dir, "lying-type.aedat4", lying));
        var badTable = (byte[])sources[2].Clone();
        long tablePos = Aedat4Surgery.Parse(badTable).TablePosition;
        for (long i = tablePos + 40; i < badTable.Length; i += 37) badTable[i] ^= 0x5A;
        cases.Add(Write(dir, "bad-table.aedat4", badTable));

        // The malformed corpus: truncations and seeded mutations of every version.
        var rng = new Random(1515);
        for (int s = 0; s < sources.Count; s++)
        {
            byte[] src = sources[s];
            string ext = s < 3 ? "aedat4" : "aedat";
            for (int k = 1; k <= 12; k++)
                cases.Add(Write(dir, $"cut-{s}-{k}.{ext}", src[..(int)((long)src.Length * k / 13)]));
            for (int k = 0; k < 25; k++)
            {
                var m = (byte[])src.Clone();
                int edits = 1 + rng.Next(8);
                for (int e = 0; e < edits; e++)
                {
                    int at = 14 + rng.Next(m.Length - 14);
                    switch (rng.Next(4))
                    {
                        case 0: m[at] ^= (byte)(1 << rng.Next(8)); break;
                        case 1: m[at] = (byte)rng.Next(256); break;
                        case 2: m[at] = 0xFF; if (at + 1 < m.Length) m[at + 1] = 0x7F; break;
                        default: Array.Clear(m, at, Math.Min(4, m.Length - at)); break;
                    }
                }
                cases.Add(Write(dir, $"mut-{s}-{k}.{ext}", m));
            }
        }
        return cases;
    }

    private static void Guarded(string name, Action read)
    {
        long allocated = 0;
        Exception? error = null;
        var sw = Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            long before = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead();
            try { read(); }
            catch (Exception e) { error = e; }
            allocated = Aedat4Reader.AllocatedBytesForCurrentThreadAndItsReadAhead() - before;
        }, 16 << 20) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(HangGuard), $"{name}: still running after {HangGuard.TotalSeconds} s");
        Assert.True(error == null, $"{name}: unhandled {error}");
        Assert.True(allocated <= MaxAllocatedBytesPerCase, $"{name}: allocated {allocated >> 20} MiB in {sw.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void EveryAedatCaseIsInspectedAndConvertedWithoutCrashHangOrRunawayMemory()
    {
        var cases = AedatCases();
        Assert.True(cases.Count > 150, $"{cases.Count} cases");
        string outDir = TestPaths.NewTempDir();
        int opened = 0;
        foreach (string path in cases)
        {
            Guarded(Path.GetFileName(path) + " (inspect)", () =>
            {
                try
                {
                    var s = AedatSummary.Compute(path);
                    Assert.All(s.Problems, p => Assert.Equal(path, p.FilePath));
                    opened++;
                }
                catch (AedatFormatException e) { Assert.Equal(path, e.Problem.FilePath); }
            });
            Guarded(Path.GetFileName(path) + " (convert)", () =>
            {
                try
                {
                    using var reader = AedatReader.Open(path);
                    AedatConverter.ToAedat4(reader, Path.Combine(outDir, "out.aedat4"), Aedat4Compression.Lz4,
                        reader.Info.Width > 0 ? null : 346, reader.Info.Height > 0 ? null : 260);
                    var back = AedatSummary.Compute(Path.Combine(outDir, "out.aedat4"));
                    Assert.False(back.HasErrors, "the converted file fails inspect: " + string.Join("\n", back.Problems));
                }
                catch (AedatFormatException) { }
            });
        }
        Assert.True(opened > cases.Count / 2, $"only {opened} of {cases.Count} cases opened: the corpus no longer reaches the packet decoders");
    }

    [Fact]
    public void EveryBundleCaseLoadsOrIsRefusedWithoutCrashOrHang()
    {
        var cases = new List<(string Name, Action<string> Break)>
        {
            ("clock offset 2^63-1", d => Rewrite(d, "recording.json", "\"clock_offset_us\": 0", "\"clock_offset_us\": 9223372036854775807")),
            ("clock offset 2^64", d => Rewrite(d, "recording.json", "\"clock_offset_us\": 0", "\"clock_offset_us\": 18446744073709551616")),
            ("clock offset 1e300", d => Rewrite(d, "recording.json", "\"clock_offset_us\": 0", "\"clock_offset_us\": 1e300")),
            ("8-bit frame", d => { using var m = new OpenCvSharp.Mat(8, 8, OpenCvSharp.MatType.CV_8UC3); OpenCvSharp.Cv2.ImWrite(Path.Combine(d, "rgb", "000001.png"), m); }),
            ("RGBA frame", d => { using var m = new OpenCvSharp.Mat(8, 8, OpenCvSharp.MatType.CV_16UC4); OpenCvSharp.Cv2.ImWrite(Path.Combine(d, "rgb", "000001.png"), m); }),
            ("events -> /etc/passwd", d => { File.Delete(Path.Combine(d, "events.aedat4")); File.CreateSymbolicLink(Path.Combine(d, "events.aedat4"), "/etc/passwd"); }),
            ("frame -> /etc/passwd", d => { File.Delete(Path.Combine(d, "rgb", "000001.png")); File.CreateSymbolicLink(Path.Combine(d, "rgb", "000001.png"), "/etc/passwd"); }),
            ("rgb/ -> /etc", d => { Directory.Delete(Path.Combine(d, "rgb"), true); Directory.CreateSymbolicLink(Path.Combine(d, "rgb"), "/etc"); }),
            ("symlink loop", d => { File.Delete(Path.Combine(d, "events.aedat4")); File.CreateSymbolicLink(Path.Combine(d, "events.aedat4"), Path.Combine(d, "events.aedat4")); }),
            ("NUL in a frame name", d => File.AppendAllText(Path.Combine(d, "rgb", "frames.csv"), "3,a\0b.png,1300000,1340000\n")),
            ("not JSON", d => File.WriteAllText(Path.Combine(d, "recording.json"), "{\"format\": \"eventdeblur-recording/1\", \"events\": [")),
            ("events not AEDAT", d => File.WriteAllText(Path.Combine(d, "events.aedat4"), "this is not an event file\n")),
            ("frames.csv binary", d => File.WriteAllBytes(Path.Combine(d, "rgb", "frames.csv"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray())),
        };
        foreach (var (name, breakIt) in cases)
        {
            string dir = BundleTests.MakeBundle();
            breakIt(dir);
            Guarded(name, () =>
            {
                try
                {
                    var b = RecordingBundle.Load(dir);
                    b.ResolveExposures();
                    Assert.DoesNotContain(b.Problems, p => p.ToString().Contains("root:", StringComparison.Ordinal));
                }
                catch (BundleException e) { Assert.DoesNotContain("root:", e.Message, StringComparison.Ordinal); }
            });
        }
    }

    private static void Rewrite(string dir, string file, string from, string to)
    {
        string p = Path.Combine(dir, file);
        string text = File.ReadAllText(p);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(p, text.Replace(from, to));
    }
}
