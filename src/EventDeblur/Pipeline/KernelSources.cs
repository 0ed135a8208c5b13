using EventDeblur.Kernels;

namespace EventDeblur.Pipeline;

/// <summary>Provides the kernels of a frame (from ground truth, or estimated from events).</summary>
public interface IKernelSource
{
    /// <summary>Name written to the outputs, e.g. <c>gt</c> or <c>events</c>.</summary>
    string Name { get; }

    /// <summary>Fills <see cref="FrameWork.Kernels"/> (and the diagnostics) for <paramref name="frame"/>.</summary>
    void Estimate(FrameWork frame);
}

/// <summary>Reads the bundle's ground-truth kernels (isolates the deconvolver in evaluations).</summary>
public sealed class GroundTruthKernelSource : IKernelSource
{
    /// <inheritdoc />
    public string Name => "gt";

    /// <inheritdoc />
    public void Estimate(FrameWork frame)
    {
        if (frame.GroundTruthKernelsPath is not { } path || !File.Exists(path))
            throw new InvalidOperationException($"frame {frame.Index}: no ground-truth kernel file ({frame.GroundTruthKernelsPath ?? "bundle has no gt/kernels"})");
        frame.Kernels = KernelCsv.Read(path);
        frame.KernelSource = "gt";
        frame.KernelConfidence = 1;
    }
}

/// <summary>No blur assumed (a 1×1 kernel): pairs with the <c>none</c> deconvolver for the blurry reference.</summary>
public sealed class IdentityKernelSource : IKernelSource
{
    /// <inheritdoc />
    public string Name => "identity";

    /// <inheritdoc />
    public void Estimate(FrameWork frame)
    {
        frame.Kernels = [new KernelTile(0, 0, frame.Blurry!.Width, frame.Blurry.Height, BlurKernel.Delta)];
        frame.KernelSource = "identity";
    }
}
