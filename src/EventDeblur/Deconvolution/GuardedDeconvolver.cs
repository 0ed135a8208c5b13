using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using System.Globalization;
using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Do no harm: wraps any <see cref="IDeconvolver"/> and checks each result against the blurry input with no
/// reference, tile by tile — (1) re-blur consistency: the result blurred by the kernel must explain the unclipped
/// blurry pixels down to the frame's own noise (<see cref="NoiseModel"/>); (2) noise/ringing: in the flattest part of
/// each tile the result's high-pass residual, in units of the local noise σ, must not grow far beyond the input's.
/// A tile whose consistency is doubtful keeps less of the result the worse it explains the input
/// (<see cref="GuardOptions.TrustedConsistency"/> to <see cref="GuardOptions.MaxConsistency"/>; none with amplified
/// noise); the rest goes to the gentler setting (the deconvolver's <see cref="IGentleDeconvolver.Gentler"/> variant, or
/// for an <see cref="IStagedDeconvolver"/> the intermediate result it refined, judged by the same rule) and what that
/// cannot take to the input itself. The
/// tiles' weights are interpolated between tile centres so no seams appear. Every call leaves a <see cref="GuardReport"/> (see <see cref="DrainReports"/>).
/// It is an <see cref="IDeconvolver"/> itself, so it slots into the pipeline (and into per-tile deblurring of
/// spatially varying blur) unchanged.
/// </summary>
public sealed class GuardedDeconvolver : IChromaSmoothing, IMultiChannelDeconvolver
{
    private readonly IDeconvolver _inner;
    private readonly IDeconvolver? _gentle;
    private readonly ConcurrentQueue<GuardReport> _reports = new();
    private long _sequence = -1;

    /// <summary>Wraps <paramref name="inner"/>; the guarded deconvolver is called <paramref name="name"/> (the inner name when null).</summary>
    public GuardedDeconvolver(IDeconvolver inner, GuardOptions? options = null, string? name = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _gentle = inner is IStagedDeconvolver ? null : inner is IGentleDeconvolver g ? g.Gentler() : null;
        Options = (options ?? new GuardOptions()).Validated();
        Name = name ?? inner.Name;
    }

    /// <summary>The options in use.</summary>
    public GuardOptions Options { get; }

    /// <summary>Per-step timing of this guard's own checks (null: not timed); the wrapped deconvolver keeps its own.</summary>
    public DeconvolutionProfile? Profile { get; init; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The wrapped deconvolver's chroma median window (<see cref="IChromaSmoothing"/>), 0 when it asks for none.</summary>
    public int ChromaMedianPx => _inner is IChromaSmoothing s ? s.ChromaMedianPx : 0;

    /// <summary>Removes and returns the reports of the calls so far, in completion order.</summary>
    public IReadOnlyList<GuardReport> DrainReports()
    {
        var list = new List<GuardReport>();
        while (_reports.TryDequeue(out var r)) list.Add(r);
        return list;
    }

    /// <inheritdoc />
    public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context)
    {
        var tiles = Tiles(width, height);
        return Alone(Analyse(plane, width, height, kernel, context, tiles), tiles);
    }

    /// <summary>One channel judged on its own: its result, then its gentler one, then the input.</summary>
    private float[] Alone(Pass p, List<(int X0, int Y0, int X1, int Y1)> tiles)
    {
        var (gentle, gentleWeights) = Gentler(p, p.Weights, tiles);
        return Finish(p, gentle, p.Weights, gentleWeights, tiles, log: true).Output;
    }

    /// <inheritdoc />
    public bool JointChannels => Options.JointChannels;

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="GuardOptions.JointChannels"/> every channel gets, per tile, the smallest share of the result and
    /// then of the gentler result that any channel's checks allow, so a tile never mixes one channel's result with
    /// another's fallback (which shows as a colour cast over the tile); otherwise each channel is judged alone, as
    /// <see cref="Deconvolve"/> does. The channels run in parallel.
    /// </remarks>
    public float[][] DeconvolveChannels(IReadOnlyList<float[]> planes, int width, int height, BlurKernel kernel, IReadOnlyList<ChannelContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(planes);
        ArgumentNullException.ThrowIfNull(contexts);
        if (planes.Count != contexts.Count) throw new ArgumentException($"{planes.Count} planes but {contexts.Count} contexts");
        int n = planes.Count;
        var outputs = new float[n][];
        if (!Options.JointChannels || n == 1)
        {
            Parallel.For(0, n, c => outputs[c] = Deconvolve(planes[c], width, height, kernel, contexts[c]));
            return outputs;
        }
        var tiles = Tiles(width, height);
        var passes = new Pass[n];
        Parallel.For(0, n, c => passes[c] = Analyse(planes[c], width, height, kernel, contexts[c], tiles));
        return Joint(passes, tiles);
    }

    /// <summary>The wrapped deconvolver.</summary>
    public IDeconvolver Inner => _inner;

    /// <summary>
    /// Judges and composes, as <see cref="DeconvolveChannels"/> (or <see cref="Deconvolve"/> per channel without
    /// <see cref="GuardOptions.JointChannels"/>) would, results the wrapped <see cref="IStagedDeconvolver"/>'s stages gave
    /// outside this guard: <paramref name="results"/> and the <paramref name="intermediates"/> they refined, for
    /// <paramref name="planes"/> with their noise <paramref name="models"/> (<see cref="NoiseModelEstimator.Estimate"/> of each
    /// plane). Used by <see cref="TiledDeblurrer"/> when it refines a whole frame once (<see cref="IRefiningDeconvolver"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The wrapped deconvolver is not staged.</exception>
    public float[][] ComposeStaged(IReadOnlyList<float[]> planes, int width, int height, BlurKernel kernel, IReadOnlyList<ChannelContext> contexts,
        IReadOnlyList<NoiseModel> models, IReadOnlyList<float[]> results, IReadOnlyList<float[]> intermediates)
    {
        if (_inner is not IStagedDeconvolver) throw new InvalidOperationException($"{Name}: the wrapped deconvolver has no stages");
        int n = planes.Count;
        if (contexts.Count != n || models.Count != n || results.Count != n || intermediates.Count != n)
            throw new ArgumentException($"{n} planes need as many contexts, models, results and intermediates");
        var tiles = Tiles(width, height);
        var passes = new Pass[n];
        Parallel.For(0, n, c => passes[c] = Assess(planes[c], width, height, kernel, contexts[c], models[c], results[c], intermediates[c], tiles));
        if (!Options.JointChannels || n == 1)
        {
            var outputs = new float[n][];
            Parallel.For(0, n, c => outputs[c] = Alone(passes[c], tiles));
            return outputs;
        }
        return Joint(passes, tiles);
    }

    /// <summary>The channels' passes judged together: each tile keeps the smallest share any channel allows.</summary>
    private float[][] Joint(Pass[] passes, List<(int X0, int Y0, int X1, int Y1)> tiles)
    {
        int n = passes.Length;
        var outputs = new float[n][];
        var joint = Enumerable.Range(0, tiles.Count).Select(t => passes.Min(p => p.Weights[t])).ToArray();
        var gentles = new (float[]? Gentle, double[] Weights)[n];
        Parallel.For(0, n, c => gentles[c] = Gentler(passes[c], joint, tiles));
        var jointGentle = Enumerable.Range(0, tiles.Count).Select(t => joint[t] < 1 ? gentles.Min(g => g.Weights[t]) : 0).ToArray();
        var reports = new GuardReport[n];
        Parallel.For(0, n, c => (outputs[c], reports[c]) = Finish(passes[c], gentles[c].Gentle, joint, jointGentle, tiles, log: false));
        // The channels share one decision: one log line for the frame (the worst scores of any channel), not one per channel.
        LogFallback(reports[0], $", {n} channels judged together", reports.SelectMany(r => r.Tiles));
        return outputs;
    }

    /// <summary>One channel's result and its checks.</summary>
    private sealed record Pass(float[] Plane, int Width, int Height, BlurKernel Kernel, ChannelContext Context, NoiseModel Model, float[] Full,
        float[]? Intermediate, Judge Judge, (double Consistency, double NoiseGain, double BackgroundShare)[] Scores, double[]? Baseline, double[] Weights);

    private Pass Analyse(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, List<(int X0, int Y0, int X1, int Y1)> tiles)
    {
        NoiseModel model;
        using (Profile.Step("guard: noise model")) model = NoiseModelEstimator.Estimate(plane, width, height, context.Saturated, floor: context.NoiseFloor, sites: context.Sites);
        float[] full;
        float[]? intermediate = null;
        if (_inner is IStagedDeconvolver staged) (full, intermediate) = staged.DeconvolveStaged(plane, width, height, kernel, context, model);
        else full = Run(_inner, plane, width, height, kernel, context, model);
        return Assess(plane, width, height, kernel, context, model, full, intermediate, tiles);
    }

    /// <summary>The checks of one channel's result (and of the input, where it can raise a threshold).</summary>
    private Pass Assess(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model, float[] full, float[]? intermediate,
        List<(int X0, int Y0, int X1, int Y1)> tiles)
    {
        Judge judge;
        using (Profile.Step("guard: judge setup")) judge = new Judge(plane, width, height, kernel, context, model) { Profile = Profile };
        var scores = judge.Score(full, tiles);
        // The input's own consistency, only where it can raise a threshold (some tile above the trusted level).
        double[]? baseline = Options.RelativeToInput && scores.Any(s => s.Consistency > Options.TrustedConsistency)
            ? judge.Score(plane, tiles).Select(s => s.Consistency).ToArray()
            : null;
        var weights = scores.Select((s, t) => Trust(s, baseline?[t])).ToArray();
        // A result with non-finite pixels (a deconvolver's numerical failure) scores NaN, which counts as unmeasurable: those
        // pixels take the input's values and their tiles fall back, instead of leaving black (NaN written as 0) under "ok".
        if (ReplaceNonFinite(full, plane) is { } bad) Distrust(weights, bad, width, tiles);
        return new Pass(plane, width, height, kernel, context, model, full, intermediate, judge, scores, baseline, weights);
    }

    /// <summary>Sets to 0 the weight of every tile that holds a pixel marked in <paramref name="bad"/>.</summary>
    private static void Distrust(double[] weights, bool[] bad, int width, List<(int X0, int Y0, int X1, int Y1)> tiles)
    {
        for (int t = 0; t < tiles.Count; t++)
        {
            var (x0, y0, x1, y1) = tiles[t];
            for (int y = y0; y < y1 && weights[t] > 0; y++)
                if (bad.AsSpan(y * width + x0, x1 - x0).Contains(true)) weights[t] = 0;
        }
    }

    /// <summary>Replaces the non-finite pixels of <paramref name="result"/> by the input's; where they were, or null when none.</summary>
    private static bool[]? ReplaceNonFinite(float[] result, float[] input)
    {
        bool[]? bad = null;
        for (int i = 0; i < result.Length; i++)
            if (!float.IsFinite(result[i])) { (bad ??= new bool[result.Length])[i] = true; result[i] = input[i]; }
        return bad;
    }

    /// <summary>The gentler result (when a tile needs it under <paramref name="weights"/>) and each tile's share of it.</summary>
    private (float[]? Gentle, double[] Weights) Gentler(Pass p, double[] weights, List<(int X0, int Y0, int X1, int Y1)> tiles)
    {
        var gentleWeights = new double[tiles.Count];
        if ((p.Intermediate == null && _gentle == null) || weights.All(w => w >= 1)) return (null, gentleWeights);
        var gentle = p.Intermediate ?? Run(_gentle!, p.Plane, p.Width, p.Height, p.Kernel, p.Context, p.Model);
        var gentleScores = p.Judge.Score(gentle, tiles);
        for (int t = 0; t < tiles.Count; t++) if (weights[t] < 1) gentleWeights[t] = Trust(gentleScores[t], p.Baseline?[t]);
        if (ReplaceNonFinite(gentle, p.Plane) is { } bad) Distrust(gentleWeights, bad, p.Width, tiles);
        return (gentle, gentleWeights);
    }

    /// <summary>Records the verdicts and composes the output of one channel.</summary>
    private (float[] Output, GuardReport Report) Finish(Pass p, float[]? gentle, double[] weights, double[] gentleWeights, List<(int X0, int Y0, int X1, int Y1)> tiles, bool log)
    {
        int width = p.Width, height = p.Height;
        var levels = weights.Select((w, t) => w >= 1 ? FallbackLevel.None : w <= 0 && gentleWeights[t] <= 0 ? FallbackLevel.Input : FallbackLevel.Gentle).ToArray();
        var verdicts = tiles.Select((r, t) => new GuardTileVerdict(r.X0, r.Y0, r.X1, r.Y1, levels[t], weights[t], gentleWeights[t], p.Scores[t].Consistency, p.Scores[t].NoiseGain)).ToList();
        var report = new GuardReport(Interlocked.Increment(ref _sequence), width, height, p.Model, verdicts);
        _reports.Enqueue(report);
        // Nobody may drain them (a long live run): keep the latest few only.
        while (_reports.Count > MaxKeptReports && _reports.TryDequeue(out _)) { }
        GuardTally.Record(report);
        if (log) LogFallback(report, "", verdicts);
        return (report.FellBack == 0 ? p.Full : Compose(p.Full, gentle, p.Plane, width, height, tiles, weights, gentleWeights), report);
    }

    /// <summary>
    /// One line to <see cref="GuardOptions.Log"/> when <paramref name="report"/> fell back anywhere: what fell back, and
    /// the worst scores among <paramref name="scored"/> (one channel's verdicts, or every channel's when judged together).
    /// </summary>
    private void LogFallback(GuardReport report, string what, IEnumerable<GuardTileVerdict> scored)
    {
        if (report.FellBack == 0 || Options.Log is not { } log) return;
        var (_, g, i) = report.AreaShares();
        var all = scored.ToList();
        lock (log) log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"guard: {(GuardTally.CurrentLabel is { } label ? label + ": " : "")}{Name} on a {report.Width}×{report.Height} plane{what}: {report.FellBack}/{report.Tiles.Count} tiles fell back ({g:P0} of the area gentler, {i:P0} the input); worst consistency {all.Max(v => double.IsNaN(v.Consistency) ? 0 : v.Consistency):F2}, noise gain {all.Max(v => double.IsNaN(v.NoiseGain) ? 0 : v.NoiseGain):F2}"));
    }

    /// <summary>Reports kept for <see cref="DrainReports"/>.</summary>
    public const int MaxKeptReports = 4096;

    /// <summary>
    /// Share of the result a tile keeps: 1 up to <see cref="GuardOptions.TrustedConsistency"/>, falling linearly to 0 at
    /// <see cref="GuardOptions.MaxConsistency"/>; 0 when the noise gain fails. An unmeasurable score (too few usable
    /// pixels, e.g. a tile full of clipped lights) does not count against the result. With
    /// <see cref="GuardOptions.RelativeToInput"/>, both thresholds move up by what the input's own consistency
    /// <paramref name="input"/> exceeds the trusted level by.
    /// </summary>
    private double Trust((double Consistency, double NoiseGain, double BackgroundShare) s, double? input)
    {
        if (!double.IsNaN(s.NoiseGain) && s.NoiseGain > Options.MaxNoiseGain) return 0;
        // Unmeasurable consistency: a result that took the tile's bright background away is not trusted.
        if (double.IsNaN(s.Consistency) && s.BackgroundShare < Options.MinBackgroundShare) return 0;
        double lift = input is double c && c > Options.TrustedConsistency ? c - Options.TrustedConsistency : 0;
        double trusted = Options.TrustedConsistency + lift, max = Options.MaxConsistency + lift;
        if (double.IsNaN(s.Consistency) || s.Consistency <= trusted) return 1;
        return Math.Clamp((max - s.Consistency) / (max - trusted), 0, 1);
    }

    private static float[] Run(IDeconvolver d, float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model) =>
        d is RobustDeconvolver r ? r.Deconvolve(plane, width, height, kernel, context, model) : d.Deconvolve(plane, width, height, kernel, context);

    /// <summary>Square tiles of about <see cref="GuardOptions.TilePx"/> covering the plane inside its margin (edge tiles absorb the remainder).</summary>
    private List<(int X0, int Y0, int X1, int Y1)> Tiles(int width, int height)
    {
        int mx = Math.Min(Options.MarginPx, width / 4), my = Math.Min(Options.MarginPx, height / 4);
        int iw = width - 2 * mx, ih = height - 2 * my;
        int nx = Math.Max(1, (int)Math.Round((double)iw / Options.TilePx)), ny = Math.Max(1, (int)Math.Round((double)ih / Options.TilePx));
        var list = new List<(int, int, int, int)>(nx * ny);
        for (int ty = 0; ty < ny; ty++)
            for (int tx = 0; tx < nx; tx++)
                list.Add((mx + tx * iw / nx, my + ty * ih / ny, mx + (tx + 1) * iw / nx, my + (ty + 1) * ih / ny));
        return list;
    }

    /// <summary>
    /// Mixes result, gentler result and input per pixel with the tiles' weights interpolated bilinearly between tile
    /// centres, so the fallback changes smoothly across tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] Compose(float[] full, float[]? gentle, float[] input, int width, int height, List<(int X0, int Y0, int X1, int Y1)> tiles,
        double[] weights, double[] gentleWeights)
    {
        int nx = tiles.Select(t => t.X0).Distinct().Count(), ny = tiles.Count / nx;
        var cx = Enumerable.Range(0, nx).Select(i => 0.5 * (tiles[i].X0 + tiles[i].X1)).ToArray();
        var cy = Enumerable.Range(0, ny).Select(j => 0.5 * (tiles[j * nx].Y0 + tiles[j * nx].Y1)).ToArray();
        var r = new float[full.Length];
        for (int y = 0; y < height; y++)
        {
            var (j0, j1, fy) = Bracket(cy, y);
            for (int x = 0; x < width; x++)
            {
                var (i0, i1, fx) = Bracket(cx, x);
                double a = (1 - fx) * (1 - fy), b = fx * (1 - fy), c = (1 - fx) * fy, d = fx * fy;
                double w = a * weights[j0 * nx + i0] + b * weights[j0 * nx + i1] + c * weights[j1 * nx + i0] + d * weights[j1 * nx + i1];
                double g = a * gentleWeights[j0 * nx + i0] + b * gentleWeights[j0 * nx + i1] + c * gentleWeights[j1 * nx + i0] + d * gentleWeights[j1 * nx + i1];
                int p = y * width + x;
                double rest = gentle != null ? g * gentle[p] + (1 - g) * input[p] : input[p];
                r[p] = (float)(w * full[p] + (1 - w) * rest);
            }
        }
        return r;
    }

    private static (int Lo, int Hi, double F) Bracket(double[] centres, int v)
    {
        if (centres.Length == 1 || v <= centres[0]) return (0, 0, 0);
        if (v >= centres[^1]) return (centres.Length - 1, centres.Length - 1, 0);
        int i = 0;
        while (centres[i + 1] < v) i++;
        return (i, i + 1, (v - centres[i]) / (centres[i + 1] - centres[i]));
    }

    /// <summary>The no-reference checks of results against one blurry plane.</summary>
    private sealed class Judge
    {
        private readonly float[] _plane;
        private readonly int _w, _h;
        private readonly BlurKernel _kernel;
        private readonly bool[] _usable;      // unclipped, away from the frame border and from clipped pixels by the kernel's reach
        private readonly float[] _variance;   // noise variance of each pixel's blurry value
        private readonly bool[] _flat;        // the flattest half of the plane (by gradient of the smoothed blurry plane)
        private readonly bool[] _saturated;   // the input's clipped pixels
        private readonly bool[]? _sampled;    // a demosaiced plane's measured pixels (null: all are), the only ones the residual is taken at
        private readonly float[]? _sampledMean; // their share of each 5×5 window
        private const int WindowRadius = 2;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Judge(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context, NoiseModel model)
        {
            _plane = plane;
            _w = width;
            _h = height;
            _kernel = kernel;
            _saturated = context.Saturated;
            if (context.DataSites is { } sites)
            {
                _sampled = sites.Mask(width, height);
                _sampledMean = NoiseModelEstimator.BoxMean(_sampled.Select(b => b ? 1f : 0f).ToArray(), width, height, WindowRadius);
            }
            int reach = kernel.Size / 2 + 1;
            var smooth = NoiseModelEstimator.BoxMean(plane, width, height, 2);
            _variance = new float[plane.Length];
            for (int i = 0; i < plane.Length; i++) _variance[i] = (float)model.Variance(Math.Min(smooth[i], context.SaturationLinear));
            // Next to clipped lights the residual hinges on the light's unknown radiance and on small kernel errors: not judged.
            var nearSat = NoiseModelEstimator.Dilate(context.Saturated, width, height, reach);
            _usable = new bool[plane.Length];
            for (int y = reach; y < height - reach; y++)
                for (int x = reach; x < width - reach; x++)
                    _usable[y * width + x] = !nearSat[y * width + x];
            var grad = new float[plane.Length];
            for (int y = 1; y < height - 1; y++)
                for (int x = 1; x < width - 1; x++)
                {
                    int i = y * width + x;
                    float gx = smooth[i + 1] - smooth[i - 1], gy = smooth[i + width] - smooth[i - width];
                    grad[i] = (gx * gx + gy * gy) / _variance[i];
                }
            var usable = new float[plane.Length];
            int count = 0;
            for (int i = 0; i < plane.Length; i++) if (_usable[i]) usable[count++] = grad[i];
            float cut = count > 0 ? Selection.Nth(usable.AsSpan(0, count), count / 2) : 0;
            _flat = new bool[plane.Length];
            for (int i = 0; i < plane.Length; i++) _flat[i] = _usable[i] && grad[i] <= cut;
        }

        public DeconvolutionProfile? Profile { get; init; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public (double Consistency, double NoiseGain, double BackgroundShare)[] Score(float[] result, List<(int X0, int Y0, int X1, int Y1)> tiles)
        {
            // Re-blur residual in noise units, then averaged over 5×5 windows: white noise shrinks by 25 in variance,
            // residual structure (edges the kernel cannot explain, ringing) does not.
            float[] reblur;
            using (Profile.Step("guard: judge reblur")) reblur = Reblur(result);
            using var _ = Profile.Step("guard: judge score");
            var res = new float[_plane.Length];
            var use = new float[_plane.Length];
            for (int i = 0; i < res.Length; i++)
                if (_usable[i] && (_sampled == null || _sampled[i])) { res[i] = (reblur[i] - _plane[i]) / MathF.Sqrt(_variance[i]); use[i] = 1; }
            var resMean = NoiseModelEstimator.BoxMean(res, _w, _h, WindowRadius);
            var useMean = NoiseModelEstimator.BoxMean(use, _w, _h, WindowRadius);
            int window = (2 * WindowRadius + 1) * (2 * WindowRadius + 1);
            var scores = new (double, double, double)[tiles.Count];
            var buf = new List<float>();
            var chis = new List<float>();
            var inputs = new List<float>();
            var outputs = new List<float>();
            var variances = new List<float>();
            for (int t = 0; t < tiles.Count; t++)
            {
                var (x0, y0, x1, y1) = tiles[t];
                chis.Clear();
                buf.Clear();
                for (int y = Math.Max(y0, 1); y < Math.Min(y1, _h - 1); y++)
                    for (int x = Math.Max(x0, 1); x < Math.Min(x1, _w - 1); x++)
                    {
                        int i = y * _w + x;
                        if (!_usable[i]) continue;
                        // A window of usable pixels only; on a demosaiced plane, of usable measured pixels, whose mean
                        // residual is scaled by their count (white noise: a χ² of one degree either way).
                        if (_sampledMean == null) { if (useMean[i] > 0.999f) chis.Add(window * resMean[i] * resMean[i]); }
                        else if (_sampledMean[i] > 0 && useMean[i] > _sampledMean[i] - 0.001f) chis.Add(window * resMean[i] * resMean[i] / _sampledMean[i]);
                        if (!_flat[i]) continue;
                        float l = result[i - _w - 1] - 2 * result[i - _w] + result[i - _w + 1]
                                  - 2 * result[i - 1] + 4 * result[i] - 2 * result[i + 1]
                                  + result[i + _w - 1] - 2 * result[i + _w] + result[i + _w + 1];
                        buf.Add(MathF.Abs(l) / 6 / MathF.Sqrt(_variance[i]));
                    }
                double gain = double.NaN;
                if (buf.Count >= 32) gain = Selection.Nth(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buf), buf.Count / 2) / 0.6745;
                double consistency = TrimmedMean(chis);
                // The background's level only where consistency cannot be measured (the only place it is used): a second
                // pass over such a tile's unclipped pixels, none over the others.
                double background = double.NaN;
                if (double.IsNaN(consistency))
                {
                    inputs.Clear();
                    outputs.Clear();
                    variances.Clear();
                    for (int y = Math.Max(y0, 1); y < Math.Min(y1, _h - 1); y++)
                        for (int x = Math.Max(x0, 1); x < Math.Min(x1, _w - 1); x++)
                        {
                            int i = y * _w + x;
                            if (!_saturated[i]) { inputs.Add(_plane[i]); outputs.Add(result[i]); variances.Add(_variance[i]); }
                        }
                    background = BackgroundShare(inputs, outputs, variances);
                }
                scores[t] = (consistency, gain, background);
            }
            return scores;
        }

        /// <summary>
        /// The result's median over a tile's unclipped pixels as a share of the input's, when the input's is a bright
        /// background (over 5 noise σ): deblurring keeps a background's level, while it gathers streaks into points (so a
        /// share of the streak pixels going dark says nothing). NaN when the background is dark or under 32 pixels.
        /// </summary>
        private static double BackgroundShare(List<float> inputs, List<float> outputs, List<float> variances)
        {
            if (inputs.Count < 32) return double.NaN;
            int mid = inputs.Count / 2;
            float mIn = Selection.Nth(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(inputs), mid);
            float v = Selection.Nth(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(variances), mid);
            if (!(mIn > 0) || mIn * mIn <= 25 * v) return double.NaN;
            return Selection.Nth(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(outputs), mid) / mIn;
        }

        /// <summary>Mean of the lowest 90 % (a few unexplained lights or kernel-model errors must not decide a tile); NaN below 32 values.</summary>
        private static double TrimmedMean(List<float> v)
        {
            if (v.Count < 32) return double.NaN;
            int keep = (int)(0.9 * v.Count);
            // Quickselect leaves the lowest `keep` values (in some order) before index `keep`.
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(v);
            Selection.Nth(span, keep);
            double sum = 0;
            for (int i = 0; i < keep; i++) sum += span[i];
            return sum / keep;
        }

        /// <summary>K ⊛ result with reflected borders (see <see cref="ReblurSpectral.Convolve"/>), the kernel's spectrum kept for the next call.</summary>
        private float[] Reblur(float[] result) => (_reblur ??= new ReblurSpectral(_kernel, _w, _h)).Convolve(result);

        private ReblurSpectral? _reblur;
    }
}
