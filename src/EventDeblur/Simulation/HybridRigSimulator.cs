using System.Diagnostics;
using System.Globalization;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Kernels;
using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// Simulates a low-light hybrid rig (an RGB camera and a DAVIS346 behind a homography, or a DAVIS
/// alone) and writes a recording bundle with ground truth exactly as RECORDING_FORMAT.md describes.
/// Deterministic for a given options record and seed.
/// </summary>
public static partial class HybridRigSimulator
{
    /// <summary>APS full well, electrons, for the DAVIS-alone presets.</summary>
    public const double ApsFullWellE = 4000;

    /// <summary>APS read noise, electrons.</summary>
    public const double ApsReadNoiseE = 5;

    /// <summary>Offset between the event clock and the RGB clock in <c>table</c> bundles, µs.</summary>
    public const long TableClockOffsetUs = 1_234_567;

    /// <summary>Simulates and writes the bundle to <paramref name="outDir"/> (created; files written atomically, recording.json last).</summary>
    /// <param name="options">What to simulate.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="outDir">Bundle folder.</param>
    /// <param name="scene">A custom scene (frame size must match the options); generated from the seed when null.</param>
    /// <param name="motion">A custom motion per frame (index, exposure start, end); random shake when null.</param>
    /// <param name="log">Progress lines, or null.</param>
    /// <param name="ct">Checked before each frame: a cancelled simulation stops there (recording.json, written last, is then absent).</param>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static SimulationResult Simulate(SimulationOptions options, int seed, string outDir, NightScene? scene = null,
        Func<int, long, long, MotionPath>? motion = null, Action<string>? log = null, CancellationToken ct = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        if (options.ApsOnly)
            options = options with { RgbWidth = 2 * options.EventWidth, RgbHeight = 2 * options.EventHeight };
        else if (options.DomainB is { } db)
            options = options with { EventWidth = (int)Math.Round(options.RgbWidth * db.EventResolutionRatio), EventHeight = (int)Math.Round(options.RgbHeight * db.EventResolutionRatio) };
        if (options.DomainB != null && motion != null) throw new ArgumentException("a custom motion is not supported in domain B (its blur comes from patch-wise trajectories)");
        int w = options.RgbWidth, h = options.RgbHeight;
        var rng = new Random(seed);

        double[] hom = MakeHomography(options, rng);
        if (options.Board is { } board)
        {
            if (scene != null || motion != null) throw new ArgumentException("a blinking-board recording draws its own scene and keeps the camera still");
            return SimulateBoard(options, board, seed, hom, outDir, clock, log, ct);
        }
        double diag = Math.Sqrt(w * w + h * h);
        int needed = NeededMargin(options, hom, diag);
        bool ownScene = scene == null;
        scene ??= options.DomainB != null
            ? DomainBScene.Generate(options, new Random(SensorNoise.SubSeed(seed, -1)), needed)
            : NightScene.Generate(options, new Random(SensorNoise.SubSeed(seed, -1)), needed);
        if (scene.Width != w || scene.Height != h) throw new ArgumentException($"scene is {scene.Width}×{scene.Height}, options say {w}×{h}");
        if (scene.Margin < needed) throw new ArgumentException($"scene margin {scene.Margin} px is smaller than the {needed} px the event sensor's view and the motion need");
        int margin = scene.Margin;

        Directory.CreateDirectory(outDir);
        string imgDir = Path.Combine(outDir, options.ApsOnly ? "gt" : "rgb");
        Directory.CreateDirectory(imgDir);
        Directory.CreateDirectory(Path.Combine(outDir, "gt"));
        Directory.CreateDirectory(Path.Combine(outDir, "gt", "kernels"));

        using var lum = scene.Luminance();
        double scale = Math.Sqrt(Math.Abs(hom[0] * hom[4] - hom[1] * hom[3]));
        Cv2.GaussianBlur(lum, lum, new Size(0, 0), 0.45 / scale);
        // Flickering point lights (options.FlickerHz): their luminance swings under the event sensor, step by step.
        using var flicker = options.DomainB == null ? LightFlicker.Create(options, scene, lum, 0.45 / scale) : null;
        double[] homInv = Homography.FromRowMajor(hom).Inverse().ToRowMajor();
        // Domain B samples the scene per event pixel through the motion field: the event pixels' RGB positions.
        using var eventXs = new Mat(options.EventHeight, options.EventWidth, MatType.CV_32FC1);
        using var eventYs = new Mat(options.EventHeight, options.EventWidth, MatType.CV_32FC1);
        if (options.DomainB != null) EventPixelsInRgb(homInv, eventXs, eventYs);

        var davis = new DavisSensor(options.Davis, options.EventWidth, options.EventHeight, SensorNoise.SubSeed(seed, -2));
        var truths = new List<FrameTruth>();
        var rgbRows = new List<(long, string, long, long)>();
        var gtRows = new List<(long, string, long, long)>();
        long events = 0;
        var stats = EventStats.Zero;
        var rgbClockJitter = new Random(SensorNoise.SubSeed(seed, -3));

        var writerOptions = new Aedat4WriterOptions { Width = options.EventWidth, Height = options.EventHeight, Source = "DAVIS346_SIM" + seed.ToString(CultureInfo.InvariantCulture), Compression = Aedat4Compression.Lz4 };
        using (var writer = Aedat4Writer.Create(Path.Combine(outDir, "events.aedat4"), writerOptions))
        {
            for (int k = 0; k < options.Frames; k++)
            {
                ct.ThrowIfCancellationRequested();
                var frng = new Random(SensorNoise.SubSeed(seed, k, 1));
                long expUs = options.ExposureUs.Min + (long)(frng.NextDouble() * (options.ExposureUs.Max - options.ExposureUs.Min));
                expUs -= expUs % 100;
                long start = options.StartUs + k * options.FramePeriodUs;
                long end = start + expUs;
                double length = options.KernelLengthPx.Min + frng.NextDouble() * (options.KernelLengthPx.Max - options.KernelLengthPx.Min);
                var field = options.DomainB is { } b
                    ? PatchMotionField.Generate(frng, start, end, length, options.RotationDeg, w, h, b.PatchGrid, b.PatchJitter)
                    : null;
                var path = field?.Global ?? motion?.Invoke(k, start, end) ?? MotionPath.Generate(frng, start, end, length, options.RotationDeg, w, h);
                var sampler = field?.CreateSampler(eventXs, eventYs);

                // Events over the exposure plus margins: the scene's luminance, moved by the camera, seen through the homography.
                Mat Irradiance(long tUs) => IrradianceOf(tUs, 0);
                // windowUs > 0: the flickering lights at their mean over that window centred at tUs (the APS exposure's samples, its ground truth).
                Mat IrradianceOf(long tUs, double windowUs)
                {
                    flicker?.Apply(lum, tUs, windowUs);
                    if (sampler != null)
                    {
                        var fieldDst = new Mat();
                        using var mapX = new Mat(options.EventHeight, options.EventWidth, MatType.CV_32FC1);
                        using var mapY = new Mat(options.EventHeight, options.EventWidth, MatType.CV_32FC1);
                        sampler.Fill(path.Tau(tUs), mapX, mapY, margin);
                        Cv2.Remap(lum, fieldDst, mapX, mapY, InterpolationFlags.Linear, BorderTypes.Reflect101);
                        return fieldDst;
                    }
                    var inv = path.InverseAffine(path.Tau(tUs));
                    double[] m = Multiply3(Multiply3([1, 0, margin, 0, 1, margin, 0, 0, 1], [inv[0], inv[1], inv[2], inv[3], inv[4], inv[5], 0, 0, 1]), homInv);
                    var dst = new Mat();
                    using var mm = Mat.FromPixelData(3, 3, MatType.CV_64FC1, m);
                    Cv2.WarpPerspective(lum, dst, mm, new Size(options.EventWidth, options.EventHeight), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
                    return dst;
                }
                var s = davis.Simulate(start - options.MarginUs, end + options.MarginUs, options.StepUs, Irradiance, SensorNoise.SubSeed(seed, k, 3), batch =>
                {
                    using (batch) { writer.WriteEvents(batch); events += batch.Count; }
                });
                stats += s;

                int samples = field?.SampleCount(diag) ?? path.SampleCount(diag);
                double expS = expUs * 1e-6;
                string name = $"{k:D6}.png";
                List<KernelTile> tiles;
                if (options.ApsOnly)
                {
                    // APS frame: the event-grid irradiance integrated over the exposure (same grid as the events).
                    using var acc = new Mat(options.EventHeight, options.EventWidth, MatType.CV_32FC1, Scalar.All(0));
                    for (int i = 0; i < samples; i++)
                    {
                        long ti = start + (long)Math.Round((i + 0.5) / samples * expUs);
                        using var img = IrradianceOf(ti, (double)expUs / samples);
                        Cv2.Add(acc, img, acc);
                    }
                    acc.ConvertTo(acc, MatType.CV_32FC1, 1.0 / samples);
                    using var sharp = IrradianceOf(start + expUs / 2, expUs);
                    double pixelArea = 1 / (scale * scale);
                    var pixels = ApsExpose(acc, expS * pixelArea, SensorNoise.SubSeed(seed, k, 2), out _);
                    writer.WriteFrame(new ApsFrame
                    {
                        TimestampUs = start + expUs / 2, StartOfFrameUs = start - 1000, EndOfFrameUs = end + 5000,
                        StartOfExposureUs = start, EndOfExposureUs = end, Width = options.EventWidth, Height = options.EventHeight,
                        Format = FramePixelFormat.Gray8, Pixels = pixels,
                    });
                    ApsExpose(sharp, expS * pixelArea, null, out var gt16);
                    WritePng(Path.Combine(outDir, "gt", name), gt16);
                    gt16.Dispose();
                    gtRows.Add((k, name, start, end));
                    tiles = field != null
                        ? TileKernels((x, y) => field.KernelAt((x + 0.25) * 2, (y + 0.25) * 2, samples, scale), options.EventWidth, options.EventHeight, GroundTruthTileSize(options.DomainB!.KernelTilePx / 2, options.EventWidth, options.EventHeight))
                        : [new KernelTile(0, 0, options.EventWidth, options.EventHeight, path.KernelAt(w / 2.0, h / 2.0, samples, scale))];
                    writer.WriteTriggers([new(start - 1000, TriggerType.ApsFrameStart), new(start, TriggerType.ApsExposureStart), new(end, TriggerType.ApsExposureEnd), new(end + 5000, TriggerType.ApsFrameEnd)]);
                }
                else
                {
                    writer.WriteTriggers([new(start, TriggerType.ExternalSignalRisingEdge), new(end, TriggerType.ExternalSignalFallingEdge)]);
                    using var blurred = field?.IntegrateExposure(scene, samples) ?? RgbSensor.IntegrateExposure(scene, path, samples);
                    flicker?.AddToExposure(blurred, scene, path, start, expUs, samples);
                    using var raw = options.DomainB is { } bRaw
                        ? RgbSensor.ExposeDomainB(blurred, expS, options.Rgb, bRaw, SensorNoise.SubSeed(seed, k, 2))
                        : RgbSensor.Expose(blurred, expS, options.Rgb, SensorNoise.SubSeed(seed, k, 2));
                    WriteRgbPng(Path.Combine(imgDir, name), raw);
                    using var sharp = RgbSensor.SharpRadiance(scene);
                    flicker?.AddMeanToSharp(sharp, scene, start, expUs);
                    using var gtRaw = options.DomainB is { } bGt
                        ? RgbSensor.ExposeDomainB(sharp, expS, options.Rgb, bGt, null)
                        : RgbSensor.Expose(sharp, expS, options.Rgb, null);
                    WriteRgbPng(Path.Combine(outDir, "gt", name), gtRaw);
                    long rs, re;
                    if (options.SyncSource == "table") { rs = start - TableClockOffsetUs; re = end - TableClockOffsetUs; }
                    else { rs = start - options.StartUs + 3_000_000 + rgbClockJitter.Next(-150, 151); re = rs + expUs; }
                    rgbRows.Add((k, name, rs, re));
                    gtRows.Add((k, name, rs, re));
                    tiles = field != null
                        ? TileKernels((x, y) => field.KernelAt(x, y, samples), w, h, GroundTruthTileSize(options.DomainB!.KernelTilePx, w, h))
                        : options.RotationDeg == 0
                        ? [new KernelTile(0, 0, w, h, path.KernelAt(w / 2.0, h / 2.0, samples))]
                        : TileKernels((x, y) => path.KernelAt(x, y, samples), w, h, RotationKernelTileSize(w, h));
                }
                KernelCsv.Write(Path.Combine(outDir, "gt", "kernels", $"{k:D6}.csv"), tiles);
                truths.Add(new FrameTruth(k, new TimeRangeUs(start, end), path, tiles) { Field = field });
                log?.Invoke($"frame {k + 1}/{options.Frames}: exposure {expUs / 1000.0:F1} ms, blur {path.LengthPx:F1} px, {events:N0} events so far");
            }
            writer.Complete();
        }

        if (!options.ApsOnly) Recording.FrameTable.Write(Path.Combine(outDir, "rgb", "frames.csv"), rgbRows);
        Recording.FrameTable.Write(Path.Combine(outDir, "gt", "frames.csv"), gtRows);
        AtomicFile.WriteAllText(Path.Combine(outDir, "README.md"), BundleReadme(options, seed, events, stats));
        Manifest(options, hom).Write(Path.Combine(outDir, "recording.json"));
        if (ownScene) scene.Dispose();
        return new SimulationResult(Path.GetFullPath(outDir), truths, events, stats, hom, clock.Elapsed.TotalSeconds / options.Frames);
    }

    /// <summary>
    /// Smallest side of the ground-truth kernel tiles of a frame blurred with in-plane rotation, RGB pixels: each tile
    /// holds the kernel at its centre. A rotation changes the kernel by the rotation angle (radians) times the distance,
    /// so a tile's kernel must stand for pixels near its centre: with 160-px tiles (until stop 55) the truth at a tile's
    /// corners was the angle × 113 px (the half-diagonal) away from it, and on domain A's rotation tuning seeds the event
    /// kernels read kernel similarity 0.756 against those tiles and 0.866 against 32-px ones, the deconvolver with the
    /// true kernels 33.45 against 36.54 dB (`night-rotation-6301`, `robust`). Frames over 640×480 get larger tiles
    /// (<see cref="MaxGroundTruthKernelTiles"/>).
    /// </summary>
    public const int RotationKernelTilePx = 32;

    /// <summary>
    /// Most ground-truth kernel tiles of a frame whose blur varies (300: 32-px tiles at 640×480); a larger frame's tiles
    /// grow so that its kernel files, their deconvolution with <c>--kernels gt</c> and the simulator's memory stay bounded.
    /// </summary>
    public const int MaxGroundTruthKernelTiles = 300;

    /// <summary>The side of a <paramref name="w"/> × <paramref name="h"/> rotation frame's ground-truth kernel tiles, RGB pixels.</summary>
    public static int RotationKernelTileSize(int w, int h) => GroundTruthTileSize(RotationKernelTilePx, w, h);

    /// <summary>
    /// The side of a <paramref name="w"/> × <paramref name="h"/> frame's ground-truth kernel tiles (pixels of that frame):
    /// <paramref name="smallest"/>, or larger where the frame would have more than <see cref="MaxGroundTruthKernelTiles"/>.
    /// </summary>
    public static int GroundTruthTileSize(int smallest, int w, int h) =>
        Math.Max(smallest, (int)Math.Ceiling(Math.Sqrt((double)w * h / MaxGroundTruthKernelTiles)));

    /// <summary>Tiles of <paramref name="tile"/> px covering w × h, each with <paramref name="kernelAt"/> at its centre (pixel coordinates).</summary>
    private static List<KernelTile> TileKernels(Func<double, double, BlurKernel> kernelAt, int w, int h, int tile)
    {
        var tiles = new List<KernelTile>();
        for (int y0 = 0; y0 < h; y0 += tile)
            for (int x0 = 0; x0 < w; x0 += tile)
            {
                int x1 = Math.Min(w, x0 + tile), y1 = Math.Min(h, y0 + tile);
                tiles.Add(new KernelTile(x0, y0, x1, y1, kernelAt((x0 + x1 - 1) / 2.0, (y0 + y1 - 1) / 2.0)));
            }
        return tiles;
    }

    /// <summary>
    /// APS exposure of <paramref name="irradiance"/> (e⁻/s per APS pixel, CV_32FC1) for <paramref name="seconds"/>:
    /// 8-bit DN with shot and read noise (seed given), or noise-free (seed null); <paramref name="gt16"/> gets the
    /// same DN × 257 as 16 bits. Full well <see cref="ApsFullWellE"/> = DN 255.
    /// </summary>
    public static byte[] ApsExpose(Mat irradiance, double seconds, int? seed, out Mat gt16)
    {
        int n = irradiance.Rows * irradiance.Cols;
        var src = irradiance.AsSpan<float>();
        var pixels = new byte[n];
        gt16 = new Mat(irradiance.Rows, irradiance.Cols, MatType.CV_16UC1);
        var g = gt16.AsSpan<ushort>();
        var rng = seed is int s ? new Random(s) : null;
        double gain = 255.0 / ApsFullWellE;
        for (int i = 0; i < n; i++)
        {
            double e = Math.Max(0, src[i]) * seconds;
            if (rng != null) e = SensorNoise.Poisson(rng, e);
            e = Math.Min(e, ApsFullWellE);
            if (rng != null) e += ApsReadNoiseE * SensorNoise.Gaussian(rng);
            double dn = Math.Clamp(e * gain, 0, 255);
            pixels[i] = (byte)Math.Round(dn);
            g[i] = (ushort)Math.Round(dn * 257);
        }
        return pixels;
    }

    private static void WriteRgbPng(string path, Mat rgb16)
    {
        using var bgr = new Mat();
        Cv2.CvtColor(rgb16, bgr, ColorConversionCodes.RGB2BGR);
        WritePng(path, bgr);
    }

    private static void WritePng(string path, Mat img)
    {
        Cv2.ImEncode(".png", img, out byte[] bytes);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    private static double[] MakeHomography(SimulationOptions o, Random rng)
    {
        if (o.ApsOnly)
        {
            // Two frame pixels per event pixel; integer coordinates are pixel centres in both grids.
            return [0.5, 0, -0.25, 0, 0.5, -0.25, 0, 0, 1];
        }
        double s = o.HomographyScale.Min + rng.NextDouble() * (o.HomographyScale.Max - o.HomographyScale.Min);
        double a = (rng.NextDouble() * 2 - 1) * o.HomographyRotationDeg * Math.PI / 180;
        double c = s * Math.Cos(a), sn = s * Math.Sin(a);
        double ox = (rng.NextDouble() - 0.5) * 8, oy = (rng.NextDouble() - 0.5) * 8;
        double cx = (o.RgbWidth - 1) / 2.0, cy = (o.RgbHeight - 1) / 2.0;
        double tx = (o.EventWidth - 1) / 2.0 + ox - (c * cx - sn * cy);
        double ty = (o.EventHeight - 1) / 2.0 + oy - (sn * cx + c * cy);
        return [c, -sn, tx, sn, c, ty, 0, 0, 1];
    }

    private static int NeededMargin(SimulationOptions o, double[] hom, double diag)
    {
        var inv = Homography.FromRowMajor(hom).Inverse().ToRowMajor();
        double worst = 0;
        foreach (var (u, v) in new[] { (-1.0, -1.0), (o.EventWidth, -1.0), (-1.0, o.EventHeight), ((double)o.EventWidth, (double)o.EventHeight) })
        {
            double z = inv[6] * u + inv[7] * v + inv[8];
            double x = (inv[0] * u + inv[1] * v + inv[2]) / z, y = (inv[3] * u + inv[4] * v + inv[5]) / z;
            worst = Math.Max(worst, Math.Max(Math.Max(-x, x - o.RgbWidth), Math.Max(-y, y - o.RgbHeight)));
        }
        double motion = o.KernelLengthPx.Max * 1.6 * (1 + (o.DomainB?.PatchJitter ?? 0)) + o.RotationDeg * Math.PI / 180 * 1.6 * diag;
        return (int)Math.Ceiling(Math.Max(0, worst) + motion + 24);
    }

    /// <summary>RGB frame coordinates of every event pixel centre (through the inverse homography), CV_32FC1 each.</summary>
    private static void EventPixelsInRgb(double[] homInv, Mat xs, Mat ys)
    {
        var xv = xs.AsSpan<float>();
        var yv = ys.AsSpan<float>();
        int rows = xs.Rows, cols = xs.Cols;
        for (int v = 0; v < rows; v++)
            for (int u = 0; u < cols; u++)
            {
                double z = homInv[6] * u + homInv[7] * v + homInv[8];
                xv[v * cols + u] = (float)((homInv[0] * u + homInv[1] * v + homInv[2]) / z);
                yv[v * cols + u] = (float)((homInv[3] * u + homInv[4] * v + homInv[5]) / z);
            }
    }

    internal static double[] Multiply3(double[] a, double[] b)
    {
        var r = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        return r;
    }

    private static Recording.RecordingManifest Manifest(SimulationOptions o, double[] hom) => new()
    {
        Events = new Recording.EventsSpec("events.aedat4", o.EventWidth, o.EventHeight, o.DomainB != null && !o.ApsOnly ? "DVS-sim-third" : "DAVIS346"),
        Rgb = o.ApsOnly ? null : new Recording.RgbSpec("rgb/frames.csv", o.RgbWidth, o.RgbHeight, PixelEncoding.Linear, o.Rgb.BlackLevel, o.Rgb.WhiteLevel, o.Rgb.SaturationLevel),
        Sync = new Recording.SyncSpec(o.SyncSource, o.SyncSource == "table" ? TableClockOffsetUs : 0),
        RgbToEventsHomography = hom,
        GroundTruth = new Recording.GroundTruthSpec("gt/frames.csv", "gt/kernels"),
    };

    /// <summary>The <c>--frame-period-us</c>, <c>--exposure-us</c> and <c>--event-margin-us</c> arguments that made <paramref name="o"/>, where they differ from its preset's, and its <c>--flicker-hz</c> and <c>--flicker-depth</c>.</summary>
    private static string TimingArguments(SimulationOptions o)
    {
        if (!SimulationPresets.Names.Contains(o.Preset)) return "";
        var preset = SimulationPresets.Get(o.Preset);
        return (o.FramePeriodUs != preset.FramePeriodUs ? $" --frame-period-us {o.FramePeriodUs}" : "")
            + (o.ExposureUs != preset.ExposureUs ? $" --exposure-us {o.ExposureUs.Min}:{o.ExposureUs.Max}" : "")
            + (o.MarginUs != preset.MarginUs ? $" --event-margin-us {o.MarginUs}" : "")
            + FlickerArguments(o);
    }

    /// <summary>The <c>--flicker-hz</c> and <c>--flicker-depth</c> arguments that made <paramref name="o"/> (none for steady lights, no depth at 1), as the bundle's README states them.</summary>
    internal static string FlickerArguments(SimulationOptions o) =>
        o.FlickerHz is double hz ? $" --flicker-hz {hz.ToString(CultureInfo.InvariantCulture)}" + (o.FlickerDepth != 1 ? $" --flicker-depth {o.FlickerDepth.ToString(CultureInfo.InvariantCulture)}" : "") : "";

    private static string BundleReadme(SimulationOptions o, int seed, long events, EventStats s) => $"""
        # Simulated recording: preset `{o.Preset}`, seed {seed}

        Made by EventDeblur's hybrid-rig simulator: `./eventdeblur simulate --preset {o.Preset} --seed {seed} --frames {o.Frames}{(o.ApsOnly ? "" : $" --rgb-size {o.RgbWidth}x{o.RgbHeight}")}{TimingArguments(o)} --out DIR`.
        Deterministic: the same command writes the same bundle.

        - {(o.ApsOnly ? $"DAVIS346 alone: gray APS frames ({o.EventWidth}×{o.EventHeight}, 8-bit) inside events.aedat4" : $"RGB {o.RgbWidth}×{o.RgbHeight}, 16-bit linear PNG, black level {o.Rgb.BlackLevel}, saturation {o.Rgb.SaturationLevel}; {(o.DomainB != null ? $"a {o.EventWidth}×{o.EventHeight} event sensor" : "DAVIS346")} behind the homography in recording.json")}.
        - Exposures {o.ExposureUs.Min / 1000.0}–{o.ExposureUs.Max / 1000.0} ms every {o.FramePeriodUs / 1000.0} ms; camera-shake blur {o.KernelLengthPx.Min}–{o.KernelLengthPx.Max} px{(o.RotationDeg > 0 ? $", up to {o.RotationDeg}° in-plane rotation (per-tile kernels, {RotationKernelTileSize(o.RgbWidth, o.RgbHeight)}-px tiles)" : "")}.
        - {(o.DomainB is { } b ? DomainBReadmeLine(o, b) : $"Night scene: background ≈ {o.BackgroundRadiance} e⁻/s, {o.PointLights} point lights {o.LightSaturationFactor.Min}–{o.LightSaturationFactor.Max}× the full well, {o.ExtendedLights} extended lights.")}{FlickerReadme(o)}
        - Events: {events:N0} ({s.SignalOn:N0} ON, {s.SignalOff:N0} OFF, {s.ShotNoise:N0} shot noise, {s.HotPixel:N0} hot pixel), simulated every {o.StepUs} µs over each exposure ± {o.MarginUs / 1000.0} ms.
        - Sync: {(o.ApsOnly ? "APS exposure times in the file" : o.SyncSource)}; ground truth in gt/ (sharp frames at mid-exposure, kernels per RECORDING_FORMAT.md).

        """;

    private static string FlickerReadme(SimulationOptions o) => o.FlickerHz is double hz
        ? $" The point lights flicker at {hz.ToString(CultureInfo.InvariantCulture)} Hz, depth {o.FlickerDepth.ToString(CultureInfo.InvariantCulture)} (radiance × 1 + depth·cos(2π·f·t + φ), φ one of three phases; the ground truth shows each light at its mean brightness over the exposure)."
        : "";

    private static string DomainBReadmeLine(SimulationOptions o, DomainBModel b) =>
        $"Domain B (README, Simulator): fractal background ≈ {o.BackgroundRadiance} e⁻/s, {b.Lamps.Min}–{b.Lamps.Max} lamps of {b.LampDiameterPx.Min}–{b.LampDiameterPx.Max} px "
        + $"in {b.LampClusters.Min}–{b.LampClusters.Max} clusters with glare halos, saturated pixels scaled by U({b.HdrScale.Min}, {b.HdrScale.Max}); "
        + $"patch-wise trajectories on a {b.PatchGrid.Columns}×{b.PatchGrid.Rows} grid (kernels per {(o.ApsOnly ? $"{GroundTruthTileSize(b.KernelTilePx / 2, o.EventWidth, o.EventHeight)}-px APS" : $"{GroundTruthTileSize(b.KernelTilePx, o.RgbWidth, o.RgbHeight)}-px")} tile); "
        + $"event sensor {o.EventWidth}×{o.EventHeight}, thresholds {o.Davis.ThresholdOn} ± {o.Davis.ThresholdSigma}, cut-off {o.Davis.CutoffMaxHz} Hz, leak {o.Davis.LeakHz} Hz.";
}
