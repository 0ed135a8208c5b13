using EventDeblur.Events;
using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Formats.Aedat;

/// <summary>A colour DAVIS's APS frames: one channel under a colour filter (<see cref="ApsFrame.ColorFilter"/>), turned into BGR frames.</summary>
public static class ApsMosaic
{
    /// <summary>Whether <paramref name="frame"/> is a raw colour mosaic (one channel under a filter other than <see cref="ColorFilter.Mono"/>).</summary>
    public static bool IsMosaic(ApsFrame frame) => frame.Format.Channels == 1 && frame.ColorFilter != ColorFilter.Mono;

    /// <summary>The Bayer layout of <paramref name="filter"/> at the sensor's (0, 0), or null for a filter with white pixels or an unknown one.</summary>
    public static BayerLayout? Layout(ColorFilter filter) => filter switch
    {
        ColorFilter.Rgbg => BayerLayout.Rggb,
        ColorFilter.Grgb => BayerLayout.Grbg,
        ColorFilter.Gbgr => BayerLayout.Gbrg,
        ColorFilter.Bgrg => BayerLayout.Bggr,
        _ => null,
    };

    /// <summary>
    /// Where each channel of <see cref="Demosaiced"/>'s frame, in the order of <see cref="LinearImage"/>'s planes (red, green, blue), holds the sensor's own samples, the
    /// layout shifted by the frame's ROI offset; null when <paramref name="frame"/> is no Bayer mosaic.
    /// </summary>
    public static SampleSites[]? Sites(ApsFrame frame) =>
        IsMosaic(frame) && Layout(frame.ColorFilter) is { } layout ? BayerMosaic.Sites(BayerMosaic.Shifted(layout, frame.PositionX, frame.PositionY)) : null;

    /// <summary>
    /// The frame demosaiced into three channels (BGR, same depth, same timestamps and ROI, <see cref="ColorFilter.Mono"/>):
    /// the layout shifted by the ROI's offset. <paramref name="frame"/> itself when it is no mosaic.
    /// </summary>
    /// <exception cref="NotSupportedException">A filter with white pixels (RGBW …) or one the file does not state: no Bayer layout to interpolate.</exception>
    public static ApsFrame Demosaiced(ApsFrame frame)
    {
        if (!IsMosaic(frame)) return frame;
        if (Layout(frame.ColorFilter) is not { } layout)
            throw new NotSupportedException(frame.ColorFilter == ColorFilter.UnknownMosaic
                ? "the frame is a colour DAVIS's raw mosaic whose filter layout the file does not state (a jAER recording), so it cannot be demosaiced, and deblurred as grey it would spread each colour into its neighbours; record the colour DAVIS with DV (AEDAT 4.0, frames demosaiced) or cAER (AEDAT 3.1, the filter stated)"
                : $"the frame is a raw mosaic under a {frame.ColorFilter.ToString().ToUpperInvariant()} colour filter, which has white pixels: only the Bayer filters (RGBG, GRGB, GBGR, BGRG) are demosaiced");
        bool wide = frame.Format.BytesPerSample == 2;
        using var raw = Mat.FromPixelData(frame.Height, frame.Width, wide ? MatType.CV_16UC1 : MatType.CV_8UC1, frame.Pixels);
        using var bgr = BayerMosaic.Demosaic(raw, BayerMosaic.Shifted(layout, frame.PositionX, frame.PositionY));
        var pixels = new byte[frame.Width * frame.Height * 3 * (wide ? 2 : 1)];
        bgr.AsSpan<byte>().CopyTo(pixels);
        return frame with { Format = new FramePixelFormat((wide ? 2 : 0) | (2 << 3)), Pixels = pixels, ColorFilter = ColorFilter.Mono };
    }

    /// <summary>
    /// A DAVIS's APS ADC has 10 bits, and a 16-bit frame holds them one of two ways: shifted up 6 bits (libcaer, AEDAT
    /// 3.1: every sample a multiple of 64, full scale 1023 × 64 = 65 472, which never reaches 65 535, so no clipped pixel
    /// was ever taken as clipped — stop 47's trial: 3–4 dB below the same frames read from AEDAT 2.0) or as they are
    /// (jAER 3's AEDAT 4.0 frames: 0–1023, which read against 65 535 were 1.6 % of full scale). For a 16-bit frame whose
    /// full scale the reader does not know (<see cref="ApsFrame.FullScaleKnown"/> false): the full scale, one ADC code in
    /// raw units and a sentence saying which, taken from the samples as recorded (before any demosaicing, which
    /// interpolates between codes); null for 8-bit frames, frames of known full scale and samples that fit neither.
    /// </summary>
    public static (double White, double Quantum, string How)? AdcScale(ApsFrame frame)
    {
        if (frame.Format.BytesPerSample != 2 || frame.FullScaleKnown) return null;
        var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(frame.Pixels);
        int any = 0, max = 0;
        foreach (var v in samples) { any |= v; if (v > max) max = v; }
        if (max == 0) return null;
        if ((any & 63) == 0)
            return (65472, 64, "the 16-bit APS samples are all multiples of 64: a 10-bit ADC shifted up 6 bits (libcaer), so full scale is 65472 (1023 × 64) and one code is 64");
        if (max <= 1023)
            return (1023, 1, "the 16-bit APS samples all lie within 0–1023: a 10-bit ADC stored as it is, so full scale is 1023");
        return null;
    }

    /// <summary>
    /// The frame as a converter writes it into a file whose frames state no colour filter (AEDAT 4.0, Parquet): a Bayer
    /// mosaic demosaiced (<see cref="Demosaiced"/>) with a 10-bit ADC's samples (<see cref="AdcScale"/>, judged before
    /// demosaicing, which interpolates between codes and so hides the scale from a later reader) spread over the full 16
    /// bits, as the AEDAT 2.0 reader spreads them: a converted libcaer colour file had come back at full scale 65 535
    /// with its clipped lights at 65 472, not clipped (stop 47's review). Any other frame as it is (a grey frame keeps
    /// the samples that show its scale). Throws as <see cref="Demosaiced"/> does for a mosaic it cannot interpolate.
    /// </summary>
    public static ApsFrame ForConversion(ApsFrame frame)
    {
        if (!IsMosaic(frame)) return frame;
        var scale = AdcScale(frame);
        var f = Demosaiced(frame);
        if (scale is not var (white, _, _)) return f;
        var pixels = (byte[])f.Pixels.Clone();
        var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(pixels.AsSpan());
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)Math.Min(65535, Math.Round(samples[i] * 65535.0 / white));
        return f with { Pixels = pixels, FullScaleKnown = true };
    }
}
