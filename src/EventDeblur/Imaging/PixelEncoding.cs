using System.Globalization;

namespace EventDeblur.Imaging;

/// <summary>How stored pixel values relate to linear radiance (RECORDING_FORMAT.md, <c>rgb.encoding</c>).</summary>
/// <param name="Kind"><c>linear</c>, <c>srgb</c> or <c>gamma</c>.</param>
/// <param name="Gamma">G of <c>gamma:G</c> (value = linear^(1/G)); 1 otherwise.</param>
public sealed record PixelEncoding(string Kind, double Gamma)
{
    /// <summary>Linear encoding.</summary>
    public static PixelEncoding Linear { get; } = new("linear", 1);

    /// <summary>Parses <c>linear</c>, <c>srgb</c> or <c>gamma:G</c> (G &gt; 0).</summary>
    public static PixelEncoding Parse(string text)
    {
        if (text == "linear") return Linear;
        if (text == "srgb") return new("srgb", 1);
        if (text.StartsWith("gamma:", StringComparison.Ordinal) &&
            double.TryParse(text.AsSpan(6), NumberStyles.Float, CultureInfo.InvariantCulture, out double g) && g > 0 && double.IsFinite(g))
            return new("gamma", g);
        throw new FormatException($"encoding '{text}' is not one of linear, srgb, gamma:G (G > 0)");
    }

    /// <summary>Undoes the transfer curve: normalised encoded value in [0, 1] → normalised linear value in [0, 1].</summary>
    public double ToLinear(double v) => Kind switch
    {
        "srgb" => TransferCurve.SrgbDecode(v),
        "gamma" => Math.Pow(Math.Max(v, 0), Gamma),
        _ => v,
    };

    /// <summary>Applies the transfer curve: normalised linear value in [0, 1] → normalised encoded value.</summary>
    public double FromLinear(double v) => Kind switch
    {
        "srgb" => TransferCurve.SrgbEncode(v),
        "gamma" => Math.Pow(Math.Max(v, 0), 1 / Gamma),
        _ => v,
    };

    /// <inheritdoc />
    public override string ToString() => Kind == "gamma" ? $"gamma:{Gamma.ToString(CultureInfo.InvariantCulture)}" : Kind;
}
