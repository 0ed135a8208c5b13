using System.Diagnostics;
using EventDeblur.Pipeline.Output;
using OpenCvSharp;

namespace EventDeblur.Pipeline;

/// <summary>The last stage of replay and live: writes a frame's outputs, scores it, and records its result.</summary>
public static class FrameFinisher
{
    /// <summary>
    /// Scores the frame against ground truth, writes its PNG and kernels (unless it already failed), and records its
    /// <see cref="FrameResult"/> (after <paramref name="amend"/>, e.g. live latency). A failure here fails the frame with
    /// its cause and the run goes on; a failed frame leaves no final-named PNG or kernels (an earlier run's are removed).
    /// </summary>
    public static FrameResult Finish(RunWriter writer, FrameWork f, Func<FrameResult, FrameResult>? amend = null)
    {
        var sw = Stopwatch.StartNew();
        var score = FrameScore.None;
        if (f.Error == null)
        {
            // Scored first: a frame whose ground truth cannot be read fails before any of its files is written.
            string step = "scoring against ground truth";
            try
            {
                var truth = FrameScorer.ReadGroundTruth(f);
                score = FrameScorer.Score(f, truth);
                step = "writing outputs";
                writer.WriteImages(f.Index, f.Sharp!, f.Encoding!, f.Kernels!);
                writer.RecordInputs(f.Index, f.ImagePath, f.GroundTruthPath);
                PreviewWriter.WriteFrame(writer.OutDir, f.Index, f.Blurry!, f.Sharp!, truth);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenCVException or FormatException or ArgumentException)
            {
                f.Error = $"{step}: {e.Message}";
                score = FrameScore.None;
            }
        }
        if (f.Error != null)
        {
            try { writer.Discard(f.Index); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                f.Error += $" (and its earlier outputs cannot be removed: {e.Message})";
            }
        }
        f.Times.Write = sw.Elapsed.TotalSeconds;
        var r = new FrameResult
        {
            Index = f.Index,
            Status = f.Error == null ? "ok" : "failed",
            Error = f.Error,
            ExposureStartUs = f.Exposure?.StartUs,
            ExposureEndUs = f.Exposure?.EndUs,
            SecondsIngest = f.Times.Ingest,
            SecondsKernels = f.Times.Kernels,
            SecondsDeconvolve = f.Times.Deconvolve,
            SecondsWrite = f.Times.Write,
            SecondsTotal = f.Times.Total,
            Streaks = f.Streaks,
            Kernels = f.Kernels?.Count ?? 0,
            EventsUsed = f.EventsUsed,
            EventsInWindow = f.EventsSeen ?? f.Events.Count,
            Diagnostics = [.. f.Diagnostics.Select(FrameDiagnostic.Parse)],
            KernelSource = f.KernelSource,
            KernelConfidence = f.KernelConfidence,
            Psnr = score.Psnr,
            Ssim = score.Ssim,
            PsnrBlurry = score.PsnrBlurry,
            SsimBlurry = score.SsimBlurry,
            KernelSimilarity = score.KernelSimilarity,
            PsnrSaturationBand = score.PsnrSaturationBand,
            PsnrSaturationBandBlurry = score.PsnrSaturationBandBlurry,
            Quality = f.Sharp != null ? f.Quality : null,
            GuardTiles = f.Guard is { Calls: > 0 } g ? g.Tiles : null,
            GuardFallbackTiles = f.Guard is { Calls: > 0 } gf ? gf.FellBack : null,
            GuardInputTiles = f.Guard is { Calls: > 0 } gi ? gi.Input : null,
        };
        if (amend != null) r = amend(r);
        writer.Complete(r);
        return r;
    }
}
