using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EventDeblur.Learned;

/// <summary>
/// Runs the refiner network through ONNX Runtime on whole planes of any size, tile by tile (reflect-padded to
/// multiples of 4, blended over the overlaps), on CUDA or the CPU. Thread-safe: concurrent calls share one session.
/// </summary>
public sealed class OnnxRefiner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RefinerOptions _options;

    private OnnxRefiner(InferenceSession session, RefinerOptions options, string provider)
    {
        _session = session;
        _options = options;
        Provider = provider;
        var meta = session.ModelMetadata.CustomMetadataMap;
        Base = meta.TryGetValue("eventdeblur.base", out var b) ? b : "hl";
        NoisePlane = meta.TryGetValue("eventdeblur.noise", out var n) ? n : "constant";
        if (Base is not ("hl" or "robust")) throw new InvalidDataException($"{options.ModelPath}: unknown eventdeblur.base '{Base}' in the model's metadata (expected hl or robust)");
        if (NoisePlane is not ("constant" or "map")) throw new InvalidDataException($"{options.ModelPath}: unknown eventdeblur.noise '{NoisePlane}' in the model's metadata (expected constant or map)");
    }

    /// <summary>The execution provider in use: <c>CUDA</c> or <c>CPU</c>.</summary>
    public string Provider { get; }

    /// <summary>The model file the session runs (<see cref="RefinerOptions.CpuModelPath"/> on the CPU when set).</summary>
    public string ModelPath { get; private init; } = "";

    /// <summary>Why CUDA was not used when <see cref="InferenceDevice.Auto"/> fell back to the CPU (ONNX Runtime's first line), else null.</summary>
    public string? CudaUnavailableReason { get; private init; }

    /// <summary>
    /// The classical deconvolution the network was trained to refine, from the model's ONNX metadata
    /// <c>eventdeblur.base</c>: <c>hl</c> (the v1 model; also when the key is absent) or <c>robust</c>.
    /// </summary>
    public string Base { get; }

    /// <summary>
    /// What the noise plane (input 3) holds, from the metadata <c>eventdeblur.noise</c>: <c>constant</c> (100·σ of the
    /// channel everywhere; the v1 model, also when absent) or <c>map</c> (100·σ per pixel from the channel's
    /// Poisson–Gaussian noise model).
    /// </summary>
    public string NoisePlane { get; }

    /// <summary>Input planes the network takes.</summary>
    public const int InputPlanes = 4;

    /// <summary>
    /// Loads <see cref="RefinerOptions.ModelPath"/>. With <see cref="InferenceDevice.Auto"/>, CUDA is tried first; when
    /// ONNX Runtime cannot initialise it (no GPU, no CUDA 13 / cuDNN 9 libraries) a fresh CPU session is made and
    /// <paramref name="log"/> gets one line saying so.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file is missing.</exception>
    /// <exception cref="OnnxRuntimeException">The model cannot be loaded, or CUDA was required and is not available.</exception>
    public static OnnxRefiner Load(RefinerOptions options, Action<string>? log = null)
    {
        options.Validate();
        if (!File.Exists(options.ModelPath)) throw new FileNotFoundException($"{options.ModelPath}: model file not found", options.ModelPath);
        string? fallback = null;
        if (options.Device != InferenceDevice.Cpu)
        {
            var cuda = NewSessionOptions(options);
            // ONNX Runtime logs its own (coloured, multi-line) error when the CUDA provider library cannot load; the
            // fall-back's one line (auto) or the exception's message (cuda) says it once, plainly.
            var env = OrtEnv.Instance();
            var level = env.EnvLogLevel;
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                cuda.AppendExecutionProvider_CUDA(0);
                return new OnnxRefiner(new InferenceSession(options.ModelPath, cuda), options, "CUDA") { ModelPath = options.ModelPath };
            }
            catch (OnnxRuntimeException e) when (options.Device == InferenceDevice.Auto)
            {
                // GetAvailableProviders() lists CUDA even where it cannot start, so trying is the only test.
                fallback = FirstLine(e.Message);
                log?.Invoke($"learned: CUDA unavailable ({fallback}); running on the CPU");
            }
            finally
            {
                env.EnvLogLevel = level;
                cuda.Dispose();
            }
        }
        string cpuModel = options.CpuModelPath ?? options.ModelPath;
        if (!File.Exists(cpuModel)) throw new FileNotFoundException($"{cpuModel}: model file not found", cpuModel);
        using var cpu = NewSessionOptions(options);
        return new OnnxRefiner(new InferenceSession(cpuModel, cpu), options, "CPU") { ModelPath = cpuModel, CudaUnavailableReason = fallback };
    }

    private static SessionOptions NewSessionOptions(RefinerOptions o) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = o.IntraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    private static string FirstLine(string s)
    {
        int i = s.IndexOfAny(['\r', '\n']);
        return (i < 0 ? s : s[..i]).Trim();
    }

    /// <summary>
    /// Runs the network on <paramref name="planes"/> (<see cref="InputPlanes"/> planes of <paramref name="width"/>×<paramref name="height"/>,
    /// row-major) and returns its output plane of the same size.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (checked between tiles; a tile in ONNX Runtime is let finish).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float[] Run(float[][] planes, int width, int height, CancellationToken ct = default)
    {
        if (planes.Length != InputPlanes || planes.Any(p => p.Length != width * height))
            throw new ArgumentException($"expected {InputPlanes} planes of {width}×{height}");
        int tile = _options.TilePx, ov = _options.OverlapPx;
        var acc = new float[width * height];
        var wsum = new float[width * height];
        var ys = Spans(height, tile, ov);
        var xs = Spans(width, tile, ov);
        foreach (var (y0, y1) in ys)
            foreach (var (x0, x1) in xs)
            {
                ct.ThrowIfCancellationRequested();
                int tw = x1 - x0, th = y1 - y0;
                var outTile = RunTile(planes, width, height, x0, y0, tw, th);
                for (int y = 0; y < th; y++)
                {
                    float wy = Weight(y, th, y0 > 0, y0 + th < height, ov);
                    for (int x = 0; x < tw; x++)
                    {
                        float w = wy * Weight(x, tw, x0 > 0, x0 + tw < width, ov);
                        int i = (y0 + y) * width + x0 + x;
                        acc[i] += w * outTile[y * tw + x];
                        wsum[i] += w;
                    }
                }
            }
        for (int i = 0; i < acc.Length; i++) acc[i] /= wsum[i];
        return acc;
    }

    /// <summary>
    /// Tiles along one axis: as few as cover <paramref name="size"/> with tiles of at most <paramref name="tile"/> px
    /// overlapping by twice <paramref name="overlap"/>, all of about the same length (so a 640-px side with 512-px tiles runs
    /// 2 × 368 px, not 2 × 512: the network's cost is per pixel it sees); every tile starts on a multiple of 4 (the
    /// network's stride-2 grids), so it sees the image at the phase a whole-plane run would; the last one ends at the far
    /// edge (padded there exactly as a whole-plane run is). A side of at most <paramref name="tile"/> is one tile.
    /// </summary>
    internal static List<(int Start, int End)> Spans(int size, int tile, int overlap)
    {
        if (size <= tile) return [(0, size)];
        int step = tile - 2 * overlap;
        int n = (size - tile + step - 1) / step + 1;
        // Even lengths: n tiles of length L cover size when (n − 1)·(L − 2·overlap) + L ≥ size; starts rounded down to 4.
        int length = (size + (n - 1) * 2 * overlap + n - 1) / n;
        int even = Math.Max(4, (length - 2 * overlap) / 4 * 4);
        var spans = new List<(int Start, int End)>(n);
        for (int i = 0; i < n; i++)
        {
            int start = Math.Min(i * even, Math.Max(0, (size - length) / 4 * 4));
            int end = i == n - 1 ? size : start + length;
            spans.Add((start, end));
        }
        return spans;
    }

    /// <summary>
    /// Blend weight along one axis of a tile, on sides that have a neighbour: 0 over the outer half of the overlap (where
    /// the tile's padding is within the network's reach), then a linear ramp to 1 over the inner half.
    /// </summary>
    private static float Weight(int i, int n, bool before, bool after, int ov)
    {
        if (ov == 0) return 1;
        float half = ov / 2f, w = 1;
        if (before) w = Math.Min(w, (i + 0.5f - half) / half);
        if (after) w = Math.Min(w, (n - i - 0.5f - half) / half);
        return Math.Clamp(w, 0, 1);
    }

    /// <summary>One tile, reflect-padded to multiples of 4 for the network's two stride-2 levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[] RunTile(float[][] planes, int width, int height, int x0, int y0, int tw, int th)
    {
        int pw = (tw + 3) / 4 * 4, ph = (th + 3) / 4 * 4;
        var data = new float[InputPlanes * pw * ph];
        for (int c = 0; c < InputPlanes; c++)
            for (int y = 0; y < ph; y++)
            {
                int sy = y0 + Reflect(y, th);
                for (int x = 0; x < pw; x++)
                    data[(c * ph + y) * pw + x] = planes[c][sy * width + x0 + Reflect(x, tw)];
            }
        var input = new DenseTensor<float>(data, [1, InputPlanes, ph, pw]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_session.InputMetadata.Keys.First(), input)]);
        var output = results.First().AsTensor<float>();
        if (output.Dimensions.Length != 4 || output.Dimensions[0] != 1 || output.Dimensions[1] != 1 || output.Dimensions[2] != ph || output.Dimensions[3] != pw)
            throw new InvalidOperationException($"the refiner returned a tensor of shape [{string.Join(", ", output.Dimensions.ToArray())}], expected [1, 1, {ph}, {pw}]");
        // Row by row from the dense buffer ([1, 1, ph, pw], row-major); the indexer would allocate its index array per pixel.
        ReadOnlySpan<float> flat = output is DenseTensor<float> dense ? dense.Buffer.Span : output.ToArray();
        var tileOut = new float[tw * th];
        for (int y = 0; y < th; y++) flat.Slice(y * pw, tw).CopyTo(tileOut.AsSpan(y * tw, tw));
        return tileOut;
    }

    private static int Reflect(int i, int n) => i < n ? i : Math.Max(0, 2 * n - 2 - i);

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
