using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// Prophesee RAW EVT 2.0: little-endian 32-bit words, type in bits 31..28 (PROPHESEE.md §2).
/// CD_OFF (0x0) / CD_ON (0x1): 6-bit time low in bits 27..22, x in bits 21..11, y in bits 10..0 (pixels);
/// EVT_TIME_HIGH (0x8): timestamp bits 33..6 (µs); EXT_TRIGGER (0xA): time low in bits 27..22, channel in
/// bits 12..8, edge in bit 0 (1 = rising). IMU (0xD), OTHERS (0xE) and CONTINUED (0xF) words are skipped.
/// t = loops·2^34 + time_high·64 + time_low µs; a loop is a drop of time_high by at least half its range.
/// Events before the first EVT_TIME_HIGH have no known time and are skipped (as OpenEB does).
/// </summary>
public sealed class Evt2Reader : PropheseeReader
{
    private static readonly string?[] SkippedWords =
        SkippedWordTypes((0xD, "IMU_EVT words skipped"), (0xE, "OTHERS words skipped"), (0xF, "CONTINUED words skipped"));

    private TimeHighClock _clock;
    private readonly ProblemLog _clockLog;

    internal Evt2Reader(Stream stream, string path, PropheseeHeader header, ProblemLog log, AedatReaderOptions options, int width, int height, string geometrySource, long? dataStart = null)
        : base(stream, path, header, log, options, AedatVersion.Evt2, width, height, geometrySource, 4, "EVT 2.0 word", dataStart ?? header.Length)
    {
        _clockLog = log;
        _clock = new TimeHighClock(log, 28, 6);
    }

    /// <inheritdoc />
    private protected override PropheseeReader Probe(Stream stream, ProblemLog log, AedatReaderOptions options, long dataStart) =>
        new Evt2Reader(stream, Info.FilePath, Header, log, options, Info.Width, Info.Height, GeometrySource, dataStart);

    /// <inheritdoc />
    private protected override void RecordingRestarts() => _clock = new TimeHighClock(_clockLog, 28, 6);

    /// <summary>Time-high loops (2^34 µs each) seen so far.</summary>
    public long Loops => _clock.Loops;

    private protected override void Decode(ReadOnlySpan<byte> words, long offset)
    {
        for (int i = 0; i < words.Length; i += 4)
        {
            uint w = BinaryPrimitives.ReadUInt32LittleEndian(words[i..]);
            switch (w >> 28)
            {
                case 0x0:
                case 0x1:
                    if (!_clock.Known) { Count("event words before the first EVT_TIME_HIGH (time unknown) skipped"); break; }
                    Emit(_clock.BaseUs + ((w >> 22) & 0x3F), (int)((w >> 11) & 0x7FF), (int)(w & 0x7FF), (w >> 28) == 1, offset + i);
                    break;
                case 0x8:
                    _clock.Set(w & 0x0FFFFFFF, offset + i);
                    break;
                case 0xA:
                    if (!_clock.Known) { Count("EXT_TRIGGER words before the first EVT_TIME_HIGH (time unknown) skipped"); break; }
                    Trigger(_clock.BaseUs + ((w >> 22) & 0x3F), (int)((w >> 8) & 0x1F), (w & 1) != 0, offset + i);
                    break;
                case 0xD:
                case 0xE:
                    Continuable(offset + i);
                    CountSkipped(SkippedWords, (int)(w >> 28));
                    break;
                case 0xF:
                    if (Continuation("CONTINUED", "OTHERS or IMU_EVT", offset + i)) CountSkipped(SkippedWords, 0xF);
                    break;
                default:
                    if (!CountSkipped(SkippedWords, (int)(w >> 28)))
                        Log.Error("unknown-word", offset + i, $"expected an EVT 2.0 word of type 0x0, 0x1, 0x8, 0xA, 0xD, 0xE or 0xF, found type 0x{w >> 28:X} (word 0x{w:X8}); skipped");
                    break;
            }
        }
    }
}
