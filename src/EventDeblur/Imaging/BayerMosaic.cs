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
    /// Where each channel of an image demosaiced from a mosaic with <paramref name="layout"/> holds the sensor's own
    /// samples, in the order of <see cref="LinearImage"/>'s planes (red, green, blue; the demosaiced Mat is BGR): red and
    /// blue at one pixel of each 2×2 block (the rest of their planes no data), green at the other two, its interpolated
    /// pixels (from four of its own neighbours) still fitted as data (<see cref="SampleSites.InterpolatedAsData"/>). On
    /// stop 56's tuning trial that beat fitting green at its own pixels only (<c>robust</c> +0.4 dB of green) and taking
    /// its noise from the whole plane (<c>learned</c> +0.6 dB: its refinement had fallen back on a third of the tiles).
    /// </summary>
    public static SampleSites[] Sites(BayerLayout layout)
    {
        // Positions in the 2×2 block, row by row (bit 2·row + column): R G / G B is R at 0, G at 1 and 2, B at 3.
        var (r, b) = layout switch
        {
            BayerLayout.Rggb => (0, 3),
            BayerLayout.Grbg => (1, 2),
            BayerLayout.Gbrg => (2, 1),
            _ => (3, 0),
        };
        return [new SampleSites((byte)(1 << r)), new SampleSites((byte)(0xF & ~(1 << r) & ~(1 << b)), InterpolatedAsData: true), new SampleSites((byte)(1 << b))];
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
        // OpenCV fills the outermost rows and columns from their neighbours; each sample goes back to its own channel
        // there, so that every site holds its measurement (Sites: the deconvolvers take them as data).
        var sites = Sites(layout);
        int w = raw.Cols, h = raw.Rows;
        bool wide = raw.Depth() == MatType.CV_16U;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x += y == 0 || y == h - 1 ? 1 : w - 1)
            {
                int c = sites[0].Has(x, y) ? 2 : sites[2].Has(x, y) ? 0 : 1;   // BGR index of the site's colour
                if (wide) { var v = bgr.At<Vec3w>(y, x); v[c] = raw.At<ushort>(y, x); bgr.Set(y, x, v); }
                else { var v = bgr.At<Vec3b>(y, x); v[c] = raw.At<byte>(y, x); bgr.Set(y, x, v); }
            }
        return bgr;
    }
}
