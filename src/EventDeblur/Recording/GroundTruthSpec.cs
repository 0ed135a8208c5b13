namespace EventDeblur.Recording;

/// <summary>Optional ground truth.</summary>
/// <param name="Frames">frames.csv of sharp frames, relative to the bundle, or null.</param>
/// <param name="Kernels">Folder of per-frame kernel CSVs, relative to the bundle, or null.</param>
public sealed record GroundTruthSpec(string? Frames, string? Kernels);
