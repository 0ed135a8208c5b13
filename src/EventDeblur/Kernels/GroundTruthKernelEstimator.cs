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
        return new KernelEstimate(KernelCsv.Read(path), SourceName, 1, 0, 0, []);
    }
}
