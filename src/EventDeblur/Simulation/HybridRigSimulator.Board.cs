using System.Diagnostics;
using System.Globalization;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Simulation;

public static partial class HybridRigSimulator
{
    /// <summary>
    /// A calibration recording of <see cref="BlinkingBoardModel"/>: per frame a new board pose, the screen blinking
    /// through the exposure and its margins; the events come from <see cref="DavisSensor"/> seeing the scene through
    /// the rig homography (as for every preset), the RGB frame from the exposure-weighted mean of the lit and dark
    /// screen. The camera is still, so the ground truth is the noise-free frame and a one-pixel kernel.
    /// </summary>
    private static SimulationResult SimulateBoard(SimulationOptions options, BlinkingBoardModel board, int seed, double[] hom, string outDir,
        Stopwatch clock, Action<string>? log, CancellationToken ct)
    {
        int w = options.RgbWidth, h = options.RgbHeight;
        double diag = Math.Sqrt(w * w + h * h);
        int margin = NeededMargin(options, hom, diag);
        double scale = Math.Sqrt(Math.Abs(hom[0] * hom[4] - hom[1] * hom[3]));
        double[] homInv = Homography.FromRowMajor(hom).Inverse().ToRowMajor();
        using var toEvents = Mat.FromPixelData(3, 3, MatType.CV_64FC1, Multiply3([1, 0, margin, 0, 1, margin, 0, 0, 1], homInv));
        var eventSize = new Size(options.EventWidth, options.EventHeight);
        // The blink's phase against the first exposure, so exposures start anywhere in the blink.
        long phaseUs = options.StartUs + (long)(new Random(SensorNoise.SubSeed(seed, -4)).NextDouble() * board.BlinkPeriodUs);

        Directory.CreateDirectory(Path.Combine(outDir, "rgb"));
        Directory.CreateDirectory(Path.Combine(outDir, "gt", "kernels"));
        var davis = new DavisSensor(options.Davis, options.EventWidth, options.EventHeight, SensorNoise.SubSeed(seed, -2));
        var truths = new List<FrameTruth>();
        var rows = new List<(long, string, long, long)>();
        long events = 0;
        var stats = EventStats.Zero;
        var writerOptions = new Aedat4WriterOptions { Width = options.EventWidth, Height = options.EventHeight, Source = "DAVIS346_SIM" + seed.ToString(CultureInfo.InvariantCulture), Compression = Aedat4Compression.Lz4 };
        using (var writer = Aedat4Writer.Create(Path.Combine(outDir, "events.aedat4"), writerOptions))
        {
            for (int k = 0; k < options.Frames; k++)
            {
                ct.ThrowIfCancellationRequested();
                var frng = new Random(SensorNoise.SubSeed(seed, k, 1));
                long expUs = options.ExposureUs.Min + (long)(frng.NextDouble() * (options.ExposureUs.Max - options.ExposureUs.Min));
                expUs -= expUs % 100;
                long start = options.StartUs + k * options.FramePeriodUs, end = start + expUs;
                double[] pose = BlinkingBoardScene.DrawPose(board, frng, w, h);
                var (lit, dark) = BlinkingBoardScene.Render(board, pose, w, h, margin);
                using (lit)
                using (dark)
                {
                    // The event sensor's view of either screen state, anti-aliased as for every preset.
                    Mat EventView(NightScene s)
                    {
                        using var lum = s.Luminance();
                        Cv2.GaussianBlur(lum, lum, new Size(0, 0), 0.45 / scale);
                        var view = new Mat();
                        Cv2.WarpPerspective(lum, view, toEvents, eventSize, InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
                        return view;
                    }
                    using var litView = EventView(lit);
                    using var darkView = EventView(dark);
                    var st = davis.Simulate(start - options.MarginUs, end + options.MarginUs, options.StepUs,
                        t => (BlinkingBoardScene.IsLit(board, phaseUs, t) ? litView : darkView).Clone(), SensorNoise.SubSeed(seed, k, 3), batch =>
                        {
                            using (batch) { writer.WriteEvents(batch); events += batch.Count; }
                        });
                    stats += st;
                    writer.WriteTriggers([new(start, TriggerType.ExternalSignalRisingEdge), new(end, TriggerType.ExternalSignalFallingEdge)]);

                    double fraction = BlinkingBoardScene.LitFraction(board, phaseUs, start, end);
                    using var litRadiance = RgbSensor.SharpRadiance(lit);
                    using var darkRadiance = RgbSensor.SharpRadiance(dark);
                    using var radiance = new Mat();
                    Cv2.AddWeighted(litRadiance, fraction, darkRadiance, 1 - fraction, 0, radiance);
                    double expS = expUs * 1e-6;
                    string name = $"{k:D6}.png";
                    using (var raw = RgbSensor.Expose(radiance, expS, options.Rgb, SensorNoise.SubSeed(seed, k, 2)))
                        WriteRgbPng(Path.Combine(outDir, "rgb", name), raw);
                    using (var gtRaw = RgbSensor.Expose(radiance, expS, options.Rgb, null))
                        WriteRgbPng(Path.Combine(outDir, "gt", name), gtRaw);
                    rows.Add((k, name, start - TableClockOffsetUs, end - TableClockOffsetUs));
                    var path = MotionPath.Linear(start, end, 0, 0);
                    List<KernelTile> tiles = [new KernelTile(0, 0, w, h, path.KernelAt(w / 2.0, h / 2.0, path.SampleCount(diag)))];
                    KernelCsv.Write(Path.Combine(outDir, "gt", "kernels", $"{k:D6}.csv"), tiles);
                    truths.Add(new FrameTruth(k, new TimeRangeUs(start, end), path, tiles) { BoardToRgb = pose });
                    log?.Invoke($"frame {k + 1}/{options.Frames}: exposure {expUs / 1000.0:F1} ms, board lit {fraction:P0} of it, {events:N0} events so far");
                }
            }
            writer.Complete();
        }
        Recording.FrameTable.Write(Path.Combine(outDir, "rgb", "frames.csv"), rows);
        Recording.FrameTable.Write(Path.Combine(outDir, "gt", "frames.csv"), rows);
        var (c, r) = board.InnerCorners;
        AtomicFile.WriteAllText(Path.Combine(outDir, "README.md"), $"""
            # Simulated calibration recording: preset `{options.Preset}`, seed {seed}

            Made by EventDeblur's hybrid-rig simulator: `./eventdeblur simulate --preset {options.Preset} --seed {seed} --frames {options.Frames} --rgb-size {w}x{h} --out DIR`.
            Deterministic: the same command writes the same bundle. Calibrate with `./eventdeblur calibrate DIR --checkerboard {c}x{r}`.

            - A {c}×{r}-inner-corner checkerboard ({c + 1}×{r + 1} squares of {board.SquarePx.Min}–{board.SquarePx.Max} RGB px, a {board.BorderSquares}-square white border) on a screen that shows the board and black in turn ({board.BlinkPeriodUs / 1000.0} ms period); a new board pose per frame (rotation {board.RotationDeg} ± {board.RotationJitterDeg}°, tilt up to {board.MaxTilt}); camera still.
            - RGB {w}×{h}, 16-bit linear PNG, black level {options.Rgb.BlackLevel}, saturation {options.Rgb.SaturationLevel}; DAVIS346 behind the homography in recording.json (the truth).
            - Exposures {options.ExposureUs.Min / 1000.0}–{options.ExposureUs.Max / 1000.0} ms every {options.FramePeriodUs / 1000.0} ms.
            - Events: {events:N0} ({stats.SignalOn:N0} ON, {stats.SignalOff:N0} OFF, {stats.ShotNoise:N0} shot noise, {stats.HotPixel:N0} hot pixel), simulated every {options.StepUs} µs over each exposure ± {options.MarginUs / 1000.0} ms.
            - Sync: table; ground truth in gt/ (the noise-free frames, one-pixel kernels).

            """);
        Manifest(options, hom).Write(Path.Combine(outDir, "recording.json"));
        return new SimulationResult(Path.GetFullPath(outDir), truths, events, stats, hom, clock.Elapsed.TotalSeconds / options.Frames);
    }
}
