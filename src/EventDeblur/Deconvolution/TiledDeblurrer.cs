using System.Runtime.CompilerServices;
using EventDeblur.Imaging;
using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Deconvolves a frame whose blur may vary across tiles: each tile is deconvolved over a region
/// reaching <see cref="DeblurOptions.OverlapPx"/> into its neighbours and the results are blended with
/// raised-cosine weights, so there are no seams; neighbouring tiles of the same blur are one region
/// (<see cref="KernelTileMerger"/>). Noise is estimated once per channel over the frame. A deconvolver that
/// asks for it (<see cref="IChromaSmoothing"/>) gets the assembled RGB frame's chroma median-filtered.
/// </summary>
public static class TiledDeblurrer
{
    /// <summary>Deblurs <paramref name="blurry"/> with the kernels of <paramref name="tiles"/> (which cover the frame).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (checked between tiles and, by iterative deconvolvers, between iterations).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LinearImage Deblur(LinearImage blurry, IReadOnlyList<KernelTile> tiles, IDeconvolver deconvolver, double saturationLinear, DeblurOptions? options = null,
        CancellationToken ct = default)
    {
        options ??= new DeblurOptions();
        if (options.MergeSameKernels) tiles = KernelTileMerger.Merge(tiles);
        int w = blurry.Width, h = blurry.Height;
        // A demosaiced frame's measured pixels per channel (the repair below makes a new image without them).
        var sites = blurry.Sites;
        // JPEG-compressed frames: the compression error, measured on the whole frame, is every tile's noise floor, and the
        // single σ (wiener, hl) is raised to it at the channel's median signal.
        var floors = BlockCompression.Floors(blurry.Planes, w, h, blurry.Saturated, ct);
        // Hot and dead sensor pixels: no blurred scene has one-pixel detail (stop 50's trial: a hot pixel became a fake light).
        blurry = ImpulsePixels.Repair(blurry, [.. tiles.Select(t => t.Kernel)], out _, floors);
        var sigmas = blurry.Planes.Select((p, c) => NoiseEstimator.Sigma(p, w, h, blurry.Saturated[c])).ToArray();
        for (int c = 0; c < blurry.Channels; c++)
            if (floors[c] is { } floor) sigmas[c] = Math.Max(sigmas[c], floor.Sigma(MedianUnclipped(blurry.Planes[c], blurry.Saturated[c])));
        var outPlanes = new float[blurry.Channels][];
        var par = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = ct };

        if (tiles.Count <= 1)
        {
            var k = tiles.Count == 1 ? tiles[0].Kernel : BlurKernel.Delta;
            // One kernel: every channel at once (3 channels on 2 cores finish together after 1.5 channel-times, not 2).
            var all = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(options.MaxDegreeOfParallelism, blurry.Channels) };
            if (deconvolver is IMultiChannelDeconvolver { JointChannels: true } joint && blurry.Channels > 1)
                return Finish(new LinearImage(w, h, joint.DeconvolveChannels(blurry.Planes, w, h, k,
                    Enumerable.Range(0, blurry.Channels).Select(c => new ChannelContext(blurry.Saturated[c], saturationLinear, sigmas[c]) { Cancellation = ct, NoiseFloor = floors[c], Sites = sites?[c] }).ToArray()),
                    blurry.Saturated.Select(s => (bool[])s.Clone()).ToArray()), deconvolver, tiles, blurry, saturationLinear);
            Parallel.For(0, blurry.Channels, all, c =>
                outPlanes[c] = deconvolver.Deconvolve(blurry.Planes[c], w, h, k, new ChannelContext(blurry.Saturated[c], saturationLinear, sigmas[c]) { Cancellation = ct, NoiseFloor = floors[c], Sites = sites?[c] }));
            return Finish(new LinearImage(w, h, outPlanes, blurry.Saturated.Select(s => (bool[])s.Clone()).ToArray()), deconvolver, tiles, blurry, saturationLinear);
        }

        var jobs = tiles.SelectMany(t => Enumerable.Range(0, blurry.Channels).Select(c => (Tile: t, Channel: c))).ToList();
        var results = new float[jobs.Count][];
        var regions = new (int X0, int Y0, int X1, int Y1)[jobs.Count];
        (int X0, int Y0, int X1, int Y1) Region(KernelTile t)
        {
            int ov = Math.Max(options.OverlapPx, t.Kernel.Size);
            return (Math.Max(0, t.X0 - ov), Math.Max(0, t.Y0 - ov), Math.Min(w, t.X1 + ov), Math.Min(h, t.Y1 + ov));
        }
        float[] Crop(float[] plane, (int X0, int Y0, int X1, int Y1) r)
        {
            int rw = r.X1 - r.X0, rh = r.Y1 - r.Y0;
            var sub = new float[rw * rh];
            for (int y = 0; y < rh; y++) Array.Copy(plane, (y + r.Y0) * w + r.X0, sub, y * rw, rw);
            return sub;
        }
        (float[] Sub, ChannelContext Context) Cut(int c, (int X0, int Y0, int X1, int Y1) r)
        {
            int rw = r.X1 - r.X0, rh = r.Y1 - r.Y0;
            var sat = new bool[rw * rh];
            for (int y = 0; y < rh; y++) Array.Copy(blurry.Saturated[c], (y + r.Y0) * w + r.X0, sat, y * rw, rw);
            return (Crop(blurry.Planes[c], r), new ChannelContext(sat, saturationLinear, sigmas[c]) { Cancellation = ct, NoiseFloor = floors[c], Sites = sites?[c].Shifted(r.X0, r.Y0) });
        }
        // Each job's region result blended into frame planes: raised-cosine weights over half the overlap beyond each tile.
        float[][] Blend(float[][] parts)
        {
            var acc = blurry.Planes.Select(_ => new double[w * h]).ToArray();
            var weight = new double[w * h];
            for (int j = 0; j < jobs.Count; j++)
            {
                var (t, c) = jobs[j];
                var (x0, y0, x1, y1) = regions[j];
                int rw = x1 - x0;
                int ov = Math.Max(options.OverlapPx, t.Kernel.Size);
                for (int y = y0; y < y1; y++)
                {
                    double wy = Ramp(y, t.Y0, t.Y1, ov, h);
                    for (int x = x0; x < x1; x++)
                    {
                        double wgt = wy * Ramp(x, t.X0, t.X1, ov, w);
                        if (wgt <= 0) continue;
                        acc[c][y * w + x] += wgt * parts[j][(y - y0) * rw + (x - x0)];
                        if (c == 0) weight[y * w + x] += wgt;
                    }
                }
            }
            var planes = new float[blurry.Channels][];
            for (int c = 0; c < blurry.Channels; c++)
            {
                planes[c] = new float[w * h];
                for (int i = 0; i < w * h; i++) planes[c][i] = (float)(acc[c][i] / Math.Max(weight[i], 1e-12));
            }
            return planes;
        }
        for (int j = 0; j < jobs.Count; j++) regions[j] = Region(jobs[j].Tile);

        if (deconvolver is GuardedDeconvolver { Inner: IRefiningDeconvolver { RefinesFrames: true } refining } guard)
        {
            // The classical stage per tile region, assembled; the refinement once over the assembled frame (not once per
            // overlapping region); then the guard judges each region's crop of both, with the region's kernel and noise.
            var models = new NoiseModel[jobs.Count];
            var firsts = new float[jobs.Count][];
            var maps = new float[jobs.Count][];
            Parallel.For(0, jobs.Count, par, j =>
            {
                var (t, c) = jobs[j];
                var r = regions[j];
                int rw = r.X1 - r.X0, rh = r.Y1 - r.Y0;
                var (sub, context) = Cut(c, r);
                using (guard.Profile.Step("guard: noise model")) models[j] = NoiseModelEstimator.Estimate(sub, rw, rh, context.Saturated, floor: context.NoiseFloor, sites: context.Sites);
                firsts[j] = refining.FirstStage(sub, rw, rh, t.Kernel, context, models[j]);
                maps[j] = NoiseModelEstimator.SigmaMap(sub, rw, rh, models[j], saturationLinear);
            });
            ct.ThrowIfCancellationRequested();
            var first = Blend(firsts);
            var sigma = Blend(maps);
            var refined = new float[blurry.Channels][];
            Parallel.For(0, blurry.Channels, par, c =>
                refined[c] = refining.Refine(first[c], blurry.Planes[c], w, h, new ChannelContext(blurry.Saturated[c], saturationLinear, sigmas[c]) { Cancellation = ct, NoiseFloor = floors[c], Sites = sites?[c] }, sigma[c]));
            ct.ThrowIfCancellationRequested();
            int nc = blurry.Channels;
            Parallel.For(0, tiles.Count, par, ti =>
            {
                var r = regions[ti * nc];
                var cut = Enumerable.Range(0, nc).Select(c => Cut(c, r)).ToArray();
                var outs = guard.ComposeStaged(cut.Select(x => x.Sub).ToArray(), r.X1 - r.X0, r.Y1 - r.Y0, tiles[ti].Kernel, cut.Select(x => x.Context).ToArray(),
                    Enumerable.Range(0, nc).Select(c => models[ti * nc + c]).ToArray(),
                    Enumerable.Range(0, nc).Select(c => Crop(refined[c], r)).ToArray(),
                    Enumerable.Range(0, nc).Select(c => Crop(first[c], r)).ToArray());
                for (int c = 0; c < nc; c++) results[ti * nc + c] = outs[c];
            });
            return Finish(new LinearImage(w, h, Blend(results), blurry.Saturated.Select(s => (bool[])s.Clone()).ToArray()), deconvolver, tiles, blurry, saturationLinear);
        }
        if (deconvolver is IMultiChannelDeconvolver { JointChannels: true } together && blurry.Channels > 1)
        {
            // Each tile's channels in one call (jobs are tile-major: the channels of tile t are jobs t·C … t·C + C − 1).
            Parallel.For(0, tiles.Count, par, ti =>
            {
                var r = regions[ti * blurry.Channels];
                var cut = Enumerable.Range(0, blurry.Channels).Select(c => Cut(c, r)).ToArray();
                var outs = together.DeconvolveChannels(cut.Select(x => x.Sub).ToArray(), r.X1 - r.X0, r.Y1 - r.Y0, tiles[ti].Kernel, cut.Select(x => x.Context).ToArray());
                for (int c = 0; c < blurry.Channels; c++) results[ti * blurry.Channels + c] = outs[c];
            });
        }
        else
            Parallel.For(0, jobs.Count, par, j =>
            {
                var (t, c) = jobs[j];
                var r = regions[j];
                var (sub, context) = Cut(c, r);
                results[j] = deconvolver.Deconvolve(sub, r.X1 - r.X0, r.Y1 - r.Y0, t.Kernel, context);
            });
        return Finish(new LinearImage(w, h, Blend(results), blurry.Saturated.Select(s => (bool[])s.Clone()).ToArray()), deconvolver, tiles, blurry, saturationLinear);
    }

    /// <summary>
    /// The assembled frame, its chroma median-filtered when the deconvolver asks for it (<see cref="IChromaSmoothing"/>) —
    /// not when every kernel is a delta (no blur: nothing was deconvolved whose colour fringes the filter would remove;
    /// stop 42: a still camera's sharp frames lost up to 5 dB to the learned path).
    /// </summary>
    private static LinearImage Finish(LinearImage image, IDeconvolver deconvolver, IReadOnlyList<KernelTile> tiles, LinearImage blurry, double saturationLinear) =>
        deconvolver is IChromaSmoothing { ChromaMedianPx: > 0 and var px } && image.Channels == 3 && !tiles.All(t => t.Kernel.IsIdentity) ? ChromaMedian.Apply(image, px, saturationLinear, blurry) : image;

    /// <summary>
    /// Blending weight along one axis: 1 inside [a, b), a raised-cosine fall-off over half the overlap
    /// on each side that has a neighbour, 0 beyond; frame borders keep full weight.
    /// </summary>
    private static double Ramp(int i, int a, int b, int overlap, int size)
    {
        int half = Math.Max(1, overlap / 2);
        if (i < a)
        {
            if (a == 0) return 1;
            int d = a - i;
            return d >= half ? 0 : 0.5 * (1 + Math.Cos(Math.PI * (d + 0.5) / half));
        }
        if (i >= b)
        {
            if (b == size) return 1;
            int d = i - b + 1;
            return d >= half ? 0 : 0.5 * (1 + Math.Cos(Math.PI * (d - 0.5) / half));
        }
        return 1;
    }

    /// <summary>The median of a plane's unclipped values (0 when every value is clipped).</summary>
    private static double MedianUnclipped(float[] plane, bool[] saturated)
    {
        var values = new List<float>(plane.Length);
        for (int i = 0; i < plane.Length; i++) if (!saturated[i] && float.IsFinite(plane[i])) values.Add(plane[i]);
        return values.Count == 0 ? 0 : Selection.Nth(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values), values.Count / 2);
    }
}
