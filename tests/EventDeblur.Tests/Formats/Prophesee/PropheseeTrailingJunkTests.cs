using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>
/// Junk after the recording (bytes appended to a file, or left by an interrupted copy) is not decoded into phantom
/// events and triggers (stop 44's trial: 5 000 random bytes after a real EVT 3.0 file became 185 triggers and stretched
/// its 8.8 ms to 208 s): everything before it decodes as expected.json says, and one error names where it starts.
/// </summary>
public class PropheseeTrailingJunkTests
{
    private static string WithJunk(string relative, int junkBytes, int seed)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(RealPropheseeRecordingsTests.Dir, relative));
        var junk = new byte[junkBytes];
        new Random(seed).NextBytes(junk);
        string path = Path.Combine(TestPaths.NewTempDir(), Path.GetFileName(relative));
        File.WriteAllBytes(path, [.. file, .. junk]);
        return path;
    }

    [SkippableTheory]
    [MemberData(nameof(RealPropheseeRecordingsTests.Files), MemberType = typeof(RealPropheseeRecordingsTests))]
    public void JunkAfterARealRecordingIsNamedAndNotDecoded(string relative)
    {
        var exp = RealPropheseeRecordingsTests.Expected(relative);
        long size = exp.GetProperty("size_bytes").GetInt64();
        // 5 000 bytes (inside the last read), and 300 000 (across two reads of the reader's 256 KiB buffer).
        foreach (var (junkBytes, seed) in new[] { (5_000, 1), (300_000, 2) })
        {
            using var reader = PropheseeReader.Open(WithJunk(relative, junkBytes, seed), new AedatReaderOptions { BatchEvents = 10_000 });
            var summary = AedatSummary.Compute(reader);
            // The junk's first words may decode validly (they cannot be told from data): the data ends at its first error,
            // a few words in at most, so at most a few phantom events or triggers remain, where there were thousands.
            int word = relative.StartsWith("evt3", StringComparison.Ordinal) ? 2 : relative.StartsWith("evt2", StringComparison.Ordinal) ? 4 : 8;
            var error = Assert.Single(summary.Problems, p => p.Severity == ProblemSeverity.Error);
            Assert.InRange(error.ByteOffset, size, size + 16 * word);
            long kept = error.ByteOffset - size;
            Assert.Contains($"the last {size + junkBytes - error.ByteOffset} bytes, from here to the end of the file, do not decode as", error.Message);
            Assert.Contains("junk after the recording, most likely", error.Message);
            var ev = exp.GetProperty("events");
            long expected = ev.GetProperty("event_count").GetInt64();
            Assert.InRange(summary.EventCount, expected, expected + 12 * kept / word);
            if (kept == 0)
            {
                Assert.Equal(ev.GetProperty("events_sha256").GetString(), summary.EventsSha256);
                Assert.Equal(ev.GetProperty("last_t_us").GetInt64(), summary.LastTimestampUs);
            }
            Assert.InRange(summary.TriggerCount, 0, kept / word);
        }
    }

    /// <summary>One damaged word near the end is damage, not junk: it is reported as before and the events after it are kept.</summary>
    [SkippableFact]
    public void OneDamagedWordNearTheEndIsNotJunk()
    {
        const string relative = "evt2/expelliarmus_evt2_sample_gen3vga.raw";
        var exp = RealPropheseeRecordingsTests.Expected(relative);
        byte[] file = File.ReadAllBytes(Path.Combine(RealPropheseeRecordingsTests.Dir, relative));
        long at = file.Length - 40;   // the 10th word from the end
        Assert.Equal(0, (at - exp.GetProperty("header_length_bytes").GetInt64()) % 4);
        file[at + 3] = (byte)((file[at + 3] & 0x0F) | 0x90);   // word type 0x9: no EVT 2.0 word has it
        string path = Path.Combine(TestPaths.NewTempDir(), "damaged.raw");
        File.WriteAllBytes(path, file);
        using var reader = PropheseeReader.Open(path);
        var summary = AedatSummary.Compute(reader);
        var error = Assert.Single(summary.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal(at, error.ByteOffset);
        Assert.Contains("found type 0x9", error.Message);
        Assert.InRange(summary.EventCount, exp.GetProperty("events").GetProperty("event_count").GetInt64() - 1, exp.GetProperty("events").GetProperty("event_count").GetInt64());
    }

    /// <summary>
    /// The real EVT 2.0 sample with one word in 50 given type 0x9 (no EVT 2.0 word has it), from the word at or after
    /// <paramref name="from"/>(file size) (clamped to the payload's first word + 50) to the end: its expected.json entry,
    /// the damaged copy and how many words were damaged.
    /// </summary>
    private static (System.Text.Json.JsonElement Expected, string Path, int Damaged) DamagedEvery50thWord(Func<int, int> from)
    {
        const string relative = "evt2/expelliarmus_evt2_sample_gen3vga.raw";
        var exp = RealPropheseeRecordingsTests.Expected(relative);
        byte[] file = File.ReadAllBytes(Path.Combine(RealPropheseeRecordingsTests.Dir, relative));
        int start = exp.GetProperty("header_length_bytes").GetInt32();
        int first = Math.Max(start + 200, from(file.Length));
        first -= (first - start) % 4;
        int damaged = 0;
        for (int at = first; at + 4 <= file.Length; at += 200, damaged++) file[at + 3] = (byte)((file[at + 3] & 0x0F) | 0x90);
        string path = Path.Combine(TestPaths.NewTempDir(), "damaged.raw");
        File.WriteAllBytes(path, file);
        return (exp, path, damaged);
    }

    /// <summary>
    /// Scattered damage near the end — one word in 50 over the last 20 000 words, bit rot — is not junk (stop 45's review:
    /// its 400 errors became one "junk" error and 19 886 good events were cut): each damaged word is reported, the good
    /// events kept.
    /// </summary>
    [SkippableFact]
    public void ScatteredDamageNearTheEndIsNotJunk()
    {
        var (exp, path, damaged) = DamagedEvery50thWord(size => size - 4 * 20_000);
        using var reader = PropheseeReader.Open(path, new AedatReaderOptions { MaxProblemsPerKind = 1_000_000 });
        var summary = AedatSummary.Compute(reader);
        long expected = exp.GetProperty("events").GetProperty("event_count").GetInt64();
        Assert.DoesNotContain(summary.Problems, p => p.Message.Contains("junk after the recording"));
        Assert.Equal(damaged, summary.Problems.Count(p => p.Message.Contains("found type 0x9")));
        Assert.InRange(summary.EventCount, expected - damaged, expected);
    }

    /// <summary>
    /// Errors all through the file (here every 50th word damaged, as a wrong geometry would put every event outside it)
    /// reach back to the start of the tail the reader checks: that is not junk after the recording, and nothing is cut.
    /// </summary>
    [SkippableFact]
    public void ErrorsAllThroughTheFileAreNotJunk()
    {
        var (exp, path, damaged) = DamagedEvery50thWord(_ => 0);
        int start = exp.GetProperty("header_length_bytes").GetInt32();
        long length = new FileInfo(path).Length;
        using var reader = PropheseeReader.Open(path, new AedatReaderOptions { MaxProblemsPerKind = 1_000_000 });
        var summary = AedatSummary.Compute(reader);
        Assert.DoesNotContain(summary.Problems, p => p.Message.Contains("junk after the recording"));
        Assert.Equal(damaged, summary.Problems.Count(p => p.Message.Contains("found type 0x9")));
        // The last damaged word is near the end of the file: the words after it were decoded.
        Assert.True(length - (start + 200L * damaged) < 200);
    }
}
