using System.Diagnostics;
using System.Text.Json;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// Files written by <c>convert</c> decode to the same events in an independent AEDAT 4.0 reader
/// (tools/aedat4-check: the official FlatBuffers Python runtime, reference liblz4 and zstd bindings).
/// </summary>
public class IndependentReaderTests
{
    private static JsonElement Check(string path)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "tools", "aedat4-check", "check_aedat4.py"));
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"independent reader failed on {path} (exit {p.ExitCode}): {stderr}{stdout}. It needs python3-flatbuffers, python3-lz4, python3-zstandard (./test.sh installs them as root).");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [SkippableTheory]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.Zstd)]
    [InlineData(Aedat4Compression.None)]
    [InlineData(Aedat4Compression.Lz4High)]
    public void ConvertedRealRecordingsAgreeInTheIndependentReader(Aedat4Compression compression)
    {
        TestPaths.RequireShared();
        string dir = TestPaths.NewTempDir();
        foreach (var file in Directory.GetFiles(TestPaths.RealRecordingsDir, "*.aedat*", SearchOption.AllDirectories))
        {
            string outPath = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".aedat4");
            AedatSummary ours;
            using (var reader = AedatReader.Open(file))
                AedatConverter.ToAedat4(reader, outPath, compression, reader.Info.Width > 0 ? null : 346, reader.Info.Height > 0 ? null : 260);
            ours = AedatSummary.Compute(outPath);
            var theirs = Check(outPath);
            Assert.Equal(ours.EventCount, theirs.GetProperty("events").GetProperty("count").GetInt64());
            Assert.Equal(ours.EventsSha256, theirs.GetProperty("events").GetProperty("sha256").GetString());
            Assert.Equal(AedatSummary.Compute(file).EventsSha256, ours.EventsSha256);
            Assert.Equal(ours.FrameCount, theirs.GetProperty("frames").GetInt64());
            Assert.Equal(ours.TriggerCount, theirs.GetProperty("triggers").GetInt64());
            Assert.Equal(ours.ImuCount, theirs.GetProperty("imu").GetInt64());
            Assert.True(theirs.GetProperty("data_table_matches_walk").GetBoolean());
        }
    }

    [SkippableFact]
    public void IndependentReaderAgreesWithExpectedJsonOnTheRealFile()
    {
        TestPaths.RequireShared();
        var theirs = Check(Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4"));
        Assert.Equal("b76c70c59d56fab241605ae21b64c4df0736accb70c1cc9ad151f646a812c06a", theirs.GetProperty("events").GetProperty("sha256").GetString());
    }
}
