using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Learned;
using EventDeblur.Methods;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using OpenCvSharp;

namespace EventDeblur.Benchmarks;

/// <summary>
/// Seconds per frame of each deconvolver on one simulated 640×480 `night` frame (RGB, 0.307 MP),
/// ground-truth kernel, both cores. The peer, scikit-image's richardson_lucy (30 iterations), is
/// timed on the same frame by tools/skimage-compare/time_rl.py (see tools/bench-deconvolution.sh).
/// </summary>
[Config(typeof(Config))]
public class DeconvolutionBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithLaunchCount(1).WithInvocationCount(1).WithUnrollFactor(1));
    }

    private LinearImage _frame = null!;
    private IReadOnlyList<KernelTile> _kernels = [];
    private double _saturation;
    private OnnxRefiner _refiner = null!;
    private float[][] _refinerInput = [];
    private Mat _grid = null!;
    private Mat _spectrum = null!;

    /// <summary>The benchmark frame's bundle (simulated once).</summary>
    public static string BundleDir => Path.Combine(BenchData.Dir, "deconv-night-640");

    /// <summary>Simulates the frame once and loads it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!File.Exists(Path.Combine(BundleDir, "recording.json")))
            HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 1 }, 2024, BundleDir);
        var b = RecordingBundle.Load(BundleDir);
        var rgb = b.Manifest.Rgb!;
        _frame = LinearImage.Read(b.Frames[0].File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
        _kernels = KernelCsv.Read(Path.Combine(b.GroundTruthKernelsDir!, "000000.csv"));
        _saturation = (rgb.SaturationLevel - rgb.BlackLevel) / (rgb.WhiteLevel - rgb.BlackLevel);
        _refiner = OnnxRefiner.Load(new RefinerOptions(LearnedDeconvolver.FindDefaultModel()!, InferenceDevice.Cpu));
        _refinerInput = Enumerable.Range(0, OnnxRefiner.InputPlanes).Select(c => _frame.Planes[Math.Min(c, 2)]).ToArray();
        // robust's grid: the frame plus kernel size + 8 px on every side, at OpenCV's optimal DFT size.
        int pad = _kernels.Max(k => k.Kernel.Size) + 8;
        _grid = new Mat(Cv2.GetOptimalDFTSize(_frame.Height + 2 * pad), Cv2.GetOptimalDFTSize(_frame.Width + 2 * pad), MatType.CV_32FC1, Scalar.All(0.5));
        _spectrum = new Mat();
    }

    /// <summary>Releases the ONNX session.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _refiner.Dispose();
        _grid.Dispose();
        _spectrum.Dispose();
    }

    /// <summary>Wiener.</summary>
    [Benchmark]
    public LinearImage Wiener() => TiledDeblurrer.Deblur(_frame, _kernels, new WienerDeconvolver(), _saturation);

    /// <summary>Saturation-aware Richardson–Lucy, 30 iterations.</summary>
    [Benchmark]
    public LinearImage RichardsonLucy() => TiledDeblurrer.Deblur(_frame, _kernels, new RichardsonLucyDeconvolver(), _saturation);

    /// <summary>robust (the default deconvolver, inside its do-no-harm guard) at the fast rung.</summary>
    [Benchmark]
    public LinearImage RobustFast() => TiledDeblurrer.Deblur(_frame, _kernels, BuiltInMethods.CreateRobust(DeconvolutionQuality.Fast, guardLog: TextWriter.Null), _saturation);

    /// <summary>robust at the balanced rung (the default).</summary>
    [Benchmark]
    public LinearImage RobustBalanced() => TiledDeblurrer.Deblur(_frame, _kernels, BuiltInMethods.CreateRobust(DeconvolutionQuality.Balanced, guardLog: TextWriter.Null), _saturation);

    /// <summary>robust at the best rung (the settings before the ladder).</summary>
    [Benchmark]
    public LinearImage RobustBest() => TiledDeblurrer.Deblur(_frame, _kernels, BuiltInMethods.CreateRobust(DeconvolutionQuality.Best, guardLog: TextWriter.Null), _saturation);

    /// <summary>One forward and one inverse packed real DFT (OpenCV, float32) on the grid robust uses for this frame: the unit every iteration pays four times.</summary>
    [Benchmark]
    public void DftPair()
    {
        Cv2.Dft(_grid, _spectrum);
        Cv2.Idft(_spectrum, _grid, DftFlags.Scale | DftFlags.RealOutput);
    }

    /// <summary>The 5×5 chroma median robust and learned apply to the assembled RGB frame (stop 22).</summary>
    [Benchmark]
    public LinearImage ChromaMedian5() => ChromaMedian.Apply(_frame, 5);

    /// <summary>Hyper-Laplacian HQS.</summary>
    [Benchmark]
    public LinearImage HyperLaplacian() => TiledDeblurrer.Deblur(_frame, _kernels, new HyperLaplacianDeconvolver(), _saturation);

    /// <summary>Learned: hl followed by the ONNX refiner (CPU), per channel.</summary>
    [Benchmark]
    public LinearImage Learned() => TiledDeblurrer.Deblur(_frame, _kernels, new LearnedDeconvolver(_refiner), _saturation);

    /// <summary>The refiner network alone on the three channels of the frame, one after the other (CPU).</summary>
    [Benchmark]
    public float[] RefinerOnly()
    {
        float[] r = [];
        for (int c = 0; c < 3; c++) r = _refiner.Run(_refinerInput, _frame.Width, _frame.Height);
        return r;
    }
}
