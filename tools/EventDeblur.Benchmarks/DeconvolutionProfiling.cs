using System.Diagnostics;
using System.Globalization;
using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Learned;
using EventDeblur.Methods;
using EventDeblur.Metrics;
using EventDeblur.Recording;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>deconv [--quality Q] [--iters N] [--light N] [--crop-rl] [--whole-rl N] [--full-pad] [--deconvolver NAME] [--frames K] [--profile] [--no-merge] [--whole-frames] BUNDLE...</c>: deblurs the
/// first K frames (default 1) of RGB bundles with their ground-truth kernels, prints per frame the PSNR (METRICS.md:
/// sRGB, 16-px crop) of the blurry input and of the result, the wall and process-CPU seconds of the deconvolution, and
/// with <c>--profile</c> the per-step profile of <c>robust</c> (setup, kernel spectra, RL start, ADMM DFTs and
/// pointwise steps, the guard's checks). Used to choose the quality rungs on the tuning seeds and to measure them.
/// <c>--iters</c> / <c>--light</c> set the ADMM / RL-start iterations of <c>robust</c>, and of <c>learned</c>'s robust stage;
/// <c>--whole-frames</c> has <c>learned</c> refine a frame of several kernel tiles in one pass at every rung (as <c>fast</c> does).
/// </summary>
public static class DeconvolutionProfiling
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var quality = DeconvolutionQuality.Balanced;
        int? iters = null, light = null;
        double? relax = null;
        int frames = 1;
        string deconvolverName = "robust";
        bool showProfile = false, cropRl = false, fullPad = false, noMerge = false, wholeFrames = false;
        int? wholeRl = null;
        var bundles = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quality": quality = DeconvolutionQualities.Parse(args[++i]); break;
                case "--iters": iters = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--light": light = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--relax": relax = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--frames": frames = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--deconvolver": deconvolverName = args[++i]; break;
                case "--profile": showProfile = true; break;
                case "--no-merge": noMerge = true; break;
                case "--whole-frames": wholeFrames = true; break;
                case "--crop-rl": cropRl = true; break;
                case "--full-pad": fullPad = true; break;
                case "--whole-rl": wholeRl = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: bundles.Add(args[i]); break;
            }
        }
        var profile = new DeconvolutionProfile();
        MethodCatalogue? learnedCatalogue = null;
        Lazy<OnnxRefiner>? floatNet = null, int8Net = null;
        IDeconvolver MakeDeconvolver()
        {
            if (deconvolverName == LearnedMethods.Name)
            {
                // As the CLI runs it on the CPU: the shipped float model, its int8 version at fast.
                string model = LearnedDeconvolver.FindDefaultModel() ?? throw new FileNotFoundException("no shipped model in models/");
                // Each network is loaded once, before the first frame's clock starts.
                floatNet ??= new Lazy<OnnxRefiner>(() => OnnxRefiner.Load(new RefinerOptions(model, InferenceDevice.Cpu)));
                int8Net ??= new Lazy<OnnxRefiner>(() => OnnxRefiner.Load(new RefinerOptions(LearnedDeconvolver.FindDefaultCpuModel(model) ?? model, InferenceDevice.Cpu)));
                _ = quality == DeconvolutionQuality.Fast ? int8Net.Value : floatNet.Value;
                if (iters is null && light is null && !wholeFrames)
                {
                    learnedCatalogue ??= new MethodCatalogueBuilder().AddLearned(() => floatNet!.Value, () => int8Net!.Value).Build();
                    return learnedCatalogue.CreateDeconvolver(deconvolverName, quality);
                }
                // --iters / --light / --whole-frames: the learned deconvolver as the catalogue builds it, with those iterations in its robust stage.
                var lo = RobustDeconvolverOptions.ForQuality(quality);
                if (iters is int li) lo = lo with { Iterations = li };
                if (light is int ll) lo = lo with { LightInitIterations = ll };
                var net = quality == DeconvolutionQuality.Fast ? int8Net.Value : floatNet.Value;
                return new GuardedDeconvolver(new LearnedDeconvolver(net, new RobustDeconvolver(lo)) { RefineWholeFrames = wholeFrames || quality == DeconvolutionQuality.Fast },
                    new GuardOptions { Log = BuiltInMethods.DefaultGuardLog, RelativeToInput = true, JointChannels = true }, LearnedMethods.Name);
            }
            if (deconvolverName != "robust") return new MethodCatalogueBuilder().Build().CreateDeconvolver(deconvolverName, quality);
            var o = RobustDeconvolverOptions.ForQuality(quality);
            if (iters is int it) o = o with { Iterations = it };
            if (light is int l) o = o with { LightInitIterations = l };
            if (relax is double a) o = o with { Relaxation = a };
            if (cropRl) o = o with { LightInitOnCrops = true };
            if (fullPad) o = o with { PadToKernelReach = false };
            if (wholeRl is int wr) o = o with { LightInitWholePlaneIterations = wr };
            return new GuardedDeconvolver(new RobustDeconvolver(o) { Profile = profile }, new GuardOptions { Log = TextWriter.Null }, "robust") { Profile = profile };
        }
        double sumGain = 0, sumWall = 0, sumCpu = 0, sumMp = 0;
        int count = 0;
        var totalProfile = new DeconvolutionProfile();
        foreach (var dir in bundles)
        {
            var b = RecordingBundle.Load(dir);
            var rgb = b.Manifest.Rgb ?? throw new ArgumentException($"{dir}: an APS bundle; this command takes RGB bundles");
            double satLinear = (rgb.SaturationLevel - rgb.BlackLevel) / (rgb.WhiteLevel - rgb.BlackLevel);
            var gtFrames = b.GroundTruthFrames?.ToDictionary(f => f.Index) ?? throw new ArgumentException($"{dir}: no ground-truth frames");
            foreach (var row in b.Frames.Take(frames))
            {
                var blurry = LinearImage.Read(row.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
                var truth = LinearImage.Read(gtFrames[row.Index].File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel).ToMetricImage();
                var kernels = KernelCsv.Read(Path.Combine(b.GroundTruthKernelsDir!, $"{row.Index:D6}.csv"));
                var deconvolver = MakeDeconvolver();
                profile.Clear();
                var proc = Process.GetCurrentProcess();
                var cpu0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var sharp = TiledDeblurrer.Deblur(blurry, kernels, deconvolver, satLinear, new DeblurOptions(MergeSameKernels: !noMerge));
                double wall = sw.Elapsed.TotalSeconds;
                proc.Refresh();
                double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
                double mp = blurry.Width * blurry.Height / 1e6;
                var (pB, _) = ImageMetrics.FrameQuality(blurry.ToMetricImage(), truth);
                var (pS, sS) = ImageMetrics.FrameQuality(sharp.ToMetricImage(), truth);
                string fell = deconvolver is GuardedDeconvolver g ? $"guard fell back on {g.DrainReports().Sum(r => r.FellBack)} tiles" : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(dir.TrimEnd('/'))} #{row.Index} {kernels.Count} tile(s): blurry {pB:F2} dB, {deconvolverName} {pS:F2} dB (SSIM {sS:F3}), gain {pS - pB:+0.00;-0.00}; wall {wall:F3} s = {wall / mp:F2} s/MP, CPU {cpu:F3} s = {cpu / mp:F2} CPU-s/MP; {fell}"));
                sumGain += pS - pB; sumWall += wall; sumCpu += cpu; sumMp += mp; count++;
                foreach (var (step, sec, calls) in profile.Steps) for (long c = 0; c < calls; c++) totalProfile.Add(step, c == 0 ? sec : 0);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MEAN over {count} frames ({deconvolverName}, {quality.Name()}{(iters != null ? $", iters {iters}" : "")}{(light != null ? $", light {light}" : "")}{(relax != null ? $", relax {relax}" : "")}{(cropRl ? ", RL start on crops" : "")}{(wholeFrames ? ", whole-frame refinement" : "")}{(wholeRl != null ? $", {wholeRl} RL steps on the whole plane" : "")}): gain {sumGain / Math.Max(1, count):+0.000;-0.000} dB, wall {sumWall / Math.Max(sumMp, 1e-9):F2} s/MP, CPU {sumCpu / Math.Max(sumMp, 1e-9):F2} CPU-s/MP"));
        if (showProfile) Console.Write(totalProfile.ToString());
        return 0;
    }
}
