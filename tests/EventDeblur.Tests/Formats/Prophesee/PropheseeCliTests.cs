using System.Text.Json;
using EventDeblur.Formats.Aedat;
using EventDeblur.Tests.Cli;
using Parquet;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>The CLI (a child process) inspects and converts Prophesee RAW and DAT files.</summary>
public class PropheseeCliTests
{
    [SkippableTheory]
    [MemberData(nameof(RealPropheseeRecordingsTests.Files), MemberType = typeof(RealPropheseeRecordingsTests))]
    public void InspectJsonReportsFormatGeometryCountsAndHash(string relative)
    {
        var exp = RealPropheseeRecordingsTests.Expected(relative);
        var (code, stdout, stderr) = CliTests.Run("inspect", Path.Combine(RealPropheseeRecordingsTests.Dir, relative), "--json");
        Assert.True(code == 0, stderr + stdout);
        var j = JsonDocument.Parse(stdout).RootElement;
        string format = exp.GetProperty("format").GetString()!;
        Assert.Equal(format == "DAT v2" ? "DAT" : format, j.GetProperty("format").GetString());
        // A size the file does not state is null, as the independent decoder says it (stop 42: it was 0), with the least its events need.
        if (exp.GetProperty("width").ValueKind == JsonValueKind.Null)
        {
            Assert.Equal(JsonValueKind.Null, j.GetProperty("width").ValueKind);
            Assert.Equal(JsonValueKind.Null, j.GetProperty("height").ValueKind);
            Assert.True(j.GetProperty("events_need_at_least").GetProperty("width").GetInt32() > 0);
        }
        else
        {
            Assert.Equal(exp.GetProperty("width").GetInt32(), j.GetProperty("width").GetInt32());
            Assert.Equal(JsonValueKind.Null, j.GetProperty("events_need_at_least").ValueKind);
        }
        var ev = exp.GetProperty("events");
        Assert.Equal(ev.GetProperty("event_count").GetInt64(), j.GetProperty("events").GetProperty("count").GetInt64());
        Assert.Equal(ev.GetProperty("positive_count").GetInt64(), j.GetProperty("events").GetProperty("positive").GetInt64());
        Assert.Equal(ev.GetProperty("first_t_us").GetInt64(), j.GetProperty("events").GetProperty("first_t_us").GetInt64());
        Assert.Equal(ev.GetProperty("last_t_us").GetInt64(), j.GetProperty("events").GetProperty("last_t_us").GetInt64());
        Assert.Equal(ev.GetProperty("events_sha256").GetString(), j.GetProperty("events").GetProperty("sha256").GetString());
        Assert.Equal(0, j.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void InspectOfATruncatedRawFileExitsOneAndLocatesTheFault()
    {
        string dir = TestPaths.NewTempDir();
        string path = PropheseeRecording.Random(2000, 4, triggers: 3).WriteRaw(Path.Combine(dir, "t.raw"), AedatVersion.Evt2);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 2)]);
        var (code, stdout, stderr) = CliTests.Run("inspect", path, "--json");
        Assert.True(code == 1, stderr + stdout);
        var j = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("EVT2.0", j.GetProperty("format").GetString());
        string err = j.GetProperty("errors")[0].GetString()!;
        Assert.Contains($"byte {bytes.Length - 4}", err);
        Assert.Contains("truncated mid-word", err);
        Assert.Equal(1999, j.GetProperty("events").GetProperty("count").GetInt64());
        Assert.Equal(3, j.GetProperty("triggers").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task ConvertEvt3WithTriggersToAedat4AndParquetKeepsEveryEventAndTrigger()
    {
        string dir = TestPaths.NewTempDir();
        var rec = PropheseeRecording.Random(30_000, 8, triggers: 12, width: 1280, height: 720);
        string src = rec.WriteRaw(Path.Combine(dir, "in.raw"), AedatVersion.Evt3);
        using var hash = new CanonicalEventHash();
        hash.Append(rec.T, rec.X, rec.Y, rec.P);
        string sha = hash.Finish();

        var (code, _, err) = CliTests.Run("convert", src, Path.Combine(dir, "out.aedat4"));
        Assert.True(code == 0, err);
        var s = AedatSummary.Compute(Path.Combine(dir, "out.aedat4"));
        Assert.Equal(1280, s.Info.Width);
        Assert.Equal(720, s.Info.Height);
        Assert.Equal(30_000, s.EventCount);
        Assert.Equal(sha, s.EventsSha256);
        Assert.Equal(12, s.TriggerCount);

        (code, _, err) = CliTests.Run("convert", src, Path.Combine(dir, "out.parquet"));
        Assert.True(code == 0, err);
        await using var reader = await ParquetReader.CreateAsync(Path.Combine(dir, "out.parquet"));
        Assert.Equal(30_000, Enumerable.Range(0, reader.RowGroupCount).Sum(g => { using var rg = reader.OpenRowGroupReader(g); return rg.RowCount; }));
        await using var trig = await ParquetReader.CreateAsync(Path.Combine(dir, "out.triggers.parquet"));
        using var tg = trig.OpenRowGroupReader(0);
        Assert.Equal(12, tg.RowCount);
    }

    [SkippableFact]
    public void ConvertDatNeedsTheGeometryItsHeaderLacks()
    {
        const string rel = "dat/expelliarmus_ncars_obj_004397_event2d.dat";
        var exp = RealPropheseeRecordingsTests.Expected(rel);
        string dir = TestPaths.NewTempDir();
        string src = Path.Combine(RealPropheseeRecordingsTests.Dir, rel);
        var (code, _, err) = CliTests.Run("convert", src, Path.Combine(dir, "out.aedat4"));
        Assert.Equal(2, code);
        Assert.Contains("--width and --height", err);
        // With the least size its events need, as inspect says it (trial 48a), and nothing written.
        Assert.Contains("(its events reach x = 53, y = 60: at least 54×61;", err);
        Assert.False(File.Exists(Path.Combine(dir, "out.aedat4")));
        (code, _, err) = CliTests.Run("convert", src, Path.Combine(dir, "out.aedat4"), "--width", "64", "--height", "64");
        Assert.True(code == 0, err);
        var s = AedatSummary.Compute(Path.Combine(dir, "out.aedat4"));
        Assert.Equal(exp.GetProperty("events").GetProperty("events_sha256").GetString(), s.EventsSha256);
    }
}
