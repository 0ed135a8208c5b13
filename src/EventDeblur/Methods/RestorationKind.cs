namespace EventDeblur.Methods;

/// <summary>How the deconvolution stage makes a blurry frame sharp: the two kinds of restoration a method can name.</summary>
public enum RestorationKind
{
    /// <summary>Non-blind deconvolution of every kernel tile with a deconvolver of the catalogue (needs the frame's kernels).</summary>
    Deconvolution,

    /// <summary>
    /// EDI, the event-only baseline: the exposure's events integrated into the blurry frame (needs frames on the event
    /// pixel grid, i.e. APS frames; uses no kernels).
    /// </summary>
    EventIntegration,
}
