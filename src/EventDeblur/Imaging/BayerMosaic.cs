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
    /// pixels (from its own neighbours on either side) still fitted as data (<see cref="SampleSites.InterpolatedAsData"/>). On
    /// stop 56's tuning trial that beat fitting green at its own pixels only (<c>robust</c> +0.4 dB of green) and taking
    /// its noise from the whole plane (<c>learned</c> +0.6–0.8 dB: its refinement had fallen back on a third of the tiles).
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
    /// The Bayer layout a colour frame was demosaiced from, found in its data, or null when the data do not show one.
    /// Demosaicing keeps each sample at its own site and interpolates the rest, which averages the noise down: the
    /// Laplacian residual |4v − (left + right + up + down)| of red is larger at red's sites than at the other three
    /// positions of the 2×2 block, and blue's at blue's. A layout is found when, in both red and blue, the mean residual
    /// (of the lowest three quarters, so that edges do not count) at one position is at least
    /// <paramref name="minContrast"/> times the next largest, red's and blue's positions are
    /// diagonal to each other, and green's residual is larger at its own two positions than at red's and blue's. A frame
    /// made some other way (an RGB camera's, whose processing mixes the channels; a rendered frame without noise) shows no
    /// such pattern. The default contrast, 1.1, from stop 56's tuning trial: 2.0–2.4 in 16-bit frames, 1.18–1.37 in
    /// 8-bit ones (as DV writes a colour DAVIS's; one of six frames shows no layout), while simulated colour scenes
    /// without a mosaic (three sizes, three noise levels, 16- and 8-bit) and the foreign bundles' RGB frames fail the
    /// pattern's other conditions at any contrast.
    /// </summary>
    /// <param name="rgb">Red, green and blue planes (<see cref="LinearImage"/>'s order), each <paramref name="width"/>×<paramref name="height"/>.</param>
    /// <param name="width">Width, pixels.</param>
    /// <param name="height">Height, pixels.</param>
    /// <param name="saturated">Clipped pixels per plane (left out with their neighbours), or null.</param>
    /// <param name="minContrast">How many times the sites' residual must exceed the other positions' (&gt; 1).</param>
    /// <returns>The layout and the smaller of red's and blue's contrasts.</returns>
    public static (BayerLayout Layout, double Contrast)? FindLayout(IReadOnlyList<float[]> rgb, int width, int height, IReadOnlyList<bool[]>? saturated = null, double minContrast = 1.1)
    {
        if (rgb.Count != 3 || width < 8 || height < 8) return null;
        // Median residual per plane and position (bit 2·(y mod 2) + (x mod 2)), over interior pixels away from clipping.
        var med = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            var p = rgb[c];
            var sat = saturated?[c];
            var lists = Enumerable.Range(0, 4).Select(_ => new List<float>((width / 2) * (height / 2))).ToArray();
            for (int y = 1; y < height - 1; y++)
                for (int x = 1; x < width - 1; x++)
                {
                    int i = y * width + x;
                    if (sat != null && (sat[i] || sat[i - 1] || sat[i + 1] || sat[i - width] || sat[i + width])) continue;
                    float res = Math.Abs(4 * p[i] - p[i - 1] - p[i + 1] - p[i - width] - p[i + width]);
                    if (float.IsFinite(res)) lists[((y & 1) << 1) | (x & 1)].Add(res);
                }
            if (lists.Any(l => l.Count < 64)) return null;
            // The mean of the lowest three quarters (edges, whose residual is the scene's, left out): a median of 8-bit
            // frames' residuals is a small integer, and their ratio 1, 1.5 or 2 (review 56: no layout found in 8-bit frames).
            med[c] = lists.Select(l =>
            {
                l.Sort();
                int n = Math.Max(1, l.Count * 3 / 4);
                double sum = 0;
                for (int k = 0; k < n; k++) sum += l[k];
                return sum / n;
            }).ToArray();
        }
        (int Site, double Contrast) Peak(double[] m)
        {
            int best = 0;
            for (int k = 1; k < 4; k++) if (m[k] > m[best]) best = k;
            double next = Enumerable.Range(0, 4).Where(k => k != best).Max(k => m[k]);
            return (best, next > 0 ? m[best] / next : m[best] > 0 ? double.PositiveInfinity : 1);
        }
        var (r, cr) = Peak(med[0]);
        var (b, cb) = Peak(med[2]);
        if (cr < minContrast || cb < minContrast || (r ^ b) != 3) return null;
        int g1 = r ^ 1, g2 = r ^ 2;
        if (Math.Min(med[1][g1], med[1][g2]) <= Math.Max(med[1][r], med[1][b])) return null;
        var layout = r switch { 0 => BayerLayout.Rggb, 1 => BayerLayout.Grbg, 2 => BayerLayout.Gbrg, _ => BayerLayout.Bggr };
        return (layout, Math.Min(cr, cb));
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
