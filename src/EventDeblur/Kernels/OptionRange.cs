namespace EventDeblur.Kernels;

/// <summary>Range checks for option records: a value outside its range names the option and the range.</summary>
internal static class OptionRange
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="min"/> ≤ <paramref name="value"/> ≤ <paramref name="max"/> (NaN fails).</summary>
    public static void Check(string option, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be in [{Format(min)}, {Format(max)}], got {Format(value)}");
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="min"/> &lt; <paramref name="value"/> ≤ <paramref name="max"/> (NaN fails).</summary>
    public static void CheckAboveMin(string option, double value, double min, double max)
    {
        if (!(value > min && value <= max))
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be in ({Format(min)}, {Format(max)}], got {Format(value)}");
    }

    private static string Format(double v) => v.ToString("G", System.Globalization.CultureInfo.InvariantCulture);
}
