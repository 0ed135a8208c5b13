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
    /// <see cref="LastTimestampUs"/> when time goes back in the file (two recordings joined, damaged timestamps). Taken from
    /// each packet's ends, and from all its events where time may go back in it (its ends reversed, a step back from the
    /// packet before, a problem reported while reading it).
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

    /// <summary>Number of trigger events.</summary>
    public long TriggerCount { get; init; }

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

    private static AedatSummary Summarise(IAedatReader reader, CanonicalEventHash? hash)
    {
        long events = 0, pos = 0, frames = 0, triggers = 0, imu = 0, packets = 0;
        long? first = null, last = null;
        long min = long.MaxValue, max = long.MinValue;
        int problemsSeen = 0;
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
                        // The extent from the packet's ends, unless its time may go back inside it (its ends reversed, a
                        // step back from the packet before, or a problem the reader found meanwhile): then from every event.
                        bool suspect = t[^1] < t[0] || (last is long l && t[0] < l) || reader.Problems.Count != problemsSeen;
                        problemsSeen = reader.Problems.Count;
                        if (suspect)
                            foreach (long v in t) { if (v < min) min = v; if (v > max) max = v; }
                        else { min = Math.Min(min, t[0]); max = Math.Max(max, t[^1]); }
                        first ??= t[0];
                        last = t[^1];
                        // bool is one byte: ON events are the non-zero bytes (vectorised count, no branch per event).
                        pos += b.Count - System.Runtime.InteropServices.MemoryMarshal.Cast<bool, byte>(b.Polarities).Count((byte)0);
                    }
                    break;
                case FramePacket: frames++; break;
                case TriggersPacket tp: triggers += tp.Triggers.Length; break;
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
            TriggerCount = triggers,
            ImuCount = imu,
            // A reader that walks packets delivering nothing (AEDAT 3.1: no valid events) counts them itself.
            PacketCount = reader is Aedat31Reader r31 ? r31.PacketsRead : packets,
            Problems = reader.Problems,
        };
    }
}
