using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace EventDeblur.Formats.Aedat;

// Decompression ahead: while the read-ahead thread walks the packets (read, decompress, decode, check),
// one more thread follows the same chain of packet headers a few packets ahead of it, reading each
// packet's stored bytes with positional reads (pread) of the reader's own file handle and decompressing
// them. Decompression is the larger part of the walk, so the two share it: the walk takes a packet's
// body from this thread when it has it (the same offset and stored size of the same open file), and
// decompresses it itself otherwise — not reached yet (a packet this thread finds the walk about to read
// is left to it), a different chain after damage, a failure of any kind here. Packets, problems and
// their order are therefore exactly those of a walk on one thread. The thread waits while the walk's
// consumer is behind (inspect's hashing): the walk then needs no help, and the core is the consumer's.
public sealed partial class Aedat4Reader
{
    private Inflater? _inflater;
    private int _inflatedPackets;

    /// <summary>Packets whose body the decompression thread decompressed for the walk since the reader was opened (for tests).</summary>
    internal int PacketsDecompressedAhead => _inflatedPackets + (_inflater?.Taken ?? 0);

    /// <summary>
    /// Starts the decompression thread at the walk's position, where it can help: a compressed file read from disk
    /// (not a network stream), events decoded, and <see cref="ReaderLimits.DecompressAheadPackets"/> above 0.
    /// </summary>
    /// <param name="account">Where the thread's allocations are counted.</param>
    /// <param name="callerBehind">Whether the walk's consumer is behind it (the thread then waits: the walk needs no help).</param>
    private void StartInflater(StrongBox<long> account, Func<bool> callerBehind)
    {
        if (_inflater != null || _limits.DecompressAheadPackets <= 0 || _compression == Aedat4Compression.None || !_options.DecodeEvents) return;
        var file = _stream switch
        {
            FileStream f => f,
            IO.FileHash.HashingStream h => h.Inner,
            _ => null,
        };
        // Positions are the file's own only when the reader started at its first byte (OpenStream may be given a file read
        // from elsewhere).
        if (file == null || file.Position != _pos) return;
        // The reader's own handle, read at positions (pread), so both threads read the same open file.
        SafeFileHandle handle;
        try
        {
            handle = file.SafeFileHandle;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return; // The walk decompresses everything itself, as it would without this thread.
        }
        _inflater = new Inflater(handle, _compression, _limits.MaxDecompressedPacketBytes, _options.UseSystemLz4, _pos, _dataEnd == long.MaxValue ? file.Length : _dataEnd,
            _limits.DecompressAheadPackets, _limits.MaxPrefetchBytes, account, callerBehind);
    }

    /// <summary>Stops the decompression thread (the walk is paused, done or moved); called with no walk running.</summary>
    private void StopInflater()
    {
        var inflater = _inflater;
        if (inflater == null) return;
        _inflater = null;
        inflater.Stop();
        _inflatedPackets += inflater.Taken;
    }

    /// <summary>The decompression thread of one read-ahead run, and the packets it has decompressed for the walk.</summary>
    private sealed class Inflater
    {
        private const int InProgress = 0, Done = 1, Failed = 2;

        /// <summary>One packet the thread has claimed: its offset, stored bytes and (once done) decompressed body.</summary>
        internal sealed class Slot(long offset, byte[] stored, int storedLength)
        {
            public readonly long Offset = offset;
            public readonly byte[] Stored = stored;
            public readonly int StoredLength = storedLength;
            public CappedBuffer? Body;
            public int State;
            // Bytes of this slot counted in the thread's total (stored and body buffers).
            public long Counted;
        }

        // Packets whose stored body is larger than this are left to the walk (a frame packet of a large
        // sensor, a damaged size): their memory would double for little gain.
        private const int MaxStoredBytes = 4 << 20;
        // Decompressed bodies over this are left to the walk too (the helper's cap; the walk keeps the
        // file's own limit and reports what the file does over it).
        private const long MaxBodyBytes = 16L << 20;
        // Buffers kept for reuse at most this large; larger ones go to the GC.
        private const int MaxPooledBytes = 1 << 20;

        private readonly object _gate = new();
        private readonly Queue<Slot> _slots = new();
        private readonly Stack<CappedBuffer> _freeBodies = new();
        private readonly Stack<byte[]> _freeStored = new();
        private readonly SafeFileHandle _file;
        private readonly PacketCodec _codec;
        private readonly long _end;
        private readonly long _maxBody;
        private readonly Func<bool> _callerBehind;
        private readonly int _window;
        private readonly long _budget;
        private readonly Thread _thread;
        private readonly StrongBox<long> _account;
        private long _pos;
        private long _walkNext;
        private long _bytes;
        private bool _stop;

        public Inflater(SafeFileHandle file, Aedat4Compression compression, long maxBodyBytes, bool useSystemLz4, long start, long end, int window, long budget, StrongBox<long> account, Func<bool> callerBehind)
        {
            _callerBehind = callerBehind;
            _file = file;
            _maxBody = Math.Min(maxBodyBytes, MaxBodyBytes);
            _codec = new PacketCodec(compression, _maxBody, useSystemLz4);
            _pos = start;
            _walkNext = start;
            _end = end;
            _window = window;
            _budget = budget;
            _account = account;
            _thread = new Thread(Run) { IsBackground = true, Name = "aedat4-decompress" };
            _thread.Start();
        }

        /// <summary>Packets the walk took from this thread (for tests).</summary>
        public int Taken { get; private set; }

        /// <summary>
        /// The packet at <paramref name="offset"/> with a stored body of <paramref name="size"/> bytes, read and
        /// decompressed by this thread (give it back with <see cref="Return"/>), or <c>null</c> when the walk must read
        /// and decompress it itself. Slots behind the walk are dropped; a slot still being decompressed is waited for.
        /// </summary>
        public Slot? Take(long offset, int size)
        {
            lock (_gate)
            {
                _walkNext = Math.Max(_walkNext, offset + Aedat4Schema.PacketHeaderBytes + size);
                // Packets the walk went past (it resynchronised, or skipped them): dropped, once the thread is done with them.
                while (_slots.Count > 0 && _slots.Peek().Offset < offset)
                {
                    var passed = _slots.Peek();
                    while (passed.State == InProgress) Monitor.Wait(_gate);
                    Release(_slots.Dequeue());
                }
                Monitor.PulseAll(_gate);
                if (_slots.Count == 0 || _slots.Peek().Offset != offset) return null;
                var slot = _slots.Peek();
                if (slot.State == InProgress)
                {
                    // Decompressing a packet takes tens of microseconds: spin for it before sleeping (a context switch
                    // per packet cost more than the wait).
                    Monitor.Exit(_gate);
                    try
                    {
                        var spin = new SpinWait();
                        while (Volatile.Read(ref slot.State) == InProgress && !spin.NextSpinWillYield) spin.SpinOnce();
                    }
                    finally
                    {
                        Monitor.Enter(_gate);
                    }
                    while (slot.State == InProgress) Monitor.Wait(_gate);
                }
                _slots.Dequeue();
                Monitor.PulseAll(_gate);
                if (slot.State == Done && slot.StoredLength == size)
                {
                    Taken++;
                    return slot;
                }
                Release(slot);
                return null;
            }
        }

        /// <summary>Gives a slot taken with <see cref="Take"/> back, its buffers for reuse.</summary>
        public void Return(Slot slot)
        {
            lock (_gate)
            {
                Release(slot);
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Stops the thread, waits for it and drops what it holds.</summary>
        public void Stop()
        {
            lock (_gate)
            {
                _stop = true;
                Monitor.PulseAll(_gate);
            }
            _thread.Join();
            lock (_gate)
            {
                while (_slots.Count > 0) Release(_slots.Dequeue());
                _freeBodies.Clear();
                _freeStored.Clear();
            }
            _codec.Dispose();
        }

        // Under _gate.
        private void Release(Slot slot)
        {
            _bytes -= slot.Counted;
            slot.Counted = 0;
            if (slot.Stored.Length <= MaxPooledBytes && _freeStored.Count <= _window) _freeStored.Push(slot.Stored);
            if (slot.Body != null && slot.Body.Capacity <= MaxPooledBytes && _freeBodies.Count <= _window) _freeBodies.Push(slot.Body);
            slot.Body = null;
        }

        private void Run()
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            Slot? current = null;
            try
            {
                Span<byte> header = stackalloc byte[Aedat4Schema.PacketHeaderBytes];
                while (true)
                {
                    long at;
                    bool caughtUp;
                    lock (_gate)
                    {
                        // At least one packet may always wait, whatever its size.
                        while (!_stop && _slots.Count > 0 && (_slots.Count >= _window || _bytes >= _budget)) Monitor.Wait(_gate);
                        // The walk's consumer is behind (busy with its own work): the walk needs no help, so this
                        // thread leaves the core to them, looking again each millisecond.
                        while (!_stop && _callerBehind()) Monitor.Wait(_gate, 1);
                        if (_stop) return;
                        // Behind the walk (it decompressed those packets itself): carry on from where it is.
                        if (_pos < _walkNext) _pos = _walkNext;
                        at = _pos;
                        // Caught up: the walk's very next packet is left to the walk, which would otherwise wait for
                        // it, and this thread takes the one after, so that both decompress at once.
                        caughtUp = at == _walkNext;
                    }
                    if (_end - at < header.Length || RandomAccess.Read(_file, header, at) < header.Length) return;
                    int size = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
                    if (size <= 0 || at + header.Length + (long)size > _end)
                    {
                        // A header the walk will not accept: it reports it and finds the next packet (a table, a scan);
                        // this thread goes on from wherever the walk goes on.
                        lock (_gate)
                            while (!_stop && _walkNext <= at) Monitor.Wait(_gate, 5);
                        continue;
                    }
                    long next = at + header.Length + size;
                    if (size > MaxStoredBytes || caughtUp)
                    {
                        lock (_gate) if (_pos == at) _pos = next;
                        continue;
                    }
                    byte[] stored;
                    CappedBuffer body;
                    lock (_gate)
                    {
                        // Sizes rounded up to a power of two, so that packets of similar size reuse the same buffers.
                        stored = _freeStored.Count > 0 && _freeStored.Peek().Length >= size ? _freeStored.Pop() : new byte[BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 1 << 16))];
                        body = _freeBodies.Count > 0 ? _freeBodies.Pop() : new CappedBuffer(_maxBody);
                        current = new Slot(at, stored, size) { Body = body, Counted = stored.Length + body.Capacity };
                        _slots.Enqueue(current);
                        _bytes += current.Counted;
                        _pos = next;
                    }
                    int got = 0;
                    while (got < size)
                    {
                        int n = RandomAccess.Read(_file, stored.AsSpan(got, size - got), at + header.Length + got);
                        if (n <= 0) break;
                        got += n;
                    }
                    int state = Failed;
                    if (got == size)
                    {
                        try
                        {
                            _codec.DecodeInto(stored.AsSpan(0, size), body);
                            state = Done;
                        }
                        catch (Exception e) when (e is DecompressionLimitException or InvalidDataException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or ZstdSharp.ZstdException)
                        {
                            // The walk decompresses it again and reports what is wrong.
                        }
                    }
                    lock (_gate)
                    {
                        // The body may have grown; a slot the walk dropped meanwhile counts nothing any more.
                        if (current.Counted > 0)
                        {
                            _bytes += stored.Length + body.Capacity - current.Counted;
                            current.Counted = stored.Length + body.Capacity;
                        }
                        current.State = state;
                        current = null;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            catch (Exception)
            {
                // Whatever went wrong here (a read error, a bug), the walk reads and decompresses the rest itself and
                // reports what the file holds; this thread only ever saves it work.
            }
            finally
            {
                Interlocked.Add(ref _account.Value, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
                lock (_gate)
                {
                    // A slot claimed but never finished (the file could not be read): the walk does it.
                    if (current != null) current.State = Failed;
                    _stop = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
