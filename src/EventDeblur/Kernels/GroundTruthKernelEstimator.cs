namespace EventDeblur.Kernels;

/// <summary>Reads the bundle's ground-truth kernels (isolates the deconvolver in evaluations).</summary>
public sealed class GroundTruthKernelEstimator : IKernelEstimator
{
    /// <inheritdoc />
    public string Name => "gt";

    /// <inheritdoc />
    public KernelEstimate Estimate(KernelRequest request)
    {
        if (request.GroundTruthKernelsPath is not { } path || !File.Exists(path))
            throw new InvalidOperationException($"frame {request.Index}: no ground-truth kernel file ({request.GroundTruthKernelsPath ?? "bundle has no gt/kernels"})");
        return new KernelEstimate(KernelCsv.Read(path), "gt", 1, 0, 0, []);
    }
}
