namespace EventDeblur.Deconvolution;

/// <summary>
/// A deconvolver whose RGB results want their chroma median-filtered once the frame is assembled
/// (<see cref="Imaging.ChromaMedian"/>): one that works on each channel alone and may sharpen the channels of an edge
/// differently, leaving colour fringes. <see cref="TiledDeblurrer"/> applies it to 3-channel frames.
/// </summary>
public interface IChromaSmoothing : IDeconvolver
{
    /// <summary>Side of the chroma median window, pixels: 0 (none), 3 or 5.</summary>
    int ChromaMedianPx { get; }
}
