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
}
