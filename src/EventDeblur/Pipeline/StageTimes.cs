namespace EventDeblur.Pipeline;

/// <summary>Seconds spent per stage on one frame.</summary>
public sealed class StageTimes
{
    /// <summary>Reading the frame and its events, s.</summary>
    public double Ingest { get; set; }

    /// <summary>Streak detection and kernel estimation, s.</summary>
    public double Kernels { get; set; }

    /// <summary>Deconvolution, s.</summary>
    public double Deconvolve { get; set; }

    /// <summary>Metrics and writing, s.</summary>
    public double Write { get; set; }

    /// <summary>Sum of the stages, s.</summary>
    public double Total => Ingest + Kernels + Deconvolve + Write;
}
