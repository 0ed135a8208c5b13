using System.Globalization;
using System.Text;
using System.Threading.Channels;
using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Recording;
using EventDeblur.Pipeline;
using EventDeblur.Simulation;
using OpenCvSharp;

// Training pairs for the learned deconvolver's refiner, from the project's own simulator (no events:
// the refiner sees frames, kernels and the classical deconvolution only).
//
//   dotnet run -c Release --project tools/learned/EventDeblur.Training -- --out DIR --samples N --seed S
//
// Per sample, DIR/NNNNN.npy holds float32 [C, P, H, W]: per channel the blurry frame, the classical deconvolution
// (--base hl, the v1 model, or robust, the v2 model), the saturation mask (1 = clipped), the ground truth and, with
// --base robust (P = 5), the per-pixel noise σ of the frame's Poisson–Gaussian model; all linear normalised radiance
// (RECORDING_FORMAT.md). DIR/samples.csv lists preset, kernel kind and each channel's noise σ (normalised linear units).
// Domain A samples (the v1 recipe): half deconvolved with a perturbed kernel (scale, rotation, shift and a smooth
// wobble of the path, as event trajectories err). Domain B samples (--domain-b-share; --domain-b-kinds 5 adds the
// gray b-aps frames to the four RGB presets): a one-frame
// recording simulated in full (events included) and deconvolved either with its true kernel tiles or with the kernels
// the event estimator makes from its events — the errors the refiner must undo on data like domain B's.

var opts = Args.Parse(args);
(Samples.Width, Samples.Height) = (opts.Width, opts.Height);
Directory.CreateDirectory(opts.Out);
var rows = new string[opts.Samples];
IDeconvolver classical = opts.Base == "robust" ? new RobustDeconvolver() : new HyperLaplacianDeconvolver();
bool noiseMap = opts.Base == "robust";
int done = 0;
var clock = System.Diagnostics.Stopwatch.StartNew();
Parallel.For(0, opts.Samples, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
{
    int seed = opts.Seed + i;
    var rng = new Random(seed);
    // Domain B for a share of the samples (spread evenly over the indices), else the benchmark's presets, weighted
    // towards the night scenes the refiner is for.
    bool domainB = Math.Floor((i + 1) * opts.DomainBShare) > Math.Floor(i * opts.DomainBShare);
    int bIndex = (int)Math.Floor(i * opts.DomainBShare), aIndex = i - bIndex;
    string preset = domainB
        ? (bIndex % opts.DomainBKinds) switch { 0 => "b-night", 1 => "b-night-hard", 2 => "b-rotation", 3 => "b-no-streaks", _ => "b-aps" }
        : ((opts.DomainBShare > 0 ? aIndex : i) % 8) switch { 0 or 1 or 2 => "night", 3 or 4 => "night-hard", 5 => "no-streaks", _ => "aps" };
    // v1 drew this from the sample's own generator, whose first draw barely changes between consecutive seeds; with
    // domain B the choice comes from a hash of the index, so kernel kinds spread evenly over presets.
    bool perturbed = opts.DomainBShare > 0
        ? (((uint)i * 2654435761u) >> 16) % 1000 < opts.PerturbedShare * 1000
        : rng.NextDouble() < opts.PerturbedShare;
    LinearImage blurry, gt;
    IReadOnlyList<KernelTile> tiles;
    LinearImage.Encoding encoding;
    if (domainB) (blurry, gt, tiles, encoding) = Samples.DomainB(preset, seed, perturbed, Path.Combine(opts.Out, $"sim-{i:D5}"));
    else
    {
        (blurry, gt, var kernel, encoding) = preset == "aps" ? Samples.Aps(rng, seed, perturbed) : Samples.Rgb(preset, rng, seed, perturbed);
        tiles = [new KernelTile(0, 0, blurry.Width, blurry.Height, kernel)];
    }
    var deblurred = TiledDeblurrer.Deblur(blurry, tiles, classical, encoding.SaturationLinear, new DeblurOptions(MaxDegreeOfParallelism: 1));
    var sigmas = blurry.Planes.Select((p, c) => NoiseEstimator.Sigma(p, blurry.Width, blurry.Height, blurry.Saturated[c])).ToArray();
    float[][]? maps = noiseMap
        ? blurry.Planes.Select((p, c) => NoiseModelEstimator.SigmaMap(p, blurry.Width, blurry.Height,
            NoiseModelEstimator.Estimate(p, blurry.Width, blurry.Height, blurry.Saturated[c]), encoding.SaturationLinear)).ToArray()
        : null;
    Npy.Write(Path.Combine(opts.Out, $"{i:D5}.npy"), blurry, deblurred, gt, maps);
    string kind = domainB ? (perturbed ? "events" : "true") : perturbed ? "perturbed" : "true";
    rows[i] = string.Create(CultureInfo.InvariantCulture,
        $"{i:D5},{preset},{kind},{blurry.Channels},{blurry.Height},{blurry.Width},{encoding.SaturationLinear:G6},{string.Join(';', sigmas.Select(s => s.ToString("G6", CultureInfo.InvariantCulture)))}");
    int n = Interlocked.Increment(ref done);
    if (n % 20 == 0) Console.WriteLine($"{n}/{opts.Samples} samples, {clock.Elapsed.TotalSeconds / n * 2:F2} s each");
});
File.WriteAllText(Path.Combine(opts.Out, "samples.csv"), "sample,preset,kernel,channels,height,width,saturation_linear,sigmas\n" + string.Join('\n', rows) + "\n");
Console.WriteLine($"wrote {opts.Samples} samples to {opts.Out} in {clock.Elapsed.TotalSeconds:F0} s");

internal sealed record Args(string Out, int Samples, int Seed, double PerturbedShare, int Width, int Height, string Base, double DomainBShare, int DomainBKinds)
{
    public static Args Parse(string[] a)
    {
        string? Get(string name) { int i = Array.IndexOf(a, name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : null; }
        return new Args(Get("--out") ?? throw new ArgumentException("--out DIR is required"),
            int.Parse(Get("--samples") ?? "600", CultureInfo.InvariantCulture),
            int.Parse(Get("--seed") ?? "100000", CultureInfo.InvariantCulture),
            double.Parse(Get("--perturbed") ?? "0.5", CultureInfo.InvariantCulture),
            int.Parse((Get("--size") ?? "320x240").Split('x')[0], CultureInfo.InvariantCulture),
            int.Parse((Get("--size") ?? "320x240").Split('x')[1], CultureInfo.InvariantCulture),
            Get("--base") is "robust" ? "robust" : Get("--base") is null or "hl" ? "hl" : throw new ArgumentException("--base must be hl or robust"),
            Math.Clamp(double.Parse(Get("--domain-b-share") ?? "0", CultureInfo.InvariantCulture), 0, 1),
            // 4: b-night, b-night-hard, b-rotation, b-no-streaks (the v2 model); 5 adds b-aps (gray DAVIS frames).
            Math.Clamp(int.Parse(Get("--domain-b-kinds") ?? "4", CultureInfo.InvariantCulture), 1, 5));
    }
}

internal static class Samples
{
    public static int Width { get; set; } = 320;

    public static int Height { get; set; } = 240;

    /// <summary>An RGB frame of <paramref name="preset"/> (translation only), its ground truth and the kernel to deconvolve with.</summary>
    public static (LinearImage Blurry, LinearImage Gt, BlurKernel Kernel, LinearImage.Encoding Enc) Rgb(string preset, Random rng, int seed, bool perturbed)
    {
        var o = SimulationPresets.Get(preset) with { RgbWidth = Width, RgbHeight = Height, PointLights = preset == "no-streaks" ? 0 : 3 + rng.Next(4) };
        var (path, expUs, samples) = Motion(o, rng, Width, Height);
        using var scene = NightScene.Generate(o, rng, 64);
        using var blurred = RgbSensor.IntegrateExposure(scene, path, samples);
        using var raw = RgbSensor.Expose(blurred, expUs * 1e-6, o.Rgb, seed);
        using var sharp = RgbSensor.SharpRadiance(scene);
        using var gtRaw = RgbSensor.Expose(sharp, expUs * 1e-6, o.Rgb, null);
        var r = o.Rgb;
        var enc = new LinearImage.Encoding(PixelEncoding.Parse("linear"), r.BlackLevel, r.WhiteLevel, r.SaturationLevel, 16);
        return (Linear(raw, enc), Linear(gtRaw, enc), Kernel(path, Width / 2.0, Height / 2.0, samples, 1, rng, perturbed), enc);
    }

    /// <summary>A gray 8-bit APS frame (a DAVIS alone): the scene's luminance at half resolution, as the <c>aps</c> preset.</summary>
    public static (LinearImage Blurry, LinearImage Gt, BlurKernel Kernel, LinearImage.Encoding Enc) Aps(Random rng, int seed, bool perturbed)
    {
        var o = SimulationPresets.Get("aps") with { RgbWidth = 2 * Width, RgbHeight = 2 * Height };
        var (path, expUs, samples) = Motion(o, rng, 2 * Width, 2 * Height);
        using var scene = NightScene.Generate(o, rng, 96);
        using var blurred = RgbSensor.IntegrateExposure(scene, path, samples);
        using var sharp = RgbSensor.SharpRadiance(scene);
        Mat Half(Mat rgb)
        {
            using var lum = new Mat();
            Cv2.Transform(rgb, lum, Mat.FromPixelData(1, 3, MatType.CV_32FC1, new[] { 0.2126f, 0.7152f, 0.0722f }));
            var half = new Mat();
            Cv2.Resize(lum, half, new Size(Width, Height), 0, 0, InterpolationFlags.Area);
            return half;
        }
        using var bHalf = Half(blurred);
        using var sHalf = Half(sharp);
        // An APS pixel covers four RGB pixels of the scene.
        var pixels = HybridRigSimulator.ApsExpose(bHalf, expUs * 1e-6 * 4, seed, out var bDn16);
        bDn16.Dispose();
        HybridRigSimulator.ApsExpose(sHalf, expUs * 1e-6 * 4, null, out var gt16);
        using (gt16)
        {
            using var b8 = Mat.FromPixelData(Height, Width, MatType.CV_8UC1, pixels);
            var enc8 = new LinearImage.Encoding(PixelEncoding.Parse("linear"), 0, 255, 255, 8);
            var gt = LinearImage.FromRaw(gt16, enc8.Curve, 0, 65535, 65535);
            return (Linear(b8, enc8), gt, Kernel(path, Width, Height, samples, 0.5, rng, perturbed), enc8);
        }
    }

    /// <summary>
    /// A domain B RGB frame simulated in full (one-frame recording written to <paramref name="dir"/>, events included,
    /// removed afterwards), its ground truth, and its kernel tiles: the true ones, or (<paramref name="fromEvents"/>)
    /// those the event estimator makes from the recording's events.
    /// </summary>
    public static (LinearImage Blurry, LinearImage Gt, IReadOnlyList<KernelTile> Tiles, LinearImage.Encoding Enc) DomainB(string preset, int seed, bool fromEvents, string dir)
    {
        var o = SimulationPresets.Get(preset) with { Frames = 1, RgbWidth = Width, RgbHeight = Height };
        HybridRigSimulator.Simulate(o, seed, dir);
        try
        {
            // The frame as replay ingests it: the pipeline's own source loads the image and the exposure's events (± 10 ms).
            var bundle = RecordingBundle.Load(dir);
            var frames = Channel.CreateUnbounded<FrameWork>();
            var problems = new List<EventDeblur.IO.Problem>();
            new BundleFrameSource(bundle, 10_000, _ => false).RunAsync(frames.Writer, problems, _ => { }, CancellationToken.None).GetAwaiter().GetResult();
            if (!frames.Reader.TryRead(out var frame) || frame.Error != null || frame.Blurry == null || frame.Encoding is not { } enc)
                throw new InvalidDataException($"{dir}: the simulated frame could not be loaded ({frame?.Error ?? string.Join("; ", problems)})");
            // As the frame scorer reads it: an APS frame's ground truth is 16-bit linear radiance, an RGB frame's in the frame's encoding.
            var gt = frame.ApsFrame != null
                ? LinearImage.Read(frame.GroundTruthPath!, PixelEncoding.Linear, 0, 65535, 65536)
                : LinearImage.Read(frame.GroundTruthPath!, enc.Curve, enc.BlackLevel, enc.WhiteLevel, enc.SaturationLevel);
            var tiles = fromEvents ? new EventKernelEstimator().Estimate(frame.ToKernelRequest()).Tiles : KernelCsv.Read(frame.GroundTruthKernelsPath!);
            return (frame.Blurry, gt, tiles, enc);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static (MotionPath Path, long ExpUs, int Samples) Motion(SimulationOptions o, Random rng, int w, int h)
    {
        long expUs = o.ExposureUs.Min + (long)(rng.NextDouble() * (o.ExposureUs.Max - o.ExposureUs.Min));
        double length = o.KernelLengthPx.Min + rng.NextDouble() * (o.KernelLengthPx.Max - o.KernelLengthPx.Min);
        var path = MotionPath.Generate(rng, 0, expUs, length, 0, w, h);
        return (path, expUs, path.SampleCount(Math.Sqrt(w * w + h * h)));
    }

    /// <summary>
    /// The kernel at (x, y) in pixels scaled by <paramref name="pixelScale"/>; when perturbed, the path's offsets are scaled
    /// (±8 %), rotated (±5°), shifted (≤ 0.6 px) and given a smooth wobble (≤ 0.5 px), the size of event-trajectory errors.
    /// </summary>
    private static BlurKernel Kernel(MotionPath path, double x, double y, int samples, double pixelScale, Random rng, bool perturbed)
    {
        double s = 1, th = 0, sx = 0, sy = 0, wa = 0, wb = 0, wf = 0, wp = 0;
        if (perturbed)
        {
            s = 1 + 0.16 * (rng.NextDouble() - 0.5);
            th = (rng.NextDouble() - 0.5) * 10 * Math.PI / 180;
            double r = 0.6 * Math.Sqrt(rng.NextDouble()), a = 2 * Math.PI * rng.NextDouble();
            (sx, sy) = (r * Math.Cos(a), r * Math.Sin(a));
            wa = 0.5 * rng.NextDouble(); wb = 0.5 * rng.NextDouble(); wf = 1 + 2 * rng.NextDouble(); wp = 2 * Math.PI * rng.NextDouble();
        }
        var offsets = new (double X, double Y)[samples];
        for (int i = 0; i < samples; i++)
        {
            double tau = (i + 0.5) / samples;
            var p = path.Apply(x, y, tau);
            double dx = (p.X - x) * pixelScale, dy = (p.Y - y) * pixelScale;
            double qx = s * (Math.Cos(th) * dx - Math.Sin(th) * dy) + sx + wa * Math.Sin(2 * Math.PI * wf * tau + wp);
            double qy = s * (Math.Sin(th) * dx + Math.Cos(th) * dy) + sy + wb * Math.Cos(2 * Math.PI * wf * tau + wp);
            offsets[i] = (qx, qy);
        }
        return KernelRaster.FromOffsets(offsets);
    }

    /// <summary>Raw RGB (RGB order, as the sensor model writes) or gray to linear radiance.</summary>
    private static LinearImage Linear(Mat raw, LinearImage.Encoding enc)
    {
        if (raw.Channels() == 1) return LinearImage.FromRaw(raw, enc.Curve, enc.BlackLevel, enc.WhiteLevel, enc.SaturationLevel);
        using var bgr = new Mat();
        Cv2.CvtColor(raw, bgr, ColorConversionCodes.RGB2BGR);
        return LinearImage.FromRaw(bgr, enc.Curve, enc.BlackLevel, enc.WhiteLevel, enc.SaturationLevel);
    }
}

/// <summary>Minimal NumPy .npy writer (format 1.0, little-endian float32, C order).</summary>
internal static class Npy
{
    public static void Write(string path, LinearImage blurry, LinearImage deblurred, LinearImage gt, float[][]? noiseMaps = null)
    {
        int c = blurry.Channels, h = blurry.Height, w = blurry.Width, n = w * h;
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({c}, {(noiseMaps == null ? 4 : 5)}, {h}, {w}), }}";
        int total = 10 + dict.Length + 1;
        dict = dict.PadRight(dict.Length + (64 - total % 64) % 64) + "\n";
        using var f = new BinaryWriter(File.Create(path + ".tmp"));
        f.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        f.Write((ushort)dict.Length);
        f.Write(Encoding.ASCII.GetBytes(dict));
        for (int ch = 0; ch < c; ch++)
        {
            // Gray ground truth for a gray frame; an RGB frame's ground truth has the same channels.
            var g = gt.Planes[Math.Min(ch, gt.Channels - 1)];
            var planes = new List<float[]> { blurry.Planes[ch], deblurred.Planes[ch], blurry.Saturated[ch].Select(b => b ? 1f : 0f).ToArray(), g };
            if (noiseMaps != null) planes.Add(noiseMaps[ch]);
            foreach (var plane in planes)
                for (int i = 0; i < n; i++) f.Write(plane[i]);
        }
        f.Close();
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
