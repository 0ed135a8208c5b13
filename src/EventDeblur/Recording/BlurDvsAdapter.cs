using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using OpenCvSharp;

namespace EventDeblur.Recording;

/// <summary>
/// Adapter for Blur-DVS-style datasets (DAVIS240C gray APS frames, blurry with optional sharp ground
/// truth, events from the same sensor). Blur-DVS itself is distributed on request only, so its exact
/// layout is not public; this adapter reads a folder described by <c>blurdvs.json</c>:
/// <code>
/// { "format": "blur-dvs-style/1", "width": 240, "height": 180,
///   "events": "events.txt",        // "t_us x y p" per line (p: 1/0 or 1/-1), or an AEDAT 2.0/3.1/4.0 file
///   "frames": "frames.csv" }       // index,blurry,sharp,exposure_start_us,exposure_end_us (sharp may be empty)
/// </code>
/// Images are 8-bit (or 16-bit) gray PNGs, paths relative to the folder. <see cref="ToBundle(string, string, List{string})"/>
/// converts it into an APS bundle (frames inside the AEDAT 4.0 file, sharp frames as ground truth).
/// </summary>
public static class BlurDvsAdapter
{
    /// <summary>The description file name.</summary>
    public const string DescriptionFile = "blurdvs.json";

    /// <summary>
    /// File written into a converted bundle when its frames' indices differ from the dataset's: an APS bundle numbers its
    /// frames consecutively from <c>aps.first_index</c> (RECORDING_FORMAT.md), in the event file's (time) order, so a
    /// dataset whose indices skip (every k-th frame of a sequence), whose bad row was left out or whose rows are not in
    /// time order is numbered anew, and every output of the bundle uses the new index. CSV <c>bundle_index,dataset_index</c>,
    /// one row per converted frame; <c>eval</c> names the renumbering in a note (see <see cref="ReadIndexMap"/>).
    /// </summary>
    public const string IndexMapFile = "dataset-index-map.csv";

    /// <summary>The converted bundle's index → the dataset's, from <see cref="IndexMapFile"/> in <paramref name="bundleDir"/>; null when there is none (the indices are the dataset's).</summary>
    public static Dictionary<long, long>? ReadIndexMap(string bundleDir)
    {
        string path = Path.Combine(bundleDir, IndexMapFile);
        if (!File.Exists(path)) return null;
        var map = new Dictionary<long, long>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length == 2 && long.TryParse(f[0], CultureInfo.InvariantCulture, out long b) && long.TryParse(f[1], CultureInfo.InvariantCulture, out long d)) map[b] = d;
        }
        return map;
    }

    /// <summary><c>true</c> when <paramref name="dir"/> holds a Blur-DVS-style description.</summary>
    public static bool IsDataset(string dir) => File.Exists(Path.Combine(dir, DescriptionFile));

    /// <summary>Converts the dataset in <paramref name="dir"/> into an APS bundle at <paramref name="bundleDir"/>; returns the frame count.</summary>
    /// <exception cref="BundleException">The description or a file is missing or malformed.</exception>
    public static int ToBundle(string dir, string bundleDir) => ToBundle(dir, bundleDir, null);

    /// <summary>
    /// Converts the dataset in <paramref name="dir"/> into an APS bundle at <paramref name="bundleDir"/>; returns the number of
    /// frames converted. With <paramref name="problems"/>, a bad row is left out instead of failing the whole sequence (a
    /// malformed <c>frames.csv</c> line, a blurry frame missing, undecodable or of the wrong size: the frame is left out; its
    /// sharp frame missing, undecodable or of the wrong size: the frame is kept without ground truth; a malformed events line:
    /// that event is left out), each said in <paramref name="problems"/> with its file and line (stop 46: one bad frame
    /// dropped the whole sequence from an evaluation); without it the first such fault throws.
    /// </summary>
    /// <exception cref="BundleException">The description is missing or malformed, the events or frames file is missing, or no frame is usable.</exception>
    public static int ToBundle(string dir, string bundleDir, List<string>? problems)
    {
        // A bad row: thrown (strict), or said and left out.
        void Fault(string message)
        {
            if (problems == null) throw new BundleException(message);
            problems.Add(message);
        }
        string descPath = Path.Combine(dir, DescriptionFile);
        JsonNode desc;
        try { desc = JsonNode.Parse(File.ReadAllText(descPath)) ?? throw new BundleException($"{descPath}: empty"); }
        catch (JsonException e) { throw new BundleException($"{descPath}: not valid JSON: {IO.JsonSyntax.Describe(e)}"); }
        if ((string?)desc["format"] != "blur-dvs-style/1") throw new BundleException($"{descPath}: format must be 'blur-dvs-style/1'");
        int w = (int?)desc["width"] ?? throw new BundleException($"{descPath}: width missing");
        int h = (int?)desc["height"] ?? throw new BundleException($"{descPath}: height missing");
        string root = Path.GetFullPath(dir);
        string eventsPath = BundlePaths.Resolve(root, root, (string?)desc["events"] ?? throw new BundleException($"{descPath}: events missing"), descPath);
        string framesPath = BundlePaths.Resolve(root, root, (string?)desc["frames"] ?? throw new BundleException($"{descPath}: frames missing"), descPath);

        var rows = new List<(long Index, string Blurry, string? Sharp, long Start, long End, int Line)>();
        var lineOfIndex = new Dictionary<long, int>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(framesPath))
        {
            lineNo++;
            if (lineNo == 1 || line.Trim().Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != 5 || !long.TryParse(f[0], out long idx) || !long.TryParse(f[3], out long s) || !long.TryParse(f[4], out long e) || e <= s)
            {
                Fault($"{framesPath}: line {lineNo}: expected 'index,blurry,sharp,exposure_start_us,exposure_end_us', found '{IO.TextClip.Of(line)}'{(problems != null ? ": the row is left out" : "")}");
                continue;
            }
            if (idx < 0)
            {
                Fault($"{framesPath}: line {lineNo}: index {idx} is negative (expected 0 or more){(problems != null ? ": the row is left out" : "")}");
                continue;
            }
            if (!lineOfIndex.TryAdd(idx, lineNo))
            {
                Fault($"{framesPath}: line {lineNo}: index {idx} was given before (line {lineOfIndex[idx]}){(problems != null ? ": the row is left out" : "")}");
                continue;
            }
            // A path that leaves the dataset's folder (or cannot be resolved) costs its row, not the sequence.
            string blurryPath;
            string? sharpPath;
            try
            {
                blurryPath = BundlePaths.Resolve(root, root, f[1].Trim(), framesPath);
                sharpPath = f[2].Trim().Length > 0 ? BundlePaths.Resolve(root, root, f[2].Trim(), framesPath) : null;
            }
            catch (BundleException x) when (problems != null)
            {
                Fault($"{framesPath}: line {lineNo}: {x.Message}: the row is left out");
                continue;
            }
            rows.Add((idx, blurryPath, sharpPath, s, e, lineNo));
        }
        if (rows.Count == 0) throw new BundleException($"{framesPath}: no frames{(problems is { Count: > 0 } ? $" ({problems[0]})" : "")}");
        // The blurry frames, read before anything is written: a row whose frame cannot be used is left out.
        var blurry = new Dictionary<long, byte[]>();
        foreach (var r in rows)
        {
            string? bad = null;
            if (!File.Exists(r.Blurry)) bad = $"{framesPath}: line {r.Line}: the blurry frame {r.Blurry} is missing";
            else
            {
                using var img = Cv2.ImRead(r.Blurry, ImreadModes.Grayscale);
                if (img.Empty() || img.Cols != w || img.Rows != h) bad = $"{r.Blurry} (line {r.Line} of {framesPath}): expected a {w}×{h} gray image{(img.Empty() ? ", and OpenCV cannot decode it" : $", found {img.Cols}×{img.Rows}")}";
                else
                {
                    var pixels = new byte[w * h];
                    img.AsSpan<byte>().CopyTo(pixels);
                    blurry[r.Index] = pixels;
                }
            }
            if (bad != null) Fault(bad + (problems != null ? ": the frame is left out" : ""));
        }
        rows.RemoveAll(r => !blurry.ContainsKey(r.Index));
        if (rows.Count == 0) throw new BundleException($"{framesPath}: no usable frame ({string.Join("; ", problems!.Take(3))}{(problems!.Count > 3 ? $"; and {problems.Count - 3} more" : "")})");
        // In time order: the frames of an APS bundle are its event file's, in order, and a frame written out of order got
        // the events of the wrong stretch (stop 46's review); the index map keeps the dataset's indices.
        rows = [.. rows.OrderBy(r => r.Start)];

        Directory.CreateDirectory(Path.Combine(bundleDir, "gt"));
        using (var writer = Aedat4Writer.Create(Path.Combine(bundleDir, "events.aedat4"), new Aedat4WriterOptions { Width = w, Height = h, Source = "DAVIS240C_BLURDVS" }))
        {
            // Events first (streamed), then the frames; readers pair them by time, not by file order.
            try
            {
                foreach (var batch in ReadEvents(eventsPath, w, h, problems))
                    using (batch) writer.WriteEvents(batch);
            }
            catch (Exception x) when (x is AedatFormatException or InvalidDataException or FlatBufferException)
            {
                // An event file that cannot be read: the dataset cannot be converted (named; eval goes on with the others,
                // where it had stopped with exit 2; stop 46's review).
                throw new BundleException($"{eventsPath}: the events cannot be read: {x.Message}");
            }
            foreach (var r in rows)
                writer.WriteFrame(new ApsFrame
                {
                    TimestampUs = r.Start + (r.End - r.Start) / 2, StartOfFrameUs = r.Start, EndOfFrameUs = r.End,
                    StartOfExposureUs = r.Start, EndOfExposureUs = r.End, Width = w, Height = h, Format = FramePixelFormat.Gray8, Pixels = blurry[r.Index],
                });
            writer.Complete();
        }
        // The bundle numbers its frames from the first row's index on, one by one (the APS frames' order in the event file):
        // where that is not the dataset's index (a skipping dataset, a row left out), the ground truth goes by the bundle's
        // index (it had gone by the dataset's, pairing a later frame with another frame's sharp image) and the map is kept.
        var bundleIndex = rows.Select((r, k) => (r.Index, Bundle: rows[0].Index + k)).ToDictionary(x => x.Index, x => x.Bundle);
        if (rows.Any(r => bundleIndex[r.Index] != r.Index))
            AtomicFile.WriteAllText(Path.Combine(bundleDir, IndexMapFile),
                "bundle_index,dataset_index\n" + string.Concat(rows.Select(r => $"{bundleIndex[r.Index].ToString(CultureInfo.InvariantCulture)},{r.Index.ToString(CultureInfo.InvariantCulture)}\n")));
        var gt = new List<(long, string, long, long)>();
        foreach (var r in rows.Where(r => r.Sharp != null))
        {
            // (Stop 42: a missing file was "unreadable", naming no row.) Kept without ground truth when faults are collected.
            string kept = problems != null ? ": the frame is kept without ground truth (not scored)" : "";
            if (!File.Exists(r.Sharp)) { Fault($"{framesPath}: line {r.Line}: the sharp frame {r.Sharp} is missing{(problems != null ? kept : " (leave the row's sharp field empty for a frame without ground truth)")}"); continue; }
            using var sharp = Cv2.ImRead(r.Sharp!, ImreadModes.Grayscale);
            if (sharp.Empty()) { Fault($"{r.Sharp} (line {r.Line} of {framesPath}): not an image OpenCV can decode{kept}"); continue; }
            if (sharp.Cols != w || sharp.Rows != h) { Fault($"{r.Sharp} (line {r.Line} of {framesPath}): expected a {w}×{h} gray image, found {sharp.Cols}×{sharp.Rows}{kept}"); continue; }
            using var dn257 = new Mat();
            sharp.ConvertTo(dn257, MatType.CV_16UC1, 257);
            long index = bundleIndex[r.Index];
            string name = $"{index:D6}.png";
            Cv2.ImEncode(".png", dn257, out byte[] png);
            AtomicFile.WriteAllBytes(Path.Combine(bundleDir, "gt", name), png);
            gt.Add((index, name, r.Start, r.End));
        }
        FrameTable.Write(Path.Combine(bundleDir, "gt", "frames.csv"), gt);
        new RecordingManifest
        {
            Events = new EventsSpec("events.aedat4", w, h, "DAVIS240C"),
            Sync = new SyncSpec("table", 0),
            RgbToEventsHomography = [1, 0, 0, 0, 1, 0, 0, 0, 1],
            GroundTruth = new GroundTruthSpec("gt/frames.csv", null),
            ApsFirstIndex = rows[0].Index,
        }.Write(Path.Combine(bundleDir, "recording.json"));
        return rows.Count;
    }

    /// <summary>Lines of a malformed events text file listed one by one in the problems; past it they are counted.</summary>
    private const int ListedEventLines = 10;

    private static IEnumerable<EventBatch> ReadEvents(string path, int w, int h, List<string>? problems)
    {
        if (!File.Exists(path)) throw new BundleException($"{path}: the events file is missing");
        if (!path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = AedatReader.Open(path, new AedatReaderOptions { DecodeFrames = false });
            while (reader.TryRead(out var p)) if (p is EventsPacket e) yield return e.Events;
            // A damaged event file's errors (what they hid is not converted): said with the others.
            if (problems != null)
                foreach (var q in reader.Problems.Where(q => q.Severity == ProblemSeverity.Error)) problems.Add(q.Source.Length > 0 ? q.Plain : $"{path}: {q.Plain}");
            yield break;
        }
        var batch = EventBatch.Rent(1 << 16);
        int lineNo = 0, bad = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 4 || !long.TryParse(f[0], out long t) || !short.TryParse(f[1], out short x) || !short.TryParse(f[2], out short y) || !int.TryParse(f[3], out int p)
                || x < 0 || y < 0 || x >= w || y >= h)
            {
                string message = $"{path}: line {lineNo}: expected 't_us x y p' inside {w}×{h}, found '{IO.TextClip.Of(line)}'";
                if (problems == null) { batch.Dispose(); throw new BundleException(message); }
                if (++bad <= ListedEventLines) problems.Add(message + ": the event is left out");
                continue;
            }
            batch.Add(t, x, y, p > 0);
            if (batch.Count == 1 << 16) { yield return batch; batch = EventBatch.Rent(1 << 16); }
        }
        if (bad > ListedEventLines) problems!.Add($"{path}: {bad - ListedEventLines:N0} more malformed line(s) after the {ListedEventLines} above, each event left out ({bad:N0} in all)");
        if (batch.Count > 0) yield return batch; else batch.Dispose();
    }

    /// <summary>
    /// Writes an APS bundle (e.g. the simulator's <c>aps</c> preset) in the Blur-DVS-style layout, with
    /// events as text limited to each exposure ± <paramref name="marginUs"/>: for fixtures and for tools
    /// that read that layout. Returns the number of frames.
    /// </summary>
    public static int FromApsBundle(string bundleDir, string outDir, long marginUs = 10_000)
    {
        var bundle = RecordingBundle.Load(bundleDir);
        if (!bundle.IsApsBundle) throw new BundleException($"{bundleDir}: not an APS bundle");
        var windows = bundle.ApsExposures();
        Directory.CreateDirectory(Path.Combine(outDir, "blurry"));
        Directory.CreateDirectory(Path.Combine(outDir, "sharp"));
        var frames = new StringBuilder("index,blurry,sharp,exposure_start_us,exposure_end_us\n");
        var events = new StringBuilder("# t_us x y p\n");
        int k = 0;
        using (var reader = AedatReader.Open(bundle.EventsPath))
            while (reader.TryRead(out var p))
            {
                if (p is EventsPacket e)
                    using (var b = e.Events)
                        for (int i = 0; i < b.Count; i++)
                            if (windows.Any(w => w.Exposure.Expand(marginUs).Contains(b.Timestamps[i])))
                                events.Append(CultureInfo.InvariantCulture, $"{b.Timestamps[i]} {b.Xs[i]} {b.Ys[i]} {(b.Polarities[i] ? 1 : 0)}\n");
                if (p is FramePacket fp && k < windows.Count)
                {
                    var w = windows[k++];
                    string name = $"{w.Index:D6}.png";
                    using var img = Mat.FromPixelData(fp.Frame.Height, fp.Frame.Width, MatType.CV_8UC1, fp.Frame.Pixels);
                    Cv2.ImWrite(Path.Combine(outDir, "blurry", name), img);
                    var gt = bundle.GroundTruthFrames?.FirstOrDefault(g => g.Index == w.Index);
                    string sharpName = "";
                    if (gt != null)
                    {
                        using var g16 = Cv2.ImRead(gt.File, ImreadModes.Unchanged);
                        using var g8 = new Mat();
                        g16.ConvertTo(g8, MatType.CV_8UC1, 1.0 / 257);
                        Cv2.ImWrite(Path.Combine(outDir, "sharp", name), g8);
                        sharpName = "sharp/" + name;
                    }
                    frames.Append(CultureInfo.InvariantCulture, $"{w.Index},blurry/{name},{sharpName},{w.Exposure.StartUs},{w.Exposure.EndUs}\n");
                }
            }
        File.WriteAllText(Path.Combine(outDir, "events.txt"), events.ToString());
        File.WriteAllText(Path.Combine(outDir, "frames.csv"), frames.ToString());
        var (ew, eh) = bundle.EventSensorSize;
        File.WriteAllText(Path.Combine(outDir, DescriptionFile), new JsonObject
        {
            ["format"] = "blur-dvs-style/1", ["width"] = ew, ["height"] = eh, ["events"] = "events.txt", ["frames"] = "frames.csv",
        }.ToJsonString(EventDeblur.IO.JsonText.Readable));
        return k;
    }
}
