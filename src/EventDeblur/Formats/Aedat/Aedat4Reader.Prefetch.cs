using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace EventDeblur.Formats.Aedat;

// Read-ahead: on a seekable input a second thread runs the very same packet walk (read, decompress,
// decode, check) a few packets ahead of the caller, so decoding and the caller's own work (hashing,
// counting, kernels) use both cores. Only one thread ever runs the walk: the read-ahead thread while
// it is started, the caller's thread otherwise (it pauses the read-ahead before touching the stream).
// Problems found ahead are held with the packet they precede and written to the log only when the
// caller takes that packet, so the log reads exactly as a walk on the caller's thread would leave it.
public sealed partial class Aedat4Reader
{
    /// <summary>One outcome of the walk: a packet (or the end, or an exception) and the problems found on the way to it.</summary>
    private sealed class Ahead
    {
        public AedatPacket? Packet;
        public List<PendingProblem>? Problems;
        public bool End;
        public ExceptionDispatchInfo? Failure;
        public long Bytes;
    }

    private readonly record struct PendingProblem(bool IsError, string Kind, long Offset, string Message);

    /// <summary>The bounded queue between the read-ahead thread and the caller, guarded by its own monitor.</summary>
    private sealed class ReadAhead
    {
        public readonly Queue<Ahead> Queue = new();
        // Queue.Count, for the decompression thread to read without the lock.
        public int Queued;
        public long QueuedBytes;
        public bool StopRequested;
        public bool Exited;
        // Who is blocked on the monitor: each side wakes the other only when that is worth a context
        // switch (a few packets ready, or room for a few), not after every packet.
        public bool CallerWaiting;
        public bool ReaderWaiting;
        public Thread? Thread;
    }

    private int _peakQueuedPackets;
    private long _peakQueuedBytes;

    /// <summary>Most packets the read-ahead thread has had queued at once since the reader was opened (for tests).</summary>
    internal int PeakQueuedPackets => Volatile.Read(ref _peakQueuedPackets);

    /// <summary>Most bytes (see <see cref="SizeOf"/>) the read-ahead queue has held at once, counted before the newest packet was added (for tests).</summary>
    internal long PeakQueuedBytesBeforeAdding => Interlocked.Read(ref _peakQueuedBytes);

    /// <summary>Whether a read-ahead thread is running: started, and neither finished nor paused (for tests).</summary>
    internal bool IsReadingAhead
    {
        get
        {
            var ra = _ahead;
            if (ra == null) return false;
            lock (ra) return !ra.Exited;
        }
    }

    private ReadAhead? _ahead;

    // What each caller thread's read-ahead threads allocated, so that allocation bounds (tests, the
    // abuse corpus) still see all the memory a read takes when part of it is taken on another thread.
    [ThreadStatic] private static StrongBox<long>? t_readAheadAllocated;

    /// <summary>
    /// Bytes allocated on the calling thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) plus those
    /// allocated by the read-ahead threads of every reader this thread started reading and has since
    /// finished or disposed.
    /// </summary>
    internal static long AllocatedBytesForCurrentThreadAndItsReadAhead() =>
        GC.GetAllocatedBytesForCurrentThread() + Interlocked.Read(ref (t_readAheadAllocated ??= new StrongBox<long>()).Value);
    // Set on the read-ahead thread while it runs the walk: problems go here instead of the log.
    private List<PendingProblem>? _pending;

    private void Report(string kind, long offset, string message)
    {
        if (_pending != null) _pending.Add(new PendingProblem(true, kind, offset, message));
        else _log.Error(kind, offset, message);
    }

    private void ReportNote(string kind, long offset, string message)
    {
        if (_pending != null) _pending.Add(new PendingProblem(false, kind, offset, message));
        else _log.Note(kind, offset, message);
    }

    private bool TryReadPrefetched(out AedatPacket? packet)
    {
        packet = null;
        while (true)
        {
            if (_ahead == null)
            {
                if (_done) return false;
                StartPrefetch();
            }
            var ra = _ahead!;
            Ahead? item = null;
            lock (ra)
            {
                while (ra.Queue.Count == 0 && !ra.Exited)
                {
                    ra.CallerWaiting = true;
                    Monitor.Wait(ra);
                    ra.CallerWaiting = false;
                }
                if (ra.Queue.Count > 0)
                {
                    item = ra.Queue.Dequeue();
                    Volatile.Write(ref ra.Queued, ra.Queue.Count);
                    ra.QueuedBytes -= item.Bytes;
                    if (ra.ReaderWaiting && ra.Queue.Count <= _limits.PrefetchPackets / 2 && ra.QueuedBytes <= _limits.MaxPrefetchBytes / 2)
                        Monitor.PulseAll(ra);
                }
            }
            if (item == null)
            {
                // Paused and drained: the walk goes on from where the thread stopped.
                ra.Thread!.Join();
                StopInflater();
                _ahead = null;
                continue;
            }
            if (item.Problems != null)
            {
                foreach (var p in item.Problems)
                {
                    if (p.IsError) _log.Error(p.Kind, p.Offset, p.Message);
                    else _log.Note(p.Kind, p.Offset, p.Message);
                }
            }
            if (item.Failure != null || item.End)
            {
                ra.Thread!.Join();
                StopInflater();
                _ahead = null;
                item.Failure?.Throw();
                return false;
            }
            packet = item.Packet;
            return true;
        }
    }

    private void StartPrefetch()
    {
        var ra = new ReadAhead();
        var account = t_readAheadAllocated ??= new StrongBox<long>();
        ra.Thread = new Thread(() => RunAhead(ra, account)) { IsBackground = true, Name = "aedat4-read-ahead" };
        _ahead = ra;
        // The caller is behind when half the queue waits for it: the walk then needs no help, and a third busy
        // thread would only take the caller's core (inspect's hashing).
        int behind = Math.Max(1, _limits.PrefetchPackets / 2);
        StartInflater(account, () => Volatile.Read(ref ra.Queued) >= behind);
        ra.Thread.Start();
    }

    private void RunAhead(ReadAhead ra, StrongBox<long> account)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int depth = _limits.PrefetchPackets;
        long budget = _limits.MaxPrefetchBytes;
        try
        {
            while (true)
            {
                lock (ra)
                {
                    // At least one packet may always wait, whatever its size, or a large packet would stall the walk.
                    while (!ra.StopRequested && ra.Queue.Count > 0 && (ra.Queue.Count >= depth || ra.QueuedBytes >= budget))
                    {
                        // The caller may be waiting for a second packet that will not come until this one is taken.
                        if (ra.CallerWaiting) Monitor.PulseAll(ra);
                        ra.ReaderWaiting = true;
                        Monitor.Wait(ra);
                        ra.ReaderWaiting = false;
                    }
                    if (ra.StopRequested) return;
                }
                var item = new Ahead();
                _pending = [];
                try
                {
                    item.End = !TryReadCore(out item.Packet);
                }
                catch (Exception e)
                {
                    item.Failure = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    item.Problems = _pending.Count > 0 ? _pending : null;
                    _pending = null;
                }
                item.Bytes = SizeOf(item.Packet);
                lock (ra)
                {
                    // Queued even when a stop was asked meanwhile: the walk has moved past it, so it must not be lost.
                    if (ra.QueuedBytes > _peakQueuedBytes) Interlocked.Exchange(ref _peakQueuedBytes, ra.QueuedBytes);
                    ra.Queue.Enqueue(item);
                    Volatile.Write(ref ra.Queued, ra.Queue.Count);
                    ra.QueuedBytes += item.Bytes;
                    if (ra.Queue.Count > _peakQueuedPackets) Volatile.Write(ref _peakQueuedPackets, ra.Queue.Count);
                    if (ra.CallerWaiting && (ra.Queue.Count >= Math.Max(1, depth / 2) || item.End || item.Failure != null))
                        Monitor.PulseAll(ra);
                }
                if (item.End || item.Failure != null) return;
            }
        }
        finally
        {
            Interlocked.Add(ref account.Value, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
            lock (ra)
            {
                ra.Exited = true;
                Monitor.PulseAll(ra);
            }
        }
    }

    /// <summary>Approximate memory a decoded packet holds, bytes (for <see cref="ReaderLimits.MaxPrefetchBytes"/>).</summary>
    private static long SizeOf(AedatPacket? packet) => packet switch
    {
        EventsPacket e => 13L * e.Events.Capacity,
        FramePacket f => f.Frame.Pixels.Length,
        TriggersPacket t => 16L * t.Triggers.Length,
        ImuPacket i => 48L * i.Samples.Length,
        _ => 0,
    };

    /// <summary>Stops the read-ahead thread and waits for it; packets it already queued are still delivered, in order.</summary>
    private void PausePrefetch()
    {
        var ra = _ahead;
        if (ra == null) return;
        lock (ra)
        {
            ra.StopRequested = true;
            Monitor.PulseAll(ra);
        }
        ra.Thread!.Join();
        StopInflater();
    }

    /// <summary>Stops the read-ahead thread and drops what it queued (seek, dispose), returning pooled event batches.</summary>
    private void DiscardPrefetch()
    {
        var ra = _ahead;
        if (ra == null) return;
        PausePrefetch();
        _ahead = null;
        foreach (var item in ra.Queue)
            if (item.Packet is EventsPacket e) e.Events.Dispose();
        ra.Queue.Clear();
    }
}
