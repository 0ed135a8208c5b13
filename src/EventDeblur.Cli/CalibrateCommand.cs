using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Calibration;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using EventDeblur.Recording;

namespace EventDeblur.Cli;

/// <summary>
/// <c>eventdeblur calibrate BUNDLE [--checkerboard COLSxROWS] [--json] [--write] [--frames N] [--event-latency-us L]</c>: the RGB → event
/// homography estimated from the bundle's own frames and events (the manifest's calibration is ignored, and only compared with at the
/// end) — from the scene's texture, or with <c>--checkerboard</c> from a blinking-checkerboard calibration recording.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var bundleArg = new Argument<string>("BUNDLE") { Description = "A bundle folder with RGB frames and events" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on standard output" };
        var write = new Option<bool>("--write") { Description = "Store the homography in the bundle's recording.json (atomically; other fields kept)" };
        var frames = new Option<int>("--frames") { Description = "Most frames used, spread over the recording (3..1000)", DefaultValueFactory = _ => 8 };
        var latency = LatencyOption.Create("Shift each exposure window on the event clock by the camera's latency, µs (as replay's option; -10000000..10000000)");
        var board = new Option<string?>("--checkerboard") { Description = "The recording shows a checkerboard blinking on a screen (board / black): its inner corners per row and column, COLSxROWS (e.g. 9x6); the homography is fitted to the corners found in the frames and the event images" };
        var cmd = new Command("calibrate", "Estimate the RGB→event homography from the recording's own frames and events") { bundleArg, json, write, frames, latency, board };
        // Off the caller's thread with the command's token: Ctrl+C / SIGTERM stop the estimate (exit 130), and never
        // after it does --write store anything.
        cmd.SetAction((r, ct) => Task.Run(() =>
        {
            bool asJson = r.GetValue(json);
            var refused = new RefusedScan();
            try { return Run(r, asJson, ct, refused); }
            catch (UserInputException e) when (asJson)
            {
                // A refusal or a bad input still answers in JSON on stdout (the message also goes to stderr, and the exit code is the usual one),
                // with the exposure windows' scan under the manifest's calibration when a homography was refused.
                var o = new JsonObject { ["bundle"] = r.GetValue(bundleArg), ["error"] = e.Message, ["exit_code"] = ExitCodes.CodeOf(e) };
                if (refused.Done) AddOffset(o, refused.Offset, refused.Suggestion, "manifest");
                Console.WriteLine(o.ToJsonString());
                throw;
            }
        }, CancellationToken.None));
        return cmd;

        int Run(ParseResult r, bool asJson, CancellationToken ct, RefusedScan refused)
        {
            int n = r.GetValue(frames);
            if (n is < 3 or > 1000) throw new UserInputException($"--frames {n}: expected 3..1000");
            var bundle = RecordingBundle.Load(r.GetValue(bundleArg)!);
            if (r.GetValue(board) is string boardText)
            {
                (int Columns, int Rows) size;
                try { size = BoardCalibrationOptions.ParseBoard(boardText); }
                catch (ArgumentException e) { throw new UserInputException($"--checkerboard {e.Message}"); }
                var options = new BoardCalibrationOptions { Columns = size.Columns, Rows = size.Rows, MaxFrames = n, EventLatencyUs = r.GetValue(latency) };
                var boardResult = BoardCalibrator.Estimate(bundle, options, asJson ? null : Console.WriteLine, ct);
                PrintBoard(bundle, boardText, boardResult, asJson);
                ct.ThrowIfCancellationRequested();
                if (r.GetValue(write)) Write(bundle, boardResult.RgbToEvents, asJson);
                else if (!asJson) Console.WriteLine($"not written: run again with --write to store it in {Path.Combine(bundle.Root, "recording.json")}");
                return ExitCodes.Success;
            }
            CalibrationResult result;
            try { result = RigCalibrator.Estimate(bundle, new CalibrationOptions { MaxFrames = n, EventLatencyUs = r.GetValue(latency) }, asJson ? null : Console.WriteLine, ct); }
            catch (CalibrationRefusedException) when (bundle.Manifest.Rgb != null)
            {
                // No homography of its own: the windows' timing is still worth a look under the manifest's (late events make
                // the frames disagree on a homography: stop 48's trial's rigs with 5 and 10 ms of latency were refused).
                var manifestHomography = Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography);
                var underManifest = WindowOffsetScan.Scan(bundle, manifestHomography, r.GetValue(latency), n, ct);
                var suggestion = WindowOffsetScan.Suggest(bundle, manifestHomography, r.GetValue(latency), underManifest, n, ct);
                (refused.Done, refused.Offset, refused.Suggestion) = (true, underManifest, suggestion);
                if (!asJson) Console.WriteLine(OffsetLine(underManifest, r.GetValue(latency), suggestion).Replace("exposure windows:", "exposure windows, under the manifest's calibration:", StringComparison.Ordinal));
                throw;
            }
            var rgb = bundle.Manifest.Rgb!;
            var (ew, eh) = bundle.EventSensorSize;
            var manifestH = Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography);
            double vsManifest = HomographyGrid.MeanDistanceEventPx(result.RgbToEvents, manifestH, rgb.Width, rgb.Height, ew, eh);
            var h = result.RgbToEvents.ToRowMajor();
            var verdict = CalibrationVerdict.Judge(result);
            // Where the events match the frames best in time, under the homography found (stop 49's trial: exposure times a
            // few ms off cost up to 4.3 dB with no word).
            long latencyUs = r.GetValue(latency);
            var offset = WindowOffsetScan.Scan(bundle, result.RgbToEvents, latencyUs, n, ct);
            var suggested = WindowOffsetScan.Suggest(bundle, result.RgbToEvents, latencyUs, offset, n, ct);
            if (asJson)
            {
                var o = new JsonObject
                {
                    ["rgb_to_events_homography"] = new JsonArray(
                        new JsonArray(h[0], h[1], h[2]), new JsonArray(h[3], h[4], h[5]), new JsonArray(h[6], h[7], h[8])),
                    ["residual_event_px"] = result.ResidualEventPx,
                    ["standard_error_event_px"] = result.StandardErrorEventPx,
                    ["frames_used"] = result.FramesUsed,
                    ["frames_tried"] = result.FramesTried,
                    ["confidence"] = result.Confidence,
                    ["ambiguity"] = result.Ambiguity,
                    ["verdict"] = verdict.Level,
                    ["verdict_reasons"] = new JsonArray(verdict.Reasons.Select(x => (JsonNode)x).ToArray()),
                    ["advice"] = verdict.Advice,
                    ["search_scale"] = result.SearchScale,
                    ["search_rotation_deg"] = result.SearchRotationDeg,
                    ["mirrored"] = result.Mirrored,
                    ["manifest_difference_event_px"] = double.IsFinite(vsManifest) ? vsManifest : null,
                    ["frames"] = new JsonArray(result.Frames.Select(f => (JsonNode)new JsonObject
                    {
                        ["index"] = f.Index, ["events"] = f.Events,
                        ["correlation"] = double.IsFinite(f.Correlation) ? f.Correlation : null,
                        ["deviation_event_px"] = double.IsFinite(f.DeviationEventPx) ? f.DeviationEventPx : null,
                        ["used"] = f.Used, ["rejection"] = f.Rejection,
                    }).ToArray()),
                };
                AddOffset(o, offset, suggested, "estimate");
                Console.WriteLine(o.ToJsonString(EventDeblur.IO.JsonText.Readable));
            }
            else
            {
                foreach (var line in TextReport(result, verdict, vsManifest)) Console.WriteLine(line);
                Console.WriteLine(OffsetLine(offset, latencyUs, suggested));
            }
            ct.ThrowIfCancellationRequested();
            if (r.GetValue(write))
            {
                if (verdict.Level == CalibrationVerdict.Doubtful)
                    Console.Error.WriteLine($"warning: storing a {verdict.Level} estimate ({string.Join("; ", verdict.Reasons)}); the manifest's earlier homography is replaced");
                Write(bundle, result.RgbToEvents, asJson);
            }
            else if (!asJson) Console.WriteLine($"not written: run again with --write to store it in {Path.Combine(bundle.Root, "recording.json")}");
            return ExitCodes.Success;
        }
    }

    /// <summary>The text report of a texture calibration: homography, residual, confidence and its factors, the frames left out and why, the verdict, the difference from the manifest.</summary>
    internal static IEnumerable<string> TextReport(CalibrationResult result, CalibrationVerdict verdict, double vsManifestEventPx)
    {
        var ci = CultureInfo.InvariantCulture;
        yield return $"rgb_to_events_homography: {string.Join(",", result.RgbToEvents.ToRowMajor().Select(v => v.ToString("R", ci)))}";
        if (result.Mirrored)
            yield return "mirrored: the cameras see the scene mirrored one to the other (a beam-splitter rig); no unmirrored scale and rotation stood out, the mirrored one did";
        yield return $"residual {result.ResidualEventPx:F3} event px (standard error {result.StandardErrorEventPx:F3}), {result.FramesUsed} of {result.FramesTried} frames, confidence {result.Confidence:F2}";
        // What the confidence is made of, so that a low one can be read: a near-rival alignment, frames set aside, or spread.
        yield return $"confidence {result.Confidence:F2} = (1 - ambiguity {result.Ambiguity:F2}) × {result.FramesUsed}/{result.FramesTried} frames used × 1/(1 + residual {result.ResidualEventPx:F2} px); " +
                     "the residual is the spread of the per-frame fits around the joint one, the ambiguity how close the best rival alignment came";
        foreach (var f in result.Frames.Where(f => !f.Used))
            yield return $"left out: frame {f.Index} ({f.Events.ToString("N0", ci)} events): {f.Rejection}";
        yield return verdict.Reasons.Count == 0
            ? $"verdict: {verdict.Level} (ambiguity ≤ 0.6, standard error ≤ 0.5 event px, ≥ 3 frames and at least half of those tried agree)"
            : $"verdict: {verdict.Level}: {string.Join("; ", verdict.Reasons)}; {verdict.Advice}";
        yield return double.IsFinite(vsManifestEventPx)
            ? $"differs from the manifest's calibration by {vsManifestEventPx:F3} event px (mean over a 32×24 grid of the RGB frame)"
            : "the manifest's calibration maps no grid point of the RGB frame onto the sensor: no difference to report";
    }

    /// <summary>The exposure windows' scan of a refused homography, for the JSON answer of the refusal.</summary>
    private sealed class RefusedScan
    {
        public bool Done;
        public WindowOffsetResult? Offset;
        public WindowLatencySuggestion? Suggestion;
    }

    /// <summary>The JSON fields of the exposure windows' scan (<see cref="WindowOffsetScan"/>), made under the <paramref name="homography"/> named ("estimate" or "manifest").</summary>
    private static void AddOffset(JsonObject o, WindowOffsetResult? offset, WindowLatencySuggestion? suggestion, string homography)
    {
        o["window_offset_homography"] = homography;
        o["window_offset_us"] = offset?.OffsetUs;
        o["window_offset_clear"] = offset?.Clear;
        o["window_offset_at_edge"] = offset?.AtEdge;
        o["window_offset_frames_us"] = offset == null ? null : new JsonArray(offset.Frames.Select(f => (JsonNode)new JsonObject { ["index"] = f.Index, ["offset_us"] = f.BestUs }).ToArray());
        o["suggested_event_latency_us"] = suggestion?.LatencyUs;
        o["suggestion_refinements_us"] = suggestion == null ? null : new JsonArray(suggestion.RefinementsUs.Select(x => (JsonNode)x).ToArray());
    }

    /// <summary>The text report's line on the exposure windows' offset (<see cref="WindowOffsetScan"/>), naming the latency <paramref name="suggestion"/> found when the offset is clear.</summary>
    internal static string OffsetLine(WindowOffsetResult? offset, long latencyUs, WindowLatencySuggestion? suggestion = null)
    {
        var ci = CultureInfo.InvariantCulture;
        if (offset == null) return "exposure windows: too few frames with events to compare their timing";
        string frames = string.Join(", ", offset.Frames.Select(f => (f.BestUs / 1000.0).ToString("+0.#;-0.#;0", ci)));
        string ms = (offset.OffsetUs / 1000.0).ToString("+0.#;-0.#;0", ci);
        if (offset.AtEdge)
            return $"exposure windows: the events match the frames best at the edge of the ±{WindowOffsetScan.SearchUs / 1000}-ms search ({ms} ms; per frame: {frames} ms): the windows may be off by more; check frames.csv's times and sync.clock_offset_us, or run again with --event-latency-us {(latencyUs + offset.OffsetUs).ToString(ci)}";
        if (offset.Clear)
        {
            suggestion ??= new WindowLatencySuggestion(latencyUs + offset.OffsetUs, offset, []);
            string refined = suggestion.RefinementsUs.Count == 0 ? ""
                : $" (scanned again from there: {string.Join(", then ", suggestion.RefinementsUs.Select(x => (x / 1000.0).ToString("+0.#;-0.#;0", ci)))} ms more)";
            return $"exposure windows: the events match the frames best {ms} ms from the windows (per frame: {frames} ms){refined}: a camera latency or frames.csv times off by that much; replay with --event-latency-us {suggestion.LatencyUs.ToString(ci)} (or --event-latency-us auto, which scans the same way), or correct the times";
        }
        // At least the threshold, but the frames disagree (stop 50's review: hard-2006's +3.1 ms over frames from −3.6 to
        // +7.4 ms was called "within … on time").
        if (Math.Abs(offset.OffsetUs) >= WindowOffsetScan.MinSuggestedUs)
            return $"exposure windows: the events match the frames best {ms} ms from the windows (per frame: {frames} ms), but the frames do not agree on it (an option is named when three quarters of them lie on its side by half of it and they scatter by at most half of it): no replay option is named";
        return $"exposure windows: the events match the frames best {ms} ms from the windows (per frame: {frames} ms), within what a scan of ±{WindowOffsetScan.SearchUs / 1000} ms in 1-ms steps tells from on time (a replay option is named from {WindowOffsetScan.MinSuggestedUs / 1000} ms on, when the frames agree)";
    }

    private static void Write(RecordingBundle bundle, Homography rgbToEvents, bool asJson)
    {
        string path = Path.Combine(bundle.Root, "recording.json");
        CalibrationWriter.Write(path, rgbToEvents);
        (asJson ? Console.Error : Console.Out).WriteLine($"wrote the homography into {path}");
    }

    private static void PrintBoard(RecordingBundle bundle, string board, BoardCalibrationResult result, bool asJson)
    {
        var rgb = bundle.Manifest.Rgb!;
        var (ew, eh) = bundle.EventSensorSize;
        double vsManifest = HomographyGrid.MeanDistanceEventPx(result.RgbToEvents, Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography), rgb.Width, rgb.Height, ew, eh);
        var h = result.RgbToEvents.ToRowMajor();
        if (asJson)
        {
            var o = new JsonObject
            {
                ["method"] = "checkerboard",
                ["checkerboard"] = board,
                ["rgb_to_events_homography"] = new JsonArray(
                    new JsonArray(h[0], h[1], h[2]), new JsonArray(h[3], h[4], h[5]), new JsonArray(h[6], h[7], h[8])),
                ["residual_event_px"] = result.ResidualEventPx,
                ["max_corner_error_event_px"] = result.MaxCornerErrorEventPx,
                ["frames_used"] = result.FramesUsed,
                ["frames_tried"] = result.FramesTried,
                ["corners_used"] = result.CornersUsed,
                ["corners_matched"] = result.CornersMatched,
                ["coverage_rgb"] = result.CoverageRgb,
                ["manifest_difference_event_px"] = double.IsFinite(vsManifest) ? vsManifest : null,
                ["frames"] = new JsonArray(result.Frames.Select(f => (JsonNode)new JsonObject
                {
                    ["index"] = f.Index, ["events"] = f.Events, ["found_in_rgb"] = f.FoundInRgb, ["found_in_events"] = f.FoundInEvents,
                    ["ordering"] = f.Ordering, ["rms_event_px"] = double.IsFinite(f.RmsEventPx) ? f.RmsEventPx : null,
                    ["used"] = f.Used, ["rejection"] = f.Rejection,
                }).ToArray()),
            };
            Console.WriteLine(o.ToJsonString(EventDeblur.IO.JsonText.Readable));
            return;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"rgb_to_events_homography: {string.Join(",", h.Select(v => v.ToString("R", ci)))}");
        Console.WriteLine($"residual {result.ResidualEventPx:F3} event px RMS (max {result.MaxCornerErrorEventPx:F3}) over {result.CornersUsed} of {result.CornersMatched} corners, {result.FramesUsed} of {result.FramesTried} frames; the corners span {result.CoverageRgb:P0} of the RGB frame");
        Console.WriteLine($"differs from the manifest's calibration by {vsManifest:F3} event px (mean over a 32×24 grid of the RGB frame)");
    }
}
