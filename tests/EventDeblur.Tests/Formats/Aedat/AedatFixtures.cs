using System.Buffers.Binary;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>Small recordings made with our own writer (and hand-built AEDAT 2.0/3.1 bytes) for edge cases.</summary>
internal sealed record SyntheticRecording(long[] T, short[] X, short[] Y, bool[] P, List<ApsFrame> Frames, List<TriggerEvent> Triggers, List<ImuSample> Imu)
{
    public const int Width = 346, Height = 260;

    public static SyntheticRecording Random(int events, int seed, int frames = 2, int triggers = 5, int imu = 7)
    {
        var rng = new Random(seed);
        var t = new long[events];
        var x = new short[events];
        var y = new short[events];
        var p = new bool[events];
        long now = 1_600_000_000_000_000 + rng.Next(1_000_000);
        for (int i = 0; i < events; i++)
        {
            now += rng.Next(0, 50);
            t[i] = now;
            x[i] = (short)rng.Next(Width);
            y[i] = (short)rng.Next(Height);
            p[i] = rng.Next(2) == 1;
        }
        var fr = new List<ApsFrame>();
        for (int k = 0; k < frames; k++)
        {
            var px = new byte[Width * Height];
            rng.NextBytes(px);
            long soe = now + k * 1000;
            fr.Add(new ApsFrame
            {
                TimestampUs = soe + 250, StartOfFrameUs = soe - 100, EndOfFrameUs = soe + 900, StartOfExposureUs = soe, EndOfExposureUs = soe + 500,
                Width = Width, Height = Height, Format = FramePixelFormat.Gray8, Pixels = px,
            });
        }
        var tr = Enumerable.Range(0, triggers).Select(k => new TriggerEvent(now + k * 10, (TriggerType)(k % 10))).ToList();
        var im = Enumerable.Range(0, imu).Select(k => new ImuSample(now + k * 1000, 30 + k, 0.1f * k, -1f, 0.2f, k, -k, 0.5f, 1, 2, 3)).ToList();
        return new SyntheticRecording(t, x, y, p, fr, tr, im);
    }

    public void WriteAedat4(string path, Aedat4Compression compression, int maxEventsPerPacket = 1000)
    {
        using var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = Width, Height = Height, Compression = compression, MaxEventsPerPacket = maxEventsPerPacket });
        int half = T.Length / 2;
        w.WriteEvents(T.AsSpan(0, half), X.AsSpan(0, half), Y.AsSpan(0, half), P.AsSpan(0, half));
        if (Triggers.Count > 0) w.WriteTriggers(Triggers.ToArray());
        foreach (var f in Frames) w.WriteFrame(f);
        w.WriteEvents(T.AsSpan(half), X.AsSpan(half), Y.AsSpan(half), P.AsSpan(half));
        if (Imu.Count > 0) w.WriteImu(Imu.ToArray());
        w.Complete();
    }

    public string Hash()
    {
        using var h = new CanonicalEventHash();
        h.Append(T, X, Y, P);
        return h.Finish();
    }

    /// <summary>AEDAT 2.0 bytes: header lines (CRLF), then big-endian DAVIS records (y stored flipped).</summary>
    public static byte[] Aedat2(IEnumerable<(uint Address, int Timestamp)> records, string chip = "eu.seebetter.ini.chips.davis.DAVIS240C", string newline = "\r\n")
    {
        var ms = new MemoryStream();
        var header = $"#!AER-DAT2.0{newline}# This is a raw AE data file - do not edit{newline}# AEChip: {chip}{newline}";
        ms.Write(System.Text.Encoding.ASCII.GetBytes(header));
        Span<byte> r = stackalloc byte[8];
        foreach (var (a, t) in records)
        {
            BinaryPrimitives.WriteUInt32BigEndian(r, a);
            BinaryPrimitives.WriteInt32BigEndian(r[4..], t);
            ms.Write(r);
        }
        return ms.ToArray();
    }

    public static uint DavisDvs(int x, int yStored, bool on) => ((uint)yStored << 22) | ((uint)x << 12) | (on ? 0x800u : 0u);

    /// <summary>An AEDAT 3.1 packet header: event type, source 1, event size, TS offset 4, overflow, capacity = number, number, valid.</summary>
    public static void Aedat31PacketHeader(Stream ms, int type, int size, int number, int valid, int overflow = 0)
    {
        var h = new byte[28];
        BinaryPrimitives.WriteInt16LittleEndian(h, (short)type);
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(2), 1);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), size);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), 4);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(12), overflow);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), number);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), number);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(24), valid);
        ms.Write(h);
    }

    /// <summary>AEDAT 3.1 bytes with one polarity packet per entry.</summary>
    public static byte[] Aedat31(IEnumerable<(int Overflow, (int X, int Y, bool On, int Ts, bool Valid)[] Events)> packets, string source = "DAVIS346B")
    {
        var ms = new MemoryStream();
        ms.Write(System.Text.Encoding.ASCII.GetBytes($"#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: {source}\r\n#Start-Time: 2020-01-01 00:00:00 (TZ+0000)\r\n#!END-HEADER\r\n"));
        foreach (var (overflow, evs) in packets)
        {
            Aedat31PacketHeader(ms, 1, 8, evs.Length, evs.Count(e => e.Valid), overflow);
            foreach (var e in evs)
            {
                var b = new byte[8];
                uint data = (uint)(e.Valid ? 1 : 0) | (uint)(e.On ? 2 : 0) | ((uint)e.Y << 2) | ((uint)e.X << 17);
                BinaryPrimitives.WriteUInt32LittleEndian(b, data);
                BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), e.Ts);
                ms.Write(b);
            }
        }
        return ms.ToArray();
    }
}

/// <summary>Reads everything from a reader into lists.</summary>
internal sealed class Drained
{
    public List<long> T { get; } = [];
    public List<short> X { get; } = [];
    public List<short> Y { get; } = [];
    public List<bool> P { get; } = [];
    public List<ApsFrame> Frames { get; } = [];
    public List<TriggerEvent> Triggers { get; } = [];
    public List<ImuSample> Imu { get; } = [];
    public IReadOnlyList<Problem> Problems { get; private set; } = [];

    public static Drained From(IAedatReader reader)
    {
        var d = new Drained();
        while (reader.TryRead(out var p))
        {
            switch (p)
            {
                case EventsPacket e:
                    using (e.Events)
                    {
                        d.T.AddRange(e.Events.Timestamps.ToArray());
                        d.X.AddRange(e.Events.Xs.ToArray());
                        d.Y.AddRange(e.Events.Ys.ToArray());
                        d.P.AddRange(e.Events.Polarities.ToArray());
                    }
                    break;
                case FramePacket f: d.Frames.Add(f.Frame); break;
                case TriggersPacket t: d.Triggers.AddRange(t.Triggers); break;
                case ImuPacket i: d.Imu.AddRange(i.Samples); break;
            }
        }
        d.Problems = reader.Problems;
        return d;
    }

    public static Drained FromFile(string path) { using var r = AedatReader.Open(path); return From(r); }

    public string Hash()
    {
        using var h = new CanonicalEventHash();
        h.Append(T.ToArray(), X.ToArray(), Y.ToArray(), P.ToArray());
        return h.Finish();
    }

    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);
}
