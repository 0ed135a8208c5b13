using System.Buffers.Binary;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// A colour DAVIS's APS frames (stop 47's trial: a raw Bayer mosaic deblurred as grey came out 0.8–2.5 dB below its
/// input, with no word) and 16-bit APS samples holding a 10-bit ADC (libcaer shifts it up 6 bits, so nothing ever
/// reached 65 535 and no clipped pixel was taken as clipped).
/// </summary>
public class ColourDavisTests
{
    /// <summary>A 16-bit Bayer mosaic of constant B, G, R planes in <paramref name="layout"/>, starting at sensor (<paramref name="x0"/>, <paramref name="y0"/>).</summary>
    private static Mat Mosaic(int w, int h, BayerLayout layout, ushort b, ushort g, ushort r)
    {
        // The colour at (x, y) of a layout read row by row: RGGB is R G / G B.
        string pattern = layout.ToString().ToUpperInvariant();
        var m = new Mat(h, w, MatType.CV_16UC1);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                m.Set(y, x, pattern[(y & 1) * 2 + (x & 1)] switch { 'R' => r, 'G' => g, _ => b });
        return m;
    }

    [Theory]
    [InlineData(BayerLayout.Rggb)]
    [InlineData(BayerLayout.Grbg)]
    [InlineData(BayerLayout.Gbrg)]
    [InlineData(BayerLayout.Bggr)]
    public void EachLayoutDemosaicsToItsOwnColours(BayerLayout layout)
    {
        using var mosaic = Mosaic(16, 12, layout, 1000, 20000, 50000);
        using var bgr = BayerMosaic.Demosaic(mosaic, layout);
        Assert.Equal(MatType.CV_16UC3, bgr.Type());
        var px = bgr.At<Vec3w>(6, 8);
        Assert.Equal((1000, 20000, 50000), ((int)px.Item0, (int)px.Item1, (int)px.Item2));
        // Read with the wrong layout, red and blue trade places: the test sees the layouts apart.
        using var wrong = BayerMosaic.Demosaic(mosaic, layout switch { BayerLayout.Rggb => BayerLayout.Bggr, BayerLayout.Bggr => BayerLayout.Rggb, BayerLayout.Grbg => BayerLayout.Gbrg, _ => BayerLayout.Grbg });
        Assert.NotEqual(50000, (int)wrong.At<Vec3w>(6, 8).Item2);
    }

    [Fact]
    public void ACropAtAnOddOffsetSeesTheLayoutShifted()
    {
        using var sensor = Mosaic(20, 14, BayerLayout.Rggb, 1000, 20000, 50000);
        foreach (var (x0, y0) in new[] { (0, 0), (1, 0), (0, 1), (1, 1), (3, 2) })
        {
            using var crop = new Mat(sensor, new Rect(x0, y0, 14, 10)).Clone();
            using var bgr = BayerMosaic.Demosaic(crop, BayerMosaic.Shifted(BayerLayout.Rggb, x0, y0));
            var px = bgr.At<Vec3w>(5, 7);
            Assert.True((px.Item0, px.Item1, px.Item2) == ((ushort)1000, (ushort)20000, (ushort)50000), $"offset ({x0}, {y0}): {px.Item0}, {px.Item1}, {px.Item2}");
        }
    }

    /// <summary>AEDAT 3.1 bytes: one polarity packet of <paramref name="events"/>, then one frame packet per frame (one channel, 16-bit, colour filter code in bits 4–7 of the info word).</summary>
    internal static byte[] Aedat31WithFrames((int X, int Y, bool On, int Ts)[] events, IEnumerable<(int Filter, int Soe, int Eoe, int W, int H, int X0, int Y0, ushort[] Pixels)> frames)
    {
        var ms = new MemoryStream();
        ms.Write(System.Text.Encoding.ASCII.GetBytes("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DAVIS346Color\r\n#Start-Time: 2020-01-01 00:00:00 (TZ+0000)\r\n#!END-HEADER\r\n"));
        SyntheticRecording.Aedat31PacketHeader(ms, 1, 8, events.Length, events.Length);
        foreach (var e in events)
        {
            var b = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(b, 1u | (e.On ? 2u : 0) | ((uint)e.Y << 2) | ((uint)e.X << 17));
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), e.Ts);
            ms.Write(b);
        }
        foreach (var f in frames)
        {
            int size = 36 + 2 * f.W * f.H;
            SyntheticRecording.Aedat31PacketHeader(ms, 2, size, 1, 1);
            var e = new byte[size];
            BinaryPrimitives.WriteUInt32LittleEndian(e, 1u | (1u << 1) | ((uint)f.Filter << 4));
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(4), f.Soe - 100);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(8), f.Eoe + 100);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(12), f.Soe);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(16), f.Eoe);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(20), f.W);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(24), f.H);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(28), f.X0);
            BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(32), f.Y0);
            for (int i = 0; i < f.Pixels.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(36 + 2 * i), f.Pixels[i]);
            ms.Write(e);
        }
        return ms.ToArray();
    }

    private static ushort[] Pixels(Mat m)
    {
        var p = new ushort[m.Rows * m.Cols];
        m.AsSpan<ushort>().CopyTo(p);
        return p;
    }

    /// <summary>
    /// The reader takes the colour filter code of an AEDAT 3.1 frame (and gives an undefined code a note, the frame grey);
    /// a Bayer frame demosaics to its colours, libcaer's 6-bit shift included; a white-pixel filter is refused by name.
    /// </summary>
    [Fact]
    public void Aedat31ColourFramesAreReadWithTheirFilterAndDemosaiced()
    {
        using var mosaic = Mosaic(32, 24, BayerLayout.Rggb, 1000 << 6, 300 << 6, 500 << 6);
        string path = Path.Combine(TestPaths.NewTempDir(), "colour.aedat");
        File.WriteAllBytes(path, Aedat31WithFrames([(1, 1, true, 100)],
            [(1, 1000, 2000, 32, 24, 0, 0, Pixels(mosaic)), (9, 3000, 4000, 32, 24, 0, 0, Pixels(mosaic)), (5, 5000, 6000, 32, 24, 0, 0, Pixels(mosaic))]));
        var d = Drained.FromFile(path);
        Assert.Equal([ColorFilter.Rgbg, ColorFilter.Mono, ColorFilter.Rgbw], d.Frames.Select(f => f.ColorFilter));
        Assert.Contains(d.Problems, p => p.Message.Contains("frame colour filter code 9 (bits 4–7 of the info word) is none of libcaer's", StringComparison.Ordinal));

        var colour = ApsMosaic.Demosaiced(d.Frames[0]);
        Assert.Equal(3, colour.Format.Channels);
        Assert.Equal(ColorFilter.Mono, colour.ColorFilter);
        using (var m = Mat.FromPixelData(24, 32, MatType.CV_16UC3, colour.Pixels))
        {
            var px = m.At<Vec3w>(12, 16);
            Assert.Equal((1000 << 6, 300 << 6, 500 << 6), ((int)px.Item0, (int)px.Item1, (int)px.Item2));
        }
        Assert.Same(d.Frames[1], ApsMosaic.Demosaiced(d.Frames[1]));
        var e = Assert.Throws<NotSupportedException>(() => ApsMosaic.Demosaiced(d.Frames[2]));
        Assert.Contains("RGBW colour filter, which has white pixels", e.Message);
        var unknown = Assert.Throws<NotSupportedException>(() => ApsMosaic.Demosaiced(d.Frames[0] with { ColorFilter = ColorFilter.UnknownMosaic }));
        Assert.Contains("whose filter layout the file does not state (a jAER recording), so it cannot be demosaiced", unknown.Message);

        // libcaer's 10 bits shifted up: full scale 65 472, one code 64, judged on the mosaic as recorded; 0–1023: the ADC as
        // it is; full-range samples: neither; a frame whose reader knows its full scale (AEDAT 2.0): no guess (the review:
        // a dark jAER frame was read at full scale 1023).
        Assert.Equal((65472.0, 64.0), ApsMosaic.AdcScale(d.Frames[0]) is var (w, q, _) ? (w, q) : default);
        var tiny = d.Frames[1] with { Width = 2, Height = 1, Pixels = [0xFF, 0x03, 0x10, 0x00] };
        Assert.Equal(1023.0, ApsMosaic.AdcScale(tiny)?.White);
        Assert.Null(ApsMosaic.AdcScale(tiny with { FullScaleKnown = true }));
        Assert.Null(ApsMosaic.AdcScale(tiny with { Pixels = [0xFF, 0xFF, 0x10, 0x00] }));
        // Converted (AEDAT 4.0, Parquet state no filter): demosaiced and spread over 16 bits, so a later reader sees the clip at 65 535.
        var converted = ApsMosaic.ForConversion(d.Frames[0] with { Pixels = Pixels(Mosaic(32, 24, BayerLayout.Rggb, 65472, 300 << 6, 500 << 6)).SelectMany(BitConverter.GetBytes).ToArray() });
        Assert.True(converted.FullScaleKnown);
        using (var m = Mat.FromPixelData(24, 32, MatType.CV_16UC3, converted.Pixels))
            Assert.Equal((65535, (int)Math.Round(300 * 64 * 65535 / 65472.0)), ((int)m.At<Vec3w>(12, 16).Item0, (int)m.At<Vec3w>(12, 16).Item1));
        // One code below libcaer's clip counts as clipped for the deconvolvers (stop 44's rule, in the ADC's codes).
        var enc = new LinearImage.Encoding(PixelEncoding.Linear, 0, 65472, 65472, 16) { Quantum = 64 };
        Assert.True(enc.UncertainFromLinear < (65472 - 64) / 65472.0 + 1e-9 && enc.UncertainFromLinear > (65472 - 128) / 65472.0);
    }
}
