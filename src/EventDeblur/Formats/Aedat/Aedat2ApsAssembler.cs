using EventDeblur.Events;

namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Turns the APS pixel reads of a jAER AEDAT 2.0 DAVIS recording into frames (AEDAT.md §2.3).
/// Each pixel of a frame is read twice: a reset read (readout type 0, address bits 11–10) and a
/// signal read (type 1), each an 8-byte record with a 10-bit ADC value (bits 9–0), x in bits
/// 21–12 and y in bits 30–22. The files carry no explicit frame or exposure markers: jAER makes
/// them from the first and last pixel addresses; this assembler makes them from the reads
/// themselves, so that the read-out order (which differs between DAVIS models) does not matter:
/// <list type="bullet">
/// <item>start of frame: the first reset read of a frame; a reset read of a pixel already reset in
/// the open frame starts the next one (the open frame is then reported as incomplete);</item>
/// <item>end of frame: the read that completes the signal reads of every pixel;</item>
/// <item>exposure: ends at the first signal read. It starts at the last reset read when every pixel
/// was reset before the first signal read (global shutter: all pixels start integrating together
/// once reset, as jAER's start-of-exposure on the last reset read) and at the first reset read
/// otherwise (rolling shutter: reset and signal reads interleave, as jAER). A rolling-shutter frame
/// whose exposure outlasts the read-out cannot be told from a global one by the reads (jAER takes the
/// mode from its settings, which the file's header does not state unambiguously); it is read as
/// global, so its window is the part of the exposure every column shares;</item>
/// <item>value: correlated double sampling as jAER's <c>CDSframe</c>, reset − signal (brighter =
/// larger), clamped to 0..1023 and scaled to 16 bits (× 65535 / 1023, rounded), so a full-scale
/// read is white.</item>
/// </list>
/// Pixel placement: the APS column address runs opposite to the DVS one (jAER mirrors DVS x but
/// not APS x; aedat4to2 writes DV pixel (x, y) at APS address (W−1−x, H−1−y)), so a read at raw
/// (x, y) lands at (W−1−x, H−1−y) on the top-left-origin grid of the decoded DVS events.
/// Memory: two 16-bit planes and two flag planes of the sensor size.
/// </summary>
internal sealed class Aedat2ApsAssembler
{
    private const int AdcMax = 1023;

    private readonly int _width;
    private readonly int _height;
    private readonly int _pixels;
    private readonly ProblemLog _log;
    private readonly ushort[] _reset;
    private readonly ushort[] _signal;
    private readonly bool[] _resetSeen;
    private readonly bool[] _signalSeen;
    private bool _open;
    private int _resets;
    // Signal reads of the open frame whose pixel it never reset (its first reset reads were lost).
    private int _orphanSignals;
    private int _signals;
    private long _frameOffset;
    private long _firstResetT;
    private long _allResetT;
    private long _firstSignalT;
    private bool _globalShutter;

    /// <summary>
    /// The colour filter stamped on every frame: <see cref="ColorFilter.UnknownMosaic"/> for a colour DAVIS (its AEChip
    /// names colour), whose reads form a Bayer mosaic whose layout after jAER's y flip the file does not state.
    /// </summary>
    public ColorFilter ColorFilter { get; init; }

    /// <summary>Creates an assembler for a <paramref name="width"/>×<paramref name="height"/> sensor (pixels, both ≥ 1).</summary>
    public Aedat2ApsAssembler(int width, int height, ProblemLog log)
    {
        _width = width;
        _height = height;
        _pixels = width * height;
        _log = log;
        _reset = new ushort[_pixels];
        _signal = new ushort[_pixels];
        _resetSeen = new bool[_pixels];
        _signalSeen = new bool[_pixels];
    }

    /// <summary>Frames completed so far.</summary>
    public long FramesCompleted { get; private set; }

    /// <summary>Frames dropped so far (incomplete, reset-only, or with no exposure time).</summary>
    public long FramesDropped { get; private set; }

    /// <summary>
    /// Adds one APS record (address word with bit 31 set and readout type ≠ 3) at time
    /// <paramref name="tUs"/> (µs, unwrapped) found at <paramref name="offset"/> (byte); returns the
    /// frame it completes, or null.
    /// </summary>
    public ApsFrame? Add(uint addr, long tUs, long offset)
    {
        int rawX = (int)((addr >> 12) & 0x3FF);
        int rawY = (int)((addr >> 22) & 0x1FF);
        int cycle = (int)((addr >> 10) & 3);
        int adc = (int)(addr & 0x3FF);
        if (rawX >= _width || rawY >= _height)
        {
            _log.Error("aps-out-of-range", offset, $"APS read at x={rawX}, y={rawY} lies outside the {_width}×{_height} sensor (expected x < {_width}, y < {_height}); ignored");
            return null;
        }
        if (cycle > 1)
        {
            _log.Note("aps-third-read", offset, $"APS read with readout type {cycle} (the deprecated third read of 'C' read-out mode); ignored: frames use reset and signal reads only");
            return null;
        }
        int idx = (_height - 1 - rawY) * _width + (_width - 1 - rawX);
        if (cycle == 0)
        {
            if (_open && _resetSeen[idx]) DropOpen(offset, "a new frame starts (this pixel is reset again)");
            // A frame whose first reset reads were lost (a recording that starts mid-readout, a lost USB packet) gets signal
            // reads without resets; once it has read every pixel it did reset, the next reset read is the next frame's —
            // which would otherwise be taken into it until a pixel repeats, cutting that frame too, and every frame after.
            else if (_open && _orphanSignals > 0 && _signals > 0 && _signals == _resets)
                DropOpen(offset, "a new frame starts (the open one began mid-readout, and every pixel it reset has been read)");
            if (!_open)
            {
                _open = true;
                _frameOffset = offset;
                _firstResetT = tUs;
            }
            _resetSeen[idx] = true;
            _reset[idx] = (ushort)adc;
            if (++_resets == _pixels) _allResetT = tUs;
            return null;
        }

        if (!_open || !_resetSeen[idx])
        {
            if (_open) _orphanSignals++;
            _log.Error("aps-signal-without-reset", offset, $"APS signal read at x={rawX}, y={rawY} without a reset read of that pixel before it in the same frame (expected reset then signal); ignored");
            return null;
        }
        if (_signalSeen[idx])
        {
            DropOpen(offset, "a pixel was signal-read twice");
            return null;
        }
        _signalSeen[idx] = true;
        _signal[idx] = (ushort)adc;
        if (++_signals == 1)
        {
            _firstSignalT = tUs;
            _globalShutter = _resets == _pixels;
        }
        if (_signals < _pixels) return null;
        return Complete(tUs);
    }

    /// <summary>At the end of the data: a frame still open is reported and dropped.</summary>
    public void Finish(long endOffset)
    {
        if (_open) DropOpen(endOffset, "the file ends");
    }

    private ApsFrame? Complete(long endT)
    {
        long start = _globalShutter ? _allResetT : _firstResetT;
        long end = _firstSignalT;
        long sof = _firstResetT;
        long frameOffset = _frameOffset;
        var pixels = new byte[_pixels * 2];
        for (int i = 0; i < _pixels; i++)
        {
            int v = Math.Clamp(_reset[i] - _signal[i], 0, AdcMax);
            int scaled = (v * 65535 + AdcMax / 2) / AdcMax;
            pixels[2 * i] = (byte)scaled;
            pixels[2 * i + 1] = (byte)(scaled >> 8);
        }
        Clear();
        if (end <= start)
        {
            FramesDropped++;
            _log.Error("aps-no-exposure", frameOffset, $"APS frame starting here has no exposure time: exposure start {start} µs, end {end} µs (expected end > start; all reads of one frame share one timestamp, as files converted by aedat4to2 do); dropped");
            return null;
        }
        FramesCompleted++;
        return new ApsFrame
        {
            TimestampUs = start + (end - start) / 2,
            StartOfFrameUs = sof,
            EndOfFrameUs = endT,
            StartOfExposureUs = start,
            EndOfExposureUs = end,
            Width = _width,
            Height = _height,
            Format = FramePixelFormat.Gray16,
            Pixels = pixels,
            ColorFilter = ColorFilter,
            FullScaleKnown = true, // the 10-bit reads are spread over 16 bits above
        };
    }

    private void DropOpen(long offset, string why)
    {
        string what = _signals == 0
            ? $"reset reads only ({_resets} of {_pixels}, no signal read)"
            : $"{_resets} of {_pixels} reset reads and {_signals} of {_pixels} signal reads (the last signal read, which ends the frame, is missing)";
        _log.Error("aps-incomplete-frame", _frameOffset, $"APS frame starting here is incomplete: {what} when {why} at byte {offset}; expected a reset and a signal read of every pixel; dropped");
        FramesDropped++;
        Clear();
    }

    private void Clear()
    {
        _open = false;
        _resets = _signals = _orphanSignals = 0;
        Array.Clear(_resetSeen);
        Array.Clear(_signalSeen);
    }
}
