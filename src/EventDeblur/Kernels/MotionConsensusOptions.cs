namespace EventDeblur.Kernels;

/// <summary>Options of <see cref="MotionConsensus"/>.</summary>
public sealed record MotionConsensusOptions
{
    /// <summary>A candidate path agrees with a model when their RMS distance is within this floor, frame pixels …</summary>
    public double InlierFloorPx { get; init; } = 1.0;

    /// <summary>… or within this fraction of the model path's length, whichever is larger.</summary>
    public double InlierFractionOfLength { get; init; } = 0.12;

    /// <summary>Rotation is modelled only when it moves the frame corners by more than this, frame pixels.</summary>
    public double RotationThresholdPx { get; init; } = 2.0;

    /// <summary>Two candidates seed a rotation hypothesis only when this far apart, as a fraction of the frame's shorter side.</summary>
    public double MinRotationBaseFraction { get; init; } = 1.0 / 6;

    /// <summary>A richer motion model (rotation over translation, affine over rotation) must have at least this many more agreeing paths …</summary>
    public int RicherModelMarginPaths { get; init; } = 2;

    /// <summary>… and at least this fraction more.</summary>
    public double RicherModelMarginFraction { get; init; } = 0.2;

    /// <summary>At most this many candidate triplets seed affine hypotheses (a fixed pseudo-random sample when there are more).</summary>
    public int MaxAffineHypotheses { get; init; } = 400;

    /// <summary>Floor of a path's positional noise in the inverse-variance weights, event pixels.</summary>
    public double WeightFloorEventPx { get; init; } = 0.2;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option outside its range.</summary>
    public void Validate()
    {
        OptionRange.CheckAboveMin(nameof(InlierFloorPx), InlierFloorPx, 0, 1000);
        if (!(InlierFractionOfLength >= 0 && InlierFractionOfLength < 1))
            throw new ArgumentOutOfRangeException(nameof(InlierFractionOfLength), InlierFractionOfLength, $"InlierFractionOfLength must be in [0, 1), got {InlierFractionOfLength}");
        OptionRange.Check(nameof(RotationThresholdPx), RotationThresholdPx, 0, 1e6);
        if (!(MinRotationBaseFraction > 0 && MinRotationBaseFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(MinRotationBaseFraction), MinRotationBaseFraction, $"MinRotationBaseFraction must be in (0, 1), got {MinRotationBaseFraction}");
        OptionRange.Check(nameof(RicherModelMarginPaths), RicherModelMarginPaths, 0, 1e6);
        OptionRange.Check(nameof(RicherModelMarginFraction), RicherModelMarginFraction, 0, 10);
        OptionRange.Check(nameof(MaxAffineHypotheses), MaxAffineHypotheses, 0, 1e7);
        OptionRange.CheckAboveMin(nameof(WeightFloorEventPx), WeightFloorEventPx, 0, 1000);
    }
}
