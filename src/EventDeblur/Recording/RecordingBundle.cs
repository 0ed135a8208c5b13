using EventDeblur.Events;
using EventDeblur.Formats.Aedat;

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
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary><c>true</c> when the frames are the APS frames inside the event file.</summary>
    public bool IsApsBundle => Manifest.Rgb == null;

    /// <summary>Loads and validates the bundle in <paramref name="folder"/>.</summary>
    /// <exception cref="BundleException">The bundle cannot be used (no manifest, invalid manifest, missing event file, escaping path).</exception>
    public static RecordingBundle Load(string folder)
    {
        string root = Path.GetFullPath(folder);
        string manifestPath = Path.Combine(root, "recording.json");
        if (!File.Exists(manifestPath)) throw new BundleException($"{root}: not a recording bundle (no recording.json)");
        var manifest = RecordingManifest.Parse(File.ReadAllText(manifestPath), manifestPath);
        string eventsPath = BundlePaths.Resolve(root, root, manifest.Events.File, manifestPath);
        if (!File.Exists(eventsPath)) throw new BundleException($"{manifestPath}: events.file '{manifest.Events.File}' does not exist");

        var problems = new List<string>();
        var bundle = new RecordingBundle(root, manifest, eventsPath);
        try
        {
            using var reader = AedatReader.Open(eventsPath, new AedatReaderOptions { DecodeFrames = false });
            var info = reader.Info;
            bundle.EventSensorSize = info.Width > 0 ? (info.Width, info.Height) : (manifest.Events.Width, manifest.Events.Height);
            if (info.Width > 0 && (info.Width != manifest.Events.Width || info.Height != manifest.Events.Height))
                problems.Add($"{manifestPath}: events size {manifest.Events.Width}×{manifest.Events.Height} disagrees with the event file's {info.Width}×{info.Height}; the file wins");
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
            bundle.Frames = FrameImageCheck.Filter(FrameTable.Read(csv, root, problems), manifest.Rgb, csv, problems);
            if (manifest.Sync.Source == "table") CheckClockOffset(bundle.Frames, manifest.Sync.ClockOffsetUs, manifestPath, csv);
        }
        if (manifest.GroundTruth is { } gt)
        {
            if (gt.Frames != null)
            {
                string csv = BundlePaths.Resolve(root, root, gt.Frames, manifestPath);
                var rows = FrameTable.Read(csv, root, problems);
                bundle.GroundTruthFrames = manifest.Rgb != null ? FrameImageCheck.Filter(rows, manifest.Rgb, csv, problems) : rows;
            }
            if (gt.Kernels != null)
            {
                string k = BundlePaths.Resolve(root, root, gt.Kernels, manifestPath);
                if (Directory.Exists(k)) bundle.GroundTruthKernelsDir = k;
                else problems.Add($"{manifestPath}: ground_truth.kernels folder '{gt.Kernels}' does not exist");
            }
        }
        bundle.Problems = problems;
        return bundle;
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
        using var reader = AedatReader.Open(EventsPath);
        while (reader.TryRead(out var p))
        {
            if (p is FramePacket fp)
                windows.Add((index++, fp.Frame.Exposure));
            else if (p is EventsPacket ep)
                ep.Events.Dispose();
        }
        return windows;
    }
}
