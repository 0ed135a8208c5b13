using System.Text.Json;
using EventDeblur.Formats.Aedat;
using EventDeblur.Tests.Cli;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>The reader findings of issue 15 as a user meets them: <c>inspect</c> and <c>convert</c> run as processes.</summary>
public class InspectConvertCliTests
{
    [Fact]
    public void InspectExitsOneOnACorruptedFileDataTableAndNamesTheEntry()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "t.aedat4");
        SyntheticRecording.Random(3000, 9, frames: 1, triggers: 2, imu: 1).WriteAedat4(path, Aedat4Compression.None, 1000);
        Assert.Equal(0, CliTests.Run("inspect", path).Code);
        var bytes = File.ReadAllBytes(path);
        long tablePos;
        Aedat4TableEntry row;
        using (var r = Aedat4Reader.Open(path)) { row = r.ReadDataTable()![1]; tablePos = r.DataTablePosition; }
        int at = bytes.AsSpan((int)tablePos).IndexOf(BitConverter.GetBytes(row.TimestampEndUs));
        BitConverter.GetBytes(row.TimestampEndUs + 7).CopyTo(bytes, tablePos + at);
        File.WriteAllBytes(path, bytes);

        var (code, stdout, _) = CliTests.Run("inspect", path, "--json");

        Assert.Equal(1, code);
        var errors = JsonDocument.Parse(stdout).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains($"byte {tablePos}", StringComparison.Ordinal) && e.Contains("FileDataTable entry 1", StringComparison.Ordinal) && e.Contains($"end time {row.TimestampEndUs + 7} µs", StringComparison.Ordinal));
    }

    [Fact]
    public void ConvertReportsAndDropsInvalidEventsAndItsOutputInspectsClean()
    {
        var rec = SyntheticRecording.Random(2000, 4, frames: 0, triggers: 0, imu: 0);
        rec.T[500] -= 10_000;
        rec.Y[900] = SyntheticRecording.Height;
        string dir = TestPaths.NewTempDir();
        string input = Path.Combine(dir, "in.aedat4"), output = Path.Combine(dir, "out.aedat4");
        rec.WriteAedat4(input, Aedat4Compression.Zstd);

        var (code, stdout, stderr) = CliTests.Run("convert", input, output);

        Assert.Equal(1, code); // the input has data problems
        Assert.Contains("dropped 1 events going back in time and 1 outside the sensor", stdout, StringComparison.Ordinal);
        Assert.Contains("earlier than the previous event", stderr, StringComparison.Ordinal);
        var (inspectCode, inspectOut, _) = CliTests.Run("inspect", output, "--json");
        Assert.Equal(0, inspectCode);
        Assert.Equal(1998, JsonDocument.Parse(inspectOut).RootElement.GetProperty("events").GetProperty("count").GetInt64());
    }

    [Fact]
    public void InspectOfALyingStreamTypeCountsTheEventsAndExitsOne()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "lying.aedat4");
        var rec = SyntheticRecording.Random(2500, 2, frames: 0, triggers: 0, imu: 0);
        rec.WriteAedat4(path, Aedat4Compression.Lz4);
        var bytes = File.ReadAllBytes(path);
        "XXXX"u8.CopyTo(bytes.AsSpan(bytes.AsSpan(0, (int)Aedat4Surgery.Parse(bytes).DataStart).IndexOf("EVTS"u8)));
        File.WriteAllBytes(path, bytes);

        var (code, stdout, _) = CliTests.Run("inspect", path, "--json");

        Assert.Equal(1, code);
        Assert.Equal(2500, JsonDocument.Parse(stdout).RootElement.GetProperty("events").GetProperty("count").GetInt64());
    }

    [Fact]
    public void ConvertRefusesASizeThatContradictsTheFileAndHalfASize()
    {
        string input = Path.Combine(TestPaths.NewTempDir(), "in.aedat4");
        SyntheticRecording.Random(500, 4, frames: 0, triggers: 0, imu: 0).WriteAedat4(input, Aedat4Compression.Lz4);
        string output = Path.Combine(TestPaths.NewTempDir(), "out.aedat4");

        // Before: every event fell outside a 10 × 10 "sensor", 0 events were written and convert exited 0.
        var (code, _, err) = CliTests.Run("convert", input, output, "--width", "10", "--height", "10");
        Assert.Equal(2, code);
        Assert.Contains("the file states its sensor size, 346×260", err);
        Assert.False(File.Exists(output));

        (code, _, err) = CliTests.Run("convert", input, output, "--width", "346");
        Assert.Equal(2, code);
        Assert.Contains("--width and --height go together", err);

        // The size the file states, given again, is accepted.
        Assert.Equal(0, CliTests.Run("convert", input, output, "--width", "346", "--height", "260").Code);
    }
}
