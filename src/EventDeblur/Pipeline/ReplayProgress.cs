using EventDeblur.Pipeline.Output;

namespace EventDeblur.Pipeline;

/// <summary>Where a replay stands after writing a frame.</summary>
/// <param name="Done">Frames written so far in this run.</param>
/// <param name="Total">Frames this run has to write (known once ingest has read the frame table; 0 before).</param>
/// <param name="EventsIngested">Events read so far for the written frames (exposure windows plus margins).</param>
/// <param name="ElapsedSeconds">Seconds since the stages started.</param>
/// <param name="Last">The frame just written.</param>
/// <param name="Kept">Frames an earlier run completed that this one keeps (<c>--resume</c>), counted in <paramref name="Total"/>.</param>
public sealed record ReplayProgress(int Done, int Total, long EventsIngested, double ElapsedSeconds, FrameResult Last, int Kept = 0)
{
    /// <summary>Events per second of wall-clock time so far.</summary>
    public double EventsPerSecond => ElapsedSeconds > 0 ? EventsIngested / ElapsedSeconds : 0;

    /// <summary>Estimated seconds to go, from the mean time per frame so far.</summary>
    public double EtaSeconds => Done > 0 && Total > Kept + Done ? ElapsedSeconds / Done * (Total - Kept - Done) : 0;

    /// <summary>One plain line: frame count, the last frame's outcome and metrics, throughput and ETA.</summary>
    public override string ToString() =>
        $"frame {Kept + Done}/{Total} index {Last.Index}: {Last.Status}{(Last.Error != null ? $" ({Last.Error})" : "")}" +
        $"{(Last.Psnr is double p ? $", PSNR {p:F2} dB (blurry {Last.PsnrBlurry:F2})" : "")}{(Last.KernelSimilarity is double ks ? $", kernel similarity {ks:F3}" : "")}" +
        $", {Last.SecondsTotal:F2} s, {EventsPerSecond / 1e3:F0} k events/s, ETA {EtaSeconds:F0} s";
}
