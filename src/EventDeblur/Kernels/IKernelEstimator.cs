namespace EventDeblur.Kernels;

/// <summary>Provides the blur kernels of a frame (from ground truth, from events, or from the image alone).</summary>
public interface IKernelEstimator
{
    /// <summary>Name written to the outputs (<c>run.json</c> <c>options.kernels</c>), e.g. <c>gt</c> or <c>events</c>.</summary>
    string Name { get; }

    /// <summary>Estimates the kernels of one frame.</summary>
    /// <exception cref="InvalidOperationException">The request lacks what this estimator needs (the message says what).</exception>
    KernelEstimate Estimate(KernelRequest request);
}
