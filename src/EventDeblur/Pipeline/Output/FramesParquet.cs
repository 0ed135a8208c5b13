using System.Globalization;
using System.Text.Json.Serialization;
using EventDeblur.IO;
using EventDeblur.Recording;
using Parquet;
using Parquet.Serialization;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// <c>frames.parquet</c> (RECORDING_FORMAT.md, "What a run writes"): one <see cref="FrameResult"/> per
/// row, written and read as that record (its properties are the columns), so what a run writes is what reports read.
/// Beyond the contract's columns it holds the exposure window on the event clock
/// (<c>exposure_start_us</c>, <c>exposure_end_us</c>, int64 µs, so rows join with the events by time), the
/// output file (<c>output_file</c>, relative to the run folder, null when the frame failed), integer counts
/// as int64 (<c>backlog_frames</c> included), the do-no-harm guard's tile counts (<c>guard_tiles</c>,
/// <c>guard_fallback_tiles</c>, <c>guard_input_tiles</c>: int32, null when the deconvolver has no guard) and <c>diagnostics</c> as a list of records
/// (<c>candidate</c>, <c>verdict</c>, <c>reason</c>, <c>fit</c>, <c>text</c>: <see cref="FrameDiagnostic"/>).
/// The footer carries <see cref="ParquetMetadata"/> (table <c>run_frames</c>): for runs the sensor, camera,
/// source events file and its SHA-256, time unit and origin, tool version, method and options.
/// </summary>
public static class FramesParquet
{
    /// <summary>Value of <see cref="ParquetMetadata.TableKey"/> in frames.parquet.</summary>
    public const string TableName = "run_frames";

    /// <summary>The output file of a frame that was written, relative to the run folder: <c>frames/NNNNNN.png</c>.</summary>
    public static string OutputFileOf(long index) => $"frames/{index:D6}.png";

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically (one row group) with the footer metadata (see <see cref="RunMetadata"/>).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<FrameResult> rows, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = ParquetMetadata.Base(TableName);
        if (metadata != null) foreach (var (k, v) in metadata) meta[k] = v;
        await AtomicFile.WriteAsync(path, fs => ParquetSerializer.SerializeAsync(rows.Select(r => r with { OutputFile = r.Status == "ok" ? OutputFileOf(r.Index) : null }), fs, null, meta));
    }

    /// <summary>Reads every row of a <c>frames.parquet</c>.</summary>
    /// <exception cref="IOException">The file is missing, not Parquet, or not a frames table of this version (the message names the file).</exception>
    public static async Task<List<FrameResult>> ReadAsync(string path)
    {
        if (!File.Exists(path)) throw new IOException($"{path}: missing");
        string? table;
        try
        {
            await using var reader = await ParquetReader.CreateAsync(path);
            table = reader.CustomMetadata.GetValueOrDefault(ParquetMetadata.TableKey);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new IOException($"{path}: not a frames table of {ParquetMetadata.FormatTag} ({e.Message})", e);
        }
        // Another of our tables (an events file, an evaluation's results) would read as rows of defaults.
        if (table != null && table != TableName)
            throw new IOException($"{path}: a '{table}' table, not a run's frames table ('{TableName}')");
        try
        {
            await using var fs = File.OpenRead(path);
            // Live runs written before the 'dropped' column said so in the status, outside the contract's "ok" | "failed".
            return [.. (await ParquetSerializer.DeserializeAsync<FrameResult>(fs)).Data.Select(r => r.Status == "dropped" ? r with { Status = "failed", Dropped = true } : r)];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new IOException($"{path}: not a frames table of {ParquetMetadata.FormatTag} ({e.Message})", e);
        }
    }

    /// <summary>The footer metadata of any Parquet file (empty when it has none).</summary>
    /// <exception cref="IOException">The file is missing or not Parquet.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> ReadMetadataAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        return reader.CustomMetadata;
    }

    /// <summary>
    /// The metadata of a run's frames.parquet: mode (<c>replay</c> / <c>live</c>), method and options (JSON) from
    /// <paramref name="run"/>, the input bundle, the event sensor's size and camera and the RGB frame size from
    /// <paramref name="recording"/> (a bundle's manifest or a live rig's), the source events file and its SHA-256
    /// when <paramref name="eventsFile"/> is a file (a live run's events come from a network stream: its URI, no hash),
    /// and the time origin (the event clock). <paramref name="eventsSha256"/>: the file's hash when the caller already has
    /// it (a replay takes it while walking the file); otherwise the file is hashed here.
    /// </summary>
    /// <exception cref="IOException">The events file cannot be read.</exception>
    public static Dictionary<string, string> RunMetadata(RunManifest run, RecordingManifest? recording, string? eventsFile, string? eventsSha256 = null)
    {
        var m = new Dictionary<string, string>
        {
            ["mode"] = run.Mode ?? "replay",
            [ParquetMetadata.MethodKey] = run.Method,
            [ParquetMetadata.OptionsKey] = run.Options.ToJsonString(),
            [ParquetMetadata.TimeOriginKey] = "the event clock: exposure_start_us and exposure_end_us are timestamps of the source events (µs, as recorded, rig clock offset applied)",
        };
        if (run.InputBundle != null) m["bundle"] = Path.GetFullPath(run.InputBundle);
        if (recording != null)
        {
            m[ParquetMetadata.SensorWidthKey] = recording.Events.Width.ToString(CultureInfo.InvariantCulture);
            m[ParquetMetadata.SensorHeightKey] = recording.Events.Height.ToString(CultureInfo.InvariantCulture);
            m[ParquetMetadata.CameraKey] = recording.Events.Camera;
            if (recording.Rgb != null)
            {
                m["frame_width"] = recording.Rgb.Width.ToString(CultureInfo.InvariantCulture);
                m["frame_height"] = recording.Rgb.Height.ToString(CultureInfo.InvariantCulture);
            }
        }
        if (eventsFile != null)
        {
            bool isFile = File.Exists(eventsFile);
            m[ParquetMetadata.SourceFileKey] = isFile ? Path.GetFullPath(eventsFile) : eventsFile;
            if (isFile) m[ParquetMetadata.SourceSha256Key] = eventsSha256 ?? ParquetMetadata.Sha256OfFile(eventsFile);
        }
        return m;
    }
}
