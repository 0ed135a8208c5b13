using System.Buffers.Binary;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// Writes Prophesee RAW EVT 2.0 or EVT 3.0 files that <see cref="PropheseeReader"/> reads back exactly:
/// a modern header (<c>% evt</c>, <c>% format NAME;height=H;width=W</c>, <c>% geometry</c>, <c>% end</c>),
/// then words in time order. Time-high words are emitted whenever the high part changes, with extra
/// time-high words when time jumps by half the loop range or more, so loops are unambiguous
/// (2^34 µs in EVT 2.0, 2^24 µs in EVT 3.0), also for a first timestamp beyond the range (stepped up from 0).
/// Timestamps are µs ≥ 0 and must not decrease across calls.
/// </summary>
public sealed class PropheseeRawWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly PropheseeRawWriterOptions _options;
    private readonly byte[] _buf = new byte[1 << 16];
    private int _n;
    private long _lastT = long.MinValue;
    // Unwrapped time-high (t >> 6 in EVT 2.0, t >> 12 in EVT 3.0) the reader currently holds; −1 before the first.
    private long _high = -1;
    // EVT 3.0 reader state mirrored here.
    private int _low;
    private int _y = -1;
    private bool _disposed;

    private PropheseeRawWriter(Stream stream, PropheseeRawWriterOptions options)
    {
        _stream = stream;
        _options = options;
        bool evt3 = options.Encoding == AedatVersion.Evt3;
        var header = new System.Text.StringBuilder();
        header.Append($"% evt {(evt3 ? "3.0" : "2.0")}\n");
        header.Append($"% format {(evt3 ? "EVT3" : "EVT2")};height={options.Height};width={options.Width}\n");
        header.Append($"% geometry {options.Width}x{options.Height}\n");
        header.Append("% integrator_name EventDeblur\n");
        if (options.Serial.Length > 0) header.Append($"% serial_number {options.Serial}\n");
        header.Append("% end\n");
        stream.Write(System.Text.Encoding.ASCII.GetBytes(header.ToString()));
    }

    /// <summary>Creates (or replaces) the file at <paramref name="path"/> and writes its header.</summary>
    /// <exception cref="ArgumentException">Unsupported encoding or a geometry outside 1..2048 pixels per side.</exception>
    public static PropheseeRawWriter Create(string path, PropheseeRawWriterOptions options)
    {
        if (options.Encoding is not (AedatVersion.Evt2 or AedatVersion.Evt3))
            throw new ArgumentException($"encoding {options.Encoding} cannot be written; use Evt2 or Evt3", nameof(options));
        if (options.Width is < 1 or > 2048 || options.Height is < 1 or > 2048)
            throw new ArgumentException($"geometry {options.Width}×{options.Height} is outside 1..2048 pixels per side", nameof(options));
        if (options.Serial.Any(c => c is < ' ' or > '~'))
            throw new ArgumentException("the serial number must be printable ASCII", nameof(options));
        return new PropheseeRawWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), options);
    }

    /// <summary>Writes CD events (t µs, non-decreasing; x, y pixels inside the geometry; p = ON) in the given order.</summary>
    /// <exception cref="ArgumentException">Spans of different lengths, a coordinate outside the geometry, a negative or decreasing time.</exception>
    public void WriteEvents(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
            throw new ArgumentException("t, x, y and p must have the same length");
        for (int i = 0; i < t.Length; i++)
        {
            if ((uint)x[i] >= (uint)_options.Width || (uint)y[i] >= (uint)_options.Height)
                throw new ArgumentException($"event {i} at x={x[i]}, y={y[i]} lies outside the {_options.Width}×{_options.Height} geometry");
        }
        int k = 0;
        while (k < t.Length)
        {
            SetTime(t[k]);
            if (_options.Encoding == AedatVersion.Evt2)
            {
                Word32(((p[k] ? 1u : 0u) << 28) | ((uint)(t[k] & 0x3F) << 22) | ((uint)(ushort)x[k] << 11) | (ushort)y[k]);
                k++;
                continue;
            }
            if (y[k] != _y) { Word16(0x0000 | y[k]); _y = y[k]; }
            int run = _options.Vectorize ? VectorRun(t, x, y, p, k) : 1;
            if (run < 3)
            {
                Word16((0x2 << 12) | (p[k] ? 0x800 : 0) | (ushort)x[k]);
                k++;
                continue;
            }
            int baseX = x[k];
            uint mask = 0;
            for (int j = k; j < k + run; j++) mask |= 1u << (x[j] - baseX);
            Word16((0x3 << 12) | (p[k] ? 0x800 : 0) | baseX);
            int span = x[k + run - 1] - baseX;
            Word16((0x4 << 12) | (int)(mask & 0xFFF));
            if (span >= 12) Word16((0x4 << 12) | (int)((mask >> 12) & 0xFFF));
            if (span >= 24) Word16((0x5 << 12) | (int)((mask >> 24) & 0xFF));
            k += run;
        }
    }

    /// <summary>Writes one external trigger at <paramref name="tUs"/> (µs) on <paramref name="channel"/> (EVT 2.0: 0..31, EVT 3.0: 0..15).</summary>
    /// <exception cref="ArgumentException">Channel out of range, a negative or decreasing time.</exception>
    public void WriteTrigger(long tUs, int channel, bool rising)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int maxChannel = _options.Encoding == AedatVersion.Evt2 ? 31 : 15;
        if (channel < 0 || channel > maxChannel)
            throw new ArgumentException($"trigger channel {channel} is outside 0..{maxChannel}", nameof(channel));
        SetTime(tUs);
        if (_options.Encoding == AedatVersion.Evt2)
            Word32((0xAu << 28) | ((uint)(tUs & 0x3F) << 22) | ((uint)channel << 8) | (rising ? 1u : 0u));
        else
            Word16((0xA << 12) | (channel << 8) | (rising ? 1 : 0));
    }

    private static int VectorRun(ReadOnlySpan<long> t, ReadOnlySpan<short> x, ReadOnlySpan<short> y, ReadOnlySpan<bool> p, int k)
    {
        int j = k + 1;
        while (j < t.Length && t[j] == t[k] && y[j] == y[k] && p[j] == p[k] && x[j] > x[j - 1] && x[j] - x[k] < 32) j++;
        return j - k;
    }

    private void SetTime(long t)
    {
        if (t < 0) throw new ArgumentException($"time {t} µs is negative");
        if (t < _lastT) throw new ArgumentException($"time {t} µs is earlier than the previous {_lastT} µs; write in time order");
        _lastT = t;
        bool evt3 = _options.Encoding == AedatVersion.Evt3;
        int shift = evt3 ? 12 : 6;
        long half = evt3 ? 2048 : 1L << 27;
        long mask = evt3 ? 0xFFF : 0x0FFFFFFF;
        long high = t >> shift;
        if (high != _high)
        {
            // Intermediate time-high words keep every step below half the loop range, so the reader counts loops
            // exactly; a first time at or beyond half the range is reached in such steps from time-high 0.
            if (_high < 0 && high >= half)
            {
                _high = 0;
                EmitHigh(0, evt3);
            }
            while (_high >= 0 && high - _high >= half)
            {
                _high += half - 1;
                EmitHigh(_high & mask, evt3);
            }
            _high = high;
            EmitHigh(high & mask, evt3);
            _low = 0;
        }
        if (evt3 && (int)(t & 0xFFF) != _low)
        {
            _low = (int)(t & 0xFFF);
            Word16((0x6 << 12) | _low);
        }
    }

    private void EmitHigh(long value, bool evt3)
    {
        if (evt3) Word16((0x8 << 12) | (int)value);
        else Word32((0x8u << 28) | (uint)value);
    }

    private void Word16(int w)
    {
        if (_n + 2 > _buf.Length) Flush();
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(_n), (ushort)w);
        _n += 2;
    }

    private void Word32(uint w)
    {
        if (_n + 4 > _buf.Length) Flush();
        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(_n), w);
        _n += 4;
    }

    private void Flush()
    {
        _stream.Write(_buf, 0, _n);
        _n = 0;
    }

    /// <summary>Flushes the remaining words and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Flush();
        _stream.Dispose();
    }
}
