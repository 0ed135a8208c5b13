using EventDeblur.Deconvolution;
using EventDeblur.Methods;

namespace EventDeblur.Pipeline;

/// <summary>Options of a replay run.</summary>
public sealed record ReplayOptions
{
    /// <summary>The process's method catalogue: <see cref="Deconvolver"/> is looked up in it.</summary>
    public required MethodCatalogue Methods { get; init; }

    /// <summary>
    /// The <c>--deconvolver</c> value, one of <see cref="MethodCatalogue.RestorationNames"/> of <see cref="Methods"/>: a deconvolver
    /// (<c>robust</c>, the default; <c>wiener</c>, <c>rl</c>, <c>hl</c>, <c>none</c>, <c>learned</c> when the catalogue has it) or
    /// <c>edi</c>, the event-only EDI baseline for APS frames.
    /// </summary>
    public string Deconvolver { get; init; } = "robust";

    /// <summary>The deconvolver's rung of the quality ladder (<c>--quality</c>; deconvolvers without rungs ignore it).</summary>
    public DeconvolutionQuality Quality { get; init; } = DeconvolutionQuality.Balanced;

    /// <summary>
    /// Continue the earlier run in the output folder: its frames completed <c>ok</c> are kept, failed and missing ones are
    /// redone. Refused (<see cref="IO.UserInputException"/>) when that run replayed another bundle, or the same one since
    /// changed, or used another method or options.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>Write into an output folder that is not empty and not a replay run's (its files named like a run's outputs are replaced).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// The event camera latency the kernel estimator was given, µs (any value; 0 by default): recorded in run.json
    /// (<c>options.event_latency_us</c>) so that <c>--resume</c> can check it. The estimator itself is configured by the caller.
    /// </summary>
    public long EventLatencyUs { get; init; }

    /// <summary>
    /// Whether <see cref="EventLatencyUs"/> was found by a scan of the windows (<c>--event-latency-us auto</c>): recorded in
    /// run.json as <c>options.event_latency_auto</c> (only when true), so that <c>--resume</c> asks for <c>auto</c> again
    /// and the command that finishes a cancelled run names it.
    /// </summary>
    public bool EventLatencyAuto { get; init; }

    /// <summary>Stop at the first failing frame instead of reporting it and going on.</summary>
    public bool FailFast { get; init; }

    /// <summary>Capacity of each bounded channel between stages (frames).</summary>
    public int ChannelCapacity { get; init; } = 2;

    /// <summary>
    /// While the run works, frames.parquet is rewritten with the frames finished so far at most this often, seconds (≥ 0;
    /// default 10; 0: after every frame), run.json saying "running" until the run ends.
    /// </summary>
    public double CheckpointSeconds { get; init; } = 10;

    /// <summary>Events kept before and after each exposure, µs.</summary>
    public long EventMarginUs { get; init; } = 10_000;

    /// <summary>Frames deconvolved at once (each also uses the tile/channel parallelism of <see cref="Deblur"/>).</summary>
    public int DeconvolveWorkers { get; init; } = 1;

    /// <summary>Tiling and parallelism of the deconvolution; null (the default): those of the quality rung, <see cref="DeblurOptions.ForQuality"/>.</summary>
    public DeblurOptions? Deblur { get; init; }

    /// <summary>
    /// The learned deconvolver's ONNX model that runs (full path: the CLI's <c>--model</c>, or the shipped model — its int8 version at the fast rung on the CPU), recorded in run.json's
    /// options as <c>model</c> so that <see cref="Resume"/> refuses a folder made with another model; null (not recorded)
    /// for deconvolvers that use none.
    /// </summary>
    public string? Model { get; init; }

    /// <summary>
    /// Where the learned deconvolver runs (<c>auto</c>, <c>cpu</c> or <c>cuda</c>, the CLI's <c>--device</c>), recorded as
    /// <c>device</c> and compared by <see cref="Resume"/> (CUDA and CPU results differ in the last bits); null for others.
    /// </summary>
    public string? Device { get; init; }
}
