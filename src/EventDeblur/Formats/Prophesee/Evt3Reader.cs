using System.Buffers.Binary;
using System.Numerics;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// Prophesee RAW EVT 3.0: little-endian 16-bit words, type in bits 15..12, decoded with state
/// (PROPHESEE.md §3). EVT_ADDR_Y (0x0) sets y (bits 10..0, pixels; bit 11 is the master/slave system
/// bit, not part of y); EVT_ADDR_X (0x2) is one CD event at x = bits 10..0, polarity bit 11;
/// VECT_BASE_X (0x3) sets the vector base x and polarity; VECT_12 (0x4) / VECT_8 (0x5) give one event
/// per set bit at base + i and always advance the base by 12 / 8; EVT_TIME_LOW (0x6) and EVT_TIME_HIGH
/// (0x8) set the 12-bit halves of a 24-bit µs time, t = loops·2^24 + high·4096 + low. A TIME_HIGH drop
/// of at least half the range (2048) is a loop; a smaller drop is reported as time going backwards; a
/// changed TIME_HIGH resets TIME_LOW to 0; a decreasing TIME_LOW is not a carry. EXT_TRIGGER (0xA):
/// channel in bits 11..8, edge in bit 0. EM_Y (0x1) rows' X/vector words are exposure measurements and
/// are skipped, as are CONTINUED_4 (0x7), IMU (0xD), OTHERS (0xE) and CONTINUED_12 (0xF). Events before
/// the first EVT_TIME_HIGH are skipped (as OpenEB does).
/// </summary>
public sealed class Evt3Reader : PropheseeReader
{
    private static readonly string?[] SkippedWords = SkippedWordTypes(
        (0x7, "CONTINUED_4 words skipped"), (0xD, "IMU words skipped"), (0xE, "OTHERS words skipped"), (0xF, "CONTINUED_12 words skipped"));

    private TimeHighClock _clock;
    private readonly ProblemLog _clockLog;
    private int _low;
    private long _t;
    private int _y;
    private bool _cd = true;
    private int _baseX;
    private bool _vectorOn;

    // Consecutive identical EVT_ADDR_Y words with nothing between them: an encoder sends one per row that has events (real
    // files have no two in a row), so a long run is a zero-filled or overwritten region (all-zero words are EVT_ADDR_Y y = 0).
    private long _yRunFrom = -1, _yRunEnd = -1, _yRun;
    private int _yRunWord = -1;

    /// <summary>Consecutive identical EVT_ADDR_Y words from which the run is reported as damage (zeros decode as EVT_ADDR_Y y = 0).</summary>
    internal const int AddrYRunLimit = 16;

    internal Evt3Reader(Stream stream, string path, PropheseeHeader header, ProblemLog log, AedatReaderOptions options, int width, int height, string geometrySource, long? dataStart = null)
        : base(stream, path, header, log, options, AedatVersion.Evt3, width, height, geometrySource, 2, "EVT 3.0 word", dataStart ?? header.Length)
    {
        _clockLog = log;
        _clock = new TimeHighClock(log, 12, 12);
    }

    /// <inheritdoc />
    private protected override PropheseeReader Probe(Stream stream, ProblemLog log, AedatReaderOptions options, long dataStart) =>
        new Evt3Reader(stream, Info.FilePath, Header, log, options, Info.Width, Info.Height, GeometrySource, dataStart);

    /// <inheritdoc />
    private protected override void RecordingRestarts()
    {
        // The second recording's time high, low and vector state start afresh, as in a file of its own.
        _clock = new TimeHighClock(_clockLog, 12, 12);
        _low = 0;
        _t = 0;
        _y = 0;
        _cd = true;
        _baseX = 0;
        _vectorOn = false;
        EndAddrYRun();
    }

    /// <inheritdoc />
    private protected override void EndOfData(long offset) => EndAddrYRun();

    private void AddrY(long offset, int word)
    {
        // The same word again (zeros: y = 0 each time); a row's own EVT_ADDR_Y after the run starts a run of its own.
        if (offset != _yRunEnd || word != _yRunWord) { EndAddrYRun(); _yRunFrom = offset; _yRunWord = word; }
        _yRun++;
        _yRunEnd = offset + 2;
    }

    private void EndAddrYRun()
    {
        if (_yRun >= AddrYRunLimit)
            Log.Error("addr-y-run", _yRunFrom, $"{_yRun} identical EVT_ADDR_Y words (0x{_yRunWord:X4}) in a row from byte {_yRunFrom} to {_yRunEnd} with no event, time or other word between them " +
                                                $"(an encoder sends one per row that has events): zero-filled or overwritten data, most likely; the events recorded there are lost");
        _yRunFrom = _yRunEnd = -1;
        _yRun = 0;
    }

    /// <summary>Time-high loops (2^24 µs = 16.777216 s each) seen so far.</summary>
    public long Loops => _clock.Loops;

    private protected override void Decode(ReadOnlySpan<byte> words, long offset)
    {
        for (int i = 0; i < words.Length; i += 2)
        {
            int w = BinaryPrimitives.ReadUInt16LittleEndian(words[i..]);
            switch (w >> 12)
            {
                case 0x0:
                    AddrY(offset + i, w);
                    _y = w & 0x7FF;
                    _cd = true;
                    if ((w & 0x800) != 0) Count("EVT_ADDR_Y words with the slave/right system bit set (bit 11; y is decoded from bits 10..0)");
                    break;
                case 0x1:
                    _cd = false;
                    break;
                case 0x2:
                    if (!Ready("EVT_ADDR_X")) break;
                    Emit(_t, w & 0x7FF, _y, (w & 0x800) != 0, offset + i);
                    break;
                case 0x3:
                    _baseX = w & 0x7FF;
                    _vectorOn = (w & 0x800) != 0;
                    break;
                case 0x4:
                    if (Ready("VECT_12")) Vector((uint)(w & 0xFFF), offset + i);
                    _baseX += 12;
                    break;
                case 0x5:
                    if (Ready("VECT_8")) Vector((uint)(w & 0xFF), offset + i);
                    _baseX += 8;
                    break;
                case 0x6:
                    _low = w & 0xFFF;
                    _t = _clock.BaseUs + _low;
                    break;
                case 0x8:
                    if (_clock.Set((uint)(w & 0xFFF), offset + i)) _low = 0;
                    _t = _clock.BaseUs + _low;
                    break;
                case 0xA:
                    if (!_clock.Known) { Count("EXT_TRIGGER words before the first EVT_TIME_HIGH (time unknown) skipped"); break; }
                    Trigger(_t, (w >> 8) & 0xF, (w & 1) != 0, offset + i);
                    break;
                case 0xD:
                case 0xE:
                    Continuable(offset + i);
                    CountSkipped(SkippedWords, w >> 12);
                    break;
                case 0x7:
                case 0xF:
                    if (Continuation((w >> 12) == 0x7 ? "CONTINUED_4" : "CONTINUED_12", "OTHERS or IMU", offset + i)) CountSkipped(SkippedWords, w >> 12);
                    break;
                default:
                    if (!CountSkipped(SkippedWords, w >> 12))
                        Log.Error("unknown-word", offset + i, $"expected an EVT 3.0 word of type 0x0–0x8, 0xA or 0xD–0xF, found type 0x{w >> 12:X} (word 0x{w:X4}); skipped");
                    break;
            }
        }
    }

    private bool Ready(string word)
    {
        if (!_cd) { Count($"{word} words of exposure-measurement (EM_Y) rows skipped"); return false; }
        if (!_clock.Known) { Count($"{word} words before the first EVT_TIME_HIGH (time unknown) skipped"); return false; }
        return true;
    }

    private void Vector(uint bits, long offset)
    {
        while (bits != 0)
        {
            int b = BitOperations.TrailingZeroCount(bits);
            Emit(_t, _baseX + b, _y, _vectorOn, offset);
            bits &= bits - 1;
        }
    }
}
