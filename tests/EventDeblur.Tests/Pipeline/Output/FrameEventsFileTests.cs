using EventDeblur.Events;
using EventDeblur.Formats;
using EventDeblur.Imaging;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Pipeline.Output;

/// <summary>
/// A live run's <c>events/NNNNNN.parquet</c>: the window's events of what the frame holds (its window plus margins), at
/// most a cap of them (every k-th beyond it, said in the footer), written atomically, read back by us and by DuckDB.
/// </summary>
public class FrameEventsFileTests
{
    /// <summary><paramref name="n"/> events 10 µs apart from t = 1 000 000 µs, on a 346×260 sensor, polarity alternating in threes.</summary>
    private static EventSlice Events(int n) => new(
        Enumerable.Range(0, n).Select(i => 1_000_000L + 10L * i).ToArray(),
        Enumerable.Range(0, n).Select(i => (short)(i % 346)).ToArray(),
        Enumerable.Range(0, n).Select(i => (short)(i / 346 % 260)).ToArray(),
        Enumerable.Range(0, n).Select(i => i / 3 % 2 == 0).ToArray());

    private static readonly Homography Rig = Homography.FromRowMajor([0.5, 0, 80, 0, 0.5, 52, 0, 0, 1]);

    private static Dictionary<string, string> Meta() => new()
    {
        [EventDeblur.IO.ParquetMetadata.SensorWidthKey] = "346", [EventDeblur.IO.ParquetMetadata.SensorHeightKey] = "260",
        [EventDeblur.IO.ParquetMetadata.SourceFileKey] = "tcp://127.0.0.1:7777",
    };

    [Fact]
    public async Task OnlyTheWindowsEventsAreWrittenAllOfThemUnderTheCap()
    {
        var all = Events(10_000); // t 1 000 000 .. 1 099 990 µs
        string outDir = TestPaths.NewTempDir();
        var window = new TimeRangeUs(1_020_000, 1_070_000); // events 2 000 .. 6 999: the margins are left out, the end is exclusive
        var kept = await FrameEventsFile.WriteAsync(outDir, 12, all, window, Rig, maxEvents: 5_000, Meta());
        Assert.Equal((5_000L, 5_000L, 1), (kept.InWindow, kept.Kept, kept.Stride));
        string path = Path.Combine(outDir, "events", "000012.parquet");
        Assert.Equal(path, kept.Path);
        Assert.Empty(Directory.GetFiles(outDir, "*.partial", SearchOption.AllDirectories));

        var back = await FrameEventsFile.ReadAsync(path);
        Assert.Equal(window, back.Window);
        Assert.Equal((5_000L, 1, (346, 260)), (back.InWindow, back.Stride, back.SensorSize));
        Assert.Equal(Rig, back.FrameToEvents);
        Assert.Equal(all.T[2_000..7_000], back.Events.T);
        Assert.Equal(all.X[2_000..7_000], back.Events.X);
        Assert.Equal(all.Y[2_000..7_000], back.Events.Y);
        Assert.Equal(all.P[2_000..7_000], back.Events.P);
    }

    [Fact]
    public async Task AboveTheCapEveryKthEventIsKeptAndTheFooterSaysSo()
    {
        var all = Events(10_000);
        string outDir = TestPaths.NewTempDir();
        var window = new TimeRangeUs(1_000_000, 1_100_000); // all 10 000
        var kept = await FrameEventsFile.WriteAsync(outDir, 3, all, window, Rig, maxEvents: 3_000, Meta());
        Assert.Equal((10_000L, 4), (kept.InWindow, kept.Stride)); // ⌈10 000 / 3 000⌉
        Assert.Equal(2_500L, kept.Kept);
        var back = await FrameEventsFile.ReadAsync(kept.Path);
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => all.T[4 * i]), back.Events.T);
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => all.P[4 * i]), back.Events.P);
        Assert.Equal((10_000L, 4), (back.InWindow, back.Stride));

        // Read by DuckDB: the table's types, the rows and the footer that describes them.
        DuckDb.Require();
        var cols = DuckDb.Columns(kept.Path);
        Assert.Equal(("BIGINT", "SMALLINT", "SMALLINT", "BOOLEAN"), (cols["t"], cols["x"], cols["y"], cols["p"]));
        var row = DuckDb.Query($"SELECT count(*) AS n, min(t) AS a, max(t) AS b FROM {DuckDb.Literal(kept.Path)}")[0];
        Assert.Equal((2_500L, 1_000_000L, 1_000_000L + 10L * 4 * 2_499), (row.GetProperty("n").GetInt64(), row.GetProperty("a").GetInt64(), row.GetProperty("b").GetInt64()));
        var m = DuckDb.Metadata(kept.Path);
        Assert.Equal(("eventdeblur-parquet/1", "events", "us", "346", "260"), (m["format"], m["table"], m["time_unit"], m["sensor_width"], m["sensor_height"]));
        Assert.Equal(("3", "1000000", "1100000", "10000", "2500", "4"), (m["frame_index"], m["window_start_us"], m["window_end_us"], m["events_in_window"], m["events_kept"], m["kept_stride"]));
        Assert.Equal("tcp://127.0.0.1:7777", m["source_file"]);
        Assert.Equal(EventDeblur.IO.ParquetMetadata.ToolVersion, m["tool_version"]);
    }

    [Fact]
    public async Task AWindowWithoutEventsGivesAnEmptyTableAndARewriteReplacesTheFile()
    {
        var all = Events(100);
        string outDir = TestPaths.NewTempDir();
        var kept = await FrameEventsFile.WriteAsync(outDir, 0, all, new TimeRangeUs(5_000_000, 5_040_000), Rig, 10, Meta());
        Assert.Equal((0L, 0L, 1), (kept.InWindow, kept.Kept, kept.Stride));
        Assert.Empty((await FrameEventsFile.ReadAsync(kept.Path)).Events.T);
        DuckDb.Require();
        Assert.Equal(0, DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Literal(kept.Path)}").GetInt64());

        kept = await FrameEventsFile.WriteAsync(outDir, 0, all, new TimeRangeUs(1_000_000, 1_000_500), Rig, 10, Meta());
        Assert.Equal(10L, kept.Kept);
        Assert.Equal(all.T[..50].Where((_, i) => i % 5 == 0), (await FrameEventsFile.ReadAsync(kept.Path)).Events.T);
        Assert.Equal(["000000.parquet"], Directory.GetFiles(Path.Combine(outDir, "events")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AFileThatIsNotAnEventsTableIsRefusedNamingIt()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "frames.parquet");
        await FramesParquet.WriteAsync(path, [new FrameResult { Index = 0, Status = "ok" }]);
        var e = await Assert.ThrowsAsync<IOException>(() => EventsParquet.ReadAsync(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an events table", e.Message);
    }
}
