namespace EventDeblur.Kernels;

/// <summary>Reads the bundle's ground-truth kernels (isolates the deconvolver in evaluations).</summary>
public sealed class GroundTruthKernelEstimator : IKernelEstimator
{
    /// <summary>The name and kernel source of ground-truth kernels.</summary>
    public const string SourceName = "gt";

    /// <inheritdoc />
    public string Name => SourceName;

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        if (request.GroundTruthKernelsPath is not { } path || !File.Exists(path))
            throw new InvalidOperationException($"frame {request.Index}: no ground-truth kernel file ({request.GroundTruthKernelsPath ?? "bundle has no gt/kernels"})");
        var tiles = KernelCsv.Read(path);
        // Tiles that leave pixels without a kernel (or give some two) would be deconvolved as if that were the truth.
        if (KernelCsv.CoverageProblem(tiles, request.Blurry.Width, request.Blurry.Height) is { } wrong)
            throw new FormatException($"{path}: {wrong}");
        return new KernelEstimate(tiles, SourceName, 1, 0, 0, []);
    }
}
