using System.CommandLine;
using System.Net;
using EventDeblur.Kernels;
using EventDeblur.IO;
using EventDeblur.Live;
using EventDeblur.Methods;
using EventDeblur.Recording;

namespace EventDeblur.Cli;

/// <summary><c>serve</c> and <c>live</c>: a DV network stream server for a bundle, and the live pipeline.</summary>
internal static class LiveCommands
{
    public static Command Serve()
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "A recording bundle folder" };
        var eventsPort = new Option<int>("--events-port") { Description = "TCP port of the events stream (1..65535; 0 lets the system pick a free one, printed)", Required = true };
        var triggersPort = new Option<int>("--triggers-port") { Description = "TCP port of the triggers stream (1..65535, not the events port; 0 lets the system pick a free one, printed)", Required = true };
        var speed = new Option<double>("--speed") { Description = "Playback speed, 0 < X ≤ 1000 (1 = real time, 2 = twice as fast)", DefaultValueFactory = _ => 1.0 };
        eventsPort.Validators.Add(PortInRange);
        triggersPort.Validators.Add(PortInRange);
        speed.Validators.Add(o =>
        {
            if (OptionValue.TryGet(o, out double v) && (!(v > 0) || !double.IsFinite(v) || v > 1000)) o.AddError($"--speed {v}: expected a playback speed above 0 and at most 1000 (1 = real time)");
        });
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var rigDir = new Option<string?>("--rig-dir") { Description = "Folder for the RGB frames (a lossless image sequence NAME-rgb/%06d.png with the bundle's bit depth and encoding) and the rig manifest (made once, reused while newer than the bundle's frames; default: a folder under the system temp folder, printed); the bundle is only read" };
        var video = new Option<string?>("--video") { Description = "Write an 8-bit sRGB FFV1 video at this path instead of the image sequence (for tools that need a video file; 16-bit values are quantised); the rig manifest goes beside it" };
        var cmd = new Command("serve", "Serve a bundle's events and triggers as DV network streams in real time, and write its RGB frames as a lossless image sequence (or video) + rig manifest for live") { bundle, eventsPort, triggersPort, speed, host, rigDir, video };
        cmd.SetAction(async (r, ct) =>
        {
            if (!IPAddress.TryParse(r.GetValue(host)!, out var address)) throw new UserInputException($"--host {r.GetValue(host)}: not an IP address");
            if (r.GetValue(eventsPort) == r.GetValue(triggersPort) && r.GetValue(eventsPort) != 0)
                throw new UserInputException($"--events-port and --triggers-port are both {r.GetValue(eventsPort)}: the two streams need two ports");
            if (r.GetValue(video) != null && r.GetValue(rigDir) != null)
                throw new UserInputException("--rig-dir and --video: with --video the rig manifest goes beside the video and no image sequence is written; give one of them");
            var b = RecordingBundle.Load(r.GetValue(bundle)!);
            string name = Path.GetFileName(Path.GetFullPath(b.Root).TrimEnd('/'));
            string? videoPath = r.GetValue(video);
            // The RGB source live opens: the video, or the image sequence's pattern; the rig manifest beside it.
            if (r.GetValue(rigDir) is { } chosen)
                OutputFolder.RefuseInputAsOutput(chosen, "a rig folder", "serve writes the RGB image sequence and the rig manifest into --rig-dir", "/tmp/rig", refuseRun: false, option: "--rig-dir", forceHint: false);
            string sequenceDir = Path.Combine(r.GetValue(rigDir) ?? DefaultRigDir(b.Root), name + "-rgb");
            string source = videoPath != null ? Path.GetFullPath(videoPath) : RigVideo.SequenceSource(sequenceDir);
            string rigPath = videoPath != null ? Path.ChangeExtension(Path.GetFullPath(videoPath), ".rig.json") : Path.GetFullPath(sequenceDir) + ".rig.json";
            if (b.Manifest.Rgb != null)
            {
                string dir = Path.GetDirectoryName(rigPath)!;
                try { Directory.CreateDirectory(dir); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UserInputException($"{dir}: cannot create the folder for the rig's RGB frames ({e.Message}); {(r.GetValue(rigDir) != null ? "give --rig-dir a folder that can be made (not a file's name)" : "pass --rig-dir with a folder that can be made")}"); }
                if (IsFresh(videoPath, sequenceDir, rigPath, b)) Console.WriteLine($"reusing {source} and the rig manifest {rigPath} (newer than the bundle's frames)");
                else
                {
                    int n = videoPath != null ? RigVideo.Write(b, videoPath, rigPath) : RigVideo.WriteImageSequence(b, sequenceDir, rigPath);
                    Console.WriteLine($"wrote {n} RGB frames to {source} and the rig manifest {rigPath}");
                }
            }
            await using var server = new DvStreamServer(b.EventsPath, address, r.GetValue(eventsPort), r.GetValue(triggersPort));
            server.Start();
            Console.WriteLine($"serving events on tcp://{r.GetValue(host)}:{server.EventsPort}, triggers on tcp://{r.GetValue(host)}:{server.TriggersPort}; waiting for clients on both");
            if (b.Manifest.Rgb == null)
                Console.WriteLine("note: the bundle's frames are the APS frames inside its event file (no RGB camera): its events and triggers are served, " +
                                  "but live pairs an RGB source's frames with the trigger stream and has none to pair here: the streams are for other DV clients (Ctrl+C stops serve); replay the bundle to deblur its APS frames");
            if (b.Manifest.Rgb != null)
                Console.WriteLine($"next, in another shell: {ToolCommand.Name} live --events tcp://{r.GetValue(host)}:{server.EventsPort} --triggers tcp://{r.GetValue(host)}:{server.TriggersPort} --rgb {ToolCommand.Word(source)} --rig {ToolCommand.Word(rigPath)} --out {ToolCommand.Word(Path.Combine(Path.GetTempPath(), "eventdeblur-live-" + name))}");
            // The recording's own faults, as they are met (stop 46's trial: a cut or damaged file was served with no word, and
            // the clients cannot be told: a DV stream has no way to say it).
            var stats = await server.PlayAsync(r.GetValue(speed), true, ct,
                p => Console.Error.WriteLine($"{(p.Severity == EventDeblur.IO.ProblemSeverity.Error ? "problem" : "note")}: {p.Plain}"));
            int errors = stats.Problems.Count(p => p.Severity == EventDeblur.IO.ProblemSeverity.Error);
            Console.WriteLine($"done: {stats.Events:N0} events, {stats.Triggers} triggers, {stats.Clients} connections" +
                              (errors > 0 ? $"; the event file had {errors} error(s) (above), which the clients were not told of (a DV stream has no way to say it)" : ""));
            return ct.IsCancellationRequested ? ExitCodes.Cancelled : errors > 0 ? ExitCodes.DataProblems : ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>The host and port of a stream option's <c>tcp://HOST:PORT</c>; a usage error naming the option otherwise.</summary>
    private static (string Host, int Port) StreamAddress(string option, string uri)
    {
        try { return DvStreamClient.ParseUri(uri); }
        catch (ArgumentException e) { throw new UserInputException($"{option} {e.Message}"); }
    }

    /// <summary>
    /// The rig manifest <c>live --rig</c> names, checked before OUT is made: a folder (a bundle's, typically) or a missing
    /// file is a usage error that says so (it was "Access to the path … is denied" and a half-made OUT), and so is a
    /// manifest that does not parse or has no <c>rgb</c> block.
    /// </summary>
    /// <exception cref="UserInputException">The manifest cannot be used; the message names <c>--rig</c> and the path.</exception>
    internal static void CheckRig(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UserInputException($"--rig {path}: is a folder; give the rig manifest file itself" +
                (File.Exists(Path.Combine(full, "recording.json")) ? $", e.g. {Path.Combine(path, "recording.json")} (a bundle's recording.json is a rig manifest)" : " (a recording.json with the calibration and the RGB encoding)"));
        if (!File.Exists(full)) throw new UserInputException($"--rig {path}: no such file");
        RecordingManifest m;
        try { m = RecordingManifest.Parse(File.ReadAllText(full), path); }
        catch (Exception e) when (e is BundleException or IOException or UnauthorizedAccessException) { throw new UserInputException($"--rig {e.Message}"); }
        if (m.Rgb == null) throw new UserInputException($"--rig {path}: a live rig needs an 'rgb' block (encoding and levels of the video)");
    }

    /// <summary>The default folder for a bundle's rig video: under the system temp folder, named after the bundle and its full path (so two bundles of one name do not share it).</summary>
    private static string DefaultRigDir(string bundleRoot)
    {
        string full = Path.GetFullPath(bundleRoot).TrimEnd('/');
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..12];
        return Path.Combine(Path.GetTempPath(), "eventdeblur-serve", $"{Path.GetFileName(full)}-{hash}");
    }

    /// <summary>
    /// True when the rig manifest and its RGB source (the video, or every frame of the image sequence) exist and the
    /// manifest, written last, is newer than the bundle's manifest, frame table and every frame file.
    /// </summary>
    private static bool IsFresh(string? videoPath, string sequenceDir, string rigPath, RecordingBundle b)
    {
        if (!File.Exists(rigPath)) return false;
        var made = File.GetLastWriteTimeUtc(rigPath);
        if (videoPath != null)
        {
            if (!File.Exists(videoPath)) return false;
            if (File.GetLastWriteTimeUtc(videoPath) < made) made = File.GetLastWriteTimeUtc(videoPath);
        }
        else if (!Directory.Exists(sequenceDir) || Directory.GetFiles(sequenceDir, "*.png").Length != b.Frames.Count
                 || Enumerable.Range(0, b.Frames.Count).Any(i => !File.Exists(Path.Combine(sequenceDir, $"{i:D6}.png")))) return false;
        var inputs = b.Frames.Select(f => f.File).Append(Path.Combine(b.Root, "recording.json"));
        return inputs.All(f => File.Exists(f) && File.GetLastWriteTimeUtc(f) < made);
    }


    private static void PortInRange(System.CommandLine.Parsing.OptionResult result)
    {
        if (OptionValue.TryGet(result, out int port) && port is < 0 or > IPEndPoint.MaxPort) result.AddError($"{result.Option.Name} {port}: a TCP port is 0..{IPEndPoint.MaxPort}");
    }

    public static Command Live(MethodCatalogue methods)
    {
        var events = new Option<string>("--events") { Description = "Events stream tcp://HOST:PORT (DV network output)", Required = true };
        var triggers = new Option<string>("--triggers") { Description = "Triggers stream tcp://HOST:PORT", Required = true };
        var rgb = new Option<string>("--rgb") { Description = "RGB source for OpenCV: a device number, a URL, a video file, or an image sequence DIR/%06d.png (as serve writes it; frames read unchanged, 16-bit stays 16-bit)", Required = true };
        var rig = new Option<string>("--rig") { Description = "Rig manifest (recording.json with calibration and RGB encoding)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var duration = new Option<double?>("--duration-s") { Description = "Stop after N seconds" };
        duration.Validators.Add(o =>
        {
            if (OptionValue.TryGet(o, out double? d) && d is double v && (!(v > 0) || !double.IsFinite(v) || v > 1e7))
                o.AddError($"--duration-s {v}: expected seconds above 0 (at most 10 000 000), or leave it out to run until the streams end");
        });
        var deconvolver = new Option<string>("--deconvolver") { Description = "Deconvolver: " + string.Join(", ", methods.DeconvolverNames), DefaultValueFactory = _ => "robust" };
        deconvolver.AcceptOnly([.. methods.DeconvolverNames]);
        var latency = LatencyOption.Create("Event camera latency, µs: events of an exposure are taken from [start + L, end + L)");
        var quality = QualityOption.Create(auto: true);
        var force = new Option<bool>("--force") { Description = "Write into OUT even when it is not empty and not a live run (files named like a run's outputs are replaced)" };
        var keptEvents = new Option<int>("--max-kept-events")
        {
            Description = "Events of each processed frame's exposure window kept in OUT/events/NNNNNN.parquet at most (beyond it 1 in k, reported); 0 keeps none",
            DefaultValueFactory = _ => EventDeblur.Pipeline.Output.FrameEventsFile.DefaultMaxEvents,
        };
        keptEvents.Validators.Add(o =>
        {
            if (OptionValue.TryGet(o, out int v) && v < 0) o.AddError($"--max-kept-events {v}: expected a number of events, 0 or more (0 keeps none)");
        });
        var polarity = new Option<string>("--trigger-polarity") { Description = "high (the RGB camera's exposure output is high while it exposes: rising edge = start, the default) or low (active-low: falling edge = start)", DefaultValueFactory = _ => "high" };
        polarity.AcceptOnly("high", "low");
        var checks = new KernelCheckOptions();
        var cmd = new Command("live", "Deblur a live RGB + DAVIS rig: events and triggers from DV network streams, RGB from OpenCV") { events, triggers, rgb, rig, output, duration, deconvolver, latency, quality, force, keptEvents, polarity, checks.BlurCheck, checks.WindowCheck };
        cmd.SetAction(async (r, ct) =>
        {
            // One progress line per frame; the guard's fallbacks are counted in frames.parquet (guard_*).
            BuiltInMethods.DefaultGuardLog = null;
            QualityOption.NoteIfIgnored(r, quality, methods, [r.GetValue(deconvolver)!]);
            // A local RGB source that is not there is a usage error, found before OUT is made.
            if (RigVideo.MissingLocalSource(r.GetValue(rgb)!) is string missing) throw new UserInputException("--rgb " + missing);
            CheckRig(r.GetValue(rig)!);
            // The stream addresses too (stop 43: a malformed one was refused after OUT was made, leaving it empty), and two
            // streams on one address (serve refuses two equal ports; live waited 20 s and said "never connected").
            var (eventsHost, eventsPort) = StreamAddress("--events", r.GetValue(events)!);
            var (triggersHost, triggersPort) = StreamAddress("--triggers", r.GetValue(triggers)!);
            if (eventsPort == triggersPort && string.Equals(eventsHost, triggersHost, StringComparison.OrdinalIgnoreCase))
                throw new UserInputException($"--events and --triggers are both {r.GetValue(events)}: the events and the triggers come on two streams, two ports (serve prints the live command with both)");
            OutputFolder.Prepare(r.GetValue(output)!);
            var o = new LiveOptions
            {
                EventsUri = r.GetValue(events)!, TriggersUri = r.GetValue(triggers)!, RgbSource = r.GetValue(rgb)!, RigPath = r.GetValue(rig)!,
                OutDir = r.GetValue(output)!, Methods = methods, DurationS = r.GetValue(duration), Deconvolver = r.GetValue(deconvolver)!, Quality = QualityOption.Value(r, quality), AdaptiveQuality = QualityOption.IsAuto(r, quality), Force = r.GetValue(force),
                EventLatencyUs = r.GetValue(latency), MaxKeptEventsPerFrame = r.GetValue(keptEvents), TriggerActiveLow = r.GetValue(polarity) == "low",
            };
            var s = await LivePipeline.RunAsync(o, methods.CreateKernelSource("events", checks.Apply(r, new EventKernelOptions { EventLatencyUs = r.GetValue(latency) })), Console.WriteLine, ct);
            foreach (var g in s.Gaps) Console.WriteLine($"{(g.ResumedTimestampUs == null ? "stream ended" : "gap")}: {g}");
            foreach (var p in s.Problems) Console.WriteLine($"{(p.Severity == EventDeblur.IO.ProblemSeverity.Error ? "problem" : "note")}: {p.Plain}");
            var lat = s.Results.Where(x => x.LatencySeconds != null).Select(x => x.LatencySeconds!.Value).ToList();
            lat.Sort();
            double Quantile(double q) => lat[(int)Math.Clamp(Math.Ceiling(q * lat.Count) - 1, 0, lat.Count - 1)];
            Console.WriteLine($"{s.Results.Count(x => x.Status == "ok")} frames deblurred, {s.Results.Count(x => x.Status == "failed" && x.Dropped != true)} failed, " +
                              $"{s.Results.Count(x => x.Dropped == true)} dropped ({s.DroppedFrames} because the pipeline was behind); " +
                              $"{s.EventsReceived:N0} events, {s.DroppedEvents} dropped; " +
                              $"{(lat.Count > 0 ? $"latency p50 {Quantile(0.5):F2} s, p95 {Quantile(0.95):F2} s, max {lat[^1]:F2} s" : "no latency measured")}" +
                              (o.AdaptiveQuality && s.Results.Any(x => x.Quality != null) ? $"; rungs: {string.Join(", ", s.Results.Where(x => x.Quality != null).GroupBy(x => x.Quality).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}" : ""));
            Console.WriteLine(s.PairedByTimestamps
                ? $"frames paired with exposures by the RGB source's timestamps; {s.FramelessExposures} exposure(s) got no frame"
                : "frames paired with exposures in arrival order (the RGB source gave no usable timestamps)");
            int ok = s.Results.Count(x => x.Status == "ok");
            // Ctrl+C / SIGTERM first, whatever had arrived (stop 46's trial: a signal before any data was "no data received",
            // exit 2, with run.json saying "cancelled").
            if (ct.IsCancellationRequested)
            {
                // Said, as replay says it (stop 42: a stopped run printed its summary and nothing else).
                Console.Error.WriteLine($"cancelled (Ctrl+C / SIGTERM): run.json says \"cancelled\", and frames.parquet has a row for each of the {s.Results.Count} RGB frame(s) read -> {o.OutDir}");
                return ExitCodes.Cancelled;
            }
            if (s.Results.Count == 0 && s.EventsReceived == 0)
                throw new UserInputException($"no data received: no events from {o.EventsUri} and no frames from {o.RgbSource} (is the source running, and can it be opened?)");
            // A stream that never connected and no frame deblurred: the rig was given wrong (a wrong port or host, a
            // server not started), as a run that got nothing at all; the run's folder still records what arrived.
            if (ok == 0 && s.NeverConnected.Count > 0)
                throw new UserInputException($"no frame deblurred: the {(s.NeverConnected.Count == 2 ? "events and triggers streams" : s.NeverConnected[0] == o.EventsUri ? "events stream" : "triggers stream")} " +
                                             $"({string.Join(", ", s.NeverConnected)}) never connected (is the server, DV or '{ToolCommand.Name} serve', running on that host and port?)");
            // A stream that connected but sent nothing a DV server sends (a web server, another protocol), and no frame
            // deblurred: the rig was given wrong too (stop 46's trial: exit 1 after 20 s, the message naming the other stream).
            if (ok == 0 && s.Silent.Count > 0)
                throw new UserInputException($"no frame deblurred: the {(s.Silent.Count == 2 ? "events and triggers streams" : s.Silent[0] == o.EventsUri ? "events stream" : "triggers stream")} " +
                                             $"({string.Join(", ", s.Silent)}) connected but sent no DV packet (see the problem above: is that port a DV server's output, DV or '{ToolCommand.Name} serve'?)");
            // A port that sends the other kind of stream: the rig was given wrong, as one that never connected.
            if (ok == 0 && s.WrongKind.Count > 0)
                throw new UserInputException($"no frame deblurred: {string.Join(" and ", s.WrongKind)} sen{(s.WrongKind.Count == 1 ? "ds" : "d")} the other kind of stream " +
                                             $"(trigger packets on --events, or event packets on --triggers): are --events and --triggers swapped?");
            // Exposures left without a frame when the streams ended by themselves make the pairing suspect: exit 1 as well.
            // So do exposures whose frames the RGB source dropped (found by its timestamps): they were not deblurred.
            // And, as report of the run says, any error the run recorded (a stream lost, events dropped for memory, …).
            return ok > 0 && ok == s.Results.Count && s.UnpairedExposures == 0 && s.FramelessExposures == 0
                   && !s.Problems.Any(p => p.Severity == EventDeblur.IO.ProblemSeverity.Error) ? ExitCodes.Success : ExitCodes.DataProblems;
        });
        return cmd;
    }
}
