namespace EventDeblur.Deconvolution;

/// <summary>How far the guard stepped back from the deconvolver's result in one tile.</summary>
public enum FallbackLevel
{
    /// <summary>The deconvolver's result is kept.</summary>
    None = 0,

    /// <summary>A gentler setting: part of the result replaced by the deconvolver's gentler variant (<see cref="IGentleDeconvolver"/>), its intermediate result (<see cref="IStagedDeconvolver"/>) or the input.</summary>
    Gentle = 1,

    /// <summary>The blurry input is returned unchanged.</summary>
    Input = 2,
}
