namespace EventDeblur.Kernels;

/// <summary>The chosen camera motion and what every candidate contributed.</summary>
/// <param name="Motion">The model fitted to the inliers.</param>
/// <param name="Verdicts">One verdict per candidate, in candidate order.</param>
/// <param name="Inliers">Number of inliers.</param>
public sealed record ConsensusResult(CameraMotion Motion, IReadOnlyList<ConsensusVerdict> Verdicts, int Inliers);
