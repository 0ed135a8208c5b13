using System.Security.Cryptography;
using System.Text.Json;
using EventDeblur.Tests.Cli;

namespace EventDeblur.Tests.Formats;

/// <summary>
/// <c>convert X.parquet</c> read back by DuckDB (not our reader): schema, footer metadata, and values equal to
/// what <c>inspect</c> reports for the same real recording; side files always present, with their schema.
/// </summary>
public class ConvertParquetDuckDbTests
{
    private const string Real4 = "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4";

    [SkippableFact]
    public void EveryFileOfARealAedat4ConversionIsSelfDescribingAndMatchesInspect()
    {
        TestPaths.RequireShared();
        DuckDb.Require();
        string src = Path.Combine(TestPaths.RealRecordingsDir, Real4);
        string dir = TestPaths.NewTempDir();
        string events = Path.Combine(dir, "rec.parquet");
        var (code, _, err) = CliTests.Run("convert", src, events);
        Assert.True(code == 0, err);
        var (icode, istdout, _) = CliTests.Run("inspect", src, "--json");
        Assert.Equal(0, icode);
        var inspect = JsonDocument.Parse(istdout).RootElement;

        Assert.Equal(new Dictionary<string, string> { ["t"] = "BIGINT", ["x"] = "SMALLINT", ["y"] = "SMALLINT", ["p"] = "BOOLEAN" }, DuckDb.Columns(events));
        var agg = DuckDb.Query($"SELECT count(*) AS n, count(*) FILTER (WHERE p) AS on_count, count(*) FILTER (WHERE NOT p) AS off_count, min(t) AS t0, max(t) AS t1, max(x) AS max_x, max(y) AS max_y FROM {DuckDb.Literal(events)}")[0];
        var ev = inspect.GetProperty("events");
        Assert.Equal(ev.GetProperty("count").GetInt64(), agg.GetProperty("n").GetInt64());
        Assert.Equal(117667, agg.GetProperty("n").GetInt64());
        Assert.Equal(72363, agg.GetProperty("on_count").GetInt64());
        Assert.Equal(45304, agg.GetProperty("off_count").GetInt64());
        Assert.Equal(1633953690975950, agg.GetProperty("t0").GetInt64());
        Assert.Equal(1633953691105949, agg.GetProperty("t1").GetInt64());
        Assert.Equal(345, agg.GetProperty("max_x").GetInt32());
        Assert.Equal(259, agg.GetProperty("max_y").GetInt32());

        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(src)));
        Assert.Equal("140ed9a82548ec3c3e66baf5948adb8c0f2e22fac6d22344685b0dc26a2584f0", sha);
        var counts = new Dictionary<string, long>
        {
            ["events"] = 117667,
            ["aps_frames"] = inspect.GetProperty("frames").GetProperty("count").GetInt64(),
            ["triggers"] = inspect.GetProperty("triggers").GetProperty("count").GetInt64(),
            ["imu"] = inspect.GetProperty("imu").GetProperty("count").GetInt64(),
        };
        Assert.Equal([3L, 15L, 130L], new[] { counts["aps_frames"], counts["triggers"], counts["imu"] });
        foreach (var (table, file) in new[] { ("events", events), ("aps_frames", Path.Combine(dir, "rec.frames.parquet")), ("triggers", Path.Combine(dir, "rec.triggers.parquet")), ("imu", Path.Combine(dir, "rec.imu.parquet")) })
        {
            var m = DuckDb.Metadata(file);
            Assert.Equal("eventdeblur-parquet/1", m["format"]);
            Assert.Equal(table, m["table"]);
            Assert.Equal("346", m["sensor_width"]);
            Assert.Equal("260", m["sensor_height"]);
            Assert.StartsWith("DAVIS346", m["camera"]);
            Assert.Equal(Path.GetFullPath(src), m["source_file"]);
            Assert.Equal(sha, m["source_sha256"]);
            Assert.Equal("us", m["time_unit"]);
            Assert.Contains("not shifted", m["time_origin"]);
            Assert.Equal("eventdeblur", m["tool"]);
            Assert.Equal("0.1.0", m["tool_version"]);
            Assert.Equal(counts[table], DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Literal(file)}").GetInt64());
        }
        // Side tables: typed, and their times on the event clock (inside the recording's span).
        Assert.Equal("BIGINT", DuckDb.Columns(Path.Combine(dir, "rec.triggers.parquet"))["t"]);
        Assert.Equal("BLOB", DuckDb.Columns(Path.Combine(dir, "rec.frames.parquet"))["pixels"]);
        Assert.Equal(346 * 260, DuckDb.Scalar($"SELECT min(octet_length(pixels)) FROM {DuckDb.Literal(Path.Combine(dir, "rec.frames.parquet"))}").GetInt64());
    }

    [SkippableFact]
    public void ARecordingWithoutFramesTriggersOrImuStillGetsEmptySideFilesWithTheirSchema()
    {
        TestPaths.RequireShared();
        DuckDb.Require();
        string src = Path.Combine(TestPaths.RealRecordingsDir, "aedat2", "sensorfusion_dvs_s16-bbad8s_davis240c.aedat");
        string dir = TestPaths.NewTempDir();
        var (code, _, err) = CliTests.Run("convert", src, Path.Combine(dir, "s16.parquet"));
        Assert.True(code == 0, err);
        var (_, istdout, _) = CliTests.Run("inspect", src, "--json");
        long expected = JsonDocument.Parse(istdout).RootElement.GetProperty("events").GetProperty("count").GetInt64();
        Assert.Equal(expected, DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Literal(Path.Combine(dir, "s16.parquet"))}").GetInt64());
        var schemas = new Dictionary<string, string[]>
        {
            ["frames"] = ["t", "start_of_frame_us", "end_of_frame_us", "start_of_exposure_us", "end_of_exposure_us", "width", "height", "position_x", "position_y", "format", "pixels"],
            ["triggers"] = ["t", "type", "type_name"],
            ["imu"] = ["t", "temperature_c", "accel_x_g", "accel_y_g", "accel_z_g", "gyro_x_dps", "gyro_y_dps", "gyro_z_dps", "mag_x_ut", "mag_y_ut", "mag_z_ut"],
        };
        foreach (var (kind, columns) in schemas)
        {
            string file = Path.Combine(dir, $"s16.{kind}.parquet");
            Assert.True(File.Exists(file), $"{file} missing");
            Assert.Equal(columns, DuckDb.Columns(file).Keys);
            Assert.Equal(0, DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Literal(file)}").GetInt64());
            Assert.Equal("240", DuckDb.Metadata(file)["sensor_width"]);
        }
    }

    /// <summary>
    /// A workflow trial: converting a real DAT file whose header states no geometry wrote sensor_width and sensor_height
    /// "0" (as AEDAT 4.0 it is refused for lacking a size). The keys are now left out, and <c>--width</c>/<c>--height</c> fill them.
    /// </summary>
    [SkippableFact]
    public void AConvertedFileWithoutASensorSizeStatesNone()
    {
        TestPaths.RequireShared();
        string dat = Path.Combine(TestPaths.RealRecordingsDir, "prophesee", "dat", "expelliarmus_ncars_obj_004397_event2d.dat");
        Skip.IfNot(File.Exists(dat), $"{dat} is not in ../shared");
        string dir = TestPaths.NewTempDir(), plain = Path.Combine(dir, "n.parquet"), sized = Path.Combine(dir, "s.parquet");
        var (code, _, _) = EventDeblur.Tests.Cli.CliTests.Run("convert", dat, plain);
        Assert.Equal(0, code);
        var m = DuckDb.Metadata(plain);
        Assert.False(m.ContainsKey("sensor_width"), $"sensor_width {m.GetValueOrDefault("sensor_width")}");
        Assert.False(m.ContainsKey("sensor_height"));
        Assert.Equal(4407, DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Literal(plain)}").GetInt64());
        (code, _, _) = EventDeblur.Tests.Cli.CliTests.Run("convert", dat, sized, "--width", "120", "--height", "100");
        Assert.Equal(0, code);
        Assert.Equal(("120", "100"), (DuckDb.Metadata(sized)["sensor_width"], DuckDb.Metadata(sized)["sensor_height"]));
    }
}
