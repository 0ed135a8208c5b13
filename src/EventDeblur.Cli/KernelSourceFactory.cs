using EventDeblur.Pipeline;

namespace EventDeblur.Cli;

/// <summary>Builds the event-based kernel source with its default options.</summary>
internal static class KernelSourceFactory
{
    public static IKernelSource FromEvents() => throw new NotSupportedException("event-based kernel estimation is not available yet; use --kernels gt");
}
