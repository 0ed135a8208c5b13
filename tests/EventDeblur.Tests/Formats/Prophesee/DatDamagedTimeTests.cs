using System.Buffers.Binary;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>
/// A damaged record time in a DAT file (stop 42, found by a new user's trial on the real N-CARS file): one record whose
/// time jumped to near 2^32 µs was unwrapped as a wrap of the 32-bit clock, shifting every later event by 71.6 minutes
/// with no error; a skipped record's time moved the clock too. Now the damaged record is named, and the rest keep their times.
/// </summary>
public class DatDamagedTimeTests
{
    private const int N = 400;

    private static (string Path, long[] T, long DataStart) Recording(Action<byte[], long>? damage = null)
    {
        var rec = new PropheseeRecording
        {
            T = [.. Enumerable.Range(0, N).Select(i => 50_000L + 37L * i)],
            X = [.. Enumerable.Range(0, N).Select(i => (short)(i % 60))],
            Y = [.. Enumerable.Range(0, N).Select(i => (short)(i % 50))],
            P = [.. Enumerable.Range(0, N).Select(i => i % 3 == 0)],
            Triggers = [],
            Width = 64,
            Height = 64,
        };
        var bytes = rec.DatBytes();
        long dataStart = bytes.Length - 8L * N;
        damage?.Invoke(bytes, dataStart);
        string path = Path.Combine(TestPaths.NewTempDir(), "damaged.dat");
        File.WriteAllBytes(path, bytes);
        return (path, rec.T, dataStart);
    }

    private static void SetTime(byte[] bytes, long dataStart, int record, uint t) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)(dataStart + 8L * record), 4), t);

    [Theory]
    [InlineData(0xFFFF_FFF0u)]          // near 2^32: the drop back looked like a wrap
    [InlineData(50_000u + 37 * 200 + (1u << 31))] // bit 31 flipped
    [InlineData(50_000u + 37 * 200 + (1u << 24))] // bit 24 flipped: a 16.8 s jump
    public void ARecordWhoseTimeJumpedForwardIsNamedAndTheRestKeepTheirTimes(uint damaged)
    {
        var (path, t, start) = Recording((b, s) => SetTime(b, s, 200, damaged));
        var d = PropheseeDrained.FromFile(path);
        Assert.Equal(N, d.Events.Count);
        var times = d.Events.Select(e => e.T).ToList();
        for (int i = 0; i < N; i++)
            if (i != 200) Assert.Equal(t[i], times[i]);
        var error = Assert.Single(d.Errors);
        Assert.Equal(start + 8 * 200, error.ByteOffset);
        Assert.Contains($"the record at byte {start + 8 * 200} is damaged", error.Message);
    }

    [Fact]
    public void ErasedRecordsAreSkippedWithoutMovingTheClock()
    {
        // 10 records of 0xFF (erased flash): bad polarity, each skipped; their time 0xFFFFFFFF must not count as a clock value.
        var (path, t, start) = Recording((b, s) => b.AsSpan((int)(s + 8 * 200), 80).Fill(0xFF));
        var d = PropheseeDrained.FromFile(path);
        Assert.Equal(N - 10, d.Events.Count);
        Assert.Equal(t.Take(200).Concat(t.Skip(210)), d.Events.Select(e => e.T));
        Assert.Equal(10, d.Errors.Count());
        Assert.All(d.Errors, e => Assert.Contains("record skipped", e.Message));
        Assert.Equal(start + 8 * 200, d.Errors.First().ByteOffset);
    }

    [Fact]
    public void ADamagedRecordThatLooksLikeAWrapIsUndoneByTheNextRecord()
    {
        // Times near the top of the 32-bit range; record 200's time drops by more than 2^31 (looks like a wrap), the next
        // record carries on from before it.
        var (path, t, start) = Recording((b, s) =>
        {
            for (int i = 0; i < N; i++) SetTime(b, s, i, 3_000_000_000u + 37u * (uint)i);
            SetTime(b, s, 200, 1_000);
        });
        var d = PropheseeDrained.FromFile(path);
        Assert.Equal(N, d.Events.Count);
        var times = d.Events.Select(e => e.T).ToList();
        for (int i = 201; i < N; i++) Assert.Equal(3_000_000_000L + 37L * i, times[i]);
        var error = Assert.Single(d.Errors);
        Assert.Equal(start + 8 * 200, error.ByteOffset);
        Assert.Contains("is damaged, not a wrap", error.Message);
    }
}
