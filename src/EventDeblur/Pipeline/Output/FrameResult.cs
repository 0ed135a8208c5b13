using System.Text.Json.Serialization;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// One row of <c>frames.parquet</c>: what happened to a frame, with timings and quality. The record is the file's row
/// itself — its properties in the file's column order, named by their <c>JsonPropertyName</c> — and also the frame's
/// progress record (JSON) in a run folder. Its <see cref="Diagnostics"/> list compares by reference: compare rows by
/// their JSON when the notes matter.
/// </summary>
public sealed record FrameResult
{
    /// <summary>Frame index.</summary>
    [JsonPropertyName("index")] public long Index { get; init; }

    /// <summary>
    /// <c>ok</c> or <c>failed</c>, the two values of RECORDING_FORMAT.md's contract; a live frame that was not deblurred
    /// (<see cref="Dropped"/>) is <c>failed</c>, with the reason in <see cref="Error"/>.
    /// </summary>
    [JsonPropertyName("status")] public string Status { get; init; } = "ok";

    /// <summary>
    /// Live runs: true for a frame dropped before it was processed (pipeline behind, no exposure, run ended first; its
    /// <see cref="Status"/> is <c>failed</c>), false for the others; null in replays. Runs before this column wrote the
    /// status <c>dropped</c> instead, which <see cref="FramesParquet.ReadAsync"/> reads as this.
    /// </summary>
    [JsonPropertyName("dropped")] public bool? Dropped { get; init; }

    /// <summary>Why it failed; null when ok.</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }

    /// <summary>The written frame relative to the run folder (<c>frames/NNNNNN.png</c>, <see cref="FramesParquet.OutputFileOf"/>) when <see cref="Status"/> is <c>ok</c>; null otherwise. Set when frames.parquet is written.</summary>
    [JsonPropertyName("output_file")] public string? OutputFile { get; init; }

    /// <summary>Start of the frame's exposure on the event clock, µs (inclusive); null when it has none.</summary>
    [JsonPropertyName("exposure_start_us")] public long? ExposureStartUs { get; init; }

    /// <summary>End of the frame's exposure on the event clock, µs (exclusive); null when it has none.</summary>
    [JsonPropertyName("exposure_end_us")] public long? ExposureEndUs { get; init; }

    /// <summary>Seconds reading the frame and its events.</summary>
    [JsonPropertyName("seconds_ingest")] public double SecondsIngest { get; init; }

    /// <summary>Seconds estimating kernels.</summary>
    [JsonPropertyName("seconds_kernels")] public double SecondsKernels { get; init; }

    /// <summary>Seconds deconvolving.</summary>
    [JsonPropertyName("seconds_deconvolve")] public double SecondsDeconvolve { get; init; }

    /// <summary>Seconds computing metrics and writing.</summary>
    [JsonPropertyName("seconds_write")] public double SecondsWrite { get; init; }

    /// <summary>Sum of the stage seconds.</summary>
    [JsonPropertyName("seconds_total")] public double SecondsTotal { get; init; }

    /// <summary>Kernel estimate confidence in [0, 1].</summary>
    [JsonPropertyName("kernel_confidence")] public double KernelConfidence { get; init; }

    /// <summary>Light streaks used for the kernels.</summary>
    [JsonPropertyName("streaks")] public long Streaks { get; init; }

    /// <summary>Kernel tiles used.</summary>
    [JsonPropertyName("kernels")] public long Kernels { get; init; }

    /// <summary>Events used by the kernel estimator.</summary>
    [JsonPropertyName("events_used")] public long EventsUsed { get; init; }

    /// <summary>Events ingested for the frame: its exposure window plus margins.</summary>
    [JsonPropertyName("events_window")] public long EventsInWindow { get; init; }

    /// <summary>Where the kernels came from.</summary>
    [JsonPropertyName("kernel_source")] public string KernelSource { get; init; } = "";

    /// <summary>The kernel estimator's notes as records (streaks rejected and why, per-streak fits, models rejected); empty when none. The <c>diagnostics</c> list of frames.parquet.</summary>
    [JsonPropertyName("diagnostics")] public List<FrameDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>PSNR of the deblurred frame against ground truth, dB (METRICS.md); null without ground truth.</summary>
    [JsonPropertyName("psnr")] public double? Psnr { get; init; }

    /// <summary>SSIM against ground truth; null without ground truth.</summary>
    [JsonPropertyName("ssim")] public double? Ssim { get; init; }

    /// <summary>Area-weighted kernel similarity against ground-truth kernels; null without them.</summary>
    [JsonPropertyName("kernel_similarity")] public double? KernelSimilarity { get; init; }

    /// <summary>PSNR of the blurry input against ground truth, dB.</summary>
    [JsonPropertyName("psnr_blurry")] public double? PsnrBlurry { get; init; }

    /// <summary>SSIM of the blurry input against ground truth.</summary>
    [JsonPropertyName("ssim_blurry")] public double? SsimBlurry { get; init; }

    /// <summary>PSNR within 15 px of saturated pixels (ringing around lights), dB; null without ground truth or saturation.</summary>
    [JsonPropertyName("psnr_sat_band")] public double? PsnrSaturationBand { get; init; }

    /// <summary>The same band PSNR of the blurry input, dB.</summary>
    [JsonPropertyName("psnr_sat_band_blurry")] public double? PsnrSaturationBandBlurry { get; init; }

    /// <summary>
    /// Live runs: seconds from the exposure's end at the source (its time on the event clock, mapped to the wall clock by
    /// the events' arrivals at the source's measured pace; see <c>EventClock</c>) to the frame written.
    /// </summary>
    [JsonPropertyName("latency_s")] public double? LatencySeconds { get; init; }

    /// <summary>
    /// Live runs: frames waiting behind this one when its deconvolution started — what <c>--quality auto</c> chose its
    /// rung by (<c>fast</c> when &gt; 0) — or, for a frame that failed before it, when it was written.
    /// </summary>
    [JsonPropertyName("backlog_frames")] public long? BacklogFrames { get; init; }

    /// <summary>
    /// The deconvolver's quality rung this frame was deblurred at (<c>fast</c>, <c>balanced</c>, <c>best</c>): the run's
    /// <c>--quality</c> in a replay; in a live run with <c>--quality auto</c>, the rung chosen from the backlog. Null when
    /// the frame was not deconvolved.
    /// </summary>
    [JsonPropertyName("quality")] public string? Quality { get; init; }

    /// <summary>Tiles the do-no-harm guard judged in this frame, over every channel and blur region (≥ 0); null when the deconvolver has no guard.</summary>
    [JsonPropertyName("guard_tiles")] public int? GuardTiles { get; init; }

    /// <summary>Of <see cref="GuardTiles"/>, those that fell back (to the gentler setting or to the input); null when the deconvolver has no guard.</summary>
    [JsonPropertyName("guard_fallback_tiles")] public int? GuardFallbackTiles { get; init; }

    /// <summary>Of <see cref="GuardFallbackTiles"/>, those that fell back all the way to the blurry input; null when the deconvolver has no guard.</summary>
    [JsonPropertyName("guard_input_tiles")] public int? GuardInputTiles { get; init; }
}
