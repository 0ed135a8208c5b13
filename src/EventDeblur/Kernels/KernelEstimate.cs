namespace EventDeblur.Kernels;

/// <summary>What a kernel estimator found for one frame.</summary>
/// <param name="Tiles">Kernels per tile, covering the frame.</param>
/// <param name="Source">Where the kernels came from, written to the outputs (e.g. <c>gt</c>, <c>events:streaks</c>, <c>events:texture</c>).</param>
/// <param name="Confidence">Confidence of the estimate in [0, 1].</param>
/// <param name="Streaks">Light streaks used.</param>
/// <param name="EventsUsed">Events used.</param>
/// <param name="Diagnostics">Notes for people: streaks rejected and why, per-streak fits, models rejected.</param>
public sealed record KernelEstimate(IReadOnlyList<KernelTile> Tiles, string Source, double Confidence, int Streaks, long EventsUsed, IReadOnlyList<string> Diagnostics);
