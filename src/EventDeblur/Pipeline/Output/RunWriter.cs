using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// Owns a run folder's per-frame outputs (RECORDING_FORMAT.md, "What a run writes"): <c>frames/NNNNNN.png</c>
/// (and, for floating-point inputs, <c>frames/NNNNNN.exr</c>), <c>kernels/NNNNNN.csv</c> and the <c>.progress/NNNNNN.json</c> record whose presence marks a frame complete
/// for <c>--resume</c>. Every file is written atomically. The results of this run are kept in memory; only
/// frames completed by earlier runs are read back from their progress records.
/// </summary>
public sealed class RunWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };
    private readonly Dictionary<long, FrameResult> _written = [];
    // SHA-256 of each frame's PNG, kernel CSV and (float inputs) EXR as written, kept in its progress record: --resume checks them.
    private readonly Dictionary<long, (string Png, string Csv, string? Exr)> _hashes = [];
    private const string HashesKey = "output_sha256";
    // SHA-256 of each frame's input image and ground truth as read, kept in its progress record: --resume checks them.
    private readonly Dictionary<long, (string? Image, string? Truth)> _inputs = [];
    private const string InputHashesKey = "input_sha256";
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
    /// True when an earlier run completed frame <paramref name="index"/>: its progress record says <c>ok</c>, and its PNG
    /// and kernels exist with the SHA-256 the record holds (a file damaged or replaced since is redone; records written
    /// before the hashes were kept are trusted). A failed frame is not complete (<c>--resume</c> retries it).
    /// </summary>
    public bool IsComplete(long index)
    {
        string png = Path.Combine(OutDir, "frames", Stem(index) + ".png"), csv = Path.Combine(OutDir, "kernels", Stem(index) + ".csv");
        if (!File.Exists(png) || !File.Exists(csv)) return false;
        string progress = Path.Combine(ProgressDir, Stem(index) + ".json");
        if (ReadProgress(progress)?.Status != "ok") return false;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(progress))?[HashesKey] is not JsonObject h) return true;
            string exr = Path.Combine(OutDir, "frames", Stem(index) + ".exr");
            if (h["exr"] is JsonNode e && (!File.Exists(exr) || (string?)e != Sha256Of(File.ReadAllBytes(exr)))) return false;
            return (string?)h["png"] == Sha256Of(File.ReadAllBytes(png)) && (string?)h["csv"] == Sha256Of(File.ReadAllBytes(csv));
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// <see cref="IsComplete(long)"/>, and the input image <paramref name="imagePath"/> and ground truth
    /// <paramref name="truthPath"/> (null: none) still have the SHA-256 the frame's progress record holds: a frame whose
    /// input was replaced since its run is redone by <c>--resume</c> (records written before stop 42 hold no such hashes
    /// and are trusted).
    /// </summary>
    public bool IsCompleteFor(long index, string? imagePath, string? truthPath)
    {
        if (!IsComplete(index)) return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(Path.Combine(ProgressDir, Stem(index) + ".json")))?[InputHashesKey] is not JsonObject inputs
                || (SameInput(inputs["image"], imagePath) && SameInput(inputs["truth"], truthPath));
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Whether the input file <paramref name="path"/> still has the recorded hash (none recorded: nothing to check; a hash recorded for a file now gone: no).</summary>
    private static bool SameInput(JsonNode? recorded, string? path)
    {
        if (recorded is null) return true;
        return path != null && File.Exists(path) && (string?)recorded == Sha256OfFile(path);
    }

    private static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>
    /// Remembers the SHA-256 of the input image and ground-truth files frame <paramref name="index"/> was made from (null:
    /// none, e.g. an APS frame decoded from the event file), for its progress record: <c>--resume</c> redoes the frame when
    /// either has changed. A file that cannot be read is simply not recorded.
    /// </summary>
    public void RecordInputs(long index, string? imagePath, string? truthPath)
    {
        string? Hash(string? path)
        {
            if (path == null) return null;
            try { return Sha256OfFile(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
        var inputs = (Hash(imagePath), Hash(truthPath));
        lock (_gate) _inputs[index] = inputs;
    }

    private static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>Removes the frame's PNG and kernels, if any (a failed frame leaves no final-named output, even an earlier run's).</summary>
    /// <exception cref="IOException">A file exists but cannot be removed.</exception>
    public void Discard(long index)
    {
        DeleteIfPresent(Path.Combine(OutDir, "frames", Stem(index) + ".png"));
        DeleteIfPresent(Path.Combine(OutDir, "frames", Stem(index) + ".exr"));
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

    /// <summary>
    /// Writes the deblurred frame (raw values in the input's encoding and depth) and its kernels. A floating-point input
    /// (<see cref="LinearImage.FloatDepth"/>: float TIFF or OpenEXR), which a PNG cannot hold, also gets
    /// <c>frames/NNNNNN.exr</c>: FLOAT channels in the input's own units, HDR values above the white level kept.
    /// </summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    /// <exception cref="OpenCVException">The image cannot be encoded.</exception>
    public void WriteImages(long index, LinearImage sharp, LinearImage.Encoding encoding, IReadOnlyList<KernelTile> kernels)
    {
        byte[] png;
        using (var raw = sharp.ToRaw(encoding))
        {
            Cv2.ImEncode(".png", raw, out png);
            AtomicFile.WriteAllBytes(Path.Combine(OutDir, "frames", Stem(index) + ".png"), png);
        }
        string? exrHash = null;
        string exr = Path.Combine(OutDir, "frames", Stem(index) + ".exr");
        if (encoding.Depth == LinearImage.FloatDepth)
        {
            OpenExr.Write(exr, sharp.ToInputUnits(encoding), sharp.Width, sharp.Height);
            exrHash = Sha256Of(File.ReadAllBytes(exr));
        }
        else DeleteIfPresent(exr);
        string csv = Path.Combine(OutDir, "kernels", Stem(index) + ".csv");
        KernelCsv.Write(csv, kernels);
        var hashes = (Sha256Of(png), Sha256Of(File.ReadAllBytes(csv)), exrHash);
        lock (_gate) _hashes[index] = hashes;
    }

    /// <summary>Records the frame's result; written last, so its presence marks the frame complete for <c>--resume</c>.</summary>
    public void Complete(FrameResult result)
    {
        var record = JsonSerializer.SerializeToNode(result, JsonOptions)!.AsObject();
        bool hashed;
        (string Png, string Csv, string? Exr) h;
        lock (_gate) hashed = _hashes.Remove(result.Index, out h);
        if (hashed && result.Status == "ok")
        {
            var hashes = new JsonObject { ["png"] = h.Png, ["csv"] = h.Csv };
            if (h.Exr != null) hashes["exr"] = h.Exr;
            record[HashesKey] = hashes;
        }
        bool recorded;
        (string? Image, string? Truth) inputs;
        lock (_gate) recorded = _inputs.Remove(result.Index, out inputs);
        if (recorded && result.Status == "ok" && (inputs.Image != null || inputs.Truth != null))
        {
            var node = new JsonObject();
            if (inputs.Image != null) node["image"] = inputs.Image;
            if (inputs.Truth != null) node["truth"] = inputs.Truth;
            record[InputHashesKey] = node;
        }
        AtomicFile.WriteAllText(Path.Combine(ProgressDir, Stem(result.Index) + ".json"), record.ToJsonString(JsonOptions));
        lock (_gate) _written[result.Index] = result;
    }

    /// <summary>Every frame result of the folder in index order: this run's from memory, earlier runs' from their progress records.</summary>
    public List<FrameResult> Results()
    {
        Dictionary<long, FrameResult> all;
        lock (_gate) all = new(_written);
        foreach (var r in ReadProgressRecords(OutDir)) all.TryAdd(r.Index, r);
        return all.Values.OrderBy(r => r.Index).ToList();
    }

    /// <summary>
    /// The frame results a run folder's progress records hold (<c>.progress/NNNNNN.json</c>, one per finished frame), in
    /// index order, without creating anything: what a run killed before it wrote frames.parquet had finished. Empty when
    /// there are none.
    /// </summary>
    public static List<FrameResult> ReadProgressRecords(string runDir)
    {
        string dir = Path.Combine(runDir, ".progress");
        if (!Directory.Exists(dir)) return [];
        var all = new Dictionary<long, FrameResult>();
        foreach (var file in Directory.GetFiles(dir, "*.json"))
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), out _) && ReadProgress(file) is { } r) all.TryAdd(r.Index, r);
        return all.Values.OrderBy(r => r.Index).ToList();
    }

    private static FrameResult? ReadProgress(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<FrameResult>(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }
}
