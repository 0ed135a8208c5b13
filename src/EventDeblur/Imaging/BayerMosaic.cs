using OpenCvSharp;

namespace EventDeblur.Imaging;

/// <summary>The four Bayer layouts, named by the top-left 2×2 block read row by row (RGGB: R G / G B).</summary>
public enum BayerLayout
{
    /// <summary>R G / G B.</summary>
    Rggb,

    /// <summary>G R / B G.</summary>
    Grbg,

    /// <summary>G B / R G.</summary>
    Gbrg,

    /// <summary>B G / G R.</summary>
    Bggr,
}

/// <summary>Demosaicing of one-channel Bayer frames (a colour DAVIS's APS frames) with OpenCV's edge-aware interpolation.</summary>
public static class BayerMosaic
{
    /// <summary>
    /// The layout seen by a crop starting at column <paramref name="x0"/> and row <paramref name="y0"/> of a sensor whose
    /// pixel (0, 0) has <paramref name="layout"/>: an odd column swaps the columns of the 2×2 block, an odd row its rows.
    /// </summary>
    public static BayerLayout Shifted(BayerLayout layout, int x0, int y0)
    {
        // Bit 0: G first on the top row (GRBG, GBRG); bit 1: B on the top row (GBRG, BGGR). A column shift toggles the
        // first; a row shift swaps the rows: RGGB ↔ GBRG, GRBG ↔ BGGR.
        var l = layout;
        if ((x0 & 1) != 0) l = l switch { BayerLayout.Rggb => BayerLayout.Grbg, BayerLayout.Grbg => BayerLayout.Rggb, BayerLayout.Gbrg => BayerLayout.Bggr, _ => BayerLayout.Gbrg };
        if ((y0 & 1) != 0) l = l switch { BayerLayout.Rggb => BayerLayout.Gbrg, BayerLayout.Gbrg => BayerLayout.Rggb, BayerLayout.Grbg => BayerLayout.Bggr, _ => BayerLayout.Grbg };
        return l;
    }

    /// <summary>
    /// The BGR image of a one-channel 8- or 16-bit mosaic <paramref name="raw"/> with <paramref name="layout"/> (same
    /// depth, each missing colour interpolated from its neighbours; OpenCV's edge-aware Bayer conversion).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="raw"/> is not one channel of 8 or 16 bits, or smaller than 2×2.</exception>
    public static Mat Demosaic(Mat raw, BayerLayout layout)
    {
        if (raw.Channels() != 1 || (raw.Depth() != MatType.CV_8U && raw.Depth() != MatType.CV_16U))
            throw new ArgumentException($"a Bayer mosaic must be one channel of 8 or 16 bits, not {raw.Type()}");
        if (raw.Rows < 2 || raw.Cols < 2) throw new ArgumentException($"a {raw.Cols}×{raw.Rows} frame is too small for a 2×2 Bayer block");
        // OpenCV names a layout by the second row's second and third pixels: RGGB is its BayerBG.
        var code = layout switch
        {
            BayerLayout.Rggb => ColorConversionCodes.BayerBG2BGR_EA,
            BayerLayout.Grbg => ColorConversionCodes.BayerGB2BGR_EA,
            BayerLayout.Gbrg => ColorConversionCodes.BayerGR2BGR_EA,
            _ => ColorConversionCodes.BayerRG2BGR_EA,
        };
        var bgr = new Mat();
        Cv2.CvtColor(raw, bgr, code);
        return bgr;
    }
}
