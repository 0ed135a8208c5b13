using System.Buffers.Binary;
using System.IO.Hashing;
using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Tests.Imaging;

/// <summary>
/// Stop 41's bad-input trial: PNG frames whose chunks and CRCs are whole but whose deflate data are corrupt or short were
/// called clean by inspect; replay then failed them with libpng's message on standard error. The pixel data are now
/// inflated and measured against the IHDR's size.
/// </summary>
public class PngStructureTests
{
    private static byte[] Png16(int w, int h)
    {
        using var m = new Mat(h, w, MatType.CV_16UC3);
        var rng = new Random(7);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                m.Set(y, x, new Vec3w((ushort)rng.Next(65536), (ushort)rng.Next(65536), (ushort)rng.Next(65536)));
        Cv2.ImEncode(".png", m, out byte[] png);
        return png;
    }

    /// <summary>Replaces the IDAT chunk's data (one IDAT assumed) and recomputes its CRC, as a writer of bad data would.</summary>
    private static byte[] WithIdat(byte[] png, Func<byte[], byte[]> change)
    {
        int pos = 8;
        using var ms = new MemoryStream();
        ms.Write(png, 0, 8);
        while (pos < png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            byte[] data = png.AsSpan(pos + 8, length).ToArray();
            if (type == "IDAT") data = change(data);
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
            System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
            data.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
            ms.Write(chunk);
            pos += 12 + length;
        }
        return ms.ToArray();
    }

    [Fact]
    public void AWholePngHasNoFault() => Assert.Null(PngStructure.FindFault(Png16(40, 30)));

    [Fact]
    public void CorruptDeflateDataWithGoodCrcsIsAFault()
    {
        var bad = WithIdat(Png16(40, 30), d => { for (int i = 10; i < 60 && i < d.Length; i++) d[i] ^= 0x55; return d; });
        string? fault = PngStructure.FindFault(bad);
        Assert.NotNull(fault);
        Assert.Contains("the pixel data (IDAT", fault);
    }

    [Fact]
    public void ShortPixelDataWithGoodCrcsIsAFault()
    {
        // Half the image's rows, deflated whole: a valid stream, too short for the IHDR's 40×30.
        var png = Png16(40, 30);
        var half = WithIdat(png, d =>
        {
            using var inflated = new MemoryStream();
            using (var z = new System.IO.Compression.ZLibStream(new MemoryStream(d), System.IO.Compression.CompressionMode.Decompress)) z.CopyTo(inflated);
            var raw = inflated.ToArray()[..(15 * (1 + 40 * 6))];
            using var deflated = new MemoryStream();
            using (var z = new System.IO.Compression.ZLibStream(deflated, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
            return deflated.ToArray();
        });
        string? fault = PngStructure.FindFault(half);
        Assert.NotNull(fault);
        Assert.Contains($"inflate to {15 * (1 + 40 * 6)} bytes; a 40×30 image of 3 channel(s) at 16 bits needs {30 * (1 + 40 * 6)} (cut short)", fault);
    }
}
