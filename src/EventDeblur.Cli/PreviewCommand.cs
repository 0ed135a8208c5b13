using System.CommandLine;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Sync;
using EventDeblur.Visualization;
using OpenCvSharp;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur preview BUNDLE --frame N --out DIR</c>: pictures of one frame of a bundle.</summary>
internal static class PreviewCommand
{
    public static Command Create()
    {
        var bundleArg = new Argument<string>("BUNDLE") { Description = "A recording bundle folder, or an event file with its own APS frames" };
        var frame = new Option<int>("--frame") { Description = "Position of the frame in frames.csv (0 = first)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder for the PNGs", Required = true };
        var gain = new Option<double>("--gain") { Description = "Exposure gain for tone mapping (linear multiplier)", DefaultValueFactory = _ => 8 };
        var run = new Option<string?>("--run") { Description = "A replay output folder: also write blurry | deblurred | sharp side by side" };
        var cmd = new Command("preview", "Write viewable PNGs of one frame: blurry and ground-truth frames tone-mapped, events of its exposure, kernels") { bundleArg, frame, output, gain, run };
        cmd.SetAction(r =>
        {
            OutputFolder.Prepare(r.GetValue(output)!);
            Run(r.GetValue(bundleArg)!, r.GetValue(frame), r.GetValue(output)!, r.GetValue(gain), r.GetValue(run));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static void Run(string dir, int position, string outDir, double gain, string? runDir = null)
    {
        if (File.Exists(dir) && !RecordingBundle.IsEventFile(dir))
        {
            // A single image (e.g. a replay output frame): tone-map it with the sample rig's levels.
            using var raw = Cv2.ImRead(dir, ImreadModes.Unchanged);
            if (raw.Empty()) throw new IOException($"{dir}: not an image");
            double white = raw.Depth() == MatType.CV_8U ? 255 : 65535, black = raw.Depth() == MatType.CV_8U ? 0 : 1024;
            using var tm = Preview.ToneMap(raw, black, white, raw.Depth() == MatType.CV_8U ? 1 : gain);
            Directory.CreateDirectory(outDir);
            string target = Path.Combine(outDir, Path.GetFileNameWithoutExtension(dir) + "-preview.png");
            Cv2.ImWrite(target, tm);
            Console.WriteLine($"wrote {target}");
            return;
        }
        var bundle = RecordingBundle.Load(dir);
        var windows = bundle.ResolveExposures();
        if (position < 0 || position >= windows.Windows.Count) throw new UserInputException($"--frame {position} is outside 0..{windows.Windows.Count - 1}");
        var w = windows.Windows[position];
        Directory.CreateDirectory(outDir);
        string stem = $"{w.Index:D6}";
        var rgb = bundle.Manifest.Rgb;
        if (w.Row != null && rgb != null)
        {
            using var raw = Cv2.ImRead(w.Row.File, ImreadModes.Unchanged);
            using var tm = Preview.ToneMap(raw, rgb.BlackLevel, rgb.WhiteLevel, gain);
            Cv2.ImWrite(Path.Combine(outDir, stem + "-blurry.png"), tm);
        }
        if (bundle.IsApsBundle && w.Exposure is { } apsExposure) ApsFramePreview.Write(bundle.EventsPath, apsExposure, outDir, stem, runDir);
        var gt = bundle.GroundTruthFrames?.FirstOrDefault(f => f.Index == w.Index);
        if (gt != null)
        {
            using var raw = Cv2.ImRead(gt.File, ImreadModes.Unchanged);
            double white = rgb?.WhiteLevel ?? 65535, black = rgb?.BlackLevel ?? 0;
            using var tm = Preview.ToneMap(raw, black, white, rgb != null ? gain : 1);
            Cv2.ImWrite(Path.Combine(outDir, stem + "-sharp.png"), tm);
        }
        if (w.Exposure is { } exposure)
        {
            var batches = new List<Events.EventBatch>();
            using (var reader = AedatReader.Open(bundle.EventsPath, new AedatReaderOptions { DecodeFrames = false }))
            {
                while (reader.TryRead(out var p))
                {
                    if (p is not EventsPacket e) continue;
                    var t = e.Events.Timestamps;
                    if (t[^1] < exposure.StartUs || t[0] >= exposure.EndUs) { e.Events.Dispose(); continue; }
                    batches.Add(e.Events);
                }
            }
            var (ew, eh) = bundle.EventSensorSize;
            using var img = Preview.Events(batches, ew, eh, exposure);
            Cv2.ImWrite(Path.Combine(outDir, stem + "-events.png"), img);
            foreach (var b in batches) b.Dispose();
        }
        if (bundle.GroundTruthKernelsDir is { } kd && File.Exists(Path.Combine(kd, stem + ".csv")))
        {
            var tiles = KernelCsv.Read(Path.Combine(kd, stem + ".csv"));
            using var k = Preview.Kernel(tiles[tiles.Count / 2].Kernel);
            Cv2.ImWrite(Path.Combine(outDir, stem + "-kernel.png"), k);
        }
        if (runDir != null && w.Row != null && rgb != null && gt != null)
        {
            string deblurred = Path.Combine(runDir, "frames", stem + ".png");
            if (!File.Exists(deblurred)) throw new IOException($"{deblurred}: not found (run replay first)");
            var panels = new[] { w.Row.File, deblurred, gt.File }.Select(f =>
            {
                using var raw = Cv2.ImRead(f, ImreadModes.Unchanged);
                return Preview.ToneMap(raw, rgb.BlackLevel, rgb.WhiteLevel, gain);
            }).ToArray();
            using var strip = new Mat();
            Cv2.HConcat(panels, strip);
            foreach (var (label, i) in new[] { ("blurry", 0), ("deblurred", 1), ("ground truth", 2) })
                Cv2.PutText(strip, label, new Point(i * panels[0].Cols + 8, 22), HersheyFonts.HersheySimplex, 0.6, Scalar.All(255), 1, LineTypes.AntiAlias);
            Cv2.ImWrite(Path.Combine(outDir, stem + "-compare.png"), strip);
            foreach (var p in panels) p.Dispose();
        }
        Console.WriteLine($"wrote previews of frame {w.Index} to {Path.GetFullPath(outDir)}");
    }
}
