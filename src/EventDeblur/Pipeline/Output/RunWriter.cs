using System.Text.Json;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// Owns a run folder's per-frame outputs (RECORDING_FORMAT.md, "What a run writes"): <c>frames/NNNNNN.png</c>,
/// <c>kernels/NNNNNN.csv</c> and the <c>.progress/NNNNNN.json</c> record whose presence marks a frame complete
/// for <c>--resume</c>. Every file is written atomically. The results of this run are kept in memory; only
/// frames completed by earlier runs are read back from their progress records.
/// </summary>
public sealed class RunWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };
    private readonly Dictionary<long, FrameResult> _written = [];
    private readonly object _gate = new();

    /// <summary>Creates the run folder's sub-folders.</summary>
    public RunWriter(string outDir)
    {
        OutDir = outDir;
        Directory.CreateDirectory(Path.Combine(outDir, "frames"));
        Directory.CreateDirectory(Path.Combine(outDir, "kernels"));
        Directory.CreateDirectory(ProgressDir);
    }

    /// <summary>The run folder.</summary>
    public string OutDir { get; }

    private string ProgressDir => Path.Combine(OutDir, ".progress");

    private static string Stem(long index) => $"{index:D6}";

    /// <summary>
    /// True when an earlier run completed frame <paramref name="index"/>: its progress record says <c>ok</c> and its PNG
    /// and kernels exist. A failed frame is not complete (<c>--resume</c> retries it).
    /// </summary>
    public bool IsComplete(long index) =>
        File.Exists(Path.Combine(OutDir, "frames", Stem(index) + ".png")) &&
        File.Exists(Path.Combine(OutDir, "kernels", Stem(index) + ".csv")) &&
        ReadProgress(Path.Combine(ProgressDir, Stem(index) + ".json"))?.Status == "ok";

    /// <summary>Removes the frame's PNG and kernels, if any (a failed frame leaves no final-named output, even an earlier run's).</summary>
    /// <exception cref="IOException">A file exists but cannot be removed.</exception>
    public void Discard(long index)
    {
        DeleteIfPresent(Path.Combine(OutDir, "frames", Stem(index) + ".png"));
        DeleteIfPresent(Path.Combine(OutDir, "kernels", Stem(index) + ".csv"));
        DeleteIfPresent(Path.Combine(OutDir, PreviewWriter.PreviewFileOf(index)));
        DeleteIfPresent(Path.Combine(OutDir, PreviewWriter.CompareFileOf(index)));
    }

    /// <summary>Deletes a file; a missing file or a missing folder (e.g. <c>preview/</c> before any frame succeeded) is nothing to remove.</summary>
    private static void DeleteIfPresent(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { /* its folder was never made: nothing to remove */ }
    }

    /// <summary>Writes the deblurred frame (raw values in the input's encoding and depth) and its kernels.</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    /// <exception cref="OpenCVException">The image cannot be encoded.</exception>
    public void WriteImages(long index, LinearImage sharp, LinearImage.Encoding encoding, IReadOnlyList<KernelTile> kernels)
    {
        using (var raw = sharp.ToRaw(encoding))
        {
            Cv2.ImEncode(".png", raw, out byte[] png);
            AtomicFile.WriteAllBytes(Path.Combine(OutDir, "frames", Stem(index) + ".png"), png);
        }
        KernelCsv.Write(Path.Combine(OutDir, "kernels", Stem(index) + ".csv"), kernels);
    }

    /// <summary>Records the frame's result; written last, so its presence marks the frame complete for <c>--resume</c>.</summary>
    public void Complete(FrameResult result)
    {
        AtomicFile.WriteAllText(Path.Combine(ProgressDir, Stem(result.Index) + ".json"), JsonSerializer.Serialize(result, JsonOptions));
        lock (_gate) _written[result.Index] = result;
    }

    /// <summary>Every frame result of the folder in index order: this run's from memory, earlier runs' from their progress records.</summary>
    public List<FrameResult> Results()
    {
        Dictionary<long, FrameResult> all;
        lock (_gate) all = new(_written);
        foreach (var file in Directory.GetFiles(ProgressDir, "*.json"))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(file), out long index) || all.ContainsKey(index)) continue;
            if (ReadProgress(file) is { } r) all.TryAdd(r.Index, r);
        }
        return all.Values.OrderBy(r => r.Index).ToList();
    }

    private static FrameResult? ReadProgress(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<FrameResult>(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }
}
