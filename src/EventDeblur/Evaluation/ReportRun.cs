using EventDeblur.Pipeline.Output;

namespace EventDeblur.Evaluation;

/// <summary>A run folder as the report shows it: where it is, its run.json and its frames.parquet rows.</summary>
/// <param name="Dir">The run folder.</param>
/// <param name="Manifest">Its run.json.</param>
/// <param name="Frames">Its frames.parquet rows, in index order.</param>
public sealed record ReportRun(string Dir, RunManifest Manifest, IReadOnlyList<FrameResult> Frames)
{
    /// <summary>The bundle's folder name, or <c>live</c> for a live run.</summary>
    public string Bundle => Manifest.InputBundle is { } b ? Path.GetFileName(b.TrimEnd('/')) : "live";

    /// <summary>Reads run.json and frames.parquet of <paramref name="dir"/>; a run that ended before writing frames.parquet (killed, or a live run that got no frame) has no frames.</summary>
    /// <exception cref="IOException">run.json is missing or unreadable, or frames.parquet is unreadable (the message names the file).</exception>
    public static async Task<ReportRun> ReadAsync(string dir)
    {
        var manifest = RunManifest.Read(dir);
        string parquet = Path.Combine(dir, "frames.parquet");
        // A run killed before its frames.parquet: the frames it finished are in their progress records.
        var frames = File.Exists(parquet) ? await FramesParquet.ReadAsync(parquet) : manifest.Status != "completed" ? RunWriter.ReadProgressRecords(dir) : [];
        return new ReportRun(dir, manifest, frames.OrderBy(f => f.Index).ToList());
    }
}
