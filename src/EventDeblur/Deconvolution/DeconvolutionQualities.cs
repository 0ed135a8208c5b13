namespace EventDeblur.Deconvolution;

/// <summary>Parsing and naming of <see cref="DeconvolutionQuality"/>.</summary>
public static class DeconvolutionQualities
{
    /// <summary>The command-line names, fastest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fast", "balanced", "best"];

    /// <summary>The command-line name of <paramref name="quality"/>.</summary>
    public static string Name(this DeconvolutionQuality quality) => quality switch
    {
        DeconvolutionQuality.Fast => "fast",
        DeconvolutionQuality.Balanced => "balanced",
        DeconvolutionQuality.Best => "best",
        _ => throw new ArgumentOutOfRangeException(nameof(quality), quality, "unknown quality"),
    };

    /// <summary>Parses <c>fast</c>, <c>balanced</c> or <c>best</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other text.</exception>
    public static DeconvolutionQuality Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fast" => DeconvolutionQuality.Fast,
        "balanced" => DeconvolutionQuality.Balanced,
        "best" => DeconvolutionQuality.Best,
        _ => throw new ArgumentException($"unknown quality '{text}'; expected one of {string.Join(", ", Names)}"),
    };
}
