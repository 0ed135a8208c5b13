namespace EventDeblur.Kernels;

/// <summary>A kernel that holds for the pixels <c>[X0, X1) × [Y0, Y1)</c> of a frame.</summary>
/// <param name="X0">First column, pixels.</param>
/// <param name="Y0">First row, pixels.</param>
/// <param name="X1">End column (exclusive), pixels.</param>
/// <param name="Y1">End row (exclusive), pixels.</param>
/// <param name="Kernel">The kernel.</param>
public sealed record KernelTile(int X0, int Y0, int X1, int Y1, BlurKernel Kernel)
{
    /// <summary>Number of pixels covered.</summary>
    public long Area => (long)(X1 - X0) * (Y1 - Y0);
}
