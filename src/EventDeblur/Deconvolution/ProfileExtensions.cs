namespace EventDeblur.Deconvolution;

/// <summary>Null-safe timing on an optional profile.</summary>
internal static class ProfileExtensions
{
    public static DeconvolutionProfile.Scope Step(this DeconvolutionProfile? profile, string step) => new(profile, step);
}
