using System.Runtime.CompilerServices;
using EventDeblur.Deconvolution;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Learned;

/// <summary>
/// The learned deconvolver (<c>--deconvolver learned</c>): a classical saturation-aware deconvolution, then a small U-Net
/// (run through ONNX Runtime) that removes what the hand-made prior leaves behind — dark holes and trails next to
/// clipped lights, ringing from kernel errors, residual noise. Which classical stage and which noise plane the network
/// expects is read from the model (<see cref="OnnxRefiner.Base"/>, <see cref="OnnxRefiner.NoisePlane"/>): the v1 model
/// refines <c>hl</c> and takes a constant noise level (100·σ of the channel); the v2 model refines <c>robust</c> (without
/// its do-no-harm guard) and takes the per-pixel σ of the channel's Poisson–Gaussian noise model (×100). The network
/// works in the metric's domain (linear clipped to [0, 1], then the sRGB curve; METRICS.md) on four planes: the
/// classical result, the blurry channel, its saturation mask and the noise plane. Where the network says "at least full
/// scale" the classical value is kept (≥ 1), so recovered lights keep their radiance; elsewhere its output, back in
/// linear units. One channel at a time, like every <see cref="IDeconvolver"/>, so RGB and gray APS frames share one model.
/// </summary>
/// <param name="refiner">The loaded network (shared; thread-safe).</param>
/// <param name="classical">The first stage; by default the one the model names (<c>hl</c> or <c>robust</c>).</param>
public sealed class LearnedDeconvolver(OnnxRefiner refiner, IDeconvolver? classical = null) : IRefiningDeconvolver, IChromaSmoothing
{
    /// <summary>
    /// Default <see cref="ChromaMedianPx"/>, pixels. The network refines each channel alone, so an edge's channels can come
    /// out sharpened differently (colour fringes and colour speckle). The median of the chroma (luminance kept) raised
    /// PSNR on six tuning bundles of both domains (v3 model, event kernels) by 0.10–0.28 dB and, on the INFWIDE real photos,
    /// cut their colour noise from 0.048 to 0.028 (the purple tiles there came from the guard, now judging channels together).
    /// </summary>
    public const int DefaultChromaMedianPx = 5;

    /// <summary>Side of the chroma median window applied to RGB frames by <see cref="TiledDeblurrer"/>, pixels: 0 (off), 3 or 5.</summary>
    public int ChromaMedianPx { get; init; } = DefaultChromaMedianPx;

    private readonly IDeconvolver _classical = classical ?? (refiner.Base == "robust" ? new RobustDeconvolver() : new HyperLaplacianDeconvolver());

    /// <summary>File name of the shipped model, in the <c>models</c> folder.</summary>
    public const string DefaultModelFile = "robust-refiner-v5.onnx";

    /// <summary>
    /// File name of the shipped model's int8 version (<c>tools/learned/quantize.py</c>), run instead of
    /// <see cref="DefaultModelFile"/> when the network runs on the CPU (<see cref="RefinerOptions.CpuModelPath"/>).
    /// </summary>
    public const string DefaultCpuModelFile = "robust-refiner-v5-int8.onnx";

    /// <summary>The shipped int8 model beside <paramref name="modelPath"/> (the shipped float model), or null when it is missing.</summary>
    public static string? FindDefaultCpuModel(string modelPath)
    {
        string p = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, DefaultCpuModelFile);
        return File.Exists(p) ? p : null;
    }

    /// <inheritdoc />
    public string Name => LearnedMethods.Name;

    /// <summary>Execution provider the network runs on (<c>CUDA</c> or <c>CPU</c>).</summary>
    public string Provider => refiner.Provider;

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context) =>
        Run(plane, width, height, kernel, context, refiner.NoisePlane == "map" ? NoiseModelEstimator.Estimate(plane, width, height, context.Saturated, floor: context.NoiseFloor, sites: context.Sites) : null).Result;

    /// <inheritdoc />
    /// <remarks>The intermediate result is the classical stage's (for the v2 model <c>robust</c> without its guard).</remarks>
    public (float[] Result, float[] Intermediate) DeconvolveStaged(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model) =>
        Run(plane, width, height, kernel, context, refiner.NoisePlane == "map" ? model : null);

    /// <summary>
    /// Whether a frame with several kernel tiles is refined once as a whole (<see cref="IRefiningDeconvolver"/>) rather than
    /// region by region. Off by default: the overlapping regions' results, blended, form an ensemble that the single
    /// pass loses (domain A rotation tuning seed 6301, 80 tiles: 38.08 → 37.68 dB at <c>balanced</c>; domain B within
    /// ±0.01 dB). On at <c>--quality fast</c>, where it takes 27–30 % off a rotation frame's whole replay.
    /// </summary>
    public bool RefineWholeFrames { get; init; }

    /// <inheritdoc />
    /// <remarks>True with <see cref="RefineWholeFrames"/> for models whose noise plane is the per-pixel σ map (v2, v3); the v1 model takes one σ per call.</remarks>
    public bool RefinesFrames => RefineWholeFrames && refiner.NoisePlane == "map";

    /// <inheritdoc />
    public float[] FirstStage(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model) =>
        _classical is RobustDeconvolver robust
            ? robust.Deconvolve(plane, width, height, kernel, context, model)
            : _classical.Deconvolve(plane, width, height, kernel, context);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model takes one noise level, not a map (<see cref="RefinesFrames"/> is false).</exception>
    public float[] Refine(float[] intermediate, float[] plane, int width, int height, ChannelContext context, float[] noiseSigma)
    {
        if (!RefinesFrames) throw new InvalidOperationException($"{refiner.ModelPath}: the model takes one noise level per call, not a σ map");
        if (intermediate.Length != width * height || plane.Length != width * height || noiseSigma.Length != width * height)
            throw new ArgumentException($"planes must all be {width}×{height}");
        return RefineCore(intermediate, plane, width, height, context, noiseSigma, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (float[] Result, float[] Intermediate) Run(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel? model)
    {
        // The v2 model's noise plane comes from the channel's Poisson–Gaussian model; robust needs the same model, so it
        // is estimated once and handed to both. The v1 model takes one σ, which hl also uses.
        double sigma = model == null ? context.NoiseSigma ?? NoiseEstimator.Sigma(plane, width, height, context.Saturated) : 0;
        var x = model != null
            ? FirstStage(plane, width, height, kernel, context, model)
            : _classical.Deconvolve(plane, width, height, kernel, context with { NoiseSigma = sigma });
        context.Cancellation.ThrowIfCancellationRequested();
        // A delta kernel (no blur found: a still camera, or too few events) leaves nothing deconvolved for the network to
        // refine, and it was trained on deconvolved frames: the classical stage (denoising) is the result (stop 42: the
        // network took a still camera's sharp frames down by up to 5 dB). Any size (stop 43: a ground-truth 3×3 delta ran it).
        if (kernel.IsIdentity) return (x, x);
        var map = model != null ? NoiseModelEstimator.SigmaMap(plane, width, height, model, context.SaturationLinear) : null;
        return (RefineCore(x, plane, width, height, context, map, (float)(100 * sigma)), x);
    }

    /// <summary>The network over the classical result <paramref name="x"/>: σ from <paramref name="map"/> per pixel, else the constant <paramref name="noise"/> (100·σ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[] RefineCore(float[] x, float[] plane, int width, int height, ChannelContext context, float[]? map, float noise)
    {
        int n = width * height;
        var inputs = new float[OnnxRefiner.InputPlanes][];
        for (int c = 0; c < inputs.Length; c++) inputs[c] = new float[n];
        for (int i = 0; i < n; i++)
        {
            inputs[0][i] = (float)TransferCurve.SrgbEncode(Math.Clamp(x[i], 0, 1));
            inputs[1][i] = (float)TransferCurve.SrgbEncode(Math.Clamp(plane[i], 0, 1));
            inputs[2][i] = context.Saturated[i] ? 1 : 0;
            inputs[3][i] = map != null ? 100 * map[i] : noise;
        }
        var y = refiner.Run(inputs, width, height, context.Cancellation);
        var result = new float[n];
        for (int i = 0; i < n; i++)
            result[i] = y[i] >= 1 ? Math.Max(x[i], 1) : (float)TransferCurve.SrgbDecode(Math.Max(y[i], 0));
        return result;
    }

    /// <summary>
    /// The shipped model: <c>models/<see cref="DefaultModelFile"/></c> beside the running program, else in the
    /// repository's <c>models</c> folder above it; null when neither exists.
    /// </summary>
    public static string? FindDefaultModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "models", DefaultModelFile);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
