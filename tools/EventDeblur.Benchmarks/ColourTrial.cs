using System.Buffers.Binary;
using System.Globalization;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>colourtrial BUNDLE OUT.aedat [R G B]</c> (stop 56): a colour DAVIS trial input made from a simulated DAVIS-alone
/// bundle (<c>simulate --preset aps</c>): its events and grey APS frames written as cAER writes a colour DAVIS, AEDAT 3.1
/// with each frame a raw RGBG mosaic of 10-bit codes shifted up 6 bits, each site the grey value times its colour's gain
/// (default R 0.55, G 1, B 0.35). A grey pixel at the clip is taken as a light at twice the clip level in every colour
/// (clipped where the gain is over 0.5); <c>tools/colour-trial-score.py</c> takes the truth the same way and scores the
/// channels of a replay's frames against the bundle's ground truth times each gain. Timestamps start near 0 µs.
/// </summary>
internal static class ColourTrial
{
    public static int Run(string[] args)
    {
        if (args.Length is not (2 or 5))
        {
            Console.Error.WriteLine("usage: colourtrial BUNDLE OUT.aedat [R G B]");
            return 2;
        }
        var inv = CultureInfo.InvariantCulture;
        double[] gains = args.Length == 5 ? [double.Parse(args[2], inv), double.Parse(args[3], inv), double.Parse(args[4], inv)] : [0.55, 1, 0.35];
        var events = new List<(int X, int Y, bool On, long T)>();
        var frames = new List<ApsFrame>();
        using (var reader = AedatReader.Open(Path.Combine(args[0], "events.aedat4")))
            while (reader.TryRead(out var packet))
            {
                if (packet is EventsPacket e)
                    using (e.Events)
                    {
                        var t = e.Events.Timestamps; var x = e.Events.Xs; var y = e.Events.Ys; var p = e.Events.Polarities;
                        for (int i = 0; i < t.Length; i++) events.Add((x[i], y[i], p[i], t[i]));
                    }
                else if (packet is FramePacket f) frames.Add(f.Frame);
            }
        if (events.Count == 0 || frames.Count == 0) { Console.Error.WriteLine($"{args[0]}: no events or no APS frames"); return 1; }
        long t0 = Math.Min(events[0].T, frames[0].StartOfFrameUs) - 1000;
        using var file = File.Create(args[1]);
        file.Write("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DAVIS346Color\r\n#Start-Time: 2020-01-01 00:00:00 (TZ+0000)\r\n#!END-HEADER\r\n"u8);
        int next = 0;
        for (int s = 0; s < events.Count; s += 4096)
        {
            while (next < frames.Count && frames[next].EndOfFrameUs <= events[s].T) WriteFrame(file, frames[next++], t0, gains);
            int n = Math.Min(4096, events.Count - s);
            PacketHeader(file, 1, 8, n);
            var body = new byte[8 * n];
            for (int i = 0; i < n; i++)
            {
                var q = events[s + i];
                BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8 * i), 1u | (q.On ? 2u : 0) | ((uint)q.Y << 2) | ((uint)q.X << 17));
                BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8 * i + 4), checked((int)(q.T - t0)));
            }
            file.Write(body);
        }
        while (next < frames.Count) WriteFrame(file, frames[next++], t0, gains);
        Console.WriteLine($"{args[1]}: {events.Count} events, {frames.Count} RGBG frames {frames[0].Width}×{frames[0].Height}, gains R {gains[0]} G {gains[1]} B {gains[2]}, t0 {t0} µs");
        return 0;
    }

    /// <summary>An AEDAT 3.1 packet header (28 bytes): type, source 1, event size, timestamp offset 4, no overflow, count = valid.</summary>
    private static void PacketHeader(Stream s, int type, int size, int count)
    {
        var h = new byte[28];
        BinaryPrimitives.WriteInt16LittleEndian(h, (short)type);
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(2), 1);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), size);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), 4);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), count);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), count);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(24), count);
        s.Write(h);
    }

    /// <summary>One frame event: info word (valid, one channel, RGBG filter code 1 in bits 4–7), times, size, position, 16-bit samples.</summary>
    private static void WriteFrame(Stream s, ApsFrame f, long t0, double[] gains)
    {
        int w = f.Width, h = f.Height, size = 36 + 2 * w * h;
        PacketHeader(s, 2, size, 1);
        var e = new byte[size];
        BinaryPrimitives.WriteUInt32LittleEndian(e, 1u | (1u << 1) | (1u << 4));
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(4), checked((int)(f.StartOfFrameUs - t0)));
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(8), checked((int)(f.EndOfFrameUs - t0)));
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(12), checked((int)(f.StartOfExposureUs - t0)));
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(16), checked((int)(f.EndOfExposureUs - t0)));
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(20), w);
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(24), h);
        bool wide = f.Format.BytesPerSample == 2;
        double full = wide ? 65535 : 255;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                double v = wide ? BinaryPrimitives.ReadUInt16LittleEndian(f.Pixels.AsSpan(2 * i * f.Format.Channels)) : f.Pixels[i * f.Format.Channels];
                // RGBG: R at even rows and columns, B at odd rows and columns, G elsewhere.
                double gain = (y & 1) == 0 ? ((x & 1) == 0 ? gains[0] : gains[1]) : ((x & 1) == 0 ? gains[1] : gains[2]);
                double radiance = v >= full ? 2 : v / full;
                int code = (int)Math.Clamp(Math.Round(radiance * 1023 * gain), 0, 1023);
                BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(36 + 2 * i), (ushort)(code << 6));
            }
        s.Write(e);
    }
}
