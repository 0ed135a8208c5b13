namespace EventDeblur.Live;

/// <summary>Options of a live run.</summary>
public sealed record LiveOptions
{
    /// <summary>Events stream, <c>tcp://HOST:PORT</c>.</summary>
    public required string EventsUri { get; init; }

    /// <summary>Triggers stream, <c>tcp://HOST:PORT</c>.</summary>
    public required string TriggersUri { get; init; }

    /// <summary>OpenCV VideoCapture source: a device number, a URL or a file.</summary>
    public required string RgbSource { get; init; }

    /// <summary>Rig manifest (recording.json) with the calibration and the RGB encoding of the video.</summary>
    public required string RigPath { get; init; }

    /// <summary>Output folder.</summary>
    public required string OutDir { get; init; }

    /// <summary>Write into an output folder that is not empty and not a live run's (its files named like a run's outputs are replaced).</summary>
    public bool Force { get; init; }

    /// <summary>Stop after this many seconds (null: when the RGB source ends and every frame is done).</summary>
    public double? DurationS { get; init; }

    /// <summary>The process's method catalogue: <see cref="Deconvolver"/> is looked up in it.</summary>
    public required EventDeblur.Methods.MethodCatalogue Methods { get; init; }

    /// <summary>Deconvolver name, one of <see cref="EventDeblur.Methods.MethodCatalogue.DeconvolverNames"/> of <see cref="Methods"/>.</summary>
    public string Deconvolver { get; init; } = "robust";

    /// <summary>The deconvolver's rung of the quality ladder (<c>--quality</c>; deconvolvers without rungs ignore it).</summary>
    public EventDeblur.Deconvolution.DeconvolutionQuality Quality { get; init; } = EventDeblur.Deconvolution.DeconvolutionQuality.Balanced;

    /// <summary>
    /// Whether the rung follows the backlog (<c>--quality auto</c>, the CLI's default for live): a frame is deconvolved at
    /// <see cref="Quality"/> when no other frame waits behind it, and at <c>fast</c> when one does, so a rig that outpaces
    /// the machine for a while loses iterations before it loses frames. Each frame's rung is in <c>frames.parquet</c>
    /// (column <c>quality</c>).
    /// </summary>
    public bool AdaptiveQuality { get; init; }

    /// <summary>
    /// The event camera's latency, µs (the same value the kernel estimator is given): a frame's events are collected from
    /// its exposure shifted by it, ± <see cref="EventMarginUs"/>, and the frame waits until the stream has passed that window.
    /// </summary>
    public long EventLatencyUs { get; init; }

    /// <summary>
    /// The RGB camera's exposure output is active-low: a falling edge on the external input starts an exposure and the
    /// next rising edge ends it (<c>--trigger-polarity low</c>, as <c>bundle</c> takes it). False (the default): rising = start.
    /// </summary>
    public bool TriggerActiveLow { get; init; }

    /// <summary>Events kept after each exposure before it is processed, µs.</summary>
    public long EventMarginUs { get; init; } = 10_000;

    /// <summary>Frames waiting for kernels at most; older ones are dropped (and counted) when the pipeline falls behind.</summary>
    public int MaxPendingFrames { get; init; } = 4;

    /// <summary>
    /// RGB frames held while they wait for their exposure's events, at most (1..10 000; each 640×480 frame is ≈ 3.7 MB). A
    /// camera delivers frames in real time, so only the frames of the last event latency wait; an RGB source read faster
    /// than real time (a video or an image sequence) is read no further ahead than this, instead of into memory whole.
    /// </summary>
    public int MaxWaitingFrames { get; init; } = 32;

    /// <summary>Events held in memory at most; the oldest are dropped (and counted) beyond it.</summary>
    public int MaxBufferedEvents { get; init; } = 20_000_000;

    /// <summary>
    /// Events of each processed frame's exposure window (event clock, shifted by <see cref="EventLatencyUs"/>, no margins)
    /// kept in <c>OUT/events/NNNNNN.parquet</c> at most (the report shows them); beyond it an even subsample, every k-th
    /// event, is kept and reported as a problem. 0 keeps none.
    /// </summary>
    public int MaxKeptEventsPerFrame { get; init; } = EventDeblur.Pipeline.Output.FrameEventsFile.DefaultMaxEvents;

    /// <summary>How long to wait for a stream that has ended before finishing, seconds.</summary>
    public double StreamEndGraceS { get; init; } = 3;

    /// <summary>
    /// Seconds both streams may stay connected and silent while frames wait for them before the silence is said (a line
    /// on the console) and recorded as a gap of the run (<see cref="StreamGap.Silent"/>), whether data comes again or the
    /// silence outlasts <see cref="StreamEndGraceS"/> / <see cref="StreamLostGraceS"/> and ends the waiting (default 5).
    /// </summary>
    public double StallReportS { get; init; } = 5;

    /// <summary>
    /// Once the RGB source has ended, how long a stream may stay down (disconnected, nothing received) before it counts
    /// as gone, seconds (default 20): the frames still waiting for its events are then finished with the events that
    /// arrived, and the run ends, instead of waiting for a source that closed for good (e.g. <c>serve</c> when its
    /// recording is over). While the RGB source runs, frames wait through any outage.
    /// </summary>
    public double StreamLostGraceS { get; init; } = 20;
}
