namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Resource limits every reader enforces <em>before</em> it allocates, so a hostile or corrupt
/// input (a decompression bomb, a deeply nested header, a frame claiming billions of pixels) is
/// reported as a problem with file and byte offset instead of exhausting memory or time. Defaults
/// are far above anything a real DAVIS / DV recording produces. Validate once with
/// <see cref="Validate"/>; readers do it when they open.
/// </summary>
public sealed record ReaderLimits
{
    /// <summary>Largest packet body as stored in the file (compressed or not), bytes. Default 256 MiB.</summary>
    public int MaxStoredPacketBytes { get; init; } = 256 << 20;

    /// <summary>
    /// Largest packet body after decompression, bytes. Decompression stops as soon as the output
    /// would exceed it (and an LZ4/zstd frame that declares a larger content size is refused without
    /// decoding); the packet is reported and skipped. Default 256 MiB.
    /// </summary>
    public long MaxDecompressedPacketBytes { get; init; } = 256L << 20;

    /// <summary>Largest AEDAT 4.0 infoNode XML, characters. Default 1 Mi characters (DV writes a few KB).</summary>
    public int MaxInfoNodeChars { get; init; } = 1 << 20;

    /// <summary>Deepest element nesting accepted in the AEDAT 4.0 infoNode XML, levels (root = 1). Default 64 (DV nests about 6).</summary>
    public int MaxInfoNodeDepth { get; init; } = 64;

    /// <summary>Largest APS frame, pixels (width × height, all channels count as one pixel). Default 64 Mi pixels.</summary>
    public long MaxFramePixels { get; init; } = 64L << 20;

    /// <summary>Most events accepted in one packet, events. Default 16 Mi events (256 MiB of 16-byte AEDAT 4.0 events).</summary>
    public int MaxEventsPerPacket { get; init; } = 16 << 20;

    /// <summary>
    /// AEDAT 4.0 files only: most packets read, decompressed and decoded ahead of the caller on a second
    /// thread, packets. 0 reads every packet on the caller's thread. Default 16 (each side wakes the
    /// other only at half a queue: with 4, a 20 M-event read switched threads 5 times as often).
    /// </summary>
    public int PrefetchPackets { get; init; } = 16;

    /// <summary>
    /// AEDAT 4.0 files only: the read-ahead thread waits while the packets it has queued hold this many
    /// bytes or more (one packet may always wait, whatever its size), bytes. Default 32 MiB
    /// (a DV packet of 10 000 events holds about 200 KiB).
    /// </summary>
    public long MaxPrefetchBytes { get; init; } = 32L << 20;

    /// <summary>
    /// AEDAT 4.0 files with compressed packets, read ahead (<see cref="PrefetchPackets"/> &gt; 0): most packets one more
    /// thread decompresses ahead of the read-ahead thread's walk, packets; 0 leaves all decompression to the walk. Its
    /// buffers are bounded by <see cref="MaxPrefetchBytes"/> as well (one packet may always wait), and it leaves packets
    /// over 4 MiB stored or 16 MiB decompressed to the walk. Default 4. The packets and problems are the same either way.
    /// </summary>
    public int DecompressAheadPackets { get; init; } = 4;

    /// <summary>The default limits.</summary>
    public static ReaderLimits Default { get; } = new();

    /// <summary>Checks that every limit is positive (<see cref="PrefetchPackets"/>: not negative).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public ReaderLimits Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStoredPacketBytes, 1, nameof(MaxStoredPacketBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDecompressedPacketBytes, 1, nameof(MaxDecompressedPacketBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDecompressedPacketBytes, Array.MaxLength, nameof(MaxDecompressedPacketBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInfoNodeChars, 1, nameof(MaxInfoNodeChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInfoNodeDepth, 1, nameof(MaxInfoNodeDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFramePixels, 1, nameof(MaxFramePixels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEventsPerPacket, 1, nameof(MaxEventsPerPacket));
        ArgumentOutOfRangeException.ThrowIfNegative(PrefetchPackets, nameof(PrefetchPackets));
        ArgumentOutOfRangeException.ThrowIfNegative(DecompressAheadPackets, nameof(DecompressAheadPackets));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPrefetchBytes, 1, nameof(MaxPrefetchBytes));
        return this;
    }

    /// <summary>A size in bytes as a short human string (e.g. <c>256 MiB</c>) for messages.</summary>
    internal static string Bytes(long n) =>
        n >= 1L << 30 && n % (1L << 30) == 0 ? $"{n >> 30} GiB"
        : n >= 1 << 20 && n % (1 << 20) == 0 ? $"{n >> 20} MiB"
        : n >= 1 << 10 && n % (1 << 10) == 0 ? $"{n >> 10} KiB"
        : $"{n} bytes";
}
