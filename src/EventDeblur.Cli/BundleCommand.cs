using System.CommandLine;
using System.Globalization;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;
using EventDeblur.Recording;
using EventDeblur.Sync;

namespace EventDeblur.Cli;

/// <summary>
/// <c>eventdeblur bundle --events FILE --rgb DIR|VIDEO [--exposure-csv CSV] [--clock-offset-us N | --sync triggers [--trigger-polarity high|low]]
/// [--encoding E --black B --white W --saturation S] [--homography "h00,…,h22"] --out BUNDLE</c>:
/// a bundle from what a lab has, checked as <c>inspect</c> checks it.
/// </summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var events = new Option<string>("--events") { Description = "Event file: AEDAT 2.0/3.1/4.0 (copied), or Prophesee RAW/DAT or HDF5 (DSEC / h5_tools layout; converted to AEDAT 4.0)", Required = true };
        var rgb = new Option<string>("--rgb") { Description = "RGB frames: a folder of PNG, TIFF or OpenEXR images (natural name order) or a video file", Required = true };
        var csv = new Option<string?>("--exposure-csv") { Description = "CSV, header then one 'exposure_start_us,exposure_end_us' row per frame (RGB clock, µs)" };
        var sync = new Option<string>("--sync") { Description = "table (CSV times + --clock-offset-us) or triggers (external-input edges in the event file, matched to the frames by their spacing: a video's own timestamps, or --exposure-csv, which an image folder needs either way)", DefaultValueFactory = _ => "table" };
        sync.AcceptOnly("table", "triggers");
        var polarity = new Option<string>("--trigger-polarity") { Description = "With --sync triggers: high (the camera's exposure output is high while it exposes: rising edge = start, the default) or low (active-low: falling edge = start; the bundle's events are then written as AEDAT 4.0 with the two edges swapped, so that they read as RECORDING_FORMAT.md has them)", DefaultValueFactory = _ => "high" };
        polarity.AcceptOnly("high", "low");
        var channel = new Option<int?>("--trigger-channel") { Description = "With --sync triggers and a Prophesee file: the EXT_TRIGGER channel (id ≥ 0) the RGB camera's exposure output is wired to; the others are left out (needed when the file has triggers on more than one)" };
        var offset = new Option<long>("--clock-offset-us") { Description = "Added to the CSV times to reach the event clock, µs (table sync)", DefaultValueFactory = _ => 0 };
        var encoding = new Option<string>("--encoding") { Description = "RGB encoding: linear, srgb or gamma:G", DefaultValueFactory = _ => "srgb" };
        var black = new Option<double>("--black") { Description = "Black level: raw DN for linear frames; for srgb and gamma:G frames in linear units on the same scale (the curve undone first, RECORDING_FORMAT.md)", DefaultValueFactory = _ => 0 };
        var white = new Option<double?>("--white") { Description = "White level, raw DN (default 255 for 8-bit frames, 65535 for 16-bit; float TIFF or OpenEXR frames have no default: their value of full scale, e.g. 1)" };
        var saturation = new Option<double?>("--saturation") { Description = "Saturation level, raw DN (default: the white level)" };
        var homography = new Option<string?>("--homography") { Description = "RGB→event pixel homography: 9 comma-separated numbers, row-major (default identity)" };
        var output = new Option<string>("--out") { Description = "The new bundle folder (must not exist or be empty; an existing bundle with --force)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the bundle in --out (built beside it first: a failed build leaves the old one whole); a non-empty folder that is not a bundle is still refused" };
        var cmd = new Command("bundle", "Make a recording bundle from an event file, RGB frames (folder or video), exposure times and a calibration, and check it")
            { events, rgb, csv, sync, polarity, channel, offset, encoding, black, white, saturation, homography, output, force };
        cmd.SetAction((r, ct) =>
        {
            // With triggers the exposures come from the edges in the event file: an offset would be written and never used.
            if (r.GetValue(sync) == "triggers" && r.GetResult(offset) is { Implicit: false })
                throw new UserInputException($"--clock-offset-us {r.GetValue(offset)} applies to --sync table only: with --sync triggers the exposure windows come from the trigger edges on the event clock; leave it out");
            if (r.GetValue(sync) != "triggers" && r.GetResult(polarity) is { Implicit: false })
                throw new UserInputException($"--trigger-polarity {r.GetValue(polarity)} applies to --sync triggers only: with --sync table the exposure times come from --exposure-csv; leave it out");
            if (r.GetValue(sync) != "triggers" && r.GetValue(channel) is int given)
                throw new UserInputException($"--trigger-channel {given} applies to --sync triggers only: with --sync table the exposure times come from --exposure-csv; leave it out");
            double[] h = [1, 0, 0, 0, 1, 0, 0, 0, 1];
            if (r.GetValue(homography) is { } text)
            {
                var parts = text.Split(',');
                if (parts.Length != 9 || parts.Any(p => !double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                    throw new UserInputException($"--homography '{text}': expected 9 comma-separated numbers (row-major 3×3)");
                h = parts.Select(p => double.Parse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            }
            var sources = new BundleSources
            {
                EventsPath = r.GetValue(events)!, RgbPath = r.GetValue(rgb)!, ExposureCsvPath = r.GetValue(csv), Sync = r.GetValue(sync)!,
                ClockOffsetUs = r.GetValue(offset), TriggerActiveLow = r.GetValue(polarity) == "low", TriggerChannel = r.GetValue(channel), Encoding = r.GetValue(encoding)!, BlackLevel = r.GetValue(black),
                WhiteLevel = r.GetValue(white), SaturationLevel = r.GetValue(saturation), Homography = h,
            };
            string outDir = OutputFolder.FullPath(r.GetValue(output)!, "--out");
            if (File.Exists(outDir)) throw new UserInputException($"--out {outDir}: a file of that name exists; give a new or empty folder for the bundle", UserInputKind.Unusable);
            var converted = new List<Problem>();
            var bundle = BundleBuilder.Build(sources, r.GetValue(output)!, converted, r.GetValue(force), ct);
            var match = bundle.ResolveExposures();
            // Checked as inspect checks it: the event file's own errors (for a converted file, the source reader's) and
            // exposures the events cannot reach, from one pass.
            var summary = AedatSummary.Compute(bundle.EventsPath);
            // An AEDAT file is copied byte for byte, so its problems' byte offsets hold in the user's own file: name both.
            string userEvents = Path.GetFullPath(sources.EventsPath);
            bool copied = !sources.TriggerActiveLow && !EventFile.IsNonAedat(userEvents) && !string.Equals(Path.GetFullPath(bundle.EventsPath), userEvents, StringComparison.Ordinal)
                          && new FileInfo(bundle.EventsPath).Length == new FileInfo(userEvents).Length;
            Problem Named(Problem p) => copied && string.Equals(p.Source, bundle.EventsPath, StringComparison.Ordinal) ? p with { Source = $"{userEvents} (copied to {bundle.EventsPath})" } : p;
            // What the exposure CSV's reading noted (its unit, or times that look like another unit) comes first.
            // And the frame folder's (hidden files skipped).
            var notes = converted.Where(p => p.Severity == ProblemSeverity.Note && (sources.ExposureCsvPath != null && p.Source == sources.ExposureCsvPath || p.Source == sources.RgbPath)).ToList();
            var problems = bundle.Problems.Concat(match.Problems)
                .Concat(converted.Where(p => p.Severity == ProblemSeverity.Error))
                .Concat(summary.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(Named))
                .Concat(match.Windows.Where(w => w.Exposure != null)
                    .Select(w => ExposureCoverage.Gap(w.Index, w.Exposure!.Value, summary.TimeSpanUs?.Min, summary.TimeSpanUs?.Max, bundle.Manifest.Sync.Source))
                    .OfType<Problem>())
                .ToList();
            var exposures = match.Windows.Where(w => w.Exposure != null).Select(w => w.Exposure!.Value).ToList();
            // Times that look like another unit (the CSV reader's note) come first: an offset fitted to them would be as wrong.
            bool unitSuspect = converted.Any(p => p.Severity == ProblemSeverity.Note && sources.ExposureCsvPath != null && p.Source == sources.ExposureCsvPath && p.Message.Contains("name the unit", StringComparison.Ordinal));
            var suggestion = ExposureCoverage.Suggestion(exposures, summary.TimeSpanUs?.Min, summary.TimeSpanUs?.Max, bundle.Manifest.Sync.ClockOffsetUs, bundle.Manifest.Sync.Source);
            // No offset is fitted to times that look like another unit (their note says so; next: says to fix them first).
            if (!unitSuspect && ExposureCoverage.OffsetHint(exposures, summary.TimeSpanUs?.Min, summary.TimeSpanUs?.Max, bundle.Manifest.Sync.ClockOffsetUs, bundle.Manifest.Sync.Source) is { } offsetHint)
                notes.Add(offsetHint);
            // The calibration as inspect shows it: a bundle made without --homography maps the frame 1:1 onto the sensor,
            // which rarely holds, and inspect's note about it was the hint a user needs here.
            var calibration = InspectCommand.Calibration(bundle, notes);
            // Also when --saturation was given: a level that no frame reaches (within a half-float step) is a level to check.
            // The pixel-level checks share one decoding of the first frames (each had decoded them again).
            using (var first = FirstFrames.Of(bundle))
            {
                if (ClipPlateau(bundle, first) is { } plateau) notes.Add(plateau);
                if (FloatWhiteScale(bundle, first) is { } scaleNote) notes.Add(scaleNote);
                if (r.GetResult(encoding) is not { Implicit: false } && SixteenBitAsSrgb(bundle, first) is { } encodingNote) notes.Add(encodingNote);
                if (EightBitAsLinear(bundle, first) is { } linearNote) notes.Add(linearNote);
                if (BlackAboveFrames(bundle, first) is { } blackNote) notes.Add(blackNote);
            }
            int matched = match.Windows.Count(w => w.Exposure != null);
            var rgbSpec = bundle.Manifest.Rgb!;
            Console.WriteLine($"wrote {bundle.Root}: {bundle.Frames.Count} RGB frames ({bundle.Manifest.Sync.Source} sync), {matched} with exposure windows on the event clock");
            Console.WriteLine($"  pixel values: encoding {rgbSpec.Encoding}, black {rgbSpec.BlackLevel}, white {rgbSpec.WhiteLevel}, saturation {rgbSpec.SaturationLevel}" +
                              (r.GetResult(encoding) is not { Implicit: false } && r.GetResult(black) is not { Implicit: false } ? " (the defaults: --encoding, --black, --white and --saturation state the camera's own)" : ""));
            if (sources.TriggerActiveLow)
                Console.WriteLine($"  trigger polarity: low (the exposure output is active-low): the bundle's {Path.GetFileName(bundle.EventsPath)} is {ToolCommand.Word(userEvents)} with the external input's rising and falling edges swapped, so that each exposure reads as a rising then a falling edge");
            if (calibration != null) Console.WriteLine($"  calibration: {calibration}");
            // Bounded, as inspect lists them: a damaged file can hold tens of thousands of problems of one kind.
            const int MaxListed = 100;
            var all = problems.Concat(notes).ToList();
            foreach (var p in all.Take(MaxListed)) Console.WriteLine(InspectCommand.ProblemLine(p));
            if (all.Count > MaxListed)
                Console.WriteLine($"  … and {all.Count - MaxListed:N0} more problem(s) not listed ({all.Skip(MaxListed).Count(p => p.Severity == ProblemSeverity.Error):N0} error(s))");
            bool identity = r.GetValue(homography) == null;
            if (unitSuspect && (suggestion != null || matched < bundle.Frames.Count || problems.Any(p => p.Severity == ProblemSeverity.Error)))
                Console.WriteLine($"next: the exposure CSV's times look like another unit than the one read (see its note above): give the unit in its header (e.g. 'start_ms,end_ms') and run the same command again with --force before choosing a clock offset");
            else if (suggestion is (long so, string slip))
                Console.WriteLine($"next: no exposure meets the events, and with {slip}, --clock-offset-us {so}, every exposure lies within them: if that is the rig's offset, run the same command again with it and --force");
            else if (suggestion is (long guess, null))
                Console.WriteLine($"next: no exposure meets the events; run the same command again with the rig's clock offset, --clock-offset-us N --force, or with --sync triggers " +
                                  $"when the camera's exposure signal is on the DAVIS's external input; --clock-offset-us {guess} only starts the first exposure at the first event, a guess to check (see the note above)");
            else if (matched == 0 && bundle.Frames.Count > 0)
                Console.WriteLine("next: no frame has an exposure window on the event clock (the problems above say why), and calibrate and replay need them: fix that first, then run the same command again with --force");
            else if (calibration is { Collapses: true })
                Console.WriteLine($"next: fix the homography (the error above: {(calibration.Likelier is { Kind: "transpose" } ? "its transpose is given there" : "check how it was computed, or run calibrate")}) and run the same command again with --force; replay refuses kernels from events with it");
            else if (problems.Any(p => p.Severity == ProblemSeverity.Error) || notes.Any(p => p.Severity == ProblemSeverity.Error))
                Console.WriteLine($"next: fix the problems above and run the same command again with --force; '{ToolCommand.Name} replay {ToolCommand.Word(bundle.Root)} --out OUT' runs as it is, and fails or skips what they name");
            else Console.WriteLine(identity
                ? $"next: '{ToolCommand.Name} calibrate {ToolCommand.Word(bundle.Root)} --write' estimates the RGB→event homography from the recording (the bundle has the identity), then '{ToolCommand.Name} replay {ToolCommand.Word(bundle.Root)} --out OUT'"
                : $"next: '{ToolCommand.Name} replay {ToolCommand.Word(bundle.Root)} --out OUT' (or '{ToolCommand.Name} preview {ToolCommand.Word(bundle.Root)} --frames all --out DIR' to look first)");
            // A calibration that collapses the frame is an error among the notes (inspect lists it as one).
            return Task.FromResult(all.All(p => p.Severity != ProblemSeverity.Error) && matched == bundle.Frames.Count ? ExitCodes.Success : ExitCodes.DataProblems);
        });
        return cmd;
    }

    /// <summary>
    /// A note when the frames are 16-bit and the encoding was left at its default, sRGB: 16-bit frames from a camera are
    /// most often linear (raw), and read as sRGB they replayed 9 dB lower with no word (stop 39's trial); null otherwise.
    /// </summary>
    private static Problem? SixteenBitAsSrgb(RecordingBundle bundle, FirstFrames first)
    {
        if (bundle.Manifest.Rgb is not { Encoding.Kind: "srgb" } || first.Mats.Count == 0 || first.Mats[0].Depth() != OpenCvSharp.MatType.CV_16U) return null;
        return Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
            "the frames are 16-bit and were taken as sRGB-encoded, the default: 16-bit frames from a camera are most often linear (raw sensor values); if these are, run the same command again with --encoding linear (and the camera's --black and --saturation) --force");
    }

    /// <summary>
    /// A note when the frames are 8-bit and declared linear: 8-bit frames are most often exports (JPEG, PNG, video) with a
    /// display curve, and read as linear they deblurred 3.6 dB worse with no word (stop 47's trial: 33.17 → 29.58 dB); a
    /// machine-vision camera with its gamma off gives linear 8-bit frames, so it is a note saying both; null otherwise.
    /// </summary>
    private static Problem? EightBitAsLinear(RecordingBundle bundle, FirstFrames first)
    {
        if (bundle.Manifest.Rgb is not { Encoding.Kind: "linear" } || first.Mats.Count == 0 || first.Mats[0].Depth() != OpenCvSharp.MatType.CV_8U) return null;
        return Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
            "the frames are 8-bit and were declared linear: 8-bit frames are most often exported with a display curve (JPEG, PNG or video: sRGB), which read as linear costs deblurring several dB; if these were, run the same command again with --encoding srgb (or gamma:G) --force (a machine-vision camera with its gamma off does give linear 8-bit frames: then --encoding linear is right)");
    }

    /// <summary>
    /// A note when at least 90 % of the first frames' pixel values lie below the black level: the level is then above the
    /// frames' own dark floor (a black level of another camera mode or bit depth), the scene reads as black and the
    /// do-no-harm guard gives every tile back (stop 47's trial: --black 4096 for a 1024 floor, 98 % below); names the
    /// values' 1st percentile as a hint; null otherwise.
    /// </summary>
    private static Problem? BlackAboveFrames(RecordingBundle bundle, FirstFrames first)
    {
        var rgb = bundle.Manifest.Rgb;
        if (rgb == null || !(rgb.BlackLevel > 0) || !first.Complete) return null;
        var histogram = new long[65536];
        long pixels = 0, below = 0;
        foreach (var raw in first.Mats)
        {
            using var flat = raw.Reshape(1, 1);
            if (raw.Depth() == OpenCvSharp.MatType.CV_8U) { flat.GetArray(out byte[] v); foreach (var x in v) histogram[x]++; pixels += v.Length; }
            else if (raw.Depth() == OpenCvSharp.MatType.CV_16U) { flat.GetArray(out ushort[] v); foreach (var x in v) histogram[x]++; pixels += v.Length; }
            else return null;
        }
        if (pixels == 0) return null;
        // The raw value of the black level: for sRGB / gamma frames the level is in linear units, under the curve (RECORDING_FORMAT.md).
        double blackRaw = EventDeblur.Imaging.LinearImage.LinearToRaw(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, 0);
        for (int v = 0; v < histogram.Length && v < blackRaw; v++) below += histogram[v];
        if (below * 10 < pixels * 9) return null;
        long seen = 0;
        int p1 = 0;
        for (; p1 < histogram.Length; p1++) if ((seen += histogram[p1]) * 100 >= pixels) break;
        return Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None, string.Create(CultureInfo.InvariantCulture,
            $"{(double)below / pixels:P0} of the first frames' pixel values lie below the black level {rgb.BlackLevel}{(rgb.Encoding.Kind == "linear" ? "" : $" (raw {Math.Round(blackRaw)} under the {rgb.Encoding} curve)")}: the scene then reads as black and nothing can be deblurred; if the camera's black level is lower (1 % of the values are at or below {p1}), run the same command again with the camera's --black --force"));
    }

    /// <summary>
    /// When the first frames' brightest value lies below the saturation level assumed and at least 1 in 10 000 of their
    /// pixels sit exactly there (a clipped plateau: a camera, or a conversion, that clips below full scale — an 8-bit
    /// video made from 16-bit linear frames clips at 254), a note naming that value and the --saturation to try; else null.
    /// </summary>
    /// <param name="bundle">The bundle.</param>
    /// <param name="first">Its first frames, decoded.</param>
    /// <param name="fix">What to do, given the plateau's value (default: bundle's command again with --saturation).</param>
    internal static Problem? ClipPlateau(RecordingBundle bundle, FirstFrames first, Func<string, string>? fix = null)
    {
        var rgb = bundle.Manifest.Rgb;
        if (rgb == null || !first.Complete) return null;
        double max = double.MinValue;
        long atMax = 0, pixels = 0;
        bool floats = false;
        foreach (var raw in first.Mats)
        {
            floats = raw.Depth() == OpenCvSharp.MatType.CV_32F;
            if (raw.Depth() != OpenCvSharp.MatType.CV_8U && raw.Depth() != OpenCvSharp.MatType.CV_16U && !floats) return null;
            using var flat = raw.Reshape(1);
            flat.MinMaxLoc(out double _, out double m);
            if (!double.IsFinite(m)) return null;
            // Float frames: a plateau is the values within one half-float step of the brightest (stop 47's trial: float
            // TIFF and OpenEXR frames got no note where the same frames as 16-bit did).
            using var eq = new OpenCvSharp.Mat();
            if (floats) OpenCvSharp.Cv2.Compare(flat, m - Math.Abs(m) * EventDeblur.Imaging.LinearImage.FloatClipTolerance, eq, OpenCvSharp.CmpTypes.GE);
            else OpenCvSharp.Cv2.Compare(flat, m, eq, OpenCvSharp.CmpTypes.EQ);
            long n = OpenCvSharp.Cv2.CountNonZero(eq);
            if (m > max) { max = m; atMax = n; }
            else if (m == max) atMax += n;
            pixels += flat.Total();
        }
        // Floats reach the level when within its tolerance (the deconvolvers take those as clipped: LinearImage.UncertainFromLinear).
        double reached = floats ? rgb.SaturationLevel - Math.Abs(rgb.SaturationLevel) * EventDeblur.Imaging.LinearImage.FloatClipTolerance : rgb.SaturationLevel;
        if (pixels == 0 || max >= reached || max <= rgb.BlackLevel || atMax * 10_000 < pixels) return null;
        string value = max.ToString("R", CultureInfo.InvariantCulture);
        return Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None,
            $"{atMax:N0} pixel values of the first frames sit at {value}{(floats ? " (within 2^-10 of it)" : "")}, their brightest, and none reach the saturation level {rgb.SaturationLevel.ToString("R", CultureInfo.InvariantCulture)}: if {value} is where these frames clip (a camera or a conversion that clips below full scale; serve's 8-bit video clips at 254), {(fix ?? (v => $"run the same command again with --saturation {v} --force"))(value)}, so that clipped lights are restored rather than taken as measured");
    }

    /// <summary>
    /// A note when floating-point frames' brightest value is under 1 % of the white level: a full scale of another
    /// range (stop 47's trial: frames in [0, 1] bundled with --white 65535 replayed to all-black PNGs with no word); null otherwise.
    /// </summary>
    private static Problem? FloatWhiteScale(RecordingBundle bundle, FirstFrames first)
    {
        if (bundle.Manifest.Rgb is not { } rgb || !first.Complete || first.Mats.Count == 0) return null;
        double max = double.MinValue;
        foreach (var raw in first.Mats)
        {
            if (raw.Depth() != OpenCvSharp.MatType.CV_32F) return null;
            using var flat = raw.Reshape(1);
            flat.MinMaxLoc(out double _, out double m);
            if (double.IsFinite(m)) max = Math.Max(max, m);
        }
        if (max == double.MinValue || max - rgb.BlackLevel >= (rgb.WhiteLevel - rgb.BlackLevel) / 100) return null;
        return Problem.Note(Path.Combine(bundle.Root, "recording.json"), ProblemLocation.None, string.Create(CultureInfo.InvariantCulture,
            $"the first frames' brightest value is {max:G6}, under 1 % of the white level {rgb.WhiteLevel}: the frames would read as nearly black; if their full scale is another (e.g. 1 for frames in [0, 1]), run the same command again with that --white (and --saturation) --force"));
    }

    /// <summary>
    /// The bundle's first three frames, decoded once for the pixel-level checks: <see cref="Mats"/> up to the first frame
    /// that does not decode, <see cref="Complete"/> when none failed (the checks over several frames say nothing then).
    /// </summary>
    internal sealed class FirstFrames : IDisposable
    {
        public List<OpenCvSharp.Mat> Mats { get; } = [];

        public bool Complete { get; private set; } = true;

        public static FirstFrames Of(RecordingBundle bundle)
        {
            var first = new FirstFrames();
            foreach (var f in bundle.Frames.Take(3))
            {
                try { first.Mats.Add(EventDeblur.Imaging.LinearImage.Decode(f.File)); }
                catch (Exception e) when (e is IOException or OpenCvSharp.OpenCVException or ArgumentException) { first.Complete = false; break; }
            }
            return first;
        }

        public void Dispose()
        {
            foreach (var m in Mats) m.Dispose();
        }
    }
}
