using System.Buffers.Binary;
using System.Text;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>
/// EVT 2.0 and 3.0 word by word: the EVT_TIME_HIGH clock (first high, a loop, a drop that is time going backwards,
/// TIME_LOW reset), the skipped word types and an unknown one, pinned to the exact times, notes and messages.
/// </summary>
public class PropheseeTimeHighTests
{
    /// <summary>EVT 3.0 words as little-endian bytes.</summary>
    private static byte[] Bytes(ushort[] words)
    {
        var b = new byte[words.Length * 2];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), words[i]);
        return b;
    }

    /// <summary>EVT 2.0 words as little-endian bytes.</summary>
    private static byte[] Bytes(uint[] words)
    {
        var b = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4 * i), words[i]);
        return b;
    }

    private static string WriteRaw(string evt, string format, ReadOnlySpan<byte> payload, out long dataStart)
    {
        byte[] header = Encoding.ASCII.GetBytes($"% evt {evt}\n% format {format};height=480;width=640\n% end\n");
        dataStart = header.Length;
        string path = Path.Combine(TestPaths.NewTempDir(), "words.raw");
        File.WriteAllBytes(path, [.. header, .. payload]);
        return path;
    }

    /// <summary>The words written as a RAW file of <paramref name="evt"/> / <paramref name="format"/> and read back; <paramref name="dataStart"/> is the payload's first byte.</summary>
    private static PropheseeDrained Drain(string evt, string format, ReadOnlySpan<byte> payload, out long dataStart) =>
        PropheseeDrained.FromFile(WriteRaw(evt, format, payload, out dataStart));

    private static void AssertProblems(IReadOnlyList<Problem> actual, params (ProblemSeverity Severity, long Offset, string Message)[] expected) =>
        Assert.Equal(
            expected.Select(p => $"{p.Severity} {p.Offset} {p.Message}").Order(StringComparer.Ordinal),
            actual.Select(p => $"{p.Severity} {p.ByteOffset} {p.Message}").Order(StringComparer.Ordinal));

    [Fact]
    public void Evt2WordsDecodeToTheirTimesNotesAndMessages()
    {
        static uint Cd(bool on, int low, int x, int y) => ((on ? 1u : 0u) << 28) | ((uint)low << 22) | ((uint)x << 11) | (uint)y;
        uint[] words =
        [
            Cd(false, 1, 1, 1),          // 0: before the first time high
            0xA000_0000,                 // 1: trigger before the first time high
            0x8000_0000 | 1000,          // 2: time high 1000
            Cd(true, 5, 10, 20),         // 3: t = 64 005
            0x8000_0000 | 999,           // 4: a drop of one: time going backwards
            0x8000_0000 | 0x0FFF_FFF0,   // 5
            0x8000_0000 | 3,             // 6: a drop of more than half the range: a loop
            Cd(false, 7, 1, 2),          // 7: t = 2^34 + 3·64 + 7
            0xD000_0000, 0xE000_0000, 0xF000_0000, 0xF000_0000, // 8–11: skipped
            0xB000_0001,                 // 12: unknown type
            0xA000_0000 | (9u << 22) | (2u << 8) | 1, // 13: rising edge of channel 2 at 2^34 + 3·64 + 9
        ];
        var payload = Bytes(words);
        string path = WriteRaw("2.0", "EVT2", payload, out long o);

        using var reader = (Evt2Reader)PropheseeReader.Open(path);
        var d = PropheseeDrained.From(reader);

        long loop = 1L << 34;
        Assert.Equal([(64_005L, (short)10, (short)20, true), (loop + 3 * 64 + 7, (short)1, (short)2, false)], d.Events);
        Assert.Equal([new TestTrigger(loop + 3 * 64 + 9, 2, true)], d.Triggers);
        Assert.Equal(1, reader.Loops);
        AssertProblems(d.Problems,
            (ProblemSeverity.Error, o + 4 * 4, $"EVT_TIME_HIGH 999 (63936 µs) is below the previous 1000 (64000 µs, the word at byte {o + 2 * 4}); expected a non-decreasing time high, or a drop of at least half the 2^34 µs range for a loop"),
            (ProblemSeverity.Error, o + 12 * 4, "expected an EVT 2.0 word of type 0x0, 0x1, 0x8, 0xA, 0xD, 0xE or 0xF, found type 0xB (word 0xB0000001); skipped"),
            (ProblemSeverity.Note, -1, "1 event words before the first EVT_TIME_HIGH (time unknown) skipped"),
            (ProblemSeverity.Note, -1, "1 EXT_TRIGGER words before the first EVT_TIME_HIGH (time unknown) skipped"),
            (ProblemSeverity.Note, -1, "1 IMU_EVT words skipped"),
            (ProblemSeverity.Note, -1, "1 OTHERS words skipped"),
            (ProblemSeverity.Note, -1, "2 CONTINUED words skipped"));
    }

    [Fact]
    public void Evt3WordsDecodeToTheirTimesNotesAndMessages()
    {
        ushort[] words =
        [
            0x0014,          // 0: y = 20
            0x200A,          // 1: x = 10 before the first time high
            0x6005,          // 2: time low 5
            0x8064,          // 3: time high 100 (the first: time low back to 0)
            0x6007,          // 4: t = 100·4096 + 7
            0x280B,          // 5: ON event at x = 11
            0x8063,          // 6: a drop of one: time going backwards (time low back to 0)
            0x8FF0,          // 7: time high 4080
            0x8002,          // 8: a drop of at least 2048: a loop
            0x6003,          // 9: t = 2^24 + 2·4096 + 3
            0x200C,          // 10: OFF event at x = 12
            0x8002,          // 11: the same time high: time low kept
            0x200D,          // 12: OFF event at x = 13, same time
            0xE000, 0x7000, 0xD000, 0xF000, // 13–16: skipped (OTHERS + CONTINUED_4, IMU + CONTINUED_12)
            0x9ABC,          // 17: unknown type
            0xA301,          // 18: rising edge of channel 3
        ];
        var payload = Bytes(words);
        string path = WriteRaw("3.0", "EVT3", payload, out long o);

        using var reader = (Evt3Reader)PropheseeReader.Open(path);
        var d = PropheseeDrained.From(reader);

        long late = (1L << 24) + 2 * 4096 + 3;
        Assert.Equal([(100L * 4096 + 7, (short)11, (short)20, true), (late, (short)12, (short)20, false), (late, (short)13, (short)20, false)], d.Events);
        Assert.Equal([new TestTrigger(late, 3, true)], d.Triggers);
        Assert.Equal(1, reader.Loops);
        AssertProblems(d.Problems,
            (ProblemSeverity.Error, o + 6 * 2, $"EVT_TIME_HIGH 99 (405504 µs) is below the previous 100 (409600 µs, the word at byte {o + 3 * 2}); expected a non-decreasing time high, or a drop of at least half the 2^24 µs range for a loop"),
            (ProblemSeverity.Error, o + 17 * 2, "expected an EVT 3.0 word of type 0x0–0x8, 0xA or 0xD–0xF, found type 0x9 (word 0x9ABC); skipped"),
            (ProblemSeverity.Note, -1, "1 EVT_ADDR_X words before the first EVT_TIME_HIGH (time unknown) skipped"),
            (ProblemSeverity.Note, -1, "1 CONTINUED_4 words skipped"),
            (ProblemSeverity.Note, -1, "1 IMU words skipped"),
            (ProblemSeverity.Note, -1, "1 OTHERS words skipped"),
            (ProblemSeverity.Note, -1, "1 CONTINUED_12 words skipped"));
    }

    /// <summary>
    /// Continuation words that follow no OTHERS / IMU word (stop 42: 40 000 bytes of 0xFF in the real EVT 2.0 file were
    /// counted as "10000 CONTINUED words skipped", a note with no byte, exit 0): one error per run, at its first byte.
    /// </summary>
    [Fact]
    public void ARunOfOrphanContinuationWordsIsOneErrorAtItsFirstByte()
    {
        // EVT 2.0: a time high, OTHERS + CONTINUED (valid), an event, then 1 000 words of 0xFFFFFFFF.
        uint[] evt2 = [0x8000_0001u, 0xE000_0000u, 0xF000_0000u, 0x1000_0000u | (3u << 11) | 4, .. Enumerable.Repeat(0xFFFF_FFFFu, 1000)];
        var d2 = Drain("2.0", "EVT2", Bytes(evt2), out long o2);
        Assert.Single(d2.Events);
        AssertProblems(d2.Problems,
            (ProblemSeverity.Error, o2 + 4 * 4, $"1000 CONTINUED words from byte {o2 + 16} to {o2 + 16 + 4000} follow no OTHERS or IMU_EVT word (a continuation is valid only after one): erased or overwritten data, most likely (a run of 0xFF bytes); skipped"),
            (ProblemSeverity.Note, -1, "1 CONTINUED words skipped"),
            (ProblemSeverity.Note, -1, "1 OTHERS words skipped"));

        // EVT 3.0: two runs of 0xFFFF separated by an event; IMU + CONTINUED_12 valid.
        ushort[] evt3 = [0x8001, 0x0014, 0xD000, 0xF000, 0x6001, 0xFFFF, 0xFFFF, 0x200A, 0xFFFF];
        var d3 = Drain("3.0", "EVT3", Bytes(evt3), out long o3);
        Assert.Single(d3.Events);
        AssertProblems(d3.Problems,
            (ProblemSeverity.Error, o3 + 5 * 2, $"2 CONTINUED_12 words from byte {o3 + 10} to {o3 + 14} follow no OTHERS or IMU word (a continuation is valid only after one): erased or overwritten data, most likely (a run of 0xFF bytes); skipped"),
            (ProblemSeverity.Error, o3 + 8 * 2, $"1 CONTINUED_12 word from byte {o3 + 16} to {o3 + 18} follows no OTHERS or IMU word (a continuation is valid only after one): erased or overwritten data, most likely (a run of 0xFF bytes); skipped"),
            (ProblemSeverity.Note, -1, "1 CONTINUED_12 words skipped"),
            (ProblemSeverity.Note, -1, "1 IMU words skipped"));
    }

    /// <summary>
    /// A zero-filled region of an EVT 3.0 payload (stop 42's trial: 2 000 zero bytes in a real file, 696 events gone,
    /// exit 0 with no message at all): zeros are EVT_ADDR_Y y = 0 words, which an encoder never sends twice in a row, so
    /// a run of <see cref="Evt3Reader.AddrYRunLimit"/> or more is one error at its first byte; shorter runs and the rows
    /// of real data (one EVT_ADDR_Y per row) are not.
    /// </summary>
    [Fact]
    public void AZeroFilledEvt3RegionIsOneErrorAtItsFirstByte()
    {
        int n = Evt3Reader.AddrYRunLimit;
        // time high, row 20, an event; then n zero words; an event on the (now wrong) row 0; then n − 1 zero words (not
        // reported), an event.
        ushort[] words = [0x8001, 0x0014, 0x200A, .. new ushort[n], 0x200B, .. new ushort[n - 1], 0x200C];
        var d = Drain("3.0", "EVT3", Bytes(words), out long o);
        Assert.Equal(3, d.Events.Count);
        AssertProblems(d.Problems,
            (ProblemSeverity.Error, o + 3 * 2, $"{n} identical EVT_ADDR_Y words (0x0000) in a row from byte {o + 6} to {o + 6 + 2 * n} with no event, time or other word between them " +
                                               "(an encoder sends one per row that has events): zero-filled or overwritten data, most likely; the events recorded there are lost"));

        // A row's own EVT_ADDR_Y right after the zeros is not counted into their run (its review).
        var d1 = Drain("3.0", "EVT3", Bytes([0x8001, 0x0014, 0x200A, .. new ushort[n], 0x0015, 0x200B]), out long o1);
        Assert.Contains($"{n} identical EVT_ADDR_Y words (0x0000) in a row from byte {o1 + 6} to {o1 + 6 + 2 * n} ", Assert.Single(d1.Problems).Message);

        // A zero run at the very end of the payload is reported too.
        var d2 = Drain("3.0", "EVT3", Bytes([0x8001, 0x0014, 0x200A, .. new ushort[3 * n]]), out long o2);
        Assert.Single(d2.Events);
        Assert.Equal([o2 + 6], d2.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.ByteOffset));
    }
}
