using System.CommandLine;
using System.Net;
using EventDeblur.Deconvolution;
using EventDeblur.Kernels;
using EventDeblur.IO;
using EventDeblur.Live;
using EventDeblur.Recording;

namespace EventDeblur.Cli;

/// <summary><c>serve</c> and <c>live</c>: a DV network stream server for a bundle, and the live pipeline.</summary>
internal static class LiveCommands
{
    public static Command Serve()
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "A recording bundle folder" };
        var eventsPort = new Option<int>("--events-port") { Description = "TCP port of the events stream", Required = true };
        var triggersPort = new Option<int>("--triggers-port") { Description = "TCP port of the triggers stream", Required = true };
        var speed = new Option<double>("--speed") { Description = "Playback speed (1 = real time)", DefaultValueFactory = _ => 1.0 };
        eventsPort.Validators.Add(PortInRange);
        triggersPort.Validators.Add(PortInRange);
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var video = new Option<string?>("--video") { Description = "Where to write the RGB frames as a video for live --rgb (default BUNDLE-rgb.avi beside the bundle)" };
        var cmd = new Command("serve", "Serve a bundle's events and triggers as DV network streams in real time, and write its RGB frames as a video + rig manifest") { bundle, eventsPort, triggersPort, speed, host, video };
        cmd.SetAction(async (r, ct) =>
        {
            if (!IPAddress.TryParse(r.GetValue(host)!, out var address)) throw new UserInputException($"--host {r.GetValue(host)}: not an IP address");
            var b = RecordingBundle.Load(r.GetValue(bundle)!);
            string videoPath = r.GetValue(video) ?? b.Root.TrimEnd('/') + "-rgb.avi";
            string rigPath = Path.ChangeExtension(videoPath, ".rig.json");
            if (b.Manifest.Rgb != null)
            {
                int n = RigVideo.Write(b, videoPath, rigPath);
                Console.WriteLine($"wrote {n} RGB frames to {videoPath} and the rig manifest {rigPath}");
            }
            await using var server = new DvStreamServer(b.EventsPath, address, r.GetValue(eventsPort), r.GetValue(triggersPort));
            server.Start();
            Console.WriteLine($"serving events on tcp://{r.GetValue(host)}:{server.EventsPort}, triggers on tcp://{r.GetValue(host)}:{server.TriggersPort}; waiting for clients on both");
            var stats = await server.PlayAsync(r.GetValue(speed), true, ct);
            Console.WriteLine($"done: {stats.Events:N0} events, {stats.Triggers} triggers, {stats.Clients} connections");
            return ct.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Success;
        });
        return cmd;
    }

    private static void PortInRange(System.CommandLine.Parsing.OptionResult result)
    {
        int port = result.GetValueOrDefault<int>();
        if (port is < 0 or > IPEndPoint.MaxPort) result.AddError($"{result.Option.Name} {port}: a TCP port is 0..{IPEndPoint.MaxPort}");
    }

    public static Command Live()
    {
        var events = new Option<string>("--events") { Description = "Events stream tcp://HOST:PORT (DV network output)", Required = true };
        var triggers = new Option<string>("--triggers") { Description = "Triggers stream tcp://HOST:PORT", Required = true };
        var rgb = new Option<string>("--rgb") { Description = "RGB source for OpenCV: a device number, a URL, or a video file", Required = true };
        var rig = new Option<string>("--rig") { Description = "Rig manifest (recording.json with calibration and RGB encoding)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var duration = new Option<double?>("--duration-s") { Description = "Stop after N seconds" };
        var deconvolver = new Option<string>("--deconvolver") { Description = "Deconvolver: " + string.Join(", ", DeconvolverRegistry.Names), DefaultValueFactory = _ => "robust" };
        deconvolver.AcceptOnlyFromAmong([.. DeconvolverRegistry.Names]);
        var latency = new Option<long>("--event-latency-us") { Description = "Event camera latency, µs: events of an exposure are taken from [start + L, end + L)", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Write into OUT even when it is not empty and not a live run (files named like a run's outputs are replaced)" };
        var cmd = new Command("live", "Deblur a live RGB + DAVIS rig: events and triggers from DV network streams, RGB from OpenCV") { events, triggers, rgb, rig, output, duration, deconvolver, latency, force };
        cmd.SetAction(async (r, ct) =>
        {
            OutputFolder.Prepare(r.GetValue(output)!);
            var o = new LiveOptions
            {
                EventsUri = r.GetValue(events)!, TriggersUri = r.GetValue(triggers)!, RgbSource = r.GetValue(rgb)!, RigPath = r.GetValue(rig)!,
                OutDir = r.GetValue(output)!, DurationS = r.GetValue(duration), Deconvolver = r.GetValue(deconvolver)!, Force = r.GetValue(force),
            };
            var s = await LivePipeline.RunAsync(o, new EventKernelEstimator(new EventKernelOptions { EventLatencyUs = r.GetValue(latency) }), Console.WriteLine, ct);
            foreach (var g in s.Gaps) Console.WriteLine($"gap: {g}");
            foreach (var p in s.Problems) Console.WriteLine($"problem: {p}");
            var lat = s.Results.Where(x => x.LatencySeconds != null).Select(x => x.LatencySeconds!.Value).ToList();
            Console.WriteLine($"{s.Results.Count(x => x.Status == "ok")} frames deblurred, {s.Results.Count(x => x.Status != "ok")} failed, {s.DroppedFrames} dropped; " +
                              $"{s.EventsReceived:N0} events, {s.DroppedEvents} dropped; {(lat.Count > 0 ? $"latency mean {lat.Average():F2} s, max {lat.Max():F2} s" : "no latency measured")}");
            int ok = s.Results.Count(x => x.Status == "ok");
            if (s.Results.Count == 0 && s.EventsReceived == 0)
                throw new UserInputException($"no data received: no events from {o.EventsUri} and no frames from {o.RgbSource} (is the source running, and can it be opened?)");
            if (ct.IsCancellationRequested) return ExitCodes.Cancelled;
            return ok > 0 && ok == s.Results.Count ? ExitCodes.Success : ExitCodes.DataProblems;
        });
        return cmd;
    }
}
