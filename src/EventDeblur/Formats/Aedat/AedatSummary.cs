using EventDeblur.IO;
namespace EventDeblur.Formats.Aedat;

/// <summary>Totals over one pass through an AEDAT file (what <c>eventdeblur inspect</c> prints).</summary>
public sealed record AedatSummary
{
    /// <summary>Header information.</summary>
    public required AedatFileInfo Info { get; init; }

    /// <summary>Number of polarity events.</summary>
    public long EventCount { get; init; }

    /// <summary>First event timestamp, µs (null without events).</summary>
    public long? FirstTimestampUs { get; init; }

    /// <summary>Last event timestamp, µs (null without events).</summary>
    public long? LastTimestampUs { get; init; }

    /// <summary>
    /// The earliest and latest event times, µs (null without events): they differ from <see cref="FirstTimestampUs"/> /
    /// <see cref="LastTimestampUs"/> when time goes back in the file (two recordings joined, damaged timestamps). Taken
    /// from every event.
    /// </summary>
    public (long Min, long Max)? TimeSpanUs { get; init; }

    /// <summary>ON events.</summary>
    public long PositiveCount { get; init; }

    /// <summary>OFF events.</summary>
    public long NegativeCount { get; init; }

    /// <summary>Canonical event hash (see <see cref="CanonicalEventHash"/>), lowercase hex; null when it was not computed (<c>hash: false</c>).</summary>
    public string? EventsSha256 { get; init; }

    /// <summary>Number of APS frames.</summary>
    public long FrameCount { get; init; }

    /// <summary>The colour filters of the APS frames that are raw mosaics (one channel under a filter: a colour DAVIS), in the order first seen; empty for grey or colour frames.</summary>
    public IReadOnlyList<Events.ColorFilter> MosaicFilters { get; init; } = [];

    /// <summary>Number of trigger events.</summary>
    public long TriggerCount { get; init; }

    /// <summary>Trigger events per stream id (a Prophesee file's EXT_TRIGGER channel c is stream 1 + c).</summary>
    public IReadOnlyDictionary<int, long> TriggersByStream { get; init; } = new Dictionary<int, long>();

    /// <summary>Number of IMU samples.</summary>
    public long ImuCount { get; init; }

    /// <summary>Packets (or record runs) read.</summary>
    public long PacketCount { get; init; }

    /// <summary>Problems found, notes and errors.</summary>
    public required IReadOnlyList<Problem> Problems { get; init; }

    /// <summary><c>true</c> when any problem is an error.</summary>
    public bool HasErrors => Problems.Any(p => p.Severity == ProblemSeverity.Error);

    /// <summary>Reads the whole file once, packet by packet, in bounded memory.</summary>
    /// <exception cref="AedatFormatException">The file cannot be opened as AEDAT.</exception>
    public static AedatSummary Compute(string path, AedatReaderOptions? options = null)
    {
        using var reader = AedatReader.Open(path, options);
        return Compute(reader);
    }

    /// <summary>
    /// As <see cref="Compute(IAedatReader)"/>; with <paramref name="hash"/> false the canonical SHA-256 is not computed
    /// (<see cref="EventsSha256"/> null): every event is still decoded, checked and counted, in about half the time of a
    /// large file on two cores (the hash runs in event order on one core).
    /// </summary>
    public static AedatSummary Compute(IAedatReader reader, bool hash) => hash ? Compute(reader) : Summarise(reader, null);

    /// <summary>Drains <paramref name="reader"/> and totals what it delivers; an AEDAT 4.0 FileDataTable is checked against the packets read.</summary>
    public static AedatSummary Compute(IAedatReader reader)
    {
        using var hash = new CanonicalEventHash();
        return Summarise(reader, hash);
    }

    /// <summary>The smallest and largest of <paramref name="t"/> (not empty), on vector lanes.</summary>
    internal static (long Min, long Max) MinMax(ReadOnlySpan<long> t)
    {
        int i = 0;
        long lo = long.MaxValue, hi = long.MinValue;
        if (System.Numerics.Vector.IsHardwareAccelerated && t.Length >= 2 * System.Numerics.Vector<long>.Count)
        {
            var vlo = new System.Numerics.Vector<long>(long.MaxValue);
            var vhi = new System.Numerics.Vector<long>(long.MinValue);
            var lanes = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Numerics.Vector<long>>(t);
            foreach (var v in lanes)
            {
                vlo = System.Numerics.Vector.Min(vlo, v);
                vhi = System.Numerics.Vector.Max(vhi, v);
            }
            for (int k = 0; k < System.Numerics.Vector<long>.Count; k++) { lo = Math.Min(lo, vlo[k]); hi = Math.Max(hi, vhi[k]); }
            i = lanes.Length * System.Numerics.Vector<long>.Count;
        }
        for (; i < t.Length; i++) { lo = Math.Min(lo, t[i]); hi = Math.Max(hi, t[i]); }
        return (lo, hi);
    }

    private static AedatSummary Summarise(IAedatReader reader, CanonicalEventHash? hash)
    {
        long events = 0, pos = 0, frames = 0, triggers = 0, imu = 0, packets = 0;
        var triggersByStream = new Dictionary<int, long>();
        var mosaics = new List<Events.ColorFilter>();
        long? first = null, last = null;
        long min = long.MaxValue, max = long.MinValue;
        while (reader.TryRead(out var packet))
        {
            packets++;
            switch (packet)
            {
                case EventsPacket ep:
                    using (var b = ep.Events)
                    {
                        hash?.Append(b.Timestamps, b.Xs, b.Ys, b.Polarities);
                        events += b.Count;
                        var t = b.Timestamps;
                        // The true extent from every event (vector lanes: small next to the hash): time can jump anywhere.
                        var (lo, hi) = MinMax(t);
                        min = Math.Min(min, lo);
                        max = Math.Max(max, hi);
                        first ??= t[0];
                        last = t[^1];
                        // bool is one byte: ON events are the non-zero bytes (vectorised count, no branch per event).
                        pos += b.Count - System.Runtime.InteropServices.MemoryMarshal.Cast<bool, byte>(b.Polarities).Count((byte)0);
                    }
                    break;
                case FramePacket fp:
                    frames++;
                    if (ApsMosaic.IsMosaic(fp.Frame) && !mosaics.Contains(fp.Frame.ColorFilter)) mosaics.Add(fp.Frame.ColorFilter);
                    break;
                case TriggersPacket tp:
                    triggers += tp.Triggers.Length;
                    triggersByStream[tp.StreamId] = triggersByStream.GetValueOrDefault(tp.StreamId) + tp.Triggers.Length;
                    break;
                case ImuPacket ip: imu += ip.Samples.Length; break;
            }
        }
        // Only now is every packet known: check the file's own index against them.
        if (reader is Aedat4Reader aedat4) aedat4.VerifyDataTable();
        return new AedatSummary
        {
            Info = reader.Info,
            EventCount = events,
            FirstTimestampUs = first,
            LastTimestampUs = last,
            TimeSpanUs = first == null ? null : (min, max),
            PositiveCount = pos,
            NegativeCount = events - pos,
            EventsSha256 = hash?.Finish(),
            FrameCount = frames,
            MosaicFilters = mosaics,
            TriggerCount = triggers,
            TriggersByStream = triggersByStream,
            ImuCount = imu,
            // A reader that walks packets delivering nothing (AEDAT 3.1: no valid events) counts them itself.
            PacketCount = reader is Aedat31Reader r31 ? r31.PacketsRead : packets,
            Problems = reader.Problems,
        };
    }
}
