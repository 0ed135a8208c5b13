using System.Buffers.Binary;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>A trigger as written: time (µs), channel, edge.</summary>
internal readonly record struct TestTrigger(long T, int Channel, bool Rising);

/// <summary>A generated recording: events in time order and triggers, written with our EVT writer or as DAT bytes.</summary>
internal sealed class PropheseeRecording
{
    public required long[] T { get; init; }
    public required short[] X { get; init; }
    public required short[] Y { get; init; }
    public required bool[] P { get; init; }
    public required TestTrigger[] Triggers { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }

    /// <summary>
    /// n events from <paramref name="seed"/>: mostly small time steps, some long jumps (<paramref name="jumpUs"/>),
    /// bursts of same-time, same-row events with ascending x (vector material), and <paramref name="triggers"/> triggers.
    /// </summary>
    public static PropheseeRecording Random(int n, int seed, int triggers = 0, int width = 640, int height = 480, long jumpUs = 0, int maxChannel = 15)
    {
        var r = new Random(seed);
        var t = new long[n];
        var x = new short[n];
        var y = new short[n];
        var p = new bool[n];
        long now = r.NextInt64(0, 1L << 30);
        int i = 0;
        while (i < n)
        {
            int roll = r.Next(100);
            if (jumpUs > 0 && roll == 0) now += r.NextInt64(jumpUs / 2, jumpUs * 2);
            else if (roll < 30) now += r.Next(0, 5000);
            else now += r.Next(0, 3);
            if (roll is >= 90 and < 98 && width > 40)
            {
                // A burst along one row: ascending x, same time and polarity.
                int row = r.Next(height), start = r.Next(width - 40);
                bool on = r.Next(2) == 1;
                for (int col = start; col < start + 40 && i < n; col++)
                {
                    if (r.Next(3) == 0) continue;
                    t[i] = now; x[i] = (short)col; y[i] = (short)row; p[i] = on; i++;
                }
                continue;
            }
            t[i] = now; x[i] = (short)r.Next(width); y[i] = (short)r.Next(height); p[i] = r.Next(2) == 1; i++;
        }
        var trig = new TestTrigger[triggers];
        long lo = n > 0 ? t[0] : 0, hi = n > 0 ? t[^1] : 1000;
        for (int k = 0; k < triggers; k++) trig[k] = new TestTrigger(r.NextInt64(lo, hi + 1), r.Next(maxChannel + 1), r.Next(2) == 1);
        Array.Sort(trig, (a, b) => a.T.CompareTo(b.T));
        return new PropheseeRecording { T = t, X = x, Y = y, P = p, Triggers = trig, Width = width, Height = height };
    }

    /// <summary>Writes the recording with <see cref="PropheseeRawWriter"/>, triggers interleaved in time order (before events of the same µs).</summary>
    public string WriteRaw(string path, AedatVersion encoding, bool vectorize = true)
    {
        using var w = PropheseeRawWriter.Create(path, new PropheseeRawWriterOptions { Encoding = encoding, Width = Width, Height = Height, Serial = "TEST0001", Vectorize = vectorize });
        int e = 0;
        foreach (var trig in Triggers)
        {
            int end = e;
            while (end < T.Length && T[end] < trig.T) end++;
            w.WriteEvents(T.AsSpan(e, end - e), X.AsSpan(e, end - e), Y.AsSpan(e, end - e), P.AsSpan(e, end - e));
            e = end;
            w.WriteTrigger(trig.T, trig.Channel, trig.Rising);
        }
        w.WriteEvents(T.AsSpan(e), X.AsSpan(e), Y.AsSpan(e), P.AsSpan(e));
        return path;
    }

    /// <summary>DAT v2 bytes (Event2d, 8-byte records; t modulo 2^32) with an N-CARS-like header plus Width/Height.</summary>
    public byte[] DatBytes(byte eventType = DatReader.Event2dType)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"% Data file containing Event2d events.\n% Version 2\n% Date 2024-01-01 00:00:00\n% Width {Width}\n% Height {Height}\n");
        var bytes = new byte[header.Length + 2 + 8 * T.Length];
        header.CopyTo(bytes, 0);
        bytes[header.Length] = eventType;
        bytes[header.Length + 1] = 8;
        for (int i = 0; i < T.Length; i++)
        {
            var rec = bytes.AsSpan(header.Length + 2 + 8 * i, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(rec, (uint)T[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], (ushort)X[i] | ((uint)(ushort)Y[i] << 14) | ((P[i] ? 1u : 0u) << 28));
        }
        return bytes;
    }
}

/// <summary>Everything a reader delivered, with each event's and trigger's packet offset and stream id.</summary>
internal sealed class PropheseeDrained
{
    public List<(long T, short X, short Y, bool P)> Events { get; } = [];
    public List<long> EventPacketOffsets { get; } = [];
    public List<TestTrigger> Triggers { get; } = [];
    public IReadOnlyList<Problem> Problems { get; private set; } = [];
    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);
    public IEnumerable<Problem> Errors => Problems.Where(p => p.Severity == ProblemSeverity.Error);

    public static PropheseeDrained From(IAedatReader reader)
    {
        var d = new PropheseeDrained();
        while (reader.TryRead(out var packet))
        {
            switch (packet)
            {
                case EventsPacket e:
                    using (var b = e.Events)
                        for (int i = 0; i < b.Count; i++)
                        {
                            d.Events.Add((b.Timestamps[i], b.Xs[i], b.Ys[i], b.Polarities[i]));
                            d.EventPacketOffsets.Add(e.ByteOffset);
                        }
                    break;
                case TriggersPacket tp:
                    foreach (var t in tp.Triggers)
                        d.Triggers.Add(new TestTrigger(t.TimestampUs, tp.StreamId - PropheseeReader.TriggerStreamIdBase, t.Type == TriggerType.ExternalSignalRisingEdge));
                    break;
            }
        }
        d.Problems = reader.Problems;
        return d;
    }

    public static PropheseeDrained FromFile(string path, int batchEvents = 1 << 16)
    {
        using var r = PropheseeReader.Open(path, new AedatReaderOptions { BatchEvents = batchEvents });
        return From(r);
    }
}
