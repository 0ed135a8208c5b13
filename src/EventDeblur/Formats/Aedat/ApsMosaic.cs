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
}
