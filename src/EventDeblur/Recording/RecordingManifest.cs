using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.IO;
using EventDeblur.Imaging;

namespace EventDeblur.Recording;

/// <summary>recording.json of a bundle (format <c>eventdeblur-recording/1</c>).</summary>
public sealed record RecordingManifest
{
    /// <summary>The format tag this project reads.</summary>
    public const string FormatTag = "eventdeblur-recording/1";

    /// <summary>
    /// Most pixels an RGB frame may have (64 Mi = 67 108 864, e.g. 8192 × 8192): a larger <c>rgb.width × rgb.height</c> is
    /// refused when the manifest is read, and a larger PNG frame is left out before it is decoded (a few MB of compressed
    /// PNG can otherwise ask for tens of GB).
    /// </summary>
    public const long MaxFramePixels = 64L << 20;

    /// <summary>Event stream.</summary>
    public required EventsSpec Events { get; init; }

    /// <summary>RGB camera; null when the frames are the APS frames of the event file.</summary>
    public RgbSpec? Rgb { get; init; }

    /// <summary>Synchronisation.</summary>
    public required SyncSpec Sync { get; init; }

    /// <summary>RGB pixel → event pixel homography (row-major 3×3); identity when absent.</summary>
    public required double[] RgbToEventsHomography { get; init; }

    /// <summary>Ground truth, when present.</summary>
    public GroundTruthSpec? GroundTruth { get; init; }

    /// <summary>Index of the first APS frame of the event file (APS bundles); default 0.</summary>
    public long ApsFirstIndex { get; init; }

    /// <summary>
    /// Keys of recording.json that RECORDING_FORMAT.md does not define, as paths (<c>rgb.whitelevel</c>), each with the
    /// defined key it most likely meant when one is close; ignored by every reader, and reported by
    /// <see cref="RecordingBundle"/> as notes (a misspelt <c>white_level</c> silently became 65535).
    /// </summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];

    /// <summary>
    /// Where the file departs from strict JSON (a comment or a trailing comma, which this reader skips), or null when it is
    /// strict JSON; said as a note, since other tools reading the bundle may use a strict parser.
    /// </summary>
    public string? NotStrictJson { get; init; }

    private static readonly Dictionary<string, string[]> KnownKeys = new()
    {
        [""] = ["format", "events", "rgb", "sync", "calibration", "ground_truth", "aps"],
        ["events"] = ["file", "width", "height", "camera"],
        ["rgb"] = ["frames", "width", "height", "encoding", "black_level", "white_level", "saturation_level"],
        ["sync"] = ["source", "clock_offset_us"],
        ["calibration"] = ["rgb_to_events_homography"],
        ["ground_truth"] = ["frames", "kernels"],
        ["aps"] = ["first_index"],
    };

    private static List<string> Unknown(JsonElement root)
    {
        var found = new List<string>();
        void Check(JsonElement obj, string section)
        {
            if (obj.ValueKind != JsonValueKind.Object) return;
            var known = KnownKeys[section];
            foreach (var p in obj.EnumerateObject())
            {
                if (known.Contains(p.Name)) continue;
                string path = section.Length == 0 ? p.Name : $"{section}.{p.Name}";
                static string Squash(string k) => k.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
                string? near = known.FirstOrDefault(k => Squash(k) == Squash(p.Name)) ?? known.FirstOrDefault(k => Distance(k, p.Name.ToLowerInvariant()) <= 2);
                found.Add(near != null ? $"{path} (did you mean {(section.Length == 0 ? near : $"{section}.{near}")}?)" : path);
            }
        }
        Check(root, "");
        foreach (var section in KnownKeys.Keys.Where(k => k.Length > 0))
            if (root.TryGetProperty(section, out var e)) Check(e, section);
        return found;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// The manifest as recording.json's object, the inverse of <see cref="Parse"/>: format, events, then either rgb, sync
    /// and calibration (an RGB bundle) or aps (an APS bundle), then ground_truth when present. Every field is written,
    /// defaults included, so that what a tool reads is what this manifest holds.
    /// </summary>
    public JsonObject ToJson()
    {
        var events = new JsonObject { ["file"] = Events.File, ["width"] = Events.Width, ["height"] = Events.Height };
        if (Events.Camera.Length > 0) events["camera"] = Events.Camera;
        var m = new JsonObject { ["format"] = FormatTag, ["events"] = events };
        if (Rgb is { } r)
        {
            m["rgb"] = new JsonObject
            {
                ["frames"] = r.Frames, ["width"] = r.Width, ["height"] = r.Height, ["encoding"] = r.Encoding.ToString(),
                ["black_level"] = r.BlackLevel, ["white_level"] = r.WhiteLevel, ["saturation_level"] = r.SaturationLevel,
            };
            m["sync"] = new JsonObject { ["source"] = Sync.Source, ["clock_offset_us"] = Sync.ClockOffsetUs };
            var h = RgbToEventsHomography;
            m["calibration"] = new JsonObject
            {
                ["rgb_to_events_homography"] = new JsonArray(new JsonArray(h[0], h[1], h[2]), new JsonArray(h[3], h[4], h[5]), new JsonArray(h[6], h[7], h[8])),
            };
        }
        else
        {
            m["aps"] = new JsonObject { ["first_index"] = ApsFirstIndex };
        }
        if (GroundTruth is { } g)
        {
            var gt = new JsonObject();
            if (g.Frames != null) gt["frames"] = g.Frames;
            if (g.Kernels != null) gt["kernels"] = g.Kernels;
            m["ground_truth"] = gt;
        }
        return m;
    }

    /// <summary>Writes the manifest to <paramref name="path"/> (normally BUNDLE/recording.json), indented, atomically.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Write(string path) =>
        AtomicFile.WriteAllText(path, ToJson().ToJsonString(EventDeblur.IO.JsonText.Readable));

    /// <summary>Parses and validates recording.json text; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="BundleException">Invalid JSON, wrong format tag, or a missing or ill-typed field.</exception>
    public static RecordingManifest Parse(string json, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new BundleException($"{path}: not valid JSON: {IO.JsonSyntax.Describe(e)}");
        }
        // Read leniently (comments, trailing commas), but said: RECORDING_FORMAT.md's other readers may be strict JSON
        // parsers that refuse the file (stop 42: accepted in silence).
        string? notStrict = null;
        try { using var strict = JsonDocument.Parse(json); }
        catch (JsonException e) { notStrict = IO.JsonSyntax.Describe(e).Replace(" which is not supported in this mode. Change the reader options.", "", StringComparison.Ordinal).TrimEnd('.'); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BundleException($"{path}: expected a JSON object at the top level, found {Kind(root)}");
            string format = Str(root, "format", path);
            if (format != FormatTag) throw new BundleException($"{path}: format is '{format}', expected '{FormatTag}'");

            var ev = Obj(root, "events", path);
            var events = new EventsSpec(Str(ev, "file", path, "events."), Int(ev, "width", path, "events.", 0), Int(ev, "height", path, "events.", 0),
                OptStr(ev, "camera") ?? "");

            RgbSpec? rgb = null;
            if (root.TryGetProperty("rgb", out var r) && r.ValueKind != JsonValueKind.Null)
            {
                ExpectObject(r, "rgb", path);
                PixelEncoding enc;
                try { enc = PixelEncoding.Parse(OptStr(r, "encoding") ?? "linear"); }
                catch (FormatException e) { throw new BundleException($"{path}: rgb.{e.Message}"); }
                double white = Num(r, "white_level", path, "rgb.", 65535);
                double black = Num(r, "black_level", path, "rgb.", 0);
                if (!(white > black)) throw new BundleException($"{path}: rgb.white_level ({white}) must exceed rgb.black_level ({black})");
                // Raw values at or above the saturation level are clipped: a level above white_level would never mark a
                // clipped pixel (they would be deconvolved as data), one at or below black_level would mark every pixel.
                double saturation = Num(r, "saturation_level", path, "rgb.", white);
                if (!(saturation > black && saturation <= white))
                    throw new BundleException($"{path}: rgb.saturation_level ({saturation}) must lie above rgb.black_level ({black}) and at most rgb.white_level ({white}): " +
                                              "raw values at or above it are treated as clipped; leave it out to use the white level");
                rgb = new RgbSpec(Str(r, "frames", path, "rgb."), Int(r, "width", path, "rgb.", null), Int(r, "height", path, "rgb.", null),
                    enc, black, white, saturation);
                if ((long)rgb.Width * rgb.Height > MaxFramePixels)
                    throw new BundleException($"{path}: rgb.width × rgb.height = {rgb.Width} × {rgb.Height} = {(long)rgb.Width * rgb.Height:N0} pixels exceeds the limit of {MaxFramePixels:N0} pixels per frame (RecordingManifest.MaxFramePixels)");
            }

            var sync = new SyncSpec("table", 0);
            if (root.TryGetProperty("sync", out var s))
            {
                ExpectObject(s, "sync", path);
                string src = OptStr(s, "source") ?? "table";
                if (src is not ("table" or "triggers")) throw new BundleException($"{path}: sync.source is '{src}', expected 'table' or 'triggers'");
                sync = new SyncSpec(src, Long(s, "clock_offset_us", path, "sync.", 0));
            }

            double[] h = [1, 0, 0, 0, 1, 0, 0, 0, 1];
            if (root.TryGetProperty("calibration", out var cal) && ExpectObject(cal, "calibration", path).TryGetProperty("rgb_to_events_homography", out var hm))
            {
                if (hm.ValueKind != JsonValueKind.Array || hm.GetArrayLength() != 3)
                    throw new BundleException($"{path}: calibration.rgb_to_events_homography must be a 3×3 array of numbers");
                int k = 0;
                foreach (var row in hm.EnumerateArray())
                {
                    if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != 3)
                        throw new BundleException($"{path}: calibration.rgb_to_events_homography must be a 3×3 array of numbers");
                    foreach (var v in row.EnumerateArray())
                    {
                        if (v.ValueKind != JsonValueKind.Number) throw new BundleException($"{path}: calibration.rgb_to_events_homography holds a non-number");
                        h[k++] = v.GetDouble();
                    }
                }
                CheckHomography(h, path);
            }

            GroundTruthSpec? gt = null;
            if (root.TryGetProperty("ground_truth", out var g) && g.ValueKind == JsonValueKind.Object)
                gt = new GroundTruthSpec(OptStr(g, "frames"), OptStr(g, "kernels"));

            long apsFirst = 0;
            if (root.TryGetProperty("aps", out var aps) && aps.ValueKind == JsonValueKind.Object)
            {
                // An index: a whole number ≥ 0 (RECORDING_FORMAT.md; NNNNNN names files after it). -3 wrote frames/-000003.png, 2.7 became 2.
                // 15.0 (a tool that wrote it as a float) is the whole number 15.
                if (aps.TryGetProperty("first_index", out var fi))
                {
                    if (fi.ValueKind != JsonValueKind.Number || !fi.TryGetDouble(out double first) || !(first >= 0) || first != Math.Floor(first) || first > 9e15)
                        throw new BundleException($"{path}: 'aps.first_index' must be a whole number ≥ 0 (the index of the file's first APS frame), found {fi.GetRawText()}");
                    apsFirst = fi.TryGetInt64(out long exact) ? exact : (long)first;
                }
            }

            return new RecordingManifest { Events = events, Rgb = rgb, Sync = sync, RgbToEventsHomography = h, GroundTruth = gt, ApsFirstIndex = apsFirst, UnknownKeys = Unknown(root), NotStrictJson = notStrict };
        }
    }

    /// <summary>
    /// A homography must be finite and invertible (it maps the RGB image onto the event sensor and back); a singular one
    /// (all zeros, a collapsed row) would fail every frame of a replay instead of being refused here.
    /// </summary>
    private static void CheckHomography(double[] h, string path) =>
        CheckHomography(h, $"{path}: calibration.rgb_to_events_homography", $"estimate one with '{ToolCommand.Name} calibrate BUNDLE --write', or leave the field out for the identity");

    /// <summary>Refuses a homography with a non-finite entry, or one that is singular once scaled to its largest entry.</summary>
    /// <param name="h">Row-major 3×3.</param>
    /// <param name="name">What it is called in the message (a manifest field, an option).</param>
    /// <param name="fix">What to do instead, for the message.</param>
    /// <exception cref="BundleException">The homography cannot map the frames.</exception>
    public static void CheckHomography(double[] h, string name, string fix)
    {
        for (int i = 0; i < 9; i++)
            if (!double.IsFinite(h[i]))
                throw new BundleException($"{name}[{i / 3}][{i % 3}] is {h[i]}, expected a finite number; {fix}");
        double scale = h.Max(Math.Abs);
        if (scale == 0) throw new BundleException($"{name} is singular (all zeros): expected an invertible 3×3 matrix; {fix}");
        // The determinant against the product of the rows' lengths (Hadamard's ratio, in [0, 1]: 1 for orthogonal rows,
        // 0 for a singular matrix): scale-free per row, so a large translation (a third column of thousands of pixels)
        // does not read as near-singular, as it did once the matrix was divided by its largest entry.
        double det = h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6]);
        double rows = 1;
        for (int r = 0; r < 3; r++) rows *= Math.Sqrt(h[3 * r] * h[3 * r] + h[3 * r + 1] * h[3 * r + 1] + h[3 * r + 2] * h[3 * r + 2]);
        double ratio = rows > 0 && double.IsFinite(rows) ? Math.Abs(det) / rows : 0;
        if (!(ratio > 1e-12) || !double.IsFinite(det))
            throw new BundleException($"{name} is singular or too badly scaled to invert (its determinant is {ratio:G3} of the product of its rows' lengths; a row of zeros or two parallel rows give 0): expected an invertible 3×3 matrix; {fix}");
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };

    private static JsonElement ExpectObject(JsonElement e, string name, string path) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new BundleException($"{path}: '{name}' must be an object, found {Kind(e)}");

    private static JsonElement Obj(JsonElement e, string name, string path)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Object)
            throw new BundleException($"{path}: expected an object '{name}'");
        return v;
    }

    private static string Str(JsonElement e, string name, string path, string prefix = "")
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
            throw new BundleException($"{path}: expected a string '{prefix}{name}'");
        return v.GetString()!;
    }

    private static string? OptStr(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double Num(JsonElement e, string name, string path, string prefix, double? dflt)
    {
        if (!e.TryGetProperty(name, out var v))
            return dflt ?? throw new BundleException($"{path}: expected a number '{prefix}{name}'");
        if (v.ValueKind != JsonValueKind.Number || !double.IsFinite(v.GetDouble()))
            throw new BundleException($"{path}: '{prefix}{name}' must be a finite number");
        return v.GetDouble();
    }

    /// <summary>An exact 64-bit integer (a double would round 2^63−1 and overflow on conversion).</summary>
    private static long Long(JsonElement e, string name, string path, string prefix, long dflt)
    {
        if (!e.TryGetProperty(name, out var v)) return dflt;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x))
            throw new BundleException($"{path}: '{prefix}{name}' must be an integer in µs between {long.MinValue} and {long.MaxValue}, found {v.GetRawText()}");
        return x;
    }

    private static int Int(JsonElement e, string name, string path, string prefix, int? dflt)
    {
        double d = Num(e, name, path, prefix, dflt);
        if (d < 0 || d > 100_000 || d != Math.Floor(d))
            throw new BundleException($"{path}: '{prefix}{name}' must be an integer in 0..100000, found {d}");
        return (int)d;
    }
}
