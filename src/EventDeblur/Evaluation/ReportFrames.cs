using System.Globalization;
using System.Text.Json.Nodes;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.Pipeline.Output;
using EventDeblur.Recording;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Evaluation;

/// <summary>
/// What the report shows of every frame beyond its run's files: the crop (chosen once per bundle frame, so every method
/// of an evaluation shows the same place) and the exposure's events of that region, collected for all frames of a bundle
/// in ONE streaming pass over its event file. Memory: two counters per event pixel of the windows still open (the pass
/// closes a window once the file's time passes its end), plus the finished pictures. A live run has no bundle: its
/// frames' events come from the run's own <c>events/NNNNNN.parquet</c> (<see cref="FrameEventsFile"/>), one file at a time.
/// </summary>
internal sealed class ReportFrames
{
    /// <summary>Largest crop, frame pixels.</summary>
    public const int CropWidthPx = 160, CropHeightPx = 120;

    private readonly Dictionary<(string Input, long Index), FrameCrop> _crops = [];
    private readonly Dictionary<(string Input, long Index, TimeRangeUs Window), RegionEvents> _events = [];
    private readonly Dictionary<(string Input, long Index, TimeRangeUs Window), string> _noEvents = [];
    private readonly Dictionary<string, string> _inputProblem = [];
    private readonly Dictionary<string, RecordingBundle> _bundles = [];

    /// <summary>Passes over event files made (one per bundle with frames to show; for tests).</summary>
    public int EventFilePasses { get; private set; }

    /// <summary>The most event windows counted at once during a pass (bounded by how many exposures overlap; for tests).</summary>
    public int MaxOpenWindows { get; private set; }

    /// <summary>
    /// Chooses the crops of every frame of <paramref name="runs"/> and collects their events: one pass per bundle for
    /// replays, the run's own events files for live runs.
    /// </summary>
    public static async Task<ReportFrames> BuildAsync(IReadOnlyList<ReportRun> runs)
    {
        var r = new ReportFrames();
        // A live run's frames are its own (no bundle): crops from its previews, keyed by its folder; events from its events files.
        foreach (var run in runs.Where(x => x.Manifest.Mode == "live"))
        {
            foreach (var f in run.Frames)
            {
                try
                {
                    if (ChooseCrop(run.Dir, f.Index) is { } crop) r._crops[(run.Dir, f.Index)] = crop;
                }
                catch (Exception e) when (e is IOException or OpenCVException) { }
            }
            await r.CollectLiveEventsAsync(run);
        }
        foreach (var group in runs.Where(x => x.Manifest.Mode != "live" && x.Manifest.InputBundle != null).GroupBy(x => x.Manifest.InputBundle!, StringComparer.Ordinal))
        {
            var list = group.ToList();
            foreach (var run in list)
                foreach (var f in run.Frames)
                {
                    if (r._crops.ContainsKey((group.Key, f.Index))) continue;
                    try
                    {
                        if (ChooseCrop(run.Dir, f.Index) is { } crop) r._crops[(group.Key, f.Index)] = crop;
                    }
                    catch (Exception e) when (e is IOException or OpenCVException) { } // unreadable pictures: the frame shows the whole sensor's events
                }
            r.CollectEvents(group.Key, list);
        }
        return r;
    }

    /// <summary>What a run's crops are keyed by: its input bundle (or event file), shared by the methods run on it; a live run's own folder.</summary>
    public static string? KeyOf(ReportRun run) => run.Manifest.Mode == "live" ? run.Dir : run.Manifest.InputBundle;

    /// <summary>The crop of frame <paramref name="index"/> of <paramref name="input"/> (a bundle folder or event file, or a live run's folder: <see cref="KeyOf"/>), if one was chosen.</summary>
    public FrameCrop? CropOf(string input, long index) => _crops.GetValueOrDefault((input, index));

    /// <summary>The loaded bundle behind <paramref name="input"/> (null when it could not be loaded).</summary>
    public RecordingBundle? BundleOf(string input) => _bundles.GetValueOrDefault(input);

    /// <summary>The exposure window the run used for frame <paramref name="f"/>: frames.parquet's, shifted by the run's <c>event_latency_us</c>.</summary>
    public static TimeRangeUs? WindowOf(ReportRun run, FrameResult f)
    {
        if (f.ExposureStartUs is not long a || f.ExposureEndUs is not long b) return null;
        long shift = run.Manifest.Options["event_latency_us"] is JsonValue v && v.TryGetValue(out long l) ? l : 0;
        return new TimeRangeUs(a + shift, b + shift);
    }

    /// <summary>The events of frame <paramref name="f"/>'s region in <paramref name="run"/>'s window, or null with <paramref name="why"/> saying why there are none to show.</summary>
    public RegionEvents? EventsOf(ReportRun run, FrameResult f, out string why)
    {
        why = "";
        if (run.Manifest.Mode == "live")
        {
            if (_events.FirstOrDefault(e => e.Key.Input == run.Dir && e.Key.Index == f.Index).Value is { } kept) return kept;
            if (_noEvents.FirstOrDefault(e => e.Key.Input == run.Dir && e.Key.Index == f.Index).Value is { } problem) { why = problem; return null; }
            string counted = f.EventsInWindow > 0 ? $" ({f.EventsInWindow.ToString("N0", CultureInfo.InvariantCulture)} events were received for this frame's exposure and margins)" : "";
            string window = WindowOf(run, f) is { } lw ? $" {lw}" : "";
            string file = FrameEventsFile.FileOf(f.Index);
            string reason = f.Dropped == true ? "the frame was dropped before it was processed"
                : run.Manifest.Options["max_kept_events"] is JsonValue v && v.TryGetValue(out int max) && max == 0 ? "the run was started with --max-kept-events 0"
                : $"the run wrote no {file}";
            why = $"not kept — {reason}; a live run receives its events from {run.Manifest.Options["events"]?.ToString() ?? "its events stream"} and keeps only the exposure windows of the frames it processes (events/NNNNNN.parquet), so the events of the exposure{window} cannot be shown{counted}";
            return null;
        }
        if (run.Manifest.InputBundle is not { } input) { why = "the run names no input bundle"; return null; }
        if (WindowOf(run, f) is not { } w) { why = "the frame has no exposure window"; return null; }
        if (_events.TryGetValue((input, f.Index, w), out var e)) return e;
        why = _noEvents.GetValueOrDefault((input, f.Index, w)) ?? _inputProblem.GetValueOrDefault(input) ?? "not collected";
        return null;
    }

    /// <summary>Any collected events of frame <paramref name="index"/> of <paramref name="input"/> (the first window asked for).</summary>
    public RegionEvents? FirstEventsOf(string input, long index) =>
        _events.Where(e => e.Key.Input == input && e.Key.Index == index).OrderBy(e => e.Key.Window.StartUs).Select(e => e.Value).FirstOrDefault();

    /// <summary>
    /// The crop of a frame: <see cref="CropWidthPx"/> × <see cref="CropHeightPx"/> (or the frame, if smaller) around the
    /// brightest spot (Gaussian σ = 4 px) of the blurry panel of the run's comparison image (a streak, if there is one),
    /// its label masked; null when the run has no comparison or preview of the frame.
    /// </summary>
    internal static FrameCrop? ChooseCrop(string runDir, long index)
    {
        string compare = Path.Combine(runDir, PreviewWriter.CompareFileOf(index)), preview = Path.Combine(runDir, PreviewWriter.PreviewFileOf(index));
        if (!File.Exists(compare) || !File.Exists(preview)) return null;
        using var one = Cv2.ImRead(preview, ImreadModes.Grayscale);
        using var strip = Cv2.ImRead(compare, ImreadModes.Grayscale);
        if (one.Empty() || strip.Empty()) return null;
        int w = one.Cols, h = one.Rows;
        if (strip.Rows != h || strip.Cols < w || strip.Cols % w != 0) return null;
        using var panel = new Mat(strip, new Rect(0, 0, w, h)).Clone();
        var label = Preview.LabelBox(w, h, PreviewWriter.BlurryLabelOf(index));
        if (label.Width > 0)
        {
            using var box = new Mat(panel, label);
            box.SetTo(Scalar.All(0));
        }
        using var blurred = new Mat();
        Cv2.GaussianBlur(panel, blurred, new Size(0, 0), 4);
        Cv2.MinMaxLoc(blurred, out _, out _, out _, out Point peak);
        int cw = Math.Min(CropWidthPx, w), ch = Math.Min(CropHeightPx, h);
        return new FrameCrop(new Rect(Math.Clamp(peak.X - cw / 2, 0, w - cw), Math.Clamp(peak.Y - ch / 2, 0, h - ch), cw, ch), w, h);
    }

    /// <summary>The event pixels under a crop: its corners mapped by <paramref name="frameToEvents"/>, bounding box clipped to the sensor; null when nothing is left.</summary>
    internal static Rect? EventBox(Rect crop, Homography frameToEvents, int sensorWidth, int sensorHeight)
    {
        var corners = new[] { (crop.X, crop.Y), (crop.X + crop.Width, crop.Y), (crop.X, crop.Y + crop.Height), (crop.X + crop.Width, crop.Y + crop.Height) }
            .Select(c => frameToEvents.Apply(c.Item1, c.Item2)).ToList();
        if (corners.Any(c => !double.IsFinite(c.X) || !double.IsFinite(c.Y))) return null;
        int x0 = (int)Math.Clamp(Math.Floor(corners.Min(c => c.X)), 0, sensorWidth), x1 = (int)Math.Clamp(Math.Ceiling(corners.Max(c => c.X)), 0, sensorWidth);
        int y0 = (int)Math.Clamp(Math.Floor(corners.Min(c => c.Y)), 0, sensorHeight), y1 = (int)Math.Clamp(Math.Ceiling(corners.Max(c => c.Y)), 0, sensorHeight);
        return x1 > x0 && y1 > y0 ? new Rect(x0, y0, x1 - x0, y1 - y0) : null;
    }

    /// <summary>
    /// The events of each frame of a live run from its <c>events/NNNNNN.parquet</c>: those of the crop's region (the crop
    /// mapped onto the event sensor by the homography the file states), or of the whole sensor when the frame has no crop.
    /// One file is held at a time.
    /// </summary>
    private async Task CollectLiveEventsAsync(ReportRun run)
    {
        foreach (var f in run.Frames)
        {
            string path = Path.Combine(run.Dir, FrameEventsFile.FileOf(f.Index));
            if (!File.Exists(path)) continue;
            var key = (run.Dir, f.Index, WindowOf(run, f) ?? default);
            FrameEvents kept;
            try { kept = await FrameEventsFile.ReadAsync(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _noEvents[key] = $"{FrameEventsFile.FileOf(f.Index)} cannot be read: {e.Message}";
                continue;
            }
            var (ew, eh) = kept.SensorSize;
            if (ew <= 0 || eh <= 0) { _noEvents[key] = $"{FrameEventsFile.FileOf(f.Index)}: no event sensor size"; continue; }
            var w = kept.Window;
            key = (run.Dir, f.Index, w);
            if (w.EndUs <= w.StartUs) { _noEvents[key] = $"empty exposure window {w}"; continue; }
            Rect box = new(0, 0, ew, eh);
            bool whole = true;
            if (_crops.TryGetValue((run.Dir, f.Index), out var crop) && kept.FrameToEvents is { } toEvents)
            {
                if (EventBox(crop.Rect, toEvents, ew, eh) is not { } b) { _noEvents[key] = $"the crop {crop.Rect} lies outside the {ew}×{eh} event sensor"; continue; }
                (box, whole) = (b, false);
            }
            try
            {
                var img = new Preview.EventImage(box, w);
                img.Add(kept.Events);
                using var m = img.Render();
                Cv2.ImEncode(".png", m, out byte[] png);
                _events[key] = new RegionEvents(w, box, whole, img.On, img.Off, png) { Stride = kept.Stride, InWindow = kept.InWindow };
            }
            catch (OpenCVException e) { _noEvents[key] = $"{FrameEventsFile.FileOf(f.Index)}: the picture cannot be made ({e.Message})"; }
        }
    }

    private void CollectEvents(string input, List<ReportRun> runs)
    {
        RecordingBundle bundle;
        try
        {
            if (Directory.Exists(input)) bundle = RecordingBundle.Load(input);
            else if (RecordingBundle.IsEventFile(input)) bundle = RecordingBundle.FromEventFile(input);
            else { _inputProblem[input] = $"the input {input} is gone"; return; }
        }
        catch (Exception e) when (e is BundleException or IOException or UnauthorizedAccessException)
        {
            _inputProblem[input] = $"the input cannot be read: {e.Message}";
            return;
        }
        _bundles[input] = bundle;
        var (ew, eh) = bundle.EventSensorSize;
        if (ew <= 0 || eh <= 0) { _inputProblem[input] = $"{input}: no event sensor size"; return; }
        Homography toEvents;
        try { toEvents = bundle.IsApsBundle ? Homography.Identity : Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography); }
        catch (ArgumentException e) { _inputProblem[input] = $"{input}: {e.Message}"; return; }

        // One request per (frame, window): the methods of an evaluation share them.
        var requests = new Dictionary<(long Index, TimeRangeUs Window), (Rect Box, bool Whole)>();
        foreach (var run in runs)
            foreach (var f in run.Frames)
            {
                if (WindowOf(run, f) is not { } w || requests.ContainsKey((f.Index, w)) || _noEvents.ContainsKey((input, f.Index, w))) continue;
                if (w.EndUs <= w.StartUs) { _noEvents[(input, f.Index, w)] = $"empty exposure window {w}"; continue; }
                if (_crops.TryGetValue((input, f.Index), out var crop))
                {
                    if (EventBox(crop.Rect, toEvents, ew, eh) is { } box) requests[(f.Index, w)] = (box, false);
                    else _noEvents[(input, f.Index, w)] = $"the crop {crop.Rect} lies outside the {ew}×{eh} event sensor";
                }
                else requests[(f.Index, w)] = (new Rect(0, 0, ew, eh), true);
            }
        if (requests.Count == 0) return;

        var order = requests.OrderBy(q => q.Key.Window.StartUs).ThenBy(q => q.Key.Index).ToList();
        var open = new List<(long Index, bool Whole, Preview.EventImage Image)>();
        int next = 0;
        void Close(int i)
        {
            var (index, whole, img) = open[i];
            open.RemoveAt(i);
            using var m = img.Render();
            Cv2.ImEncode(".png", m, out byte[] png);
            _events[(input, index, img.Window)] = new RegionEvents(img.Window, img.Region, whole, img.On, img.Off, png);
        }
        try
        {
            EventFilePasses++;
            using var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = false });
            while ((next < order.Count || open.Count > 0) && reader.TryRead(out var packet))
            {
                if (packet is not EventsPacket ep) continue;
                using var batch = ep.Events;
                if (batch.Count == 0) continue;
                long last = batch.Timestamps[^1];
                for (; next < order.Count && order[next].Key.Window.StartUs <= last; next++)
                    open.Add((order[next].Key.Index, order[next].Value.Whole, new Preview.EventImage(order[next].Value.Box, order[next].Key.Window)));
                MaxOpenWindows = Math.Max(MaxOpenWindows, open.Count);
                foreach (var o in open) o.Image.Add(batch);
                // Timestamps only grow in a valid file: a window that ended by this batch's last event is complete.
                for (int i = open.Count - 1; i >= 0; i--)
                    if (open[i].Image.Window.EndUs <= last) Close(i);
            }
            for (; next < order.Count; next++)
                open.Add((order[next].Key.Index, order[next].Value.Whole, new Preview.EventImage(order[next].Value.Box, order[next].Key.Window)));
            while (open.Count > 0) Close(open.Count - 1);
        }
        catch (Exception e) when (e is AedatFormatException or IOException or UnauthorizedAccessException or OpenCVException)
        {
            _inputProblem[input] = $"{bundle.EventsPath}: {e.Message}";
        }
    }
}
