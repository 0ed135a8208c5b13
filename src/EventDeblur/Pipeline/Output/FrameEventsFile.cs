using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Events;
using EventDeblur.Formats;
using EventDeblur.Imaging;
using EventDeblur.IO;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// <c>events/NNNNNN.parquet</c> of a live run: the events of one frame's exposure window (on the event clock, shifted by
/// the run's event latency, no margins) as the run received them, in <see cref="EventsParquet"/>'s table (t int64 µs,
/// x / y int16, p bool), written atomically. A live run receives its events from a stream and keeps no other copy, so
/// this is what the report shows of a live frame's events. Only the events the pipeline already holds for the frame are
/// written; beyond <c>maxEvents</c> an even subsample (every k-th event) is kept and the footer says so. The footer also
/// holds the window, the counts, the event sensor and the RGB → event homography, so the file needs no other to be read.
/// </summary>
public static class FrameEventsFile
{
    /// <summary>The sub-folder of a run folder holding the files.</summary>
    public const string Folder = "events";

    /// <summary>The default of <c>maxEvents</c>: events of one window kept at most (≈ 8 MB of Parquet).</summary>
    public const int DefaultMaxEvents = 1_000_000;

    /// <summary>Footer key: the frame's index.</summary>
    public const string FrameIndexKey = "frame_index";

    /// <summary>Footer key: start of the window whose events the file holds, event clock µs (inclusive).</summary>
    public const string WindowStartKey = "window_start_us";

    /// <summary>Footer key: end of the window, event clock µs (exclusive).</summary>
    public const string WindowEndKey = "window_end_us";

    /// <summary>Footer key: events the run received in the window.</summary>
    public const string InWindowKey = "events_in_window";

    /// <summary>Footer key: events in the file (<see cref="InWindowKey"/> unless the cap applied).</summary>
    public const string KeptKey = "events_kept";

    /// <summary>Footer key: k when every k-th event of the window was kept (1: all of them).</summary>
    public const string StrideKey = "kept_stride";

    /// <summary>Footer key: the rig's RGB pixel → event pixel homography, a JSON array of 9 numbers, row-major.</summary>
    public const string HomographyKey = "rgb_to_events_homography";

    /// <summary>The file of frame <paramref name="index"/>, relative to the run folder.</summary>
    public static string FileOf(long index) => $"{Folder}/{index:D6}.parquet";

    /// <summary>
    /// Writes the events of <paramref name="events"/> (time-ordered, e.g. a frame's exposure window plus margins) that lie
    /// in <paramref name="window"/> (event clock µs, end-exclusive) to <c>OUT/events/NNNNNN.parquet</c>, atomically; at most
    /// <paramref name="maxEvents"/> of them (an even subsample, every k-th, beyond it). <paramref name="metadata"/> (e.g. the
    /// sensor, camera, source stream, time origin) goes into the footer with the frame index, the window, the counts and
    /// <paramref name="frameToEvents"/>. Memory: at most <paramref name="maxEvents"/> events are copied, and only when
    /// subsampling.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> is below 1.</exception>
    /// <exception cref="IOException">The file cannot be written (the message names it).</exception>
    public static async Task<FrameEventsKept> WriteAsync(string outDir, long index, EventSlice events, TimeRangeUs window, Homography frameToEvents,
        int maxEvents, IReadOnlyDictionary<string, string> metadata, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        int lo = TimeOrder.LowerBound(events.T, window.StartUs), hi = Math.Max(lo, TimeOrder.LowerBound(events.T, window.EndUs));
        int inWindow = hi - lo;
        int stride = inWindow <= maxEvents ? 1 : (int)(((long)inWindow + maxEvents - 1) / maxEvents);
        ReadOnlyMemory<long> t; ReadOnlyMemory<short> x, y; ReadOnlyMemory<bool> p;
        if (stride == 1)
        {
            t = events.T.AsMemory(lo, inWindow); x = events.X.AsMemory(lo, inWindow); y = events.Y.AsMemory(lo, inWindow); p = events.P.AsMemory(lo, inWindow);
        }
        else
        {
            int kept = (inWindow + stride - 1) / stride;
            var (kt, kx, ky, kp) = (new long[kept], new short[kept], new short[kept], new bool[kept]);
            for (int i = 0, j = lo; i < kept; i++, j += stride) { kt[i] = events.T[j]; kx[i] = events.X[j]; ky[i] = events.Y[j]; kp[i] = events.P[j]; }
            (t, x, y, p) = (kt, kx, ky, kp);
        }
        var m = new Dictionary<string, string>(metadata)
        {
            [FrameIndexKey] = index.ToString(CultureInfo.InvariantCulture),
            [WindowStartKey] = window.StartUs.ToString(CultureInfo.InvariantCulture),
            [WindowEndKey] = window.EndUs.ToString(CultureInfo.InvariantCulture),
            [InWindowKey] = inWindow.ToString(CultureInfo.InvariantCulture),
            [KeptKey] = t.Length.ToString(CultureInfo.InvariantCulture),
            [StrideKey] = stride.ToString(CultureInfo.InvariantCulture),
            [HomographyKey] = "[" + string.Join(",", frameToEvents.ToRowMajor().Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]",
        };
        string path = Path.Combine(outDir, FileOf(index));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await AtomicFile.WriteAsync(path, async fs =>
        {
            await using var w = await EventsParquet.CreateWriterAsync(fs, m, ct);
            await w.WriteRowGroupAsync(t, x, y, p, ct);
        });
        return new FrameEventsKept(path, inWindow, t.Length, stride);
    }

    /// <summary>Reads a frame's events file back: its events and what its footer says of them.</summary>
    /// <exception cref="IOException">The file is missing, not an events table, or its footer lacks the window or sensor (the message names the file).</exception>
    public static async Task<FrameEvents> ReadAsync(string path, CancellationToken ct = default)
    {
        var (events, meta) = await EventsParquet.ReadAsync(path, ct);
        long Long(string key) => meta.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l
            : throw new IOException($"{path}: its footer has no integer '{key}'");
        Homography? toEvents = null;
        if (meta.TryGetValue(HomographyKey, out var h))
        {
            // A footer without a valid one shows the whole sensor's events, as a frame without a crop does.
            try
            {
                if (JsonNode.Parse(h) is JsonArray { Count: 9 } a && a.All(v => v is JsonValue))
                    toEvents = Homography.FromRowMajor(a.Select(v => v!.GetValue<double>()).ToArray());
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException) { toEvents = null; }
        }
        return new FrameEvents(events, new TimeRangeUs(Long(WindowStartKey), Long(WindowEndKey)), Long(InWindowKey), (int)Long(StrideKey),
            ((int)Long(ParquetMetadata.SensorWidthKey), (int)Long(ParquetMetadata.SensorHeightKey)), toEvents);
    }
}

/// <summary>What <see cref="FrameEventsFile.WriteAsync"/> kept.</summary>
/// <param name="Path">The file written.</param>
/// <param name="InWindow">Events of the window the run held.</param>
/// <param name="Kept">Events written (every <paramref name="Stride"/>-th).</param>
/// <param name="Stride">1 when all were written.</param>
public sealed record FrameEventsKept(string Path, long InWindow, long Kept, int Stride);

/// <summary>A frame's events file as read back (<see cref="FrameEventsFile.ReadAsync"/>).</summary>
/// <param name="Events">The events in the file, time-ordered (µs, event pixels).</param>
/// <param name="Window">The window they were taken from, event clock µs, end-exclusive.</param>
/// <param name="InWindow">Events the run received in the window (more than <paramref name="Events"/> when subsampled).</param>
/// <param name="Stride">k when every k-th event was kept; 1 when all were.</param>
/// <param name="SensorSize">The event sensor, pixels.</param>
/// <param name="FrameToEvents">The rig's RGB → event pixel homography, when the footer has a valid one.</param>
public sealed record FrameEvents(EventSlice Events, TimeRangeUs Window, long InWindow, int Stride, (int Width, int Height) SensorSize, Homography? FrameToEvents);
