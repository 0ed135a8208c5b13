namespace EventDeblur.Imaging;

/// <summary>
/// The sRGB transfer curve (IEC 61966-2-1), the one implementation in the library: bundles with
/// <c>rgb.encoding = srgb</c>, the metrics' sRGB-encoded SSIM (METRICS.md), tone-mapped previews and
/// the learned deconvolver's inputs all go through it.
/// </summary>
public static class TransferCurve
{
    /// <summary>Encodes a normalised linear value in [0, 1] to a normalised sRGB value in [0, 1].</summary>
    public static double SrgbEncode(double linear) => linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.Pow(linear, 1 / 2.4) - 0.055;

    /// <summary>Inverse of <see cref="SrgbEncode"/>: a normalised sRGB value in [0, 1] back to linear [0, 1].</summary>
    public static double SrgbDecode(double encoded) => encoded <= 0.04045 ? encoded / 12.92 : Math.Pow((encoded + 0.055) / 1.055, 2.4);
}
