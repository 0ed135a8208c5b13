namespace EventDeblur.Kernels;

/// <summary>What the consensus made of one candidate path.</summary>
/// <param name="Candidate">Index into the candidate list.</param>
/// <param name="Inlier">Whether it supports the chosen camera-motion model.</param>
/// <param name="DistancePx">RMS distance between its path and the model's path at its position, frame pixels.</param>
/// <param name="TolerancePx">The distance it had to be within, frame pixels.</param>
public sealed record ConsensusVerdict(int Candidate, bool Inlier, double DistancePx, double TolerancePx);
