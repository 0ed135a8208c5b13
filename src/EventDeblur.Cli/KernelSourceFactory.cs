using EventDeblur.Pipeline;

namespace EventDeblur.Cli;

/// <summary>Builds the event-based kernel source with its default options.</summary>
internal static class KernelSourceFactory
{
    public static IKernelSource FromEvents() => new EventDeblur.Kernels.EventKernelEstimator();
}
