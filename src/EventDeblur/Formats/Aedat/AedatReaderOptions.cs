namespace EventDeblur.Formats.Aedat;

/// <summary>Limits and choices for readers.</summary>
public sealed record AedatReaderOptions
{
    /// <summary>Resource limits (packet sizes before and after decompression, header XML, frame pixels, events per packet).</summary>
    public ReaderLimits Limits { get; init; } = ReaderLimits.Default;

    /// <summary>Events per batch for formats without packets of their own (AEDAT 2.0: records per read, 2 at least). Default 65 536.</summary>
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

    /// <summary>
    /// AEDAT 4.0 files with more than one event stream (two cameras; DV's raw and filtered events recorded together): the
    /// id of the stream whose events are delivered (with the frame, IMU and trigger streams of the same declared source);
    /// the others' packets are skipped, with a note naming each. Null (the default): the first stream whose packets hold
    /// events (and of each other kind, the first whose packets hold it). An id that holds no events is an error at the end
    /// of the walk, naming the streams that do.
    /// </summary>
    public int? EventStreamId { get; init; }

    /// <summary>
    /// The sensor size (pixels) to read a file with when it states none — an AEDAT 2.0 file whose AEChip this reader does
    /// not know, whose events are then decoded with the DAVIS address layout and y flipped by this height, as jAER does;
    /// null (the default): such a file's size is unknown and y is left as stored, with a note. Files that state a size
    /// ignore it.
    /// </summary>
    public (int Width, int Height)? SizeIfUnstated { get; init; }

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
