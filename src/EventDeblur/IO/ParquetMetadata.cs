using System.Reflection;
using System.Security.Cryptography;

namespace EventDeblur.IO;

/// <summary>
/// The key-value metadata every Parquet file we write carries in its footer, so that a file read by
/// another engine (DuckDB's <c>parquet_kv_metadata</c>, pyarrow's <c>schema.metadata</c>) says what it
/// holds without our tool: which table, the sensor, the source and its hash, the time unit and origin,
/// the tool version, and for runs the method and options. Keys are plain snake_case strings; values are
/// strings (numbers in invariant culture, options as JSON).
/// </summary>
public static class ParquetMetadata
{
    /// <summary>Format tag of our Parquet files (key <see cref="FormatKey"/>).</summary>
    public const string FormatTag = "eventdeblur-parquet/1";

    /// <summary>Key: <see cref="FormatTag"/>.</summary>
    public const string FormatKey = "format";

    /// <summary>Key: which table the file is: <c>events</c>, <c>aps_frames</c>, <c>triggers</c>, <c>imu</c>, <c>run_frames</c> or <c>eval_results</c>.</summary>
    public const string TableKey = "table";

    /// <summary>Key: event sensor width, pixels (decimal integer); absent from converted events whose source states no size (unless <c>convert --width</c> gives it).</summary>
    public const string SensorWidthKey = "sensor_width";

    /// <summary>Key: event sensor height, pixels (decimal integer); absent when the width is.</summary>
    public const string SensorHeightKey = "sensor_height";

    /// <summary>Key: camera model or name, e.g. <c>DAVIS346</c> (empty when unknown).</summary>
    public const string CameraKey = "camera";

    /// <summary>Key: absolute path of the file the table was made from.</summary>
    public const string SourceFileKey = "source_file";

    /// <summary>Key: SHA-256 of the source file's bytes, lower-case hex.</summary>
    public const string SourceSha256Key = "source_sha256";

    /// <summary>Key: unit of every time column (<c>us</c>: microseconds) unless the column's name says otherwise (e.g. <c>seconds_*</c>).</summary>
    public const string TimeUnitKey = "time_unit";

    /// <summary>Key: what time zero is (in words).</summary>
    public const string TimeOriginKey = "time_origin";

    /// <summary>Key: the tool's name, <c>eventdeblur</c>.</summary>
    public const string ToolKey = "tool";

    /// <summary>Key: the tool's version (<see cref="ToolVersion"/>).</summary>
    public const string ToolVersionKey = "tool_version";

    /// <summary>Key (runs): the method, <c>KERNELS+DECONVOLVER</c>.</summary>
    public const string MethodKey = "method";

    /// <summary>Key (runs): the run's options as a JSON object.</summary>
    public const string OptionsKey = "options";

    /// <summary>Microseconds, the value of <see cref="TimeUnitKey"/> for every table we write.</summary>
    public const string Microseconds = "us";

    /// <summary>The assembly's informational version (the build's one version, also shown by <c>--version</c> and written to run.json).</summary>
    public static string ToolVersion { get; } =
        typeof(ParquetMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The keys every file starts with: format, table, tool, tool version and time unit (µs).</summary>
    /// <param name="table">Value of <see cref="TableKey"/>.</param>
    public static Dictionary<string, string> Base(string table) => new()
    {
        [FormatKey] = FormatTag,
        [TableKey] = table,
        [ToolKey] = "eventdeblur",
        [ToolVersionKey] = ToolVersion,
        [TimeUnitKey] = Microseconds,
    };

    /// <summary>SHA-256 of a file's bytes as lower-case hex (reads the file once, streaming).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string Sha256OfFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }
}
