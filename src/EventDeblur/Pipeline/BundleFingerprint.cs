using System.Security.Cryptography;
using EventDeblur.Recording;

namespace EventDeblur.Pipeline;

/// <summary>
/// A fingerprint of what a replay reads from a bundle besides the pixels: the manifest (recording.json), the frame
/// tables it names (RGB and ground truth) and the event file's size (for an event file replayed directly: its path, size
/// and first MiB). Written to run.json; <c>--resume</c> refuses a
/// folder whose fingerprint differs, so a bundle edited or regenerated since is not mixed with the old outputs.
/// </summary>
public static class BundleFingerprint
{
    /// <summary>Lower-case hexadecimal SHA-256 over those inputs (64 characters).</summary>
    /// <exception cref="IOException">A file named by the manifest cannot be read.</exception>
    public static string Of(RecordingBundle bundle)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string label, ReadOnlySpan<byte> bytes)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{label}:{bytes.Length}:"));
            sha.AppendData(bytes);
        }
        if (bundle.IsImplied)
        {
            // An event file replayed directly: the frames come from the file itself, so its name, size and first MiB
            // (the header and the first packets) stand for the manifest and frame tables.
            Add("implied.events", System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(bundle.EventsPath)));
            Add("events.size", BitConverter.GetBytes(new FileInfo(bundle.EventsPath).Length));
            using var head = File.OpenRead(bundle.EventsPath);
            var buffer = new byte[(int)Math.Min(head.Length, 1 << 20)];
            head.ReadExactly(buffer);
            Add("events.head", buffer);
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        // The bytes the bundle was loaded from (not read again: what was parsed is what is fingerprinted).
        foreach (string label in new[] { RecordingBundle.ManifestDescription, RecordingBundle.RgbFramesDescription, RecordingBundle.GroundTruthFramesDescription })
            if (bundle.Descriptions.TryGetValue(label, out var bytes)) Add(label, bytes);
        Add("events.size", BitConverter.GetBytes(new FileInfo(bundle.EventsPath).Length));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Lower-case hexadecimal SHA-256 over the bundle's ground-truth kernel tables (every <c>*.csv</c> in
    /// <see cref="RecordingBundle.GroundTruthKernelsDir"/>, by name in ordinal order: name, length and bytes), which set the
    /// frames' kernel similarity and, with <c>--kernels gt</c>, their kernels; null for a bundle without them. Kept apart
    /// from <see cref="Of"/> so that runs written before it was recorded stay resumable (stop 55's review: a bundle
    /// simulated again with finer truth tiles was resumed into the old folder, its earlier frames scored against the old truth).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be listed.</exception>
    public static string? OfGroundTruthKernels(RecordingBundle bundle)
    {
        if (bundle.GroundTruthKernelsDir is not { } dir) return null;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.GetFiles(dir, "*.csv").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
        foreach (string name in files)
        {
            // A table no frame may use (a dangling link, one without read permission) does not stop the run here: it
            // counts as unreadable, and a frame that needs it fails with its own reason (review 56).
            byte[] bytes;
            try { bytes = File.ReadAllBytes(Path.Combine(dir, name)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name}:unreadable:")); continue; }
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name}:{bytes.Length}:"));
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
