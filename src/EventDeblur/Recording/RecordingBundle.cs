using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Recording;

/// <summary>
/// A loaded and validated recording bundle (RECORDING_FORMAT.md): manifest, event file, RGB frame
/// table (or APS frames), optional ground truth. Problems that leave the bundle usable (a missing
/// frame file, a bad CSV row, a size mismatch) are listed in <see cref="Problems"/>.
/// </summary>
public sealed class RecordingBundle
{
    private RecordingBundle(string root, RecordingManifest manifest, string eventsPath)
    {
        Root = root;
        Manifest = manifest;
        EventsPath = eventsPath;
    }

    /// <summary>Key of <see cref="Descriptions"/>: recording.json.</summary>
    public const string ManifestDescription = "recording.json";

    /// <summary>Key of <see cref="Descriptions"/>: the RGB frame table.</summary>
    public const string RgbFramesDescription = "rgb.frames";

    /// <summary>Key of <see cref="Descriptions"/>: the ground-truth frame table.</summary>
    public const string GroundTruthFramesDescription = "ground_truth.frames";

    private readonly Dictionary<string, byte[]> _descriptions = [];

    /// <summary>
    /// The bytes of the files that describe the bundle (manifest, frame tables; not pixels or events) as they were read
    /// and parsed by <see cref="Load"/>, by <see cref="ManifestDescription"/> and the other keys; empty for an implied bundle.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Descriptions => _descriptions;

    /// <summary>Absolute path of the bundle folder.</summary>
    public string Root { get; }

    /// <summary>The parsed manifest.</summary>
    public RecordingManifest Manifest { get; }

    /// <summary>Absolute path of the event file.</summary>
    public string EventsPath { get; }

    /// <summary>RGB frames in file order (empty for APS bundles, whose frames are in the event file).</summary>
    public IReadOnlyList<FrameRow> Frames { get; private set; } = [];

    /// <summary>Ground-truth frames, or null.</summary>
    public IReadOnlyList<FrameRow>? GroundTruthFrames { get; private set; }

    /// <summary>Absolute path of the ground-truth kernel folder, or null.</summary>
    public string? GroundTruthKernelsDir { get; private set; }

    /// <summary>Event sensor size in pixels, from the event file where it states one.</summary>
    public (int Width, int Height) EventSensorSize { get; private set; }

    /// <summary>Usable-but-wrong findings, each naming its file (and line where there is one).</summary>
    public IReadOnlyList<Problem> Problems { get; private set; } = [];

    /// <summary>
    /// Rows of <c>rgb/frames.csv</c> that parsed but whose frame file the bundle check left out (wrong depth, size,
    /// alpha, damaged or not an image), and rows skipped for their times or file name whose index reads (since stop 48),
    /// by index, with the reason; they are not in <see cref="Frames"/>. A replay gives each a <c>failed</c> row in frames.parquet.
    /// </summary>
    public IReadOnlyDictionary<long, string> RejectedFrames { get; private set; } = new Dictionary<long, string>();

    /// <summary><c>true</c> when the frames are the APS frames inside the event file.</summary>
    public bool IsApsBundle => Manifest.Rgb == null;

    /// <summary><c>true</c> when the bundle is implied by an event file given directly (no recording.json).</summary>
    public bool IsImplied { get; private init; }

    /// <summary>
    /// Loads and validates the bundle in <paramref name="folder"/>; when <paramref name="folder"/> is a
    /// file, the bundle implied by that event file (<see cref="FromEventFile"/>).
    /// </summary>
    /// <exception cref="BundleException">The bundle cannot be used (no manifest, invalid manifest, missing event file, escaping path).</exception>
    public static RecordingBundle Load(string folder)
    {
        if (File.Exists(folder)) return FromEventFile(folder);
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root)) throw new BundleException($"{root}: no such file or folder (expected a recording bundle folder or an event file)");
        string manifestPath = Path.Combine(root, "recording.json");
        if (!File.Exists(manifestPath))
        {
            // What is there instead, when it is near: a manifest renamed or misspelt (Recording.json, recording.json.bak).
            var near = Directory.Exists(root)
                ? Directory.EnumerateFiles(root).Select(Path.GetFileName).OfType<string>()
                    .Where(f => f.Contains("recording", StringComparison.OrdinalIgnoreCase) && f.Contains("json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList()
                : [];
            throw new BundleException($"{root}: not a recording bundle (no recording.json{(near.Count > 0 ? $"; it holds {string.Join(", ", near)}: renamed?" : "")})");
        }
        byte[] manifestBytes = File.ReadAllBytes(manifestPath);
        var manifest = RecordingManifest.Parse(new StreamReader(new MemoryStream(manifestBytes, writable: false)).ReadToEnd(), manifestPath);
        string eventsPath = BundlePaths.Resolve(root, root, manifest.Events.File, manifestPath);
        if (Directory.Exists(eventsPath)) throw new BundleException($"{manifestPath}: events.file '{manifest.Events.File}' is a folder; expected the event file (AEDAT)");
        if (!File.Exists(eventsPath)) throw new BundleException($"{manifestPath}: events.file '{manifest.Events.File}' does not exist");

        var problems = new List<Problem>();
        if (manifest.NotStrictJson is { } lenient)
            problems.Add(Problem.Note(manifestPath, ProblemLocation.None, $"not strict JSON ({lenient}): read here, as comments and trailing commas are skipped, but a strict JSON reader (another tool reading RECORDING_FORMAT.md bundles) refuses it"));
        foreach (var key in manifest.UnknownKeys)
            problems.Add(Problem.Note(manifestPath, ProblemLocation.None, $"unknown key {key}: ignored (RECORDING_FORMAT.md defines the keys read)"));
        var bundle = new RecordingBundle(root, manifest, eventsPath);
        bundle._descriptions[ManifestDescription] = manifestBytes;
        try
        {
            using var reader = AedatReader.Open(eventsPath, new AedatReaderOptions { DecodeFrames = false });
            var info = reader.Info;
            bundle.EventSensorSize = info.Width > 0 ? (info.Width, info.Height) : (manifest.Events.Width, manifest.Events.Height);
            // Absent from the manifest (read as 0×0) is not a mismatch: the file states the size (stop 48's contract audit).
            if (info.Width > 0 && manifest.Events.Width == 0 && manifest.Events.Height == 0)
                problems.Add(Problem.Note(manifestPath, ProblemLocation.None, $"events.width / events.height not given: the event file's {info.Width}×{info.Height} is used"));
            else if (info.Width > 0 && (info.Width != manifest.Events.Width || info.Height != manifest.Events.Height))
                problems.Add(Problem.Error(manifestPath, $"events size {manifest.Events.Width}×{manifest.Events.Height} disagrees with the event file's {info.Width}×{info.Height}; the file wins"));
        }
        catch (AedatFormatException e)
        {
            throw new BundleException($"{manifestPath}: events.file cannot be read: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BundleException($"{manifestPath}: events.file '{manifest.Events.File}' cannot be opened: {e.Message}");
        }

        if (manifest.Rgb != null)
        {
            string csv = BundlePaths.Resolve(root, root, manifest.Rgb.Frames, manifestPath);
            byte[] table = bundle._descriptions[RgbFramesDescription] = FrameTable.ReadBytes(csv);
            var skipped = new Dictionary<long, string>();
            var listed = FrameTable.Read(csv, table, root, problems, skipped);
            int before = problems.Count;
            bundle.Frames = FrameImageCheck.Filter(listed, manifest.Rgb, csv, problems);
            // The rows the check left out, with why: a run still gives each a row (RECORDING_FORMAT.md: one per frame).
            var kept = bundle.Frames.Select(f => f.Index).ToHashSet();
            bundle.RejectedFrames = listed.Where(r => !kept.Contains(r.Index)).DistinctBy(r => r.Index)
                .ToDictionary(r => r.Index, r => problems.Skip(before).FirstOrDefault(p => p.Location.Kind == ProblemLocationKind.Frame && p.Location.Value == r.Index)?.Plain ?? "left out by the bundle check")
                .Concat(skipped).ToDictionary();
            if (manifest.Sync.Source == "table") CheckClockOffset(bundle.Frames, manifest.Sync.ClockOffsetUs, manifestPath, csv);
        }
        if (manifest.GroundTruth is { } gt)
        {
            if (gt.Frames != null)
            {
                string csv = BundlePaths.Resolve(root, root, gt.Frames, manifestPath);
                byte[] table = bundle._descriptions[GroundTruthFramesDescription] = FrameTable.ReadBytes(csv);
                var rows = FrameTable.Read(csv, table, root, problems);
                // Ground truth for a frame the RGB table does not list: a row missing from it, most likely (stop 42: not said).
                if (manifest.Rgb != null)
                {
                    var rgbIndices = bundle.Frames.Select(f => f.Index).Concat(bundle.RejectedFrames.Keys).ToHashSet();
                    var orphans = rows.Select(r => r.Index).Where(i => !rgbIndices.Contains(i)).Distinct().Order().ToList();
                    if (orphans.Count > 0)
                        problems.Add(Problem.Note(csv, ProblemLocation.AtFrame(orphans[0]), $"ground truth for frame{(orphans.Count == 1 ? "" : "s")} {string.Join(", ", orphans.Take(5))}{(orphans.Count > 5 ? $" and {orphans.Count - 5} more" : "")}, which {(orphans.Count == 1 ? "has" : "have")} no accepted row in {manifest.Rgb.Frames} (a row missing, or rejected above?): not used"));
                }
                // APS ground truth is a 16-bit PNG of DN × 257 on the event pixel grid (RECORDING_FORMAT.md): an 8-bit one was read as 257× too dark.
                bundle.GroundTruthFrames = manifest.Rgb != null
                    ? FrameImageCheck.Filter(rows, manifest.Rgb, csv, problems, groundTruth: true)
                    : FrameImageCheck.Filter(rows, new RgbSpec(gt.Frames, bundle.EventSensorSize.Width, bundle.EventSensorSize.Height, Imaging.PixelEncoding.Linear, 0, 65535, 65535), csv, problems, apsGroundTruth: true);
            }
            if (gt.Kernels != null)
            {
                string k = BundlePaths.Resolve(root, root, gt.Kernels, manifestPath);
                if (Directory.Exists(k)) bundle.GroundTruthKernelsDir = k;
                else problems.Add(Problem.Error(manifestPath, $"ground_truth.kernels folder '{gt.Kernels}' does not exist"));
            }
        }
        problems.AddRange(ConversionRecord.Notes(root));
        bundle.Problems = problems;
        return bundle;
    }

    /// <summary><c>true</c> when <paramref name="path"/> is a file that starts with an AEDAT version line (2.0, 3.1 or 4.0), whatever its extension.</summary>
    public static bool IsEventFile(string path)
    {
        if (!File.Exists(path)) return false;
        try { AedatReader.Detect(path); return true; }
        catch (AedatFormatException) { return false; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// The bundle implied by an event file that carries its own frames (an AEDAT 4.0 file with a frame
    /// stream, or a jAER AEDAT 2.0 file with APS reads): the frames are the file's APS frames, each with
    /// the exposure window stated by (AEDAT 4.0) or read from (AEDAT 2.0) the file; calibration identity
    /// (frames and events share the pixel grid); pixel values linear as the camera stores them; no
    /// ground truth. Nothing is written to disk. <see cref="Root"/> is the file's absolute path.
    /// </summary>
    /// <exception cref="BundleException">The file cannot be read, or it holds no APS frames (then a bundle is needed, e.g. for an RGB camera).</exception>
    public static RecordingBundle FromEventFile(string path)
    {
        string full = Path.GetFullPath(path);
        if (Formats.Prophesee.PropheseeReader.IsPropheseeFile(full))
            throw new BundleException($"{full}: a Prophesee event file carries no frames of its own; make a bundle with its RGB frames ('bundle --events {ToolCommand.Word(Path.GetFileName(full))} --rgb FRAMES …', README \"Your own recording\")");
        (int Width, int Height) size;
        string camera;
        bool hasFrame = false;
        try
        {
            using var reader = AedatReader.Open(full, new AedatReaderOptions { DecodeFrames = true });
            size = (reader.Info.Width, reader.Info.Height);
            camera = reader.Info.Camera;
            // Up to the first complete frame only: the replay walks the file itself (and reports its problems). Frames are
            // looked for even when the file declares no frame stream: a damaged infoNode declares none, and the packets
            // still say what they hold (inspect counted the frames and said the file replays directly; replay refused).
            bool declared = reader.Info.Streams.Any(s => s.Kind == AedatStreamKind.Frames);
            while (!hasFrame && reader.TryRead(out var p))
            {
                if (p is FramePacket fp)
                {
                    hasFrame = true;
                    // A DAVIS APS frame spans the sensor: the size of a file that states none (a damaged header).
                    if (size.Width <= 0 || size.Height <= 0) size = (fp.Frame.PositionX + fp.Frame.Width, fp.Frame.PositionY + fp.Frame.Height);
                }
                else if (p is EventsPacket ep) ep.Events.Dispose();
            }
            if (!hasFrame && !declared)
                throw new BundleException($"{full}: the file declares no frame stream and holds no APS frame; replaying an event file directly needs APS frames inside it (an AEDAT 4.0 file with frames or a jAER AEDAT 2.0 file with APS reads); for an RGB camera make a bundle (recording.json, RECORDING_FORMAT.md)");
        }
        catch (AedatFormatException e)
        {
            throw new BundleException($"{full}: neither a bundle folder nor a readable event file: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BundleException($"{full}: cannot be read: {e.Message}");
        }
        if (!hasFrame)
            throw new BundleException($"{full}: holds no complete APS frame (expected frames with exposure times: the camera recorded none, or they are damaged — 'inspect' counts its frames and lists any problems); replaying an event file directly needs its own frames; to deblur RGB frames with these events, make a bundle of both ('bundle --events {ToolCommand.Word(Path.GetFileName(full))} --rgb FRAMES …', README \"Your own recording\")");
        if (size.Width <= 0 || size.Height <= 0)
            throw new BundleException($"{full}: the sensor size is not stated in the file (expected it in the header); make a bundle that states events.width and events.height");
        var manifest = new RecordingManifest
        {
            Events = new EventsSpec(Path.GetFileName(full), size.Width, size.Height, camera),
            Rgb = null,
            Sync = new SyncSpec("aps", 0),
            RgbToEventsHomography = [1, 0, 0, 0, 1, 0, 0, 0, 1],
        };
        return new RecordingBundle(full, manifest, full) { EventSensorSize = size, IsImplied = true };
    }

    /// <summary>Every frames.csv time plus the clock offset must stay a valid µs count (checked arithmetic).</summary>
    private static void CheckClockOffset(IReadOnlyList<FrameRow> frames, long offsetUs, string manifestPath, string csvPath)
    {
        foreach (var f in frames)
        {
            foreach (long t in (ReadOnlySpan<long>)[f.ExposureStartUs, f.ExposureEndUs])
            {
                try { _ = checked(t + offsetUs); }
                catch (OverflowException)
                {
                    throw new BundleException($"{manifestPath}: sync.clock_offset_us {offsetUs} overflows when added to frame {f.Index}'s time {t} µs ({csvPath}): expected a sum within ±9223372036854775807 µs; fix the offset");
                }
            }
        }
    }

    /// <summary>
    /// APS bundles: every frame's index (numbered from <c>aps_first_index</c>) and exposure window on the
    /// event clock, µs (end-exclusive), read from the frames in the event file; empty for RGB bundles.
    /// </summary>
    public IReadOnlyList<(long Index, TimeRangeUs Exposure)> ApsExposures()
    {
        var windows = new List<(long, TimeRangeUs)>();
        if (!IsApsBundle) return windows;
        long index = Manifest.ApsFirstIndex;
        // AEDAT 2.0 frames are assembled from the event words, so they are scanned; other formats step over event packets.
        using var reader = AedatReader.Open(EventsPath, new AedatReaderOptions { DecodeEvents = false });
        while (reader.TryRead(out var p))
        {
            if (p is FramePacket fp)
                windows.Add((index++, fp.Frame.Exposure));
            // A frame the reader found damaged keeps its index (its row fails with the reason), so the later ones keep theirs.
            else if (p is SkippedFramePacket sp)
                windows.Add((index++, sp.Exposure));
        }
        return windows;
    }
}
