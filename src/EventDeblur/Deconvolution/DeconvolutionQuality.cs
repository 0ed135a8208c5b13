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
