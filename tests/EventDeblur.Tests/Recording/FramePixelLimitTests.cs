using System.Buffers.Binary;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Recording;

/// <summary>
/// A frame too large to decode safely is refused before any pixel is decoded: in the manifest (exit 2 as an unusable
/// bundle) or, when a PNG's header declares more than the limit, as a per-frame problem (the frame is left out).
/// </summary>
public class FramePixelLimitTests
{
    [Fact]
    public void ManifestAskingForMoreThanTheLimitIsRefused()
    {
        string dir = BundleTests.MakeBundle();
        string json = File.ReadAllText(Path.Combine(dir, "recording.json")).Replace("\"width\": 8, \"height\": 8", "\"width\": 30000, \"height\": 30000");
        File.WriteAllText(Path.Combine(dir, "recording.json"), json);
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));
        Assert.Contains("900,000,000 pixels exceeds the limit of 67,108,864", e.Message);
    }

    [Fact]
    public void PngDeclaringAHugeImageIsLeftOutUndecoded()
    {
        string dir = BundleTests.MakeBundle();
        // Frame 1: a well-formed PNG header (IHDR 30000 × 30000, 8-bit RGB) and IEND, a few dozen bytes on disk.
        File.WriteAllBytes(Path.Combine(dir, "rgb", "000001.png"), HugePngHeader(30000, 30000));
        string json = File.ReadAllText(Path.Combine(dir, "recording.json")).Replace("\"width\": 8, \"height\": 8", "\"width\": 0, \"height\": 0");
        File.WriteAllText(Path.Combine(dir, "recording.json"), json);

        var b = RecordingBundle.Load(dir);

        Assert.Equal([0L, 2L], b.Frames.Select(f => f.Index));
        Assert.Contains(b.Problems, p => p.ToString().Contains("000001.png: frame 1") && p.ToString().Contains("30000×30000 PNG (900,000,000 pixels), over the limit"));
    }

    private static byte[] HugePngHeader(int w, int h)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] data)
        {
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            ms.Write(len);
            byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            ms.Write(typeAndData);
            // A well-formed chunk's CRC-32 (since stop 34 the IHDR's is checked before its size is trusted).
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, System.IO.Hashing.Crc32.HashToUInt32(typeAndData));
            ms.Write(crc);
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8; ihdr[9] = 2;
        Chunk("IHDR", ihdr);
        Chunk("IEND", []);
        return ms.ToArray();
    }

    [Fact]
    public void LongInputIsQuotedClippedAndHugeTablesAreRefused()
    {
        string dir = BundleTests.MakeBundle();
        string csv = Path.Combine(dir, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv).ToList();
        lines.Add("3," + new string('n', 20_000) + ".png,1300000,1340000"); // a 20 000-character file name
        lines.Add(new string('x', 50_000));                                 // a 50 000-character bad row
        File.WriteAllLines(csv, lines);
        var b = RecordingBundle.Load(dir);
        Assert.Equal(3, b.Frames.Count);
        Assert.Contains(b.Problems, p => p.ToString().Contains("frame file name of 20,004 characters"));
        Assert.Contains(b.Problems, p => p.ToString().Contains("(49,840 more characters)"));
        Assert.All(b.Problems, p => Assert.True(p.ToString().Length < 1000, $"a problem of {p.ToString().Length} characters"));

        using (var fs = new FileStream(csv, FileMode.Append)) fs.SetLength(FrameTable.MaxTableBytes + 1);
        var e = Assert.Throws<BundleException>(() => RecordingBundle.Load(dir));
        Assert.Contains("over the 134,217,728-byte limit", e.Message);
    }
}
