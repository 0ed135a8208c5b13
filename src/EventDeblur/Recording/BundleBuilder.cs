using System.Globalization;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.Imaging;
using EventDeblur.IO;
using OpenCvSharp;

namespace EventDeblur.Recording;

/// <summary>
/// Makes a recording bundle (RECORDING_FORMAT.md) from an event file, RGB frames (image folder or
/// video), exposure times (CSV on the RGB clock + offset, or the event file's trigger edges), the RGB
/// encoding and a calibration, and loads it back (the caller resolves the exposures, as <c>inspect</c>
/// does, to report whether it is clean). Every file is written atomically; the bundle folder must be
/// new or empty.
/// </summary>
public static class BundleBuilder
{
    private static readonly string[] ImageExtensions = [".png", ".tif", ".tiff", ".exr"];

    // Pictures that are not frames (lossy, or not read here): refused as a single --rgb image, named when a folder holds them.
    private static readonly string[] OtherPictureExtensions = [".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".heic", ".dng", ".cr2", ".nef", ".arw"];

    /// <summary>What to do with pictures of another kind, by the kind of the first one.</summary>
    private static string OtherPictureAdvice(List<string> files) => Path.GetExtension(files[0]).ToLowerInvariant() switch
    {
        ".dng" or ".cr2" or ".nef" or ".arw" => "camera raw files are to be developed without tone curve to 16-bit PNG or TIFF (e.g. 'dcraw -4 -T' or 'darktable-cli' with a linear profile) and given with --encoding linear and the camera's --black and --saturation",
        ".bmp" => "BMP is lossless: convert the files to PNG (e.g. 'mogrify -format png *.bmp') and give the encoding they hold (--encoding srgb for most)",
        _ => "JPEG and the like are lossy and tone-mapped by the camera, so clipped lights and noise no longer follow the sensor; if they are all you have, convert them to PNG (e.g. 'mogrify -format png *.jpg') and give --encoding srgb",
    };

    /// <summary>Builds the bundle at <paramref name="bundleDir"/> and returns it loaded.</summary>
    /// <param name="s">What the lab has.</param>
    /// <param name="bundleDir">The new bundle's folder (absent or empty).</param>
    /// <param name="conversionProblems">
    /// Receives what the reader of a converted event file (Prophesee RAW / DAT, HDF5) found, and the events the conversion
    /// dropped: the bundle's own AEDAT 4.0 copy is clean, so these are the only record of them. Untouched for AEDAT inputs,
    /// which are copied as they are (check the bundle's event file for theirs). Also receives notes under the exposure CSV's
    /// path (the unit its times were read in, or times that look like another unit) and under the image folder's (hidden
    /// files skipped, not taken as frames).
    /// </param>
    /// <exception cref="BundleException">An input is missing or malformed (the message names the file, the line and what was expected).</exception>
    /// <param name="replace">
    /// When <paramref name="bundleDir"/> is a bundle already (it holds a recording.json), build the new one beside it and
    /// then put it in its place, so a failed build leaves the old bundle as it was (and inputs read from the old bundle
    /// are read before it goes); a non-empty folder that is not a bundle is refused either way.
    /// </param>
    /// <param name="ct">Cancels the build (checked per packet while an event file is converted); nothing is left of the new bundle.</param>
    public static RecordingBundle Build(BundleSources s, string bundleDir, List<Problem>? conversionProblems = null, bool replace = false, CancellationToken ct = default)
    {
        if (s.Sync is not ("table" or "triggers")) throw new BundleException($"sync '{s.Sync}': expected 'table' or 'triggers'");
        if (s.Homography.Length != 9) throw new BundleException($"--homography: expected 9 numbers (a row-major 3×3 homography), found {s.Homography.Length}");
        RecordingManifest.CheckHomography(s.Homography, "--homography", "give the RGB→event homography as 9 finite numbers, row-major, or leave it out for the identity");
        try { PixelEncoding.Parse(s.Encoding); }
        catch (FormatException e) { throw new BundleException($"encoding: {e.Message}"); }
        if (Directory.Exists(s.EventsPath))
            throw new BundleException($"--events {s.EventsPath}: is a folder; give the event file itself (AEDAT, Prophesee RAW / DAT or HDF5){(File.Exists(Path.Combine(s.EventsPath, "recording.json")) ? " — this folder is already a bundle: replay it directly" : "")}");
        if (!File.Exists(s.EventsPath)) throw new BundleException($"{s.EventsPath}: no such event file");
        if (!File.Exists(s.RgbPath) && !Directory.Exists(s.RgbPath)) throw new BundleException($"{s.RgbPath}: no such image folder or video");
        if (File.Exists(s.RgbPath) && (ImageExtensions.Contains(Path.GetExtension(s.RgbPath).ToLowerInvariant()) || OtherPictureExtensions.Contains(Path.GetExtension(s.RgbPath).ToLowerInvariant())))
            throw new BundleException($"{s.RgbPath}: --rgb names one image; give the folder that holds the frames (PNG, TIFF or OpenEXR, one per exposure) or a video");
        bool replacing = false;
        if (Directory.Exists(bundleDir) && Directory.EnumerateFileSystemEntries(bundleDir).Any())
        {
            if (!File.Exists(Path.Combine(bundleDir, "recording.json")))
                throw new BundleException($"{bundleDir}: exists, is not empty and is not a bundle (no recording.json); give a new folder{(replace ? " (--force replaces only a bundle)" : "")}");
            if (!replace)
                throw new BundleException($"{bundleDir}: is a bundle already; give a new folder, or --force to replace it");
            replacing = true;
        }
        if (s.Sync == "table" && s.ExposureCsvPath == null)
            throw new BundleException("table sync needs --exposure-csv (one 'exposure_start_us,exposure_end_us' row per frame)");
        var csvTimes = s.ExposureCsvPath != null ? ReadExposureCsv(s.ExposureCsvPath, conversionProblems) : null;

        string root = Path.GetFullPath(bundleDir);
        if (replacing) return Replace(s, root, csvTimes, conversionProblems, ct);
        try
        {
            return BuildInto(s, root, csvTimes, conversionProblems, ct);
        }
        catch
        {
            // Nothing half-made is left behind: the folder was new or empty.
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Builds the bundle beside <paramref name="root"/>, then swaps it in: the old bundle stays whole until the new one is.</summary>
    private static RecordingBundle Replace(BundleSources s, string root, List<(long Start, long End)>? csvTimes, List<Problem>? conversionProblems, CancellationToken ct)
    {
        string parent = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar))!, name = Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar));
        string fresh = Path.Combine(parent, $".{name}.bundle-{Environment.ProcessId}.partial");
        string old = Path.Combine(parent, $".{name}.bundle-{Environment.ProcessId}.old");
        foreach (var leftover in new[] { fresh, old }.Where(Directory.Exists)) Directory.Delete(leftover, recursive: true);
        try
        {
            BuildInto(s, fresh, csvTimes, conversionProblems, ct);
        }
        catch
        {
            try { Directory.Delete(fresh, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        Directory.Move(root, old);
        try { Directory.Move(fresh, root); }
        catch
        {
            Directory.Move(old, root); // put the old bundle back
            throw;
        }
        try { Directory.Delete(old, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return RecordingBundle.Load(root);
    }

    private static RecordingBundle BuildInto(BundleSources s, string root, List<(long Start, long End)>? csvTimes, List<Problem>? conversionProblems, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.Combine(root, "rgb"));
        if (s.TriggerActiveLow && s.Sync != "triggers")
            throw new BundleException("an active-low trigger polarity applies to trigger sync only: with table sync the exposure times come from the exposure CSV");
        if (s.TriggerChannel != null && s.Sync != "triggers")
            throw new BundleException("a trigger channel applies to trigger sync only: with table sync the exposure times come from the exposure CSV");
        if (s.TriggerChannel is int c && (c < 0 || !PropheseeReader.IsPropheseeFile(s.EventsPath)))
            throw new BundleException($"{s.EventsPath}: a trigger channel (≥ 0) is a Prophesee file's EXT_TRIGGER id; a DAVIS has one external input, whose edges are used as they are");
        var (eventsFile, width, height, camera) = WriteEvents(s.EventsPath, root, conversionProblems, ct, s.TriggerActiveLow, s.Sync == "triggers", s.TriggerChannel);
        var (files, videoTimes, depth, size, sources) = Directory.Exists(s.RgbPath) ? CopyImages(s.RgbPath, root, conversionProblems) : DecodeVideo(s.RgbPath, root, s.NominalExposureUs);
        var times = csvTimes ?? videoTimes
            ?? throw new BundleException($"{s.RgbPath}: an image folder has no timestamps; give --exposure-csv (one 'exposure_start_us,exposure_end_us' row per image, in name order; with --sync triggers it is still needed, and only the spacing of its times is used to match the frames to the trigger edges)");
        if (times.Count != files.Count)
        {
            // Pictures of another kind in the folder are not frames: said, since they may be the missing ones.
            var skipped = Directory.Exists(s.RgbPath) ? Directory.GetFiles(s.RgbPath).Where(f => !IsHidden(f) && OtherPictureExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Select(Path.GetFileName).ToList() : [];
            var hidden = Directory.Exists(s.RgbPath) ? HiddenPictures(s.RgbPath) : [];
            throw new BundleException($"{s.ExposureCsvPath ?? s.RgbPath}: {times.Count} exposure rows for {files.Count} RGB frames; expected one row per frame" +
                (skipped.Count > 0 ? $" ({s.RgbPath} also holds {skipped.Count} picture(s) that are not frames and were not counted, e.g. {skipped[0]}: frames are PNG, TIFF or OpenEXR)" : "") +
                (hidden.Count > 0 ? $" ({s.RgbPath} also holds {hidden.Count} hidden file(s) that were skipped and not counted, e.g. {hidden[0]}: {HiddenAdvice(s.RgbPath, hidden)})" : "") +
                (conversionProblems?.FirstOrDefault(p => p.Message.Contains(MultiPageNote, StringComparison.Ordinal)) is { } multi ? $" ({multi.Message})" : ""));
        }

        FrameTable.Write(Path.Combine(root, "rgb", "frames.csv"), files.Select((f, i) => ((long)i, f, times[i].Start, times[i].End)));
        WriteSources(Path.Combine(root, "rgb", SourcesFile), sources);

        if (depth == LinearImage.FloatDepth && s.WhiteLevel == null)
            throw new BundleException($"{s.RgbPath}: the frames hold 32-bit floats, whose white level has no default; give --white (the float value of full scale, e.g. 1 for frames normalised to [0, 1]) and, where the camera clipped below it, --saturation");
        double white = s.WhiteLevel ?? (depth == 8 ? 255 : 65535);
        // PNG frames: a white level ≤ 255 means 8-bit frames, above it 16-bit (as the bundle check reads PNGs); a mismatch
        // would leave every frame out of the bundle, so it is refused here with the level that fits (TIFFs are not
        // checked for depth: a 16-bit TIFF may hold 8-bit values).
        if (s.WhiteLevel is double givenWhite && depth is 8 or 16 && (givenWhite <= 255 ? 8 : 16) != depth
            && files.Count > 0 && files.All(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)))
            throw new BundleException($"--white {givenWhite}: the frames are {depth}-bit (the first: {(sources.Count > 0 ? sources[0] : files[0])}), and a white level of {givenWhite} means {(givenWhite <= 255 ? 8 : 16)}-bit frames; " +
                                      $"give --white {(depth == 8 ? 255 : 65535)} (full scale of {depth}-bit frames), or the camera's own white level {(depth == 8 ? "up to 255" : "above 255")}, or leave it out");
        // Named as the options the user gave, not as fields of a recording.json that does not exist yet.
        string whiteFrom = s.WhiteLevel != null ? "--white" : $"the white level of {depth}-bit frames";
        if (!(white > s.BlackLevel))
            throw new BundleException($"--black {s.BlackLevel}: must lie below {whiteFrom} ({white})");
        double saturation = s.SaturationLevel ?? white;
        if (!(saturation > s.BlackLevel && saturation <= white))
            throw new BundleException($"--saturation {saturation}: must lie above --black ({s.BlackLevel}) and at most {whiteFrom} ({white})");
        PixelEncoding encoding;
        try { encoding = PixelEncoding.Parse(s.Encoding); }
        catch (FormatException e) { throw new BundleException($"--encoding: {e.Message}"); }
        new RecordingManifest
        {
            Events = new EventsSpec(eventsFile, width, height, camera),
            Rgb = new RgbSpec("rgb/frames.csv", size.Width, size.Height, encoding, s.BlackLevel, white, s.SaturationLevel ?? white),
            Sync = new SyncSpec(s.Sync, s.ClockOffsetUs),
            RgbToEventsHomography = s.Homography,
        }.Write(Path.Combine(root, "recording.json"));

        return RecordingBundle.Load(root);
    }

    /// <summary>
    /// Reads the exposure CSV: a header, then one 'start,end' row per image; fields may be in double quotes (RFC 4180).
    /// Times are µs unless the header's column names state another unit (<c>start_ms</c>, <c>End (s)</c>, …: ms and s are
    /// converted, rounded to the µs); times read as µs whose exposures all last under 200 µs, or whose frames follow each
    /// other under every 1 ms (median), get a note in <paramref name="notes"/> (times in ms read as µs, typically).
    /// </summary>
    private static List<(long Start, long End)> ReadExposureCsv(string path, List<Problem>? notes)
    {
        if (!File.Exists(path)) throw new BundleException($"{path}: no such exposure CSV");
        FrameTable.CheckSize(path);
        var rows = new List<(long, long)>();
        int line = 0, lastLine = 0;
        var (scale, unit) = (1.0, (string?)null);
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (line == 1) { (scale, unit) = CheckExposureHeader(path, text); continue; }
            if (text.Trim().Length == 0) continue;
            var f = CsvFields(text)?.ToArray() ?? [];   // an open quote: refused below, with the line
            if (f.Length == 3 && f[2].Trim().Length == 0) f = f[..2];   // a trailing comma, as the header may have
            bool Time(string field, out long us)
            {
                us = 0;
                if (scale == 1) return long.TryParse(field.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out us);
                if (!double.TryParse(field.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double v)
                    || !double.IsFinite(v) || Math.Abs(v * scale) > 9e18) return false;
                us = (long)Math.Round(v * scale);
                return true;
            }
            if (f.Length != 2 || !Time(f[0], out long a) || !Time(f[1], out long b) || b <= a)
                throw new BundleException($"{path}: line {line}: expected 'exposure_start_us,exposure_end_us' ({(scale == 1 ? "integers, µs" : $"numbers, in {unit} as the header says")}, end > start), found '{TextClip.Of(text)}'");
            // Row k is the k-th image in name order, so the times must rise with it: one camera's exposures never go back.
            if (rows.Count > 0 && a <= rows[^1].Item1)
                throw new BundleException($"{path}: line {line}: the exposure starts at {a} µs, not after line {lastLine}'s start ({rows[^1].Item1} µs): " +
                                          "the rows pair with the images in name order, so they must be in time order (sort the file by exposure_start_us, and name the frames so that they sort in time order)");
            rows.Add((a, b));
            lastLine = line;
        }
        if (rows.Count == 0) throw new BundleException($"{path}: no exposure rows after the header line");
        string readAs = unit == null ? "the header names no unit, so the times are read as µs" : "the header says µs";
        const string ifNot = "if they are ms or s, name the unit in the header (e.g. 'start_ms,end_ms') or convert them";
        if (scale == 1 && ExposureUnits.AnotherUnit(rows) is { } suspect)
            notes?.Add(Problem.Note(path, ProblemLocation.None, $"{suspect}: {readAs}; {ifNot}"));
        else if (scale != 1)
            notes?.Add(Problem.Note(path, ProblemLocation.None, $"times read in {unit}, as the header names them, and stored in µs"));
        return rows;
    }

    /// <summary>
    /// The exposure CSV's first line is its header and is never read as times: a missing header (times on line 1, which
    /// would silently drop the first frame's row), a bundle's own frames.csv and columns named in the wrong order are refused.
    /// </summary>
    private static (double Scale, string? Unit) CheckExposureHeader(string path, string text)
    {
        const string expected = "'exposure_start_us,exposure_end_us'";
        var f = CsvFields(text.TrimStart('\uFEFF'))?.Select(x => x.Trim()).ToList()
                ?? throw new BundleException($"{path}: line 1: a double quote opens a column name and does not close it (or text follows the closing quote); expected the header {expected}, found '{TextClip.Of(text)}'");
        while (f.Count > 2 && f[^1].Length == 0) f.RemoveAt(f.Count - 1);   // a trailing comma
        if (f.Count == 2 && f.All(x => long.TryParse(x, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            throw new BundleException($"{path}: line 1 holds times ('{TextClip.Of(text)}'), not the header: the first line of an exposure CSV is its header {expected} and is never read as times; add that line above the first row");
        if (string.Equals(string.Join(',', f), FrameTable.Header, StringComparison.OrdinalIgnoreCase))
            throw new BundleException($"{path}: is a bundle's frames.csv ('{FrameTable.Header}'); --exposure-csv takes two columns, {expected}, one row per image in name order");
        if (f.Count != 2)
            throw new BundleException($"{path}: line 1: expected the header {expected} (two columns), found '{TextClip.Of(text)}'");
        static string[] Words(string column) => column.Split('_', ' ', '-', '.', '(', ')', '[', ']', '/');
        static bool Names(string column, string word) => Words(column).Any(t => t.Equals(word, StringComparison.OrdinalIgnoreCase));
        if (Names(f[0], "end") && Names(f[1], "start"))
            throw new BundleException($"{path}: line 1: the columns are '{f[0]}' then '{f[1]}'; the start comes first: {expected}");
        // A camera SDK's 'timestamp_us,exposure_time_us' is a start and a duration: its rows failed only at line 2 ("end > start").
        if (NamesADuration(Words(f[1])))
            throw new BundleException($"{path}: line 1: column 2 '{f[1]}' looks like the exposure's duration, not its end; the CSV takes each exposure's start and end: " +
                                      $"write the end as start + duration (both in one unit) in column 2, under the header {expected} (or 'start_ms,end_ms', … naming the unit)");
        // A unit in the column names: µs (the default), ms or s; the two columns must agree.
        static (double, string?)? UnitOf(string column)
        {
            foreach (var (words, scale, name) in new (string[], double, string?)[]
                     {
                         (["us", "µs", "usec", "microseconds", "microsecond"], 1, "µs"),
                         (["ms", "msec", "milliseconds", "millisecond"], 1e3, "ms"),
                         (["s", "sec", "secs", "seconds", "second"], 1e6, "s"),
                     })
                if (words.Any(w => Names(column, w))) return (scale, name);
            return null;
        }
        // Units this reader does not take are refused, not read as µs (ns would be 1000× off).
        foreach (var column in f)
            foreach (var word in new[] { "ns", "nsec", "nanoseconds", "min", "minutes", "ticks" })
                if (Names(column, word))
                    throw new BundleException($"{path}: line 1: the column '{column}' names the unit '{word}', which is not read; give the times in µs, ms or s and name that unit in the header (e.g. 'start_us,end_us')");
        var (u0, u1) = (UnitOf(f[0]), UnitOf(f[1]));
        if (u0 is { } x && u1 is { } y && x.Item2 != y.Item2)
            throw new BundleException($"{path}: line 1: the columns '{f[0]}' and '{f[1]}' name different units; give both times in one unit");
        // A unit counts only when both columns name it: in 't_s,t_e' the 's' means start, not seconds.
        return u0 is { } both && u1 == both ? both : (1, null);
    }

    private static readonly HashSet<string> DurationWords = new(["duration", "dur", "length", "exptime", "exposuretime"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> ExposureWords = new(["exposure", "exp", "time", "integration", "shutter"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> EndWords = new(["end", "stop", "finish", "close", "closed"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> UnitWords = new(["us", "µs", "usec", "microseconds", "microsecond", "ms", "msec", "milliseconds", "millisecond", "s", "sec", "secs", "seconds", "second", "ns", "nsec", "nanoseconds"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a column's words name a duration, not an end time: 'duration_us', 'exposure_duration_ms', or only words such
    /// as exposure/time/shutter besides the unit ('exposure_time_us', 'exposure_us', 'Exposure Time (µs)'); a word such as
    /// 'end' or 'stop' makes it an end ('exposure_end_us', 'stop_time').
    /// </summary>
    private static bool NamesADuration(string[] words)
    {
        var named = words.Where(w => w.Length > 0 && !UnitWords.Contains(w)).ToList();
        return named.Count > 0 && !named.Any(EndWords.Contains) && (named.Any(DurationWords.Contains) || named.All(ExposureWords.Contains));
    }

    /// <summary>
    /// The comma-separated fields of one CSV line, RFC 4180: a field in double quotes (as pandas' quoting=ALL and Excel write
    /// them) is taken without them, a doubled quote in it as one, and spaces around it are dropped; unquoted fields are as
    /// written. Null when a quote opened is not closed, or text other than spaces follows the closing one.
    /// </summary>
    private static List<string>? CsvFields(string text)
    {
        var fields = new List<string>();
        for (int i = 0; ; i++)
        {
            int open = i;
            while (open < text.Length && text[open] is ' ' or '\t') open++;
            if (open < text.Length && text[open] == '"')
            {
                var field = new System.Text.StringBuilder();
                int j = open + 1;
                for (; ; j++)
                {
                    if (j >= text.Length) return null;
                    if (text[j] != '"') field.Append(text[j]);
                    else if (j + 1 < text.Length && text[j + 1] == '"') field.Append(text[++j]);
                    else break;
                }
                for (j++; j < text.Length && text[j] is ' ' or '\t'; j++) { }
                if (j < text.Length && text[j] != ',') return null;
                fields.Add(field.ToString());
                i = j;
            }
            else
            {
                int comma = text.IndexOf(',', i);
                fields.Add(comma < 0 ? text[i..] : text[i..comma]);
                i = comma < 0 ? text.Length : comma;
            }
            if (i >= text.Length) return fields;
        }
    }

    private static (string File, int Width, int Height, string Camera) WriteEvents(string path, string root, List<Problem>? conversionProblems, CancellationToken ct, bool invertTriggers = false,
        bool triggerSync = false, int? triggerChannel = null)
    {
        try
        {
            // An active-low exposure signal: the events are written as AEDAT 4.0 with the external input's edges swapped
            // (an AEDAT file too, which is otherwise copied byte for byte), so that the bundle reads as RECORDING_FORMAT.md has it.
            if (invertTriggers || EventFile.IsNonAedat(path))
            {
                using var reader = EventFile.Open(path);
                if (reader.Info.Width <= 0 && reader.Info.Version == AedatVersion.Hdf5)
                    throw new BundleException(Hdf5WithoutSize(path));
                // An AEDAT file converted for --trigger-polarity low: the same message as when it is copied (a DAVIS, not a Prophesee).
                if ((reader.Info.Width <= 0 || reader.Info.Height <= 0) && !EventFile.IsNonAedat(path))
                    throw new BundleException(AedatWithoutSize(path, AedatReader.Detect(path)));
                const string name = "events.aedat4";
                int? stream = triggerChannel is int c ? PropheseeReader.TriggerStreamIdBase + c : null;
                var converted = AedatConverter.ToAedat4(reader, Path.Combine(root, name), Aedat4Compression.Lz4, ct: ct, invertExternalSignal: invertTriggers, triggerStream: stream);
                // Exposures come from one channel: a second one's edges (a strobe, a PPS) would be paired with its edges
                // (stop 48's trial: 26 problems, none naming the channels, and a frame `ok` at its input paired with a 1-ms pulse).
                var channels = converted.TriggersByStream.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key).ToList();
                string Channels() => string.Join(", ", channels.Select(kv => $"{ChannelName(reader, kv.Key)}: {kv.Value:N0} edges"));
                if (triggerSync && stream == null && channels.Count > 1)
                    throw new BundleException($"{path}: triggers on {channels.Count} channels ({Channels()}), while the exposures must come from one; give --trigger-channel with the one the RGB camera's exposure output is wired to");
                if (stream is int only && !channels.Any(kv => kv.Key == only))
                    throw new BundleException($"{path}: no trigger on channel {triggerChannel}; the file has {(channels.Count == 0 ? "none" : Channels())}");
                var problems = new List<Problem>(converted.Problems);
                if (converted.DroppedBackward + converted.DroppedOutOfRange + converted.DroppedJumpedForward > 0)
                    problems.Add(new Problem(path, 0, ProblemSeverity.Error,
                        $"{converted.DroppedBackward:N0} events going back in time, {converted.DroppedJumpedForward:N0} after a damaged timestamp that threw time forward and {converted.DroppedOutOfRange:N0} outside the {reader.Info.Width}×{reader.Info.Height} sensor were left out of the bundle's events.aedat4"));
                conversionProblems?.AddRange(problems);
                // The bundle's events.aedat4 is clean, so what its source file's reader found is recorded beside it (inspect
                // and replay list it as notes): a bundle made from a damaged file must not look as if it came from a whole one.
                ConversionRecord.Write(root, name, path, problems.Where(p => p.Severity == ProblemSeverity.Error).ToList());
                return (name, reader.Info.Width, reader.Info.Height, reader.Info.Camera);
            }
            var version = AedatReader.Detect(path);
            string file = version == AedatVersion.Aedat4 ? "events.aedat4" : "events.aedat";
            using (var reader = AedatReader.Open(path, new AedatReaderOptions { DecodeFrames = false }))
            {
                // Stop 44's trial: an AEDAT 2.0 file of an unknown AEChip became a bundle of a 0×0 sensor with its events
                // upside down (jAER flips y by the sensor height), exit 0.
                if (reader.Info.Width <= 0 || reader.Info.Height <= 0) throw new BundleException(AedatWithoutSize(path, version));
                string tmp = AtomicFile.TempPathFor(Path.Combine(root, file));
                CopyWritable(path, tmp);
                File.Move(tmp, Path.Combine(root, file));
                return (file, reader.Info.Width, reader.Info.Height, reader.Info.Camera);
            }
        }
        catch (AedatFormatException e)
        {
            throw new BundleException($"{path}: not a readable event file: {e.Message}");
        }
        catch (ArgumentException e) when (e.Message.Contains("pass --width and --height", StringComparison.Ordinal))
        {
            // bundle has no size options: the file is converted first, with the size given there.
            string extent = EventFile.Extent(path) is { } x
                ? $"; its {x.Count:N0} events reach x = {x.MaxX} and y = {x.MaxY}, so the sensor is at least {x.MaxX + 1}×{x.MaxY + 1} (e.g. 304×240 for an ATIS / Gen1, 640×480 for a Gen3 VGA, 1280×720 for a Gen4 HD)"
                : "";
            throw new BundleException($"{path}: the file states no sensor size, which a bundle needs{extent}; convert the file first, giving the size: " +
                                      $"'{ToolCommand.Name} convert {ToolCommand.Word(path)} events.aedat4 --width W --height H', then give --events events.aedat4");
        }
        catch (ArgumentException e)
        {
            throw new BundleException($"{path}: {e.Message}");
        }
    }

    /// <summary>A trigger stream's name for messages: a Prophesee file's EXT_TRIGGER channel, else its stream id.</summary>
    private static string ChannelName(IAedatReader reader, int stream) =>
        reader is PropheseeReader ? $"EXT_TRIGGER id {stream - PropheseeReader.TriggerStreamIdBase}" : $"stream {stream}";

    /// <summary>
    /// Why an HDF5 event file that states no sensor size is refused, with the extent its events reach (as <c>inspect</c>
    /// gives it) and the conversion to run: trial 47a's DSEC file got neither, only 'convert IN OUT.aedat4 --width W --height H'.
    /// </summary>
    private const string MultiPageNote = "only its first page is taken as a frame";

    /// <summary>
    /// The number of pages (image file directories) of a classic TIFF file, counted along its IFD chain (at most 10 000,
    /// a loop or an offset outside the file ends the count); null for a file that is not a classic TIFF (BigTIFF too).
    /// </summary>
    internal static long? MultiPage(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> head = stackalloc byte[8];
            if (f.Read(head) != 8) return null;
            bool le = head[0] == 'I' && head[1] == 'I', be = head[0] == 'M' && head[1] == 'M';
            if (!le && !be) return null;
            ushort U16(ReadOnlySpan<byte> b) => le ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(b) : System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(b);
            uint U32(ReadOnlySpan<byte> b) => le ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(b) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b);
            if (U16(head[2..]) != 42) return null;
            long offset = U32(head[4..]), pages = 0;
            var seen = new HashSet<long>();
            Span<byte> buf = stackalloc byte[4];
            while (offset > 0 && offset + 2 <= f.Length && seen.Add(offset) && pages < 10_000)
            {
                pages++;
                f.Position = offset;
                if (f.Read(buf[..2]) != 2) break;
                long next = offset + 2 + 12L * U16(buf);
                if (next + 4 > f.Length) break;
                f.Position = next;
                if (f.Read(buf) != 4) break;
                offset = U32(buf);
            }
            return pages;
        }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> as a file the bundle's owner can write (rw-r--r--):
    /// File.Copy keeps the source's mode, and files from a read-only folder (a camera card, a shared drive) became
    /// read-only bundle files (stop 47's trial), which block fixing a frame in place and, on Windows, deleting the bundle.
    /// </summary>
    private static void CopyWritable(string source, string destination)
    {
        File.Copy(source, destination);
        if (OperatingSystem.IsWindows()) File.SetAttributes(destination, File.GetAttributes(destination) & ~FileAttributes.ReadOnly);
        else File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Why an AEDAT file that states no sensor size cannot be bundled, with the events' extent and the command that converts it.</summary>
    private static string AedatWithoutSize(string path, AedatVersion version)
    {
        string extent = EventFile.Extent(path) is { } x ? $"; its {x.Count:N0} events reach x = {x.MaxX} and y = {x.MaxY}" : "";
        string why = version == AedatVersion.Aedat2 ? " (its AEChip is not a camera this reader knows, so its y addresses cannot be flipped by the sensor height as jAER's are)" : "";
        return $"{path}: the file states no sensor size{why}, which a bundle needs{extent}; convert the file first, giving the size (e.g. 346×260 for a DAVIS346, 240×180 for a DAVIS240): " +
               $"'{ToolCommand.Name} convert {ToolCommand.Word(path)} events.aedat4 --width W --height H', then give --events events.aedat4";
    }

    private static string Hdf5WithoutSize(string path)
    {
        var x = EventFile.Extent(path);
        // The AEDAT copy goes beside the file; an HDF5 file named .aedat4 would be its own output, which convert refuses.
        string output = Path.ChangeExtension(path, ".aedat4");
        // Nor one that exists already, which convert refuses without --force (the review of stop 47).
        if (string.Equals(Path.GetFullPath(output), Path.GetFullPath(path), StringComparison.Ordinal) || File.Exists(output)) output = Path.ChangeExtension(path, ".converted.aedat4");
        string size = x is { } e ? $"--width {e.MaxX + 1} --height {e.MaxY + 1}" : "--width W --height H";
        return $"{path}: the HDF5 event file does not state its sensor size (root attribute sensor_resolution = (height, width)), which a bundle needs" +
               (x is { } r ? $"; its {r.Count:N0} events reach x = {r.MaxX} and y = {r.MaxY}, so the sensor is at least {r.MaxX + 1}×{r.MaxY + 1} (give the camera's own size where it is larger, e.g. 640×480 for DSEC, 346×260 for a DAVIS346)" : "") +
               $"; convert the file first, giving the size: '{ToolCommand.Name} convert {ToolCommand.Word(path)} {ToolCommand.Word(output)} {size}', then give --events {ToolCommand.Word(output)}";
    }

    /// <summary>
    /// File name, beside <c>rgb/frames.csv</c>, of the table that says where each frame came from (<c>index,source</c>:
    /// the image's original file name, or <c>VIDEO#N</c> for the N-th frame of a video, 0-based). It is not part of the
    /// bundle contract; readers of bundles ignore it.
    /// </summary>
    public const string SourcesFile = "sources.csv";

    private static void WriteSources(string path, List<string> sources)
    {
        var sb = new System.Text.StringBuilder("index,source\n");
        for (int i = 0; i < sources.Count; i++)
        {
            string v = sources[i];
            // RFC 4180 quoting for names with commas, quotes or line breaks.
            if (v.AsSpan().IndexOfAny(",\"\r\n") >= 0) v = "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            sb.Append(i.ToString(CultureInfo.InvariantCulture)).Append(',').Append(v).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string DepthName(int depth) => depth == LinearImage.FloatDepth ? "32-bit float" : $"{depth}-bit";

    /// <summary>Whether a file is hidden by its name (a dot-file), as file browsers and <c>ls</c> hide it.</summary>
    private static bool IsHidden(string file) => Path.GetFileName(file).StartsWith('.');

    /// <summary>
    /// The names of the hidden files in <paramref name="dir"/> that are named like pictures (<c>._frame1.png</c>), in ordinal
    /// order: skipped, never taken as frames.
    /// </summary>
    private static List<string> HiddenPictures(string dir) =>
        Directory.GetFiles(dir).Where(f => IsHidden(f) && (ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) || OtherPictureExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())))
            .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>What the hidden files are: macOS AppleDouble resource forks when named '._*' (with the command that removes them).</summary>
    private static string HiddenAdvice(string dir, List<string> hidden) => hidden.Any(h => h.StartsWith("._", StringComparison.Ordinal))
        ? $"names starting with '._' are the resource forks macOS writes beside each file it copies to an exFAT or FAT disk, not images; 'find {ToolCommand.Word(dir)} -name \"._*\" -delete' removes them"
        : "names starting with '.' are hidden files, not frames; rename any that is a frame";

    private static (List<string> Files, List<(long, long)>? Times, int Depth, (int Width, int Height) Size, List<string> Sources) CopyImages(string dir, string root, List<Problem>? notes)
    {
        // Hidden files are not frames (trial 47a: a folder copied from a Mac to a USB disk holds '._frame1.png' beside each
        // frame, and the first of them stopped the bundle as "not an image OpenCV can decode"); they are skipped, with a note.
        var hidden = HiddenPictures(dir);
        // Natural order (frame2 before frame10), as file browsers show them; zero-padded names sort the same either way.
        var images = Directory.GetFiles(dir).Where(f => !IsHidden(f) && ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(NaturalOrder.Instance).ToList();
        // Names such as t_0.25 / t_0.5 (times) and take1.9 / take1.10 (counters) sort differently read as decimals or as
        // counters; the rows pair with the frames by that order, so a folder that can be read both ways is refused.
        if (NaturalOrder.Ambiguity(images.Select(Path.GetFileName).ToList()!) is var (x, y))
            throw new BundleException($"{dir}: the frame names sort one way read as counters and another read as decimal numbers ('{x}' or '{y}' first); the exposure rows pair with the frames in name order, so rename the frames to sort one way only (e.g. zero-padded frame numbers 000000.png, 000001.png, … or times with a fixed number of decimals)");
        // Pictures of another kind (JPEG and the like) are not frames; said when they are all there is.
        var others = Directory.GetFiles(dir).Where(f => !IsHidden(f) && OtherPictureExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).ToList();
        if (images.Count == 0)
            throw new BundleException($"{dir}: no PNG, TIFF or OpenEXR (.exr) images" + (others.Count > 0 ? $"; it holds {others.Count} {string.Join("/", others.Select(f => Path.GetExtension(f).TrimStart('.').ToUpperInvariant()).Distinct())} file(s), which are not read: {OtherPictureAdvice(others)}" : "") +
                                      (hidden.Count > 0 ? $"; the {hidden.Count} hidden file(s) named like pictures in it (e.g. {hidden[0]}) are skipped: {HiddenAdvice(dir, hidden)}" : ""));
        if (hidden.Count > 0)
            notes?.Add(Problem.Note(dir, ProblemLocation.None, $"{hidden.Count} hidden file(s) named like pictures skipped, not taken as frames (e.g. {hidden[0]}): {HiddenAdvice(dir, hidden)}"));
        var files = new List<string>();
        int depth = 0;
        (int, int) size = default;
        for (int i = 0; i < images.Count; i++)
        {
            // The PNG header is checked before any pixel is decoded: a small file may declare a huge image.
            if (FrameImageCheck.ReadPngHeader(images[i]) is { } png)
            {
                if (!png.IhdrCrcOk)
                    throw new BundleException($"{images[i]}: a damaged PNG: its IHDR chunk (size, bit depth, colour type) fails its CRC-32 check at byte 29; not decoded");
                if ((long)png.Width * png.Height > RecordingManifest.MaxFramePixels || png.Width <= 0 || png.Height <= 0)
                    throw new BundleException($"{images[i]}: a {png.Width}×{png.Height} PNG, over the limit of {RecordingManifest.MaxFramePixels:N0} pixels per frame; not decoded");
                if (png.HasAlpha)
                    throw new BundleException($"{images[i]}: a PNG with an alpha channel ({png.Channels} channels); frames must be grey or colour without alpha (e.g. 'convert in.png -alpha off out.png')");
            }
            Mat img;
            try { img = LinearImage.Decode(images[i]); }
            catch (IOException e) { throw new BundleException(e.Message); }
            using var _ = img;
            int d = img.Depth() == MatType.CV_8U ? 8 : img.Depth() == MatType.CV_16U ? 16 : img.Depth() == MatType.CV_32F ? LinearImage.FloatDepth : 0;
            if (d == 0) throw new BundleException($"{images[i]}: expected 8- or 16-bit integer or 32-bit float pixels");
            if (img.Channels() is not (1 or 3))
                throw new BundleException($"{images[i]}: {img.Channels()} channels; frames must be grey (1) or colour (3) without alpha" +
                                          (img.Channels() is 2 or 4 ? $" (drop the alpha channel, e.g. ImageMagick's 'convert {Path.GetFileName(images[i])} -alpha off OUT{Path.GetExtension(images[i])}')" : ""));
            // A multi-page TIFF (a burst saved as one file): only its first page is a frame (stop 47's trial: the rest was left out without a word).
            if (Path.GetExtension(images[i]).ToLowerInvariant() is ".tif" or ".tiff" && MultiPage(images[i]) is long pages && pages > 1)
                notes?.Add(Problem.Note(dir, ProblemLocation.None, $"{Path.GetFileName(images[i])} is a TIFF of {pages} pages: {MultiPageNote} (one frame per file; a burst needs one file per frame)"));
            if (i == 0) (depth, size) = (d, (img.Cols, img.Rows));
            else if (d != depth || (img.Cols, img.Rows) != size)
                throw new BundleException($"{images[i]}: {img.Cols}×{img.Rows} {DepthName(d)}, expected {size.Item1}×{size.Item2} {DepthName(depth)} like {images[0]}");
            string name = $"{i:D6}{Path.GetExtension(images[i]).ToLowerInvariant()}";
            string target = Path.Combine(root, "rgb", name);
            string tmp = AtomicFile.TempPathFor(target);
            CopyWritable(images[i], tmp);
            File.Move(tmp, target);
            files.Add(name);
        }
        return (files, null, depth, size, images.Select(f => Path.GetFileName(f)).ToList());
    }

    private static (List<string> Files, List<(long, long)>? Times, int Depth, (int Width, int Height) Size, List<string> Sources) DecodeVideo(string path, string root, long exposureUs)
    {
        if (exposureUs <= 0) throw new BundleException($"nominal exposure {exposureUs} µs: expected > 0");
        using var cap = new VideoCapture(path);
        if (!cap.IsOpened()) throw new BundleException($"{path}: not an image folder or a video OpenCV can open");
        var files = new List<string>();
        var times = new List<(long, long)>();
        (int, int) size = default;
        using var frame = new Mat();
        while (cap.Read(frame) && !frame.Empty())
        {
            long t = (long)Math.Round(cap.Get(VideoCaptureProperties.PosMsec) * 1000);
            if (files.Count == 0) size = (frame.Cols, frame.Rows);
            string name = $"{files.Count:D6}.png";
            Cv2.ImEncode(".png", frame, out byte[] png);
            AtomicFile.WriteAllBytes(Path.Combine(root, "rgb", name), png);
            files.Add(name);
            times.Add((t, t + exposureUs));
        }
        if (files.Count == 0) throw new BundleException($"{path}: the video holds no frame");
        // A container without timestamps reports 0 for every frame: space them by the exposure instead.
        if (times.Count > 1 && times.Select(x => x.Item1).Distinct().Count() == 1)
            times = times.Select((_, i) => ((long)i * exposureUs * 2, (long)i * exposureUs * 2 + exposureUs)).ToList();
        return (files, times, 8, size, files.Select((_, i) => $"{Path.GetFileName(path)}#{i}").ToList());
    }
}
