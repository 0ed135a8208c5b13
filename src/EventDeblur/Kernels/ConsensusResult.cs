namespace EventDeblur.Kernels;

/// <summary>The chosen camera motion and what every candidate contributed.</summary>
/// <param name="Motion">The model fitted to the inliers.</param>
/// <param name="Verdicts">One verdict per candidate, in candidate order.</param>
/// <param name="Inliers">Number of inliers.</param>
public sealed record ConsensusResult(CameraMotion Motion, IReadOnlyList<ConsensusVerdict> Verdicts, int Inliers)
{
    /// <summary>
    /// When <see cref="Motion"/> is a richer kind than a translation (rotation, affine): the best translation of the same
    /// paths, refitted to its own inliers, with its verdicts, so that other evidence (the events' contrast) can still
    /// prefer it; null when <see cref="Motion"/> is a translation.
    /// </summary>
    public ConsensusResult? Translation { get; init; }
}
