using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.IO;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur inspect PATH [--json]</c>: summary of an AEDAT file or a recording bundle.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "An AEDAT 2.0/3.1/4.0 file, a Prophesee RAW (EVT 2.0/3.0) or DAT file, an HDF5 event file (DSEC or h5_tools layout), or a recording bundle folder" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var noHash = new Option<bool>("--no-hash") { Description = "Skip the canonical SHA-256 of the events (sha256 null): every event is still decoded, checked and counted, in about half the time on a large file" };
        var eventStream = new Option<int?>("--event-stream") { Description = "AEDAT 4.0 files with several event streams: the id of the one to read (default: the first whose packets hold events; the others are named in notes)" };
        var cmd = new Command("inspect", "Decode a recording once and summarise it (counts, time range, hash, problems)") { path, json, noHash, eventStream };
        cmd.SetAction(r => Run(r.GetValue(path)!, r.GetValue(json), !r.GetValue(noHash), r.GetValue(eventStream)));
        return cmd;
    }

    // With the hash, this thread hashes in event order while the read-ahead thread decodes: both cores are busy, and
    // AEDAT 4.0's decompression thread would only take time from the hash (measured: 0.36 -> 0.39 s on the 20 M-event
    // file). Without it, this thread only counts, and the decompression thread shares the walk's work.
    private static AedatReaderOptions ReaderOptions(bool hash, int? eventStream = null) =>
        new() { Limits = hash ? new ReaderLimits { DecompressAheadPackets = 0 } : ReaderLimits.Default, EventStreamId = eventStream };

    private static int Run(string path, bool json, bool hash, int? eventStream)
    {
        try
        {
            if (Directory.Exists(path))
            {
                // A folder of bundles or a Blur-DVS-style dataset: what to run instead (as replay says it).
                if (ReplayCommand.NotABundleHint(path, "inspect") is { } notABundle) throw new UserInputException(notABundle);
                return InspectBundle(path, json, hash);
            }
            // A dangling symbolic link counts as an existing file to File.Exists: named as what it is.
            if (new FileInfo(path) is { LinkTarget: { } target } link && link.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
                return Fail(json, path, $"{path}: a symbolic link to {target}, which does not exist");
            if (!File.Exists(path))
                return Fail(json, path, $"{path}: no such file or folder");
            if (NotAnEventFileHint(path) is { } hint) return Fail(json, path, hint);
            using var reader = EventFile.Open(path, ReaderOptions(hash, eventStream));
            if (eventStream != null && reader is not Aedat4Reader)
                Console.Error.WriteLine($"note: --event-stream applies to AEDAT 4.0 files; {path} has one event stream, which is read");
            var summary = AedatSummary.Compute(reader, hash);
            var obj = ToJson(summary);
            // An event file with complete APS frames is replayable directly (the implied bundle).
            // AEDAT 3.1 (cAER) too: replay had taken such files directly while inspect said nothing (stop 47's trial).
            // Not a file whose frames replay would fail: mosaics it cannot demosaic (a jAER colour chip, white-pixel filters).
            bool implied = summary.FrameCount > 0 && summary.Info.Version is AedatVersion.Aedat2 or AedatVersion.Aedat31 or AedatVersion.Aedat4
                           && !summary.MosaicFilters.Any(f => EventDeblur.Formats.Aedat.ApsMosaic.Layout(f) == null);
            obj["implied_bundle"] = implied;
            if (json) Console.WriteLine(obj.ToJsonString(EventDeblur.IO.JsonText.Readable));
            else
            {
                PrintText(summary);
                if (implied) Console.WriteLine($"bundle:    implied: {summary.FrameCount} APS frames with their exposure windows, identity calibration, no ground truth ('replay {path} --out OUT' works directly)");
            }
            return summary.HasErrors ? ExitCodes.DataProblems : ExitCodes.Success;
        }
        // Every user-actionable error (an event file that cannot be opened, a bundle that cannot be used) with the
        // CLI's one mapping to exit codes; in JSON as in text.
        catch (UserInputException e)
        {
            return Fail(json, path, e.Message, ExitCodes.CodeOf(e), (e as AedatFormatException)?.Problem);
        }
        // A path the system will not open (a symbolic-link loop, no read permission): said in JSON too, not only as text.
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string why = e.Message.Replace($" : '{path}'", "").Replace($": '{path}'", "").Replace($" '{path}'", "");
            return Fail(json, path, $"{path}: cannot be opened ({why.TrimEnd('.')})");
        }
    }

    /// <summary>A natural slip — a bundle's own files, or a Parquet export, given where an event file is expected — named for what it is.</summary>
    private static string? NotAnEventFileHint(string path)
    {
        string name = Path.GetFileName(path), dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        if (name.Equals("recording.json", StringComparison.OrdinalIgnoreCase))
            return $"{path}: a bundle's manifest, not an event file; inspect the bundle folder: 'inspect {dir}'";
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".csv")
            return $"{path}: a CSV table, not an event file; to check a bundle's frame table, inspect the bundle folder (the one holding recording.json)";
        if (ext == ".parquet")
            return $"{path}: a Parquet file (e.g. written by 'convert' or a run), not an event file; read it with DuckDB or pandas, or inspect the event file it came from (its 'source_file' metadata)";
        return null;
    }

    private static int InspectBundle(string dir, bool json, bool hash)
    {
        var bundle = RecordingBundle.Load(dir);
        AedatSummary summary;
        using (var reader = AedatReader.Open(bundle.EventsPath, ReaderOptions(hash))) summary = AedatSummary.Compute(reader, hash);
        var obj = ToJson(summary);
        var windows = bundle.ResolveExposures();
        var found = new List<Problem>(bundle.Problems);
        found.AddRange(windows.Problems);
        // A bundle with no frame passes every other check, yet replay has nothing to do (and exits 1): say so here.
        if (windows.Windows.Count == 0)
            found.Add(Problem.Error(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None, bundle.Manifest.Rgb is { } noRows
                ? $"no frame to deblur: {noRows.Frames} has no usable row (expected one row per RGB frame after its header)"
                : "no frame to deblur: 'rgb' is absent, so the frames are the event file's APS frames, and it holds none (for an RGB camera, add its frames as 'rgb' in recording.json, RECORDING_FORMAT.md)"));
        // A window outside the events' time range gets no event (a wrong clock offset, typically): replay cannot estimate its kernels.
        found.AddRange(windows.Windows.Where(w => w.Exposure != null)
            .Select(w => ExposureCoverage.Gap(w.Index, w.Exposure!.Value, summary.TimeSpanUs?.Min, summary.TimeSpanUs?.Max, bundle.Manifest.Sync.Source))
            .OfType<Problem>());
        if (ExposureCoverage.OffsetHint(windows.Windows.Where(w => w.Exposure != null).Select(w => w.Exposure!.Value).ToList(),
                summary.TimeSpanUs?.Min, summary.TimeSpanUs?.Max, bundle.Manifest.Sync.ClockOffsetUs, bundle.Manifest.Sync.Source) is { } hint)
            found.Add(hint);
        if (FrameTimesNote(bundle) is { } unitNote) found.Add(unitNote);
        if (SaturationPlateauNote(bundle) is { } plateau) found.Add(plateau);
        if (BlockCompressionNote(bundle) is { } blocks) found.Add(blocks);
        // A ground-truth kernel with a NaN, ±Infinity or negative weight fails its frame with --kernels gt (and its scoring).
        if (bundle.GroundTruthKernelsDir is { } gtKernels)
            found.AddRange(KernelCsv.CheckFiles(gtKernels, windows.Windows.Select(w => w.Index), "ground-truth kernel",
                bundle.Manifest.Rgb is { Width: > 0, Height: > 0 } rgb ? (rgb.Width, rgb.Height) : bundle.IsApsBundle ? bundle.EventSensorSize : null));
        // Every byte of every PNG frame: a corrupt chunk fails its frame in replay, so inspect names it first.
        if (bundle.Manifest.Rgb is { } rgbSpec)
            found.AddRange(FrameImageCheck.CheckPngChunks(bundle.Frames, Path.Combine(bundle.Root, rgbSpec.Frames)));
        if (bundle.GroundTruthFrames is { } gtRows && bundle.Manifest.GroundTruth?.Frames is { } gtCsv)
            found.AddRange(FrameImageCheck.CheckPngChunks(gtRows, Path.Combine(bundle.Root, gtCsv)));
        var calibration = Calibration(bundle, found);
        var errors = (JsonArray)obj["errors"]!;
        var records = (JsonArray)obj["problems"]!;
        foreach (var p in found)
        {
            (p.Severity == ProblemSeverity.Error ? errors : (JsonArray)obj["notes"]!).Add(p.ToString());
            records.Add(p.ToJson());
        }
        obj["bundle"] = new JsonObject
        {
            ["path"] = Path.GetFullPath(dir),
            ["calibration"] = calibration?.ToJson(),
            ["rgb_frames"] = bundle.Frames.Count,
            ["rgb_width"] = bundle.Manifest.Rgb?.Width,
            ["rgb_height"] = bundle.Manifest.Rgb?.Height,
            ["sync"] = bundle.Manifest.Sync.Source,
            ["exposures_matched"] = windows.Windows.Count(w => w.Exposure != null),
            ["ground_truth_frames"] = bundle.GroundTruthFrames?.Count ?? 0,
        };
        if (json) Console.WriteLine(obj.ToJsonString(EventDeblur.IO.JsonText.Readable));
        else
        {
            PrintText(summary, " in the event file");
            Console.WriteLine($"bundle:    {(bundle.IsApsBundle ? $"{Plural(windows.Windows.Count, "APS frame")} (their exposures from the event file; sync does not apply)" : $"{Plural(bundle.Frames.Count, "RGB frame")} ({bundle.Manifest.Sync.Source} sync)")}, {windows.Windows.Count(w => w.Exposure != null)} with exposure windows, {Plural(bundle.GroundTruthFrames?.Count ?? 0, "ground-truth frame")}");
            if (calibration != null) Console.WriteLine($"calibration: {calibration}");
            int bundleErrors = found.Count(p => p.Severity == ProblemSeverity.Error);
            // The event file's own problems are counted above; these are the bundle's (rows, frames, kernels, calibration).
            Console.WriteLine(found.Count == 0 ? "problems:  none in the bundle" : $"problems:  {bundleErrors} error(s), {found.Count - bundleErrors} note(s) in the bundle");
            foreach (var p in found) Console.WriteLine(ProblemLine(p));
        }
        return summary.HasErrors || found.Any(p => p.Severity == ProblemSeverity.Error) ? ExitCodes.DataProblems : ExitCodes.Success;
    }

    /// <summary>
    /// bundle's clip-plateau note for a bundle made elsewhere: the first frames' brightest value holds a plateau below the
    /// saturation level of recording.json (stop 48's contract audit: a level above where gamma frames clip replayed 6.4 dB
    /// below the same bundle with the right level, with no word from inspect or replay); null otherwise.
    /// </summary>
    internal static Problem? SaturationPlateauNote(RecordingBundle bundle)
    {
        if (bundle.Manifest.Rgb == null) return null;
        using var first = BundleCommand.FirstFrames.Of(bundle);
        return BundleCommand.ClipPlateau(bundle, first, v => $"set rgb.saturation_level to {v} in recording.json");
    }

    /// <summary>
    /// A note when the first RGB frame shows the 8×8 block seams of JPEG compression (stop 49's trial: frames saved as JPEG
    /// at quality 85 and decoded had a tenth of their pixel noise left, and `robust` gave every frame back unchanged, blaming
    /// its kernels); null otherwise, and for frames under 192 px on a side, where seams cannot be told from the scene.
    /// </summary>
    internal static Problem? BlockCompressionNote(RecordingBundle bundle)
    {
        if (bundle.Manifest.Rgb is not { } rgb || bundle.Frames.Count == 0) return null;
        // The frame as the deconvolvers see it (linear, clipped pixels marked), judged as they judge it.
        EventDeblur.Imaging.LinearImage image;
        try { image = EventDeblur.Imaging.LinearImage.Read(bundle.Frames[0].File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel); }
        catch (Exception e) when (e is IOException or OpenCvSharp.OpenCVException or ArgumentException or InvalidDataException or UnauthorizedAccessException) { return null; }
        if (EventDeblur.Deconvolution.BlockCompression.Floors(image.Planes, image.Width, image.Height, image.Saturated).All(f => f == null)) return null;
        return Problem.Note(bundle.Frames[0].File, ProblemLocation.None,
            "this frame shows the 8×8 block seams of JPEG compression, which replaced the sensor's pixel noise with an error smooth within each block: the deconvolvers take the error measured at the seams as the frames' noise where theirs is lower (a lossless source, PNG or TIFF as the camera gave it, keeps the detail the compression removed)");
    }

    /// <summary>
    /// A note when a table-synchronised RGB bundle's frames.csv times look like another unit than µs: every exposure under
    /// 200 µs, or frames starting under 1 ms apart (median; over 1000 frames/s). bundle notes it when it reads the exposure
    /// CSV; a bundle made anyway, with an offset fitted to those times, had replayed every frame 'ok' with nothing gained
    /// and no word (stop 47's trial). Null otherwise (and for trigger sync, whose frames.csv times only give the spacing).
    /// </summary>
    internal static Problem? FrameTimesNote(RecordingBundle bundle)
    {
        if (bundle.IsApsBundle || bundle.Manifest.Sync.Source != "table" || bundle.Frames.Count == 0) return null;
        var rows = bundle.Frames;
        string csv = bundle.Manifest.Rgb is { } rgb ? Path.Combine(bundle.Root, rgb.Frames) : bundle.Root;
        const string fix = "frames.csv holds µs (RECORDING_FORMAT.md); if these times are ms or s, make the bundle again with the unit named in the exposure CSV's header (e.g. 'start_ms,end_ms')";
        return ExposureUnits.AnotherUnit([.. rows.Select(r => (r.ExposureStartUs, r.ExposureEndUs))]) is { } suspect
            ? Problem.Note(csv, ProblemLocation.None, $"{suspect}: {fix}")
            : null;
    }

    /// <summary>
    /// What the bundle's calibration does (null without a stated RGB size), with a note added to <paramref name="found"/>
    /// when it folds the frame across the horizon or maps under half of it onto the event sensor (shared with <c>bundle</c>).
    /// </summary>
    internal static CalibrationView? Calibration(RecordingBundle bundle, List<Problem> found)
    {
        var calibration = bundle.Manifest.Rgb is { Width: > 0, Height: > 0 } rgbSize
            ? CalibrationView.Of(Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography), rgbSize.Width, rgbSize.Height, bundle.EventSensorSize)
            : null;
        if (calibration is { FoldsAcrossHorizon: true })
            found.Add(Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
                $"the calibration's rgb_to_events_homography has its horizon (h6·x + h7·y + h8 = 0) inside the RGB frame: it folds part of the frame through infinity, which no camera pair does, so the corners and scale shown mean nothing (check the homography's last row, or run 'calibrate'){calibration.LikelierHint}"));
        else if (calibration is { Collapses: true } collapsed && bundle.Manifest.Rgb is { } frame)
            found.Add(Problem.Error(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
                string.Create(CultureInfo.InvariantCulture, $"the calibration's rgb_to_events_homography maps the whole {frame.Width}×{frame.Height} RGB frame into {collapsed.ImageSpan.Width:0.##}×{collapsed.ImageSpan.Height:0.##} event px ({collapsed.EventPxPerRgbPx:G3} event px per RGB px at the centre): no camera pair does that, so no light streak can be traced in the events and no kernel mapped into RGB pixels (check rgb_to_events_homography, or run 'calibrate'){collapsed.LikelierHint}")));
        else if (calibration is { CoverageFraction: < 0.5 } poor)
            found.Add(Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
                $"the calibration maps only {poor.CoverageFraction:P0} of the RGB frame onto the {bundle.EventSensorSize.Width}×{bundle.EventSensorSize.Height} event sensor: light streaks elsewhere cannot be traced in the events, and every kernel is mapped into RGB pixels through this homography (check rgb_to_events_homography, or run 'calibrate'){poor.LikelierHint}"));
        else if (calibration is { OtherFrameSize: var (k, c) } small && bundle.Manifest.Rgb is { } rgb)
            found.Add(Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
                $"the {rgb.Width}×{rgb.Height} RGB frame covers only {small.SensorCoverageFraction:P0} of the {bundle.EventSensorSize.Width}×{bundle.EventSensorSize.Height} event sensor, and the same homography for frames {k}× larger ({k * rgb.Width}×{k * rgb.Height}) would cover {c:P0}: if the calibration was made for frames of that size (frames downscaled since), multiply the homography's first two columns by {k}, or run 'calibrate' on these frames"));
        return calibration;
    }

    private static int Fail(bool json, string path, string message, int code = ExitCodes.Usage, Problem? problem = null)
    {
        if (json)
            Console.WriteLine(new JsonObject
            {
                ["path"] = path,
                ["errors"] = new JsonArray(message),
                ["problems"] = new JsonArray((problem ?? Problem.Error(path, message.StartsWith(path + ": ", StringComparison.Ordinal) ? message[(path.Length + 2)..] : message)).ToJson()),
            }.ToJsonString());
        else
            Console.Error.WriteLine($"error: {message}");
        return code;
    }

    internal static JsonObject ToJson(AedatSummary s)
    {
        var errors = new JsonArray();
        var notes = new JsonArray();
        var records = new JsonArray();
        foreach (var p in s.Problems)
        {
            (p.Severity == ProblemSeverity.Error ? errors : notes).Add(p.ToString());
            records.Add(p.ToJson());
        }
        var streams = new JsonArray();
        foreach (var st in s.Info.Streams)
            streams.Add(new JsonObject { ["id"] = st.Id, ["type"] = st.TypeIdentifier, ["kind"] = st.Kind.ToString(), ["width"] = Side(st.Width), ["height"] = Side(st.Height), ["source"] = st.Source });
        // A sensor size the file does not state is null (stop 42: it was 0, which reads as a size), with the least size its
        // events need, as the text says it.
        bool stated = s.Info.Width > 0 && s.Info.Height > 0;
        var reach = !stated && s.EventCount > 0 && EventFile.Extent(s.Info.FilePath) is { } x ? new JsonObject { ["width"] = x.MaxX + 1, ["height"] = x.MaxY + 1 } : null;
        return new JsonObject
        {
            ["path"] = s.Info.FilePath,
            ["format"] = s.Info.Version.DisplayName(),
            ["width"] = stated ? s.Info.Width : null,
            ["height"] = stated ? s.Info.Height : null,
            ["events_need_at_least"] = reach,
            ["camera"] = s.Info.Camera,
            ["compression"] = s.Info.Compression,
            ["streams"] = streams,
            ["packets"] = s.PacketCount,
            ["events"] = new JsonObject
            {
                ["count"] = s.EventCount,
                ["first_t_us"] = s.FirstTimestampUs,
                ["last_t_us"] = s.LastTimestampUs,
                ["min_t_us"] = s.TimeSpanUs?.Min,
                ["max_t_us"] = s.TimeSpanUs?.Max,
                ["positive"] = s.PositiveCount,
                ["negative"] = s.NegativeCount,
                ["sha256"] = s.EventsSha256,
            },
            ["frames"] = new JsonObject { ["count"] = s.FrameCount, ["mosaic_color_filters"] = new JsonArray(s.MosaicFilters.Select(f => (JsonNode?)f.ToString().ToUpperInvariant()).ToArray()) },
            ["triggers"] = new JsonObject { ["count"] = s.TriggerCount },
            ["imu"] = new JsonObject { ["count"] = s.ImuCount },
            ["errors"] = errors,
            ["notes"] = notes,
            ["problems"] = records,
            ["problems_not_listed"] = NotListed(s.Problems),
        };
    }

    private static int? Side(int v) => v > 0 ? v : null;

    /// <summary>
    /// How many problems the readers counted beyond those listed: each kind lists at most a fixed number, then one line
    /// "N more problems of kind 'K' not listed" (so that a badly broken file cannot exhaust memory).
    /// </summary>
    internal static long NotListed(IEnumerable<Problem> problems) =>
        problems.Select(p => System.Text.RegularExpressions.Regex.Match(p.Message, @"^(\d+) more problems of kind '.+' not listed$"))
                .Where(m => m.Success).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A bundle problem as one indented line: "problem: …" for an error, "note: …" for a note (not "problem: note: …").</summary>
    internal static string ProblemLine(Problem p) =>
        $"  {(p.Severity == ProblemSeverity.Error ? "problem" : "note")}: {p.Plain}";

    private static string Plural(long n, string noun) => $"{n:N0} {noun}{(n == 1 ? "" : "s")}";

    private static void PrintText(AedatSummary s, string scope = "")
    {
        var i = s.Info;
        Console.WriteLine($"file:      {TerminalText.Safe(i.FilePath)}");
        string sensor = i.Width > 0 && i.Height > 0 ? $"sensor {i.Width}×{i.Height}"
            : "sensor size not stated in the file" + (s.EventCount > 0 && EventFile.Extent(i.FilePath) is { } x ? $" (its events reach x = {x.MaxX}, y = {x.MaxY}: at least {x.MaxX + 1}×{x.MaxY + 1})" : "");
        string camera = i.Camera.Trim().Length > 0 ? $" ({i.Camera.Trim()})" : "";
        // The camera and compression names come from the file's header: printed with their control characters escaped.
        Console.WriteLine(TerminalText.Safe($"format:    {i.Version.DisplayName()}{(i.Compression.Length > 0 ? $" ({i.Compression})" : "")}, {sensor}{camera}"));
        double span = s.FirstTimestampUs is long f && s.LastTimestampUs is long l ? (l - f) / 1e6 : 0;
        Console.WriteLine($"events:    {s.EventCount:N0} ({s.PositiveCount:N0} ON, {s.NegativeCount:N0} OFF) over {span:F3} s" +
                          (s.FirstTimestampUs != null ? $" [{s.FirstTimestampUs} .. {s.LastTimestampUs}] µs" : "") +
                          // Time that goes back (two recordings joined, damaged times): first .. last in file order is not the extent.
                          (s.TimeSpanUs is var (lo, hi) && (lo != s.FirstTimestampUs || hi != s.LastTimestampUs) ? $", first .. last in file order; time goes back: the events span [{lo} .. {hi}] µs ({(hi - lo) / 1e6:F3} s)" : ""));
        // Triggers on several channels (a Prophesee rig's strobe or PPS beside the RGB camera's exposure signal): per channel,
        // since bundle --sync triggers needs the exposures' one (--trigger-channel).
        string perChannel = s.TriggersByStream.Count(kv => kv.Value > 0) > 1
            ? $" ({string.Join(", ", s.TriggersByStream.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key).Select(kv => i.Version is AedatVersion.Evt2 or AedatVersion.Evt3 or AedatVersion.Dat ? $"EXT_TRIGGER id {kv.Key - EventDeblur.Formats.Prophesee.PropheseeReader.TriggerStreamIdBase}: {kv.Value:N0}" : $"stream {kv.Key}: {kv.Value:N0}"))})"
            : "";
        Console.WriteLine($"frames:    {s.FrameCount:N0}   triggers: {s.TriggerCount:N0}{perChannel}   imu: {s.ImuCount:N0}   packets: {s.PacketCount:N0}");
        // A colour DAVIS: its frames are raw mosaics, which replay demosaics (or refuses, for a layout it cannot interpolate).
        foreach (var cf in s.MosaicFilters)
            Console.WriteLine(cf == EventDeblur.Events.ColorFilter.UnknownMosaic
                ? "colour:    the APS frames are a colour DAVIS's raw mosaic whose filter layout the file does not state: replay cannot demosaic them and fails those frames, saying so"
                : EventDeblur.Formats.Aedat.ApsMosaic.Layout(cf) == null
                    ? $"colour:    the APS frames are raw mosaics under a {cf.ToString().ToUpperInvariant()} colour filter (white pixels): replay demosaics only Bayer filters and fails those frames, saying so"
                    : $"colour:    the APS frames are raw Bayer mosaics under a {cf.ToString().ToUpperInvariant()} colour filter: replay demosaics them (colour frames)");
        Console.WriteLine($"sha256:    {s.EventsSha256 ?? "not computed (--no-hash)"}");
        int errors = s.Problems.Count(p => p.Severity == ProblemSeverity.Error);
        long unlisted = NotListed(s.Problems);
        Console.WriteLine(s.Problems.Count == 0 ? $"problems:  none{scope}" : $"problems:  {errors} error(s), {s.Problems.Count - errors} note(s){scope}" +
                                                  (unlisted > 0 ? $" listed, and {unlisted:N0} more of the same kinds counted but not listed" : ""));
        foreach (var p in s.Problems) Console.WriteLine($"{(p.Severity == ProblemSeverity.Error ? "ERROR:" : "note:"),-11}{p.Plain}");
    }
}
