namespace EventDeblur.Deconvolution;

/// <summary>
/// The speed/quality rung of a deconvolver (<c>--quality fast|balanced|best</c>). Each rung of <c>robust</c> sets its
/// iteration counts (<see cref="RobustDeconvolverOptions.ForQuality"/>), so does <c>learned</c>'s robust stage; deconvolvers without
/// rungs ignore it.
/// </summary>
public enum DeconvolutionQuality
{
    /// <summary>Fewest iterations (about half the cost of <see cref="Balanced"/>, lower PSNR): for a live rig that falls behind.</summary>
    Fast = 0,

    /// <summary>The default: the settings the deconvolver was tuned with.</summary>
    Balanced = 1,

    /// <summary>More iterations than <see cref="Balanced"/>, for offline runs.</summary>
    Best = 2,
}

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
