using EventDeblur.Deconvolution;

namespace EventDeblur.Pipeline;

/// <summary>Options of a replay run.</summary>
public sealed record ReplayOptions
{
    /// <summary>Deconvolver name (<c>robust</c>, the default; <c>wiener</c>, <c>rl</c>, <c>hl</c>, <c>none</c>, <c>learned</c> when registered, or <c>edi</c>: the event-only EDI baseline for APS frames).</summary>
    public string Deconvolver { get; init; } = "robust";

    /// <summary>The deconvolver's rung of the quality ladder (<c>--quality</c>; deconvolvers without rungs ignore it).</summary>
    public DeconvolutionQuality Quality { get; init; } = DeconvolutionQuality.Balanced;

    /// <summary>Skip frames whose outputs are already complete.</summary>
    public bool Resume { get; init; }

    /// <summary>Stop at the first failing frame instead of reporting it and going on.</summary>
    public bool FailFast { get; init; }

    /// <summary>Capacity of each bounded channel between stages (frames).</summary>
    public int ChannelCapacity { get; init; } = 2;

    /// <summary>Events kept before and after each exposure, µs.</summary>
    public long EventMarginUs { get; init; } = 10_000;

    /// <summary>Frames deconvolved at once (each also uses the tile/channel parallelism of <see cref="Deblur"/>).</summary>
    public int DeconvolveWorkers { get; init; } = 1;

    /// <summary>Tiling and parallelism of the deconvolution.</summary>
    public DeblurOptions Deblur { get; init; } = new();
}
