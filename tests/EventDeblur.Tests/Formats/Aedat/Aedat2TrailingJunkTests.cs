using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// Junk after an AEDAT 2.0 recording (carried since stop 44's trial: 5 000 random bytes appended to a real file became
/// phantom events and a trigger, and its 4.6 s became 3.5 days) is not decoded, as for Prophesee files: everything before
/// it decodes as expected.json says, and one error names where it starts.
/// </summary>
public class Aedat2TrailingJunkTests
{
    /// <summary>The real AEDAT 2.0 recordings with data (the header-only edge case has none to follow).</summary>
    public static TheoryData<string> Files() =>
        [.. RealRecordingsTests.Files().Cast<object[]>().Select(row => (string)row[0]).Where(f => f.StartsWith("aedat2/", StringComparison.Ordinal) && !f.Contains("EDGECASE", StringComparison.Ordinal))];

    private static string Copy(string relative, Func<byte[], byte[]> change)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(TestPaths.RealRecordingsDir, relative));
        string path = Path.Combine(TestPaths.NewTempDir(), Path.GetFileName(relative));
        File.WriteAllBytes(path, change(file));
        return path;
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void JunkAfterARealRecordingIsNamedAndNotDecoded(string relative)
    {
        TestPaths.RequireShared();
        var exp = TestPaths.ExpectedJson().GetProperty(relative);
        var ev = exp.TryGetProperty("events", out var e) ? e : exp.GetProperty("streams").GetProperty("0");
        long size = new FileInfo(Path.Combine(TestPaths.RealRecordingsDir, relative)).Length;
        // 5 000 bytes (inside the reader's last chunk) and 300 000 (across several of its reads).
        foreach (var (junkBytes, seed) in new[] { (5_000, 46001), (300_000, 46002) })
        {
            var junk = new byte[junkBytes];
            new Random(seed).NextBytes(junk);
            using var reader = Aedat2Reader.Open(Copy(relative, f => [.. f, .. junk]), new AedatReaderOptions { BatchEvents = 10_000 });
            var summary = AedatSummary.Compute(reader);
            var error = Assert.Single(summary.Problems, p => p.Severity == ProblemSeverity.Error);
            // The junk's first records may decode validly (they cannot be told from data): the data ends at its first error.
            Assert.InRange(error.ByteOffset, size, size + 16 * 8);
            long kept = error.ByteOffset - size;
            Assert.Contains($"the last {size + junkBytes - error.ByteOffset} bytes, from here to the end of the file, do not decode as 8-byte records", error.Message);
            Assert.Contains("junk after the recording, most likely", error.Message);
            long expected = ev.GetProperty("event_count").GetInt64();
            Assert.InRange(summary.EventCount, expected, expected + kept / 8);
            if (kept == 0)
            {
                Assert.Equal(ev.GetProperty("events_sha256").GetString(), summary.EventsSha256);
                Assert.Equal(ev.GetProperty("last_t_us").GetInt64(), summary.LastTimestampUs);
                Assert.Equal(0, summary.TriggerCount);
            }
        }
    }

    /// <summary>
    /// Scattered damage near the end (one record in 50 over the last 2 000 records given the time 0, bit rot in its
    /// timestamp) is not junk: each damaged record is its own error and every record after it is decoded as before.
    /// </summary>
    [SkippableFact]
    public void ScatteredDamageNearTheEndIsNotJunk()
    {
        TestPaths.RequireShared();
        const string relative = "aedat2/sensorfusion_dvs_s1-bbaf3s_davis240c.aedat";
        var ev = TestPaths.ExpectedJson().GetProperty(relative).GetProperty("events");
        int damaged = 0;
        string path = Copy(relative, f =>
        {
            // Records are aligned on the end of this file (no cut record): the last 2 000 of them.
            for (int at = f.Length - 8 * 2000; at < f.Length; at += 8 * 50, damaged++)
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(at + 4), 0);
            return f;
        });
        using var reader = Aedat2Reader.Open(path, new AedatReaderOptions { MaxProblemsPerKind = 1_000_000 });
        var summary = AedatSummary.Compute(reader);
        Assert.DoesNotContain(summary.Problems, p => p.Message.Contains("junk after the recording"));
        Assert.Equal(damaged, summary.Problems.Count(p => p.Message.Contains("is earlier than the previous record's")));
        Assert.Equal(ev.GetProperty("event_count").GetInt64(), summary.EventCount);
        Assert.Equal(ev.GetProperty("last_t_us").GetInt64(), summary.LastTimestampUs);
    }
}
