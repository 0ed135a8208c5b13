using System.Buffers.Binary;
using System.Text;
using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Tests.Imaging;

/// <summary>
/// <see cref="OpenExr"/> against files written by OpenImageIO's oiiotool (tests/data/openexr/make.sh), each compared with
/// the 16-bit PNG it was made from, and against damaged copies of them.
/// </summary>
public class OpenExrTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "data", "openexr", name);

    /// <summary>The PNG's values / 65535 × scale, as float BGR (or grey).</summary>
    private static float[] Reference(string png, double scale)
    {
        using var raw = Cv2.ImRead(Fixture(png), ImreadModes.Unchanged);
        using var f = new Mat();
        raw.ConvertTo(f, MatType.CV_32F, scale / 65535);
        return f.Reshape(1, 1).AsSpan<float>().ToArray();
    }

    private static float[] Decode(string exr, out Mat mat)
    {
        mat = OpenExr.Decode(File.ReadAllBytes(Fixture(exr)), Fixture(exr));
        Assert.Equal(MatType.CV_32F, mat.Depth());
        return mat.Reshape(1, 1).AsSpan<float>().ToArray();
    }

    [Theory]
    // HALF rounds to 11 significant bits; PXR24 keeps HALF whole and FLOAT to 16 bits of mantissa.
    [InlineData("smooth-half-none.exr", 1.0 / 2048)]
    [InlineData("smooth-half-rle.exr", 1.0 / 2048)]
    [InlineData("smooth-half-zips.exr", 1.0 / 2048)]
    [InlineData("smooth-half-zip.exr", 1.0 / 2048)]
    [InlineData("smooth-half-piz.exr", 1.0 / 2048)]
    [InlineData("smooth-half-pxr24.exr", 1.0 / 2048)]
    [InlineData("smooth-float-none.exr", 1e-6)]
    [InlineData("smooth-float-zip.exr", 1e-6)]
    [InlineData("smooth-float-piz.exr", 1e-6)]
    [InlineData("smooth-float-pxr24.exr", 1.0 / 32768)]
    public void EachCompressionDecodesToTheImageItWasWrittenFrom(string exr, double relative)
    {
        var expected = Reference("smooth-rgb.png", 3);
        var got = Decode(exr, out var mat);
        using var _ = mat;
        Assert.Equal((41, 37, 3), (mat.Cols, mat.Rows, mat.Channels()));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(got[i] - expected[i]) <= relative * expected[i] + 1e-7, $"{exr}: sample {i} (pixel {i / 3}, BGR channel {i % 3}) is {got[i]}, expected {expected[i]}");
        // Values above 1 (an HDR frame) survive: the source × 3 reaches 3.
        Assert.True(got.Max() > 2.9f);
    }

    [Theory]
    [InlineData("noise-half-rle.exr")]
    [InlineData("noise-half-zip.exr")]
    public void ChunksStoredUncompressedInACompressedFileDecode(string exr)
    {
        // Noise does not compress: oiiotool's RLE file keeps every line uncompressed, where its size equals the line's.
        var expected = Reference("noise-rgb.png", 3);
        var got = Decode(exr, out var mat);
        using var _ = mat;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(got[i] - expected[i]) <= expected[i] / 2048 + 1e-7, $"{exr}: sample {i} is {got[i]}, expected {expected[i]}");
    }

    [Fact]
    public void PizWithMoreThanFourteenBitsOfValuesMatchesZip()
    {
        // A float gradient's low 16-bit halves take more than 2^14 distinct values in a block: PIZ's 16-bit wavelet.
        var zip = Decode("gradient-float-zip.exr", out var a);
        var piz = Decode("gradient-float-piz.exr", out var b);
        using (a) using (b) Assert.Equal((300, 40, 3), (b.Cols, b.Rows, b.Channels()));
        Assert.Equal(zip, piz);
    }

    [Fact]
    public void GreyAlphaLayersUintAndDataWindowsReadAsTheFrame()
    {
        var yExpected = Reference("noise-y.png", 1);
        foreach (var exr in new[] { "noise-y-half-zip.exr", "noise-y-half-piz.exr" })
        {
            var y = Decode(exr, out var m1);
            using (m1) Assert.Equal(1, m1.Channels());
            for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - yExpected[i]) <= yExpected[i] / 2048 + 1e-7, $"{exr}: sample {i}");
        }

        var smooth = Reference("smooth-rgb.png", 1);
        foreach (var exr in new[] { "smooth-rgba-half-zip.exr", "smooth-layer-half-zip.exr" })
        {
            var v = Decode(exr, out var m);
            using (m) Assert.Equal(3, m.Channels());
            for (int i = 0; i < v.Length; i++) Assert.True(Math.Abs(v[i] - smooth[i]) <= smooth[i] / 2048 + 1e-7, $"{exr}: sample {i}");
        }

        // UINT samples are read as their integer values: oiiotool maps [0, 1] to [0, 2³² − 1] and clips the × 3.
        var u = Decode("smooth-uint-zip.exr", out var mu);
        using (mu)
        {
            var tripled = Reference("smooth-rgb.png", 3);
            for (int i = 0; i < u.Length; i++)
            {
                double e = Math.Min(tripled[i], 1.0) * uint.MaxValue;
                Assert.True(Math.Abs(u[i] - e) <= 1e-6 * uint.MaxValue, $"uint sample {i}: {u[i]}, expected {e}");
            }
        }

        // A data window (5,7)–(34,26) inside a 41×37 display window: the frame is the display window, 0 outside the data.
        var c = Decode("smooth-crop-half-zip.exr", out var mc);
        using (mc) Assert.Equal((41, 37), (mc.Cols, mc.Rows));
        for (int row = 0; row < 37; row++)
            for (int col = 0; col < 41; col++)
                for (int ch = 0; ch < 3; ch++)
                {
                    int i = (row * 41 + col) * 3 + ch;
                    bool inside = col >= 5 && col <= 34 && row >= 7 && row <= 26;
                    if (inside) Assert.True(Math.Abs(c[i] - smooth[i]) <= smooth[i] / 2048 + 1e-7, $"crop ({col},{row})");
                    else Assert.Equal(0f, c[i]);
                }
    }

    [Theory]
    [InlineData("smooth-half-b44.exr", "byte 8: B44 compression, which this reader does not decode (it reads NONE, RLE, ZIPS, ZIP, PIZ and PXR24); rewrite the frame with ZIP")]
    [InlineData("smooth-tiled-half-zip.exr", "byte 4: a tiled OpenEXR file, which this reader does not decode; rewrite it as scanlines")]
    public void WhatItDoesNotDecodeIsRefusedWithWhatToDo(string exr, string message)
    {
        var e = Assert.Throws<IOException>(() => OpenExr.Decode(File.ReadAllBytes(Fixture(exr)), Fixture(exr)));
        Assert.StartsWith(Fixture(exr) + ": ", e.Message);
        Assert.Contains(message, e.Message);
        var h = Assert.Throws<IOException>(() => OpenExr.ReadHeader(Fixture(exr)));
        Assert.Equal(e.Message, h.Message);
    }

    [Fact]
    public void TheHeaderStatesSizeChannelsAndCompression()
    {
        var h = OpenExr.ReadHeader(Fixture("smooth-crop-half-zip.exr"));
        Assert.Equal((41, 37, 3), (h.Width, h.Height, h.FrameChannels));
        Assert.Equal(OpenExr.Compression.Zip, h.Compression);
        Assert.Equal("R, G, B", h.SelectedNames);
        Assert.Equal(new OpenExr.Box(5, 7, 34, 26), h.DataWindow);
        Assert.Equal("diffuse.R, diffuse.G, diffuse.B", OpenExr.ReadHeader(Fixture("smooth-layer-half-zip.exr")).SelectedNames);
    }

    [Fact]
    public void EveryTruncationIsAnIOExceptionNamingTheByte()
    {
        foreach (var exr in new[] { "smooth-half-zip.exr", "smooth-half-rle.exr", "smooth-float-pxr24.exr", "smooth-half-piz.exr" })
        {
            var whole = File.ReadAllBytes(Fixture(exr));
            for (int cut = 0; cut < whole.Length; cut += cut < 600 ? 1 : 97)
            {
                var e = Assert.Throws<IOException>(() => OpenExr.Decode(whole[..cut], "f.exr"));
                Assert.Matches(@"^f\.exr: byte [\d,]+: ", e.Message);
            }
        }
    }

    [Fact]
    public void DamagedBytesGiveAnIOExceptionOrAnImageNeverAnotherException()
    {
        var rng = new Random(20261205);
        foreach (var exr in new[] { "smooth-half-zip.exr", "smooth-half-rle.exr", "smooth-float-pxr24.exr", "noise-y-half-zip.exr", "smooth-half-piz.exr", "smooth-float-piz.exr" })
        {
            var whole = File.ReadAllBytes(Fixture(exr));
            for (int k = 0; k < 300; k++)
            {
                var bad = (byte[])whole.Clone();
                int flips = 1 + rng.Next(4);
                for (int f = 0; f < flips; f++) bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
                try { OpenExr.Decode(bad, "f.exr").Dispose(); }
                catch (IOException e) { Assert.StartsWith("f.exr: byte ", e.Message); }
            }
        }
    }

    [Fact]
    public void ACorruptZipChunkAndAMisplacedChunkAreNamed()
    {
        var whole = File.ReadAllBytes(Fixture("smooth-half-zip.exr"));
        var h = OpenExr.ReadHeader(Fixture("smooth-half-zip.exr"));
        long first = BinaryPrimitives.ReadInt64LittleEndian(whole.AsSpan((int)h.HeaderEnd, 8));
        var bad = (byte[])whole.Clone();
        // The zlib body of the first chunk (lines 0–15) garbled past its 2-byte zlib header.
        for (int i = 10; i < 40; i++) bad[first + 8 + i] ^= 0x5A;
        var e = Assert.Throws<IOException>(() => OpenExr.Decode(bad, "f.exr"));
        Assert.Contains($"f.exr: byte {first + 8:N0}: the ZIP chunk for lines 0–15", e.Message);

        // The second table entry pointing at the first chunk: a chunk for line 0 where line 16's is expected.
        bad = (byte[])whole.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(bad.AsSpan((int)h.HeaderEnd + 8, 8), first);
        e = Assert.Throws<IOException>(() => OpenExr.Decode(bad, "f.exr"));
        Assert.Equal($"f.exr: byte {first:N0}: a chunk for line 0, expected line 16 (entry 1 of the line offset table)", e.Message);
    }

    [Fact]
    public void AbsurdWindowsAreRefusedBeforeAnythingIsAllocated()
    {
        var whole = File.ReadAllBytes(Fixture("smooth-half-none.exr"));
        int at = IndexOf(whole, "dataWindow\0box2i\0"u8) + 17 + 4;
        BinaryPrimitives.WriteInt32LittleEndian(whole.AsSpan(at + 8, 4), 1_000_000);
        BinaryPrimitives.WriteInt32LittleEndian(whole.AsSpan(at + 12, 4), 1_000_000);
        var e = Assert.Throws<IOException>(() => OpenExr.Decode(whole, "f.exr"));
        Assert.Equal($"f.exr: byte {at:N0}: dataWindow (0,0)–(1000000,1000000): 1000001×1000001 pixels, expected 1 to {OpenExr.MaxPixels:N0}", e.Message);
    }

    private static int IndexOf(byte[] hay, ReadOnlySpan<byte> needle) => hay.AsSpan().IndexOf(needle);

    /// <summary>
    /// Writes a float BGR (or grey) image as an uncompressed scanline OpenEXR file with FLOAT channels R, G, B (or Y):
    /// the layout OpenEXR's writers use, for tests that need EXR frames of any size (the decoder itself is checked against
    /// oiiotool's files above).
    /// </summary>
    internal static void WriteUncompressed(string path, Mat image)
    {
        int w = image.Cols, h = image.Rows, nc = image.Channels();
        using var f = new Mat();
        image.ConvertTo(f, MatType.CV_32FC(nc));
        var px = f.Reshape(1, 1).AsSpan<float>().ToArray();
        string[] names = nc == 3 ? ["B", "G", "R"] : ["Y"];
        var ms = new MemoryStream();
        var bw = new BinaryWriter(ms);
        bw.Write(OpenExr.Magic);
        bw.Write(2);
        void Attr(string name, string type, byte[] value)
        {
            bw.Write(Encoding.ASCII.GetBytes(name + "\0" + type + "\0"));
            bw.Write(value.Length);
            bw.Write(value);
        }
        var ch = new MemoryStream();
        foreach (var n in names)
        {
            ch.Write(Encoding.ASCII.GetBytes(n + "\0"));
            ch.Write(BitConverter.GetBytes(2));
            ch.Write(new byte[4]);
            ch.Write(BitConverter.GetBytes(1));
            ch.Write(BitConverter.GetBytes(1));
        }
        ch.WriteByte(0);
        Attr("channels", "chlist", ch.ToArray());
        Attr("compression", "compression", [0]);
        byte[] box = [.. BitConverter.GetBytes(0), .. BitConverter.GetBytes(0), .. BitConverter.GetBytes(w - 1), .. BitConverter.GetBytes(h - 1)];
        Attr("dataWindow", "box2i", box);
        Attr("displayWindow", "box2i", box);
        Attr("lineOrder", "lineOrder", [0]);
        Attr("pixelAspectRatio", "float", BitConverter.GetBytes(1f));
        Attr("screenWindowCenter", "v2f", new byte[8]);
        Attr("screenWindowWidth", "float", BitConverter.GetBytes(1f));
        bw.Write((byte)0);
        long table = ms.Position;
        int lineBytes = w * nc * 4;
        for (int y = 0; y < h; y++) bw.Write(table + 8L * h + (long)y * (8 + lineBytes));
        for (int y = 0; y < h; y++)
        {
            bw.Write(y);
            bw.Write(lineBytes);
            // Channels in name order (B, G, R), each a whole line; the Mat is BGR, so channel k is B, G, R in turn.
            for (int k = 0; k < nc; k++)
                for (int x = 0; x < w; x++) bw.Write(px[(y * w + x) * nc + k]);
        }
        bw.Flush();
        File.WriteAllBytes(path, ms.ToArray());
    }

    [Fact]
    public void TheTestWriterRoundTrips()
    {
        using var img = new Mat(5, 7, MatType.CV_32FC3);
        var s = img.AsSpan<float>();
        for (int i = 0; i < s.Length; i++) s[i] = i * 0.37f - 3;
        string path = Path.Combine(TestPaths.NewTempDir(), "x.exr");
        WriteUncompressed(path, img);
        using var back = OpenExr.Decode(File.ReadAllBytes(path), path);
        Assert.Equal(s.ToArray(), back.AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData(3, 41, 37)]
    [InlineData(1, 5, 16)]
    [InlineData(3, 1, 1)]
    public void WrittenFilesDecodeToTheSameFloats(int channels, int width, int height)
    {
        // Smooth planes (ZIP shrinks them) with HDR values above 1 and negatives; then noise (stored as it is).
        var rng = new Random(channels * 1000 + width);
        foreach (bool noise in new[] { false, true })
        {
            var planes = Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, width * height)
                .Select(i => noise ? (float)(rng.NextDouble() * 8 - 1) : (float)(0.1 * c + (i % width) * 0.05 - 0.2 + (i / width) * 0.01)).ToArray()).ToArray();
            string path = Path.Combine(TestPaths.NewTempDir(), "w.exr");
            OpenExr.Write(path, planes, width, height);
            var h = OpenExr.ReadHeader(path);
            Assert.Equal((width, height, channels, OpenExr.Compression.Zip), (h.Width, h.Height, h.FrameChannels, h.Compression));
            using var back = OpenExr.Decode(File.ReadAllBytes(path), path);
            var got = back.Reshape(1, 1).AsSpan<float>().ToArray();
            for (int i = 0; i < width * height; i++)
                for (int c = 0; c < channels; c++)
                    Assert.Equal(planes[c][i], got[i * channels + (channels == 3 ? 2 - c : 0)]);
        }
    }
}
