using EventDeblur.Imaging;

namespace EventDeblur.Metrics;

/// <summary>A single-channel or multi-channel image of doubles, channels interleaved, row-major.</summary>
/// <param name="Width">Width, pixels.</param>
/// <param name="Height">Height, pixels.</param>
/// <param name="Channels">1 (gray) or 3 (RGB).</param>
/// <param name="Data">Width × Height × Channels values.</param>
public sealed record MetricImage(int Width, int Height, int Channels, double[] Data)
{
    /// <summary>Value at (x, y, channel).</summary>
    public double this[int x, int y, int c = 0] => Data[(y * Width + x) * Channels + c];

    /// <summary>The central region with <paramref name="border"/> pixels removed on every side.</summary>
    public MetricImage Crop(int border)
    {
        if (border == 0) return this;
        int w = Width - 2 * border, h = Height - 2 * border;
        if (w <= 0 || h <= 0) throw new ArgumentException($"cannot crop {border} px from a {Width}×{Height} image");
        var d = new double[w * h * Channels];
        for (int y = 0; y < h; y++)
            Array.Copy(Data, ((y + border) * Width + border) * Channels, d, y * w * Channels, w * Channels);
        return new MetricImage(w, h, Channels, d);
    }

    /// <summary>sRGB-encodes every value (IEC 61966-2-1), after clipping to [0, 1].</summary>
    public MetricImage SrgbEncoded() => new(Width, Height, Channels, Data.Select(v => TransferCurve.SrgbEncode(Math.Clamp(v, 0, 1))).ToArray());

    /// <summary>Luminance Y = 0.2126 R + 0.7152 G + 0.0722 B (gray images: themselves).</summary>
    public MetricImage Luminance()
    {
        if (Channels == 1) return this;
        var d = new double[Width * Height];
        for (int i = 0; i < d.Length; i++) d[i] = 0.2126 * Data[3 * i] + 0.7152 * Data[3 * i + 1] + 0.0722 * Data[3 * i + 2];
        return new MetricImage(Width, Height, 1, d);
    }
}
