using System.Buffers.Binary;
using EventDeblur.Imaging;
using EventDeblur.IO;

namespace EventDeblur.Recording;

/// <summary>
/// Checks each RGB frame file's PNG header against what the manifest declares, before any pixel is
/// decoded: the bit depth (8-bit when <c>rgb.white_level</c> ≤ 255, else 16-bit; none when the white level is a float
/// frame's, below 2 or not whole), no alpha channel,
/// one channel layout (grey or colour) for the whole bundle, the size the manifest states, and a
/// closing IEND chunk (a file cut short would fail only when decoded). A frame that breaks the rules is a
/// per-frame problem and is left out, and so is an empty file or one that is no image at all. An OpenEXR frame's header
/// is checked the same way (size, channels, what <see cref="OpenExr"/> decodes); other image formats (e.g. TIFF) are left
/// to the image decoder.
/// </summary>
public static class FrameImageCheck
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>What a PNG header declares.</summary>
    /// <param name="Width">Width in pixels.</param>
    /// <param name="Height">Height in pixels.</param>
    /// <param name="BitDepth">Bits per sample as stored (palette images: bits per index).</param>
    /// <param name="Channels">Channels after decoding: 1 grey, 2 grey + alpha, 3 colour (palette too), 4 colour + alpha.</param>
    /// <param name="IhdrCrcOk">Whether the IHDR chunk passes its CRC-32 check; when not, the other fields may be garbage (a damaged file).</param>
    public readonly record struct PngHeader(int Width, int Height, int BitDepth, int Channels, bool IhdrCrcOk = true)
    {
        /// <summary>Bits per sample after decoding (palette images decode to 8-bit colour).</summary>
        public int DecodedBitDepth => BitDepth == 16 ? 16 : 8;

        /// <summary><c>true</c> when the image has an alpha channel.</summary>
        public bool HasAlpha => Channels is 2 or 4;
    }

    /// <summary>Reads the IHDR chunk of <paramref name="path"/>; <c>null</c> when the file is not a PNG or cannot be read.</summary>
    public static PngHeader? ReadPngHeader(string path)
    {
        Span<byte> head = stackalloc byte[33];
        int got;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            got = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got < 26) return null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        if (!head[..8].SequenceEqual(PngSignature) || !head.Slice(12, 4).SequenceEqual("IHDR"u8)) return null;
        int channels = head[25] switch { 0 => 1, 2 => 3, 3 => 3, 4 => 2, 6 => 4, _ => 0 };
        // IHDR is 13 bytes of data: its CRC-32 (over type and data) follows at byte 29.
        bool crcOk = got < 33 || BinaryPrimitives.ReadInt32BigEndian(head[8..]) != 13
            || System.IO.Hashing.Crc32.HashToUInt32(head[12..29]) == BinaryPrimitives.ReadUInt32BigEndian(head[29..]);
        return new PngHeader(BinaryPrimitives.ReadInt32BigEndian(head[16..]), BinaryPrimitives.ReadInt32BigEndian(head[20..]), head[24], channels, crcOk);
    }

    /// <summary>
    /// <c>true</c> when <paramref name="path"/> ends with a PNG's closing <c>IEND</c> chunk (within its last 64 bytes, so
    /// that a few trailing bytes are tolerated); <c>false</c> for a file cut short, whose pixels cannot all be decoded.
    /// </summary>
    public static bool HasPngEnd(string path)
    {
        Span<byte> tail = stackalloc byte[64];
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            int n = (int)Math.Min(tail.Length, fs.Length);
            fs.Seek(-n, SeekOrigin.End);
            tail = tail[..fs.ReadAtLeast(tail[..n], n, throwOnEndOfStream: false)];
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
        return tail.IndexOf("IEND"u8) >= 0;
    }

    /// <summary>
    /// Reads each PNG frame of <paramref name="rows"/> whole and checks its chunks (lengths, CRC-32, IHDR first, IEND
    /// last: <see cref="PngStructure.FindFault"/>); one problem per corrupt file, naming the file, the frame, the chunk
    /// and its byte offset. This reads every byte of every frame (what <c>inspect</c> does); a replay makes the same
    /// check on each frame as it decodes it. Missing and non-PNG files are left to the other checks.
    /// </summary>
    public static List<Problem> CheckPngChunks(IEnumerable<FrameRow> rows, string csvPath)
    {
        var problems = new List<Problem>();
        var capped = new CappedProblems(problems, csvPath);
        foreach (var row in rows)
        {
            // A PNG cut inside its header (under 26 bytes) has no header to read but is still a PNG to check.
            if (ReadPngHeader(row.File) is null && !StartsLikePng(row.File)) continue;
            try
            {
                long length = new FileInfo(row.File).Length;
                if (length > LinearImage.MaxFileBytes) continue; // refused by the decoder with its own message
                if (PngStructure.FindFault(File.ReadAllBytes(row.File)) is { } fault)
                    capped.Add(Problem.FromMessage(row.File, $"{row.File}: {fault}; frame {row.Index} (listed in {csvPath})"));
            }
            catch (IOException e) { capped.Add(Problem.Error(row.File, ProblemLocation.AtFrame(row.Index), $"cannot be read (listed in {csvPath}): {e.Message}")); }
            catch (UnauthorizedAccessException e) { capped.Add(Problem.Error(row.File, ProblemLocation.AtFrame(row.Index), $"cannot be read (listed in {csvPath}): {e.Message}")); }
        }
        capped.Finish();
        return problems;
    }

    /// <summary>
    /// Keeps the rows whose PNG frame matches <paramref name="rgb"/> (bit depth from
    /// <see cref="RgbSpec.WhiteLevel"/>; size <see cref="RgbSpec.Width"/> × <see cref="RgbSpec.Height"/> when both are
    /// stated (non-zero); no alpha; the same channel count as the first good frame; not cut short before its IEND chunk);
    /// every other row is reported in <paramref name="problems"/> naming the file and what was
    /// expected and found, and left out; so is an empty file (0 bytes: a FIFO or device reads so too, and is never opened)
    /// and one whose first bytes are no image format OpenCV decodes. Missing files and other image formats are kept
    /// (reported elsewhere or decoded by OpenCV).
    /// </summary>
    /// <param name="rows">The frame table's rows.</param>
    /// <param name="rgb">What the frames must be (for APS ground truth: 16-bit, the event sensor's size).</param>
    /// <param name="csvPath">The frame table, for the messages.</param>
    /// <param name="problems">Receives one problem per row left out.</param>
    /// <param name="apsGroundTruth">The rows are an APS bundle's ground-truth frames: the messages cite that rule, not rgb fields.</param>
    /// <param name="groundTruth">The rows are ground-truth frames (implied by <paramref name="apsGroundTruth"/>): a rejected one is said to cost its frame's metrics, not the frame.</param>
    public static IReadOnlyList<FrameRow> Filter(IReadOnlyList<FrameRow> rows, RgbSpec rgb, string csvPath, List<Problem> problems, bool apsGroundTruth = false, bool groundTruth = false)
    {
        // A ground-truth table's row costs its frame's metrics only, not the frame (stop 39's trial read "frame skipped" as the RGB frame).
        groundTruth |= apsGroundTruth;
        string skipped = groundTruth ? "ground-truth frame skipped (the frame is still deblurred; it gets no metrics)" : "frame skipped";
        int expectedDepth = rgb.WhiteLevel <= 255 ? 8 : 16;
        int? channels = null;
        var kept = new List<FrameRow>(rows.Count);
        var capped = new CappedProblems(problems, csvPath);
        foreach (var row in rows)
        {
            // An empty file is no image; a FIFO or a device also reads as 0 bytes, and opening one could block for ever.
            var info = new FileInfo(row.File);
            if (info.Exists && info.Length == 0)
            {
                capped.Add(Problem.Error(row.File, ProblemLocation.AtFrame(row.Index), $"reads as 0 bytes (an empty file, or a FIFO or device, which is not opened), not an image (listed in {csvPath}); {skipped}"));
                continue;
            }
            if (ReadPngHeader(row.File) is not { } png)
            {
                if (info.Exists && OpenExr.IsExr(row.File))
                {
                    // OpenEXR: its header is checked here as a PNG's is (the pixels are decoded later, by OpenExr.Decode).
                    string? bad = null;
                    try
                    {
                        var exr = OpenExr.ReadHeader(row.File);
                        if (apsGroundTruth)
                            bad = "an OpenEXR frame, expected a 16-bit PNG: an APS frame's ground truth holds DN × 257 in a 16-bit PNG (RECORDING_FORMAT.md)";
                        else if (channels is int ec && exr.FrameChannels != ec)
                            bad = $"an OpenEXR frame of {exr.FrameChannels} channel{(exr.FrameChannels == 1 ? "" : "s")} ({exr.SelectedNames}), expected {ec} like the bundle's first frame";
                        else if (rgb.Width > 0 && rgb.Height > 0 && (exr.Width != rgb.Width || exr.Height != rgb.Height))
                            bad = $"a {exr.Width}×{exr.Height} OpenEXR frame (its display window), expected {rgb.Width}×{rgb.Height} (rgb.width × rgb.height in recording.json)";
                        else channels ??= exr.FrameChannels;
                    }
                    catch (IOException e) { bad = e.Message.StartsWith(row.File + ": ", StringComparison.Ordinal) ? e.Message[(row.File.Length + 2)..] : e.Message; }
                    catch (UnauthorizedAccessException e) { bad = e.Message; }
                    if (bad != null)
                    {
                        capped.Add(Problem.Error(row.File, ProblemLocation.AtFrame(row.Index), $"{bad} (listed in {csvPath}); {skipped}"));
                        continue;
                    }
                    kept.Add(row);
                    continue;
                }
                if (info.Exists && !LinearImage.HasImageSignature(row.File))
                {
                    capped.Add(Problem.Error(row.File, ProblemLocation.AtFrame(row.Index),
                        $"not an image: neither a PNG nor a format OpenCV decodes ({info.Length:N0} bytes; listed in {csvPath}); {skipped}"));
                    continue;
                }
                kept.Add(row);
                continue;
            }
            string? wrong = null;
            if (!png.IhdrCrcOk)
                wrong = "a damaged PNG: its IHDR chunk (size, bit depth, colour type) fails its CRC-32 check at byte 29, so none of it can be trusted; not decoded";
            else if ((long)png.Width * png.Height > RecordingManifest.MaxFramePixels || png.Width <= 0 || png.Height <= 0)
                wrong = $"a {png.Width}×{png.Height} PNG ({(long)png.Width * png.Height:N0} pixels), over the limit of {RecordingManifest.MaxFramePixels:N0} pixels per frame (RecordingManifest.MaxFramePixels); not decoded";
            else if (png.Channels == 0)
                wrong = "a PNG colour type this reader does not decode";
            else if (!apsGroundTruth && (rgb.WhiteLevel < 2 || rgb.WhiteLevel != Math.Floor(rgb.WhiteLevel)))
                wrong = $"{(png.DecodedBitDepth == 8 ? "an" : "a")} {png.DecodedBitDepth}-bit PNG, but rgb.white_level {rgb.WhiteLevel} is a floating-point frame's level (below 2 or not whole): a PNG holds integers, so these frames must be float TIFF or OpenEXR in the same units as the others";
            else if (!apsGroundTruth && rgb.WhiteLevel > 65535)
                // A PNG sample is at most 65535: with white_level above it no pixel can reach white (1e308 replayed as
                // 100 dB for every frame, blurry too: every value was ~0 after normalisation).
                wrong = $"{(png.DecodedBitDepth == 8 ? "an" : "a")} {png.DecodedBitDepth}-bit PNG, but rgb.white_level {rgb.WhiteLevel} is above 65535, the most a PNG sample holds: no pixel could reach white (8-bit frames: at most 255, 16-bit: 65535; float TIFF or OpenEXR frames take any level)";
            else if (png.DecodedBitDepth != expectedDepth)
                wrong = apsGroundTruth
                    ? $"{(png.DecodedBitDepth == 8 ? "an" : "a")} {png.DecodedBitDepth}-bit PNG, expected 16-bit: an APS frame's ground truth holds DN × 257 in a 16-bit PNG (RECORDING_FORMAT.md)"
                    : $"{(png.DecodedBitDepth == 8 ? "an" : "a")} {png.DecodedBitDepth}-bit PNG, expected {expectedDepth}-bit (rgb.white_level {rgb.WhiteLevel})";
            else if (png.HasAlpha)
                wrong = $"a PNG with an alpha channel ({png.Channels} channels), expected grey (1) or colour (3) without alpha";
            else if (channels is int c && png.Channels != c)
                wrong = $"a {png.Channels}-channel PNG, expected {c} channels like the bundle's first frame";
            else if (rgb.Width > 0 && rgb.Height > 0 && (png.Width != rgb.Width || png.Height != rgb.Height))
                wrong = $"a {png.Width}×{png.Height} PNG, expected {rgb.Width}×{rgb.Height} ({(apsGroundTruth ? "the event sensor's size, which the APS frames have" : "rgb.width × rgb.height in recording.json")})";
            else if (!HasPngEnd(row.File))
                wrong = $"a PNG cut short: its {new FileInfo(row.File).Length} bytes end without the closing IEND chunk (a truncated copy?)";
            if (wrong != null)
            {
                capped.Add(Problem.Error(row.File, ProblemLocation.AtFrame(row.Index), $"{wrong} (listed in {csvPath}); {skipped}"));
                continue;
            }
            channels ??= png.Channels;
            kept.Add(row);
        }
        capped.Finish();
        return kept;
    }

    /// <summary>Whether <paramref name="path"/> begins with the PNG signature (a file that reads as 0 bytes is not opened).</summary>
    private static bool StartsLikePng(string path)
    {
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length == 0) return false;
            Span<byte> head = stackalloc byte[8];
            using var fs = File.OpenRead(path);
            return fs.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && PngStructure.IsPng(head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
