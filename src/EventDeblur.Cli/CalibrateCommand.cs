using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Calibration;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Recording;

namespace EventDeblur.Cli;

/// <summary>
/// <c>eventdeblur calibrate BUNDLE [--json] [--write] [--frames N] [--event-latency-us L]</c>: the RGB → event homography estimated from the
/// bundle's own frames and events (the manifest's calibration is ignored, and only compared with at the end).
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var bundleArg = new Argument<string>("BUNDLE") { Description = "A bundle folder with RGB frames and events" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on standard output" };
        var write = new Option<bool>("--write") { Description = "Store the homography in the bundle's recording.json (atomically; other fields kept)" };
        var frames = new Option<int>("--frames") { Description = "Most frames used, spread over the recording (3..1000)", DefaultValueFactory = _ => 8 };
        var latency = new Option<long>("--event-latency-us") { Description = "Shift each exposure window on the event clock by the camera's latency, µs (as replay's option)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("calibrate", "Estimate the RGB→event homography from the recording's own frames and events") { bundleArg, json, write, frames, latency };
        // Off the caller's thread with the command's token: Ctrl+C / SIGTERM stop the estimate (exit 130), and never
        // after it does --write store anything.
        cmd.SetAction((r, ct) => Task.Run(() =>
        {
            int n = r.GetValue(frames);
            if (n is < 3 or > 1000) throw new UserInputException($"--frames {n}: expected 3..1000");
            var bundle = RecordingBundle.Load(r.GetValue(bundleArg)!);
            bool asJson = r.GetValue(json);
            var result = RigCalibrator.Estimate(bundle, new CalibrationOptions { MaxFrames = n, EventLatencyUs = r.GetValue(latency) }, asJson ? null : Console.WriteLine, ct);
            var rgb = bundle.Manifest.Rgb!;
            var (ew, eh) = bundle.EventSensorSize;
            var manifestH = Homography.FromRowMajor(bundle.Manifest.RgbToEventsHomography);
            double vsManifest = HomographyGrid.MeanDistanceEventPx(result.RgbToEvents, manifestH, rgb.Width, rgb.Height, ew, eh);
            var h = result.RgbToEvents.ToRowMajor();
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
                    ["coarse_scale"] = result.CoarseScale,
                    ["coarse_rotation_deg"] = result.CoarseRotationDeg,
                    ["manifest_difference_event_px"] = double.IsFinite(vsManifest) ? vsManifest : null,
                    ["frames"] = new JsonArray(result.Frames.Select(f => (JsonNode)new JsonObject
                    {
                        ["index"] = f.Index, ["events"] = f.Events,
                        ["correlation"] = double.IsFinite(f.Correlation) ? f.Correlation : null,
                        ["deviation_event_px"] = double.IsFinite(f.DeviationEventPx) ? f.DeviationEventPx : null,
                        ["used"] = f.Used, ["rejection"] = f.Rejection,
                    }).ToArray()),
                };
                Console.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                var ci = CultureInfo.InvariantCulture;
                Console.WriteLine($"rgb_to_events_homography: {string.Join(",", h.Select(v => v.ToString("R", ci)))}");
                Console.WriteLine($"residual {result.ResidualEventPx:F3} event px (standard error {result.StandardErrorEventPx:F3}), {result.FramesUsed} of {result.FramesTried} frames, confidence {result.Confidence:F2}");
                Console.WriteLine($"differs from the manifest's calibration by {vsManifest:F3} event px (mean over a 32×24 grid of the RGB frame)");
            }
            ct.ThrowIfCancellationRequested();
            if (r.GetValue(write))
            {
                string path = Path.Combine(bundle.Root, "recording.json");
                CalibrationWriter.Write(path, result.RgbToEvents);
                (asJson ? Console.Error : Console.Out).WriteLine($"wrote the homography into {path}");
            }
            return ExitCodes.Success;
        }, CancellationToken.None));
        return cmd;
    }
}
