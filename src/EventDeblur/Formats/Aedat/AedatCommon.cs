using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>AEDAT container versions this project reads.</summary>
public enum AedatVersion
{
    /// <summary>jAER AEDAT 2.0: big-endian 8-byte address/timestamp records.</summary>
    Aedat2,
    /// <summary>cAER AEDAT 3.1: little-endian typed packets.</summary>
    Aedat31,
    /// <summary>DV AEDAT 4.0: flatbuffer packets, optionally LZ4/ZSTD compressed.</summary>
    Aedat4,
    /// <summary>Prophesee RAW EVT 2.0 (32-bit words; read by <c>Formats.Prophesee</c>).</summary>
    Evt2,
    /// <summary>Prophesee RAW EVT 3.0 (16-bit words; read by <c>Formats.Prophesee</c>).</summary>
    Evt3,
    /// <summary>Prophesee DAT event file (8-byte records; read by <c>Formats.Prophesee</c>).</summary>
    Dat,
    /// <summary>HDF5 event file, DSEC or h5_tools layout (read by <c>Formats.Hdf5</c>).</summary>
    Hdf5,
}

/// <summary>Extensions for <see cref="AedatVersion"/>.</summary>
public static class AedatVersionExtensions
{
    /// <summary>The name used in reports: <c>AEDAT2.0</c>, <c>AEDAT3.1</c>, <c>AEDAT4.0</c>, <c>EVT2.0</c>, <c>EVT3.0</c>, <c>DAT</c> or <c>HDF5</c>.</summary>
    public static string DisplayName(this AedatVersion v) => v switch
    {
        AedatVersion.Aedat2 => "AEDAT2.0",
        AedatVersion.Aedat31 => "AEDAT3.1",
        AedatVersion.Evt2 => "EVT2.0",
        AedatVersion.Evt3 => "EVT3.0",
        AedatVersion.Dat => "DAT",
        AedatVersion.Hdf5 => "HDF5",
        _ => "AEDAT4.0",
    };
}

/// <summary>How serious a problem found while decoding is.</summary>
public enum ProblemSeverity
{
    /// <summary>Informational: the data is usable as decoded (e.g. a header-only file).</summary>
    Note,
    /// <summary>The input violates its format; data at or after <see cref="AedatProblem.ByteOffset"/> may be lost.</summary>
    Error,
}

/// <summary>
/// A problem found in an input file, precise enough to act on: which file, which byte offset,
/// what was expected and what was found.
/// </summary>
/// <param name="FilePath">The file being read.</param>
/// <param name="ByteOffset">Byte offset in the file where the problem starts (−1 when not tied to one place).</param>
/// <param name="Severity">Note or error.</param>
/// <param name="Message">What was expected and what was found.</param>
public sealed record AedatProblem(string FilePath, long ByteOffset, ProblemSeverity Severity, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        ByteOffset >= 0
            ? $"{FilePath}: byte {ByteOffset}: {Severity.ToString().ToLowerInvariant()}: {Message}"
            : $"{FilePath}: {Severity.ToString().ToLowerInvariant()}: {Message}";
}

/// <summary>Thrown when an input cannot be opened at all (no events can be delivered).</summary>
public sealed class AedatFormatException : IOException
{
    /// <summary>Creates the exception from the problem that caused it.</summary>
    public AedatFormatException(AedatProblem problem) : base(problem.ToString()) => Problem = problem;

    /// <summary>The problem, with file and byte offset.</summary>
    public AedatProblem Problem { get; }
}

/// <summary>Kinds of data stream found in AEDAT files.</summary>
public enum AedatStreamKind
{
    /// <summary>Polarity events (AEDAT 4.0 <c>EVTS</c>).</summary>
    Events,
    /// <summary>APS frames (<c>FRME</c>).</summary>
    Frames,
    /// <summary>Inertial samples (<c>IMUS</c>).</summary>
    Imu,
    /// <summary>Triggers and special events (<c>TRIG</c>).</summary>
    Triggers,
    /// <summary>A stream type this reader does not decode; its packets are skipped.</summary>
    Other,
}

/// <summary>A declared data stream.</summary>
/// <param name="Id">Stream id as used in packet headers.</param>
/// <param name="Kind">What it carries.</param>
/// <param name="TypeIdentifier">Four-letter flatbuffer identifier (AEDAT 4.0) or a descriptive name.</param>
/// <param name="Width">Declared sensor width in pixels (0 if not stated).</param>
/// <param name="Height">Declared sensor height in pixels (0 if not stated).</param>
/// <param name="Source">Camera name, e.g. <c>DAVIS346_00000104</c>, or empty.</param>
public sealed record AedatStreamInfo(int Id, AedatStreamKind Kind, string TypeIdentifier, int Width, int Height, string Source)
{
    /// <summary>The stream's name (AEDAT 4.0 <c>originalOutputName</c>, e.g. <c>events</c>); empty when not stated.</summary>
    public string Name { get; init; } = "";

    /// <summary>The stream's <c>tsOffset</c> (AEDAT 4.0 info node: the device clock's offset, µs); null when not stated.</summary>
    public long? TsOffsetUs { get; init; }
}

/// <summary>What a reader knows about a file after opening it.</summary>
public sealed record AedatFileInfo
{
    /// <summary>The file path.</summary>
    public required string FilePath { get; init; }

    /// <summary>Container version.</summary>
    public required AedatVersion Version { get; init; }

    /// <summary>Event sensor width in pixels (0 when unknown).</summary>
    public required int Width { get; init; }

    /// <summary>Event sensor height in pixels (0 when unknown).</summary>
    public required int Height { get; init; }

    /// <summary>Camera model or name, e.g. <c>DAVIS240C</c>; empty when unknown.</summary>
    public string Camera { get; init; } = "";

    /// <summary>Declared streams (AEDAT 4.0) or the implicit ones of older versions.</summary>
    public IReadOnlyList<AedatStreamInfo> Streams { get; init; } = [];

    /// <summary>AEDAT 4.0 packet compression (<c>NONE</c>, <c>LZ4</c>, <c>LZ4_HIGH</c>, <c>ZSTD</c>, <c>ZSTD_HIGH</c>); empty for older versions.</summary>
    public string Compression { get; init; } = "";

    /// <summary>Byte offset of the first data byte after the header.</summary>
    public long DataStartOffset { get; init; }
}

/// <summary>One decoded unit from a reader. Event batches are owned by the receiver (dispose them).</summary>
public abstract record AedatPacket
{
    /// <summary>Stream id the packet belongs to.</summary>
    public required int StreamId { get; init; }

    /// <summary>Byte offset in the file where the packet (or record run) starts.</summary>
    public required long ByteOffset { get; init; }
}

/// <summary>Polarity events.</summary>
public sealed record EventsPacket : AedatPacket
{
    /// <summary>The events, in file order. Dispose when done.</summary>
    public required EventBatch Events { get; init; }
}

/// <summary>One APS frame.</summary>
public sealed record FramePacket : AedatPacket
{
    /// <summary>The frame.</summary>
    public required ApsFrame Frame { get; init; }
}

/// <summary>Trigger events.</summary>
public sealed record TriggersPacket : AedatPacket
{
    /// <summary>The triggers, in file order.</summary>
    public required TriggerEvent[] Triggers { get; init; }
}

/// <summary>Inertial samples.</summary>
public sealed record ImuPacket : AedatPacket
{
    /// <summary>The samples, in file order.</summary>
    public required ImuSample[] Samples { get; init; }
}

/// <summary>Limits and choices for readers.</summary>
public sealed record AedatReaderOptions
{
    /// <summary>Resource limits (packet sizes before and after decompression, header XML, frame pixels, events per packet).</summary>
    public ReaderLimits Limits { get; init; } = ReaderLimits.Default;

    /// <summary>Events per batch for formats without packets of their own (AEDAT 2.0). Default 65 536.</summary>
    public int BatchEvents { get; init; } = 1 << 16;

    /// <summary>Decode APS frame pixels (false: frame packets are skipped, which is faster).</summary>
    public bool DecodeFrames { get; init; } = true;

    /// <summary>
    /// Decode and deliver polarity events (default). <c>false</c>, for passes that need only triggers, frames or IMU
    /// samples: no <see cref="EventsPacket"/> is delivered, and event packets are skipped unread where the format
    /// allows it — AEDAT 4.0 once a stream's first packet has shown the <c>EVTS</c> identifier its infoNode declares
    /// (later packets of that stream are stepped over without decompression), AEDAT 3.1 polarity packets (stepped
    /// over by their header's size). AEDAT 2.0 interleaves every kind in one word stream, so its events are still
    /// scanned. Problems inside skipped packets (order, range) are not reported by such a pass.
    /// </summary>
    public bool DecodeEvents { get; init; } = true;

    /// <summary>
    /// When set, the file is hashed (SHA-256) from the bytes the reader reads in order; <see cref="IO.FileHash.Finish"/>
    /// after the walk reads only the rest. One instance per file opened.
    /// </summary>
    public IO.FileHash? FileHash { get; init; }

    /// <summary>How many individual problems of one kind are listed before they are only counted. Default 20.</summary>
    public int MaxProblemsPerKind { get; init; } = 20;

    /// <summary>
    /// Decompress LZ4 packets with the system's liblz4 when it is installed (faster); <c>false</c>
    /// forces the managed K4os decoder. Both give identical output.
    /// </summary>
    public bool UseSystemLz4 { get; init; } = true;

    /// <summary>The default options.</summary>
    public static AedatReaderOptions Default { get; } = new();
}

/// <summary>
/// A streaming reader of one AEDAT file: packets come one at a time, and memory stays bounded by
/// the largest packet whatever the file size.
/// </summary>
public interface IAedatReader : IDisposable
{
    /// <summary>Header information.</summary>
    AedatFileInfo Info { get; }

    /// <summary>
    /// Problems found so far. Reading stops at the first <see cref="ProblemSeverity.Error"/> that
    /// makes the rest of the file undecodable; everything valid before it has been delivered.
    /// </summary>
    IReadOnlyList<AedatProblem> Problems { get; }

    /// <summary>Reads the next packet; <c>false</c> at the end of the data or after a fatal problem.</summary>
    bool TryRead(out AedatPacket? packet);
}
