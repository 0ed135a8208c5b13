using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventDeblur.Events;
using EventDeblur.Imaging;

namespace EventDeblur.Kernels;

/// <summary>
/// Contrast maximisation (no light streaks needed): the cubic translation path, in event pixels, whose warp of the
/// exposure's events to mid-exposure gives the sharpest image of warped events (largest variance), mapped into frame
/// pixels through the inverse homography at the sensor centre. Coarse to fine in space and velocity: constant
/// velocities over the whole disc on a 4× coarser image with a quarter of the events, the best three refined on a 2×
/// coarser image with half of them, the best of those at full resolution; the cubic path is then refined by
/// Nelder–Mead at half resolution and polished at full resolution.
/// Warps are vectorised; every buffer is allocated once per frame. With two threads (<see cref="ContrastMaximizationOptions.Threads"/>)
/// the velocity grids are split between them and the regions' paths run beside the roll search; the result is the same.
/// </summary>
public sealed class ContrastMaximizer
{
    private readonly ContrastMaximizationOptions _o;

    /// <summary>Makes a maximiser; <paramref name="options"/> are validated here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it and the range).</exception>
    public ContrastMaximizer(ContrastMaximizationOptions? options = null)
    {
        _o = options ?? new ContrastMaximizationOptions();
        _o.Validate();
    }

    /// <summary>
    /// The camera path over <paramref name="exposure"/> (event clock, µs) from <paramref name="events"/> (time-ordered)
    /// on a sensor of <paramref name="sensorSize"/> event pixels; <paramref name="eventsToFrame"/> maps event to frame
    /// pixels; the path has <paramref name="samples"/> (≥ 2) samples.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ContrastMaximizationResult Estimate(EventSlice events, (int Width, int Height) sensorSize, Homography eventsToFrame, TimeRangeUs exposure, int samples)
    {
        var ev = events;
        var (all, stride, n) = ExposureEventSample.Of(ev, exposure, _o);
        var (ew, eh) = sensorSize;
        if (n < _o.MinEvents || ew <= 0 || eh <= 0)
            return new ContrastMaximizationResult([], n, n, 0, $"texture: only {n} events in the exposure; no blur assumed");

        var warp = new Warp(ev, all, stride, n, exposure, ew, eh);
        double range = _o.MaxBlurEventPx;

        // Constant velocities (event px per exposure) over the disc, 4× coarser; the best few refined 2× coarser, then at full resolution.
        var warps = new Warp[_o.Threads];
        warps[0] = warp;
        for (int k = 1; k < warps.Length; k++) warps[k] = warp.Fork();
        var grid = new List<(double Vx, double Vy)>();
        for (double vx = -range; vx <= range + 1e-9; vx += 4)
            for (double vy = -range; vy <= range + 1e-9; vy += 4)
                if (vx * vx + vy * vy <= range * range) grid.Add((vx, vy));
        var gridContrast = Contrasts(warps, 2, grid);
        var seeds = grid.Select((g, k) => (g.Vx, g.Vy, C: gridContrast[k])).ToList();
        var top = seeds.OrderByDescending(s => s.C).Take(3).ToList();
        top = Refine(warps, top, 1, 4, 2, range).Take(1).ToList();
        var v = Refine(warps, top, 0, 2, 1, range)[0];

        // The cubic path: Nelder–Mead on the half-resolution image, then a short polish at full resolution.
        double[] c = [v.Vx, 0, 0, v.Vy, 0, 0];
        c = NelderMead(p => warp.Contrast(1, p[0], p[1], p[2], p[3], p[4], p[5]), c, [1.0, 2, 4, 1, 2, 4], 200);
        c = NelderMead(p => warp.Contrast(0, p[0], p[1], p[2], p[3], p[4], p[5]), c, [0.25, 0.5, 1, 0.25, 0.5, 1], 60);
        double best = warp.Contrast(0, c[0], c[1], c[2], c[3], c[4], c[5]);
        double constant = warp.Contrast(0, v.Vx, 0, 0, v.Vy, 0, 0);
        if (constant > best) { best = constant; c = [v.Vx, 0, 0, v.Vy, 0, 0]; }
        double zero = warp.Contrast(0, 0, 0, 0, 0, 0, 0);

        var offsets = PathOffsets(c, ew / 2.0, eh / 2.0, eventsToFrame, samples);
        double gain = zero > 0 ? best / zero - 1 : 0;
        // The regions' paths and the roll both start from c and share no buffers: on two threads they run side by side.
        Func<LocalPathField?> localSearch = () => _o.LocalRegions.Columns * _o.LocalRegions.Rows > 1 ? LocalPaths(ev, all, stride, n, exposure, ew, eh, c) : null;
        var localTask = _o.Threads > 1 && _o.Rotation ? Task.Run(localSearch) : null;
        var rigid = _o.Rotation ? RigidPath(warp, c, best, range, ew, eh, eventsToFrame, samples) : null;
        var local = localTask != null ? localTask.GetAwaiter().GetResult() : localSearch();
        // No path — translation or roll — stacks the events more sharply than no motion: the best path found is a guess,
        // not a measurement (a still camera; a roll about the optical axis beats no motion where no translation does).
        bool stillIsBest = !(best > zero) && !(rigid is { } rr && rr.Contrast > zero);
        string note = $"texture: contrast ×{best / Math.Max(zero, 1e-12):F2} over no motion, {n} events";
        if (rigid is { } r) note += $"; with roll {r.RollRad * 180 / Math.PI:F2}° over the exposure ×{r.Contrast / Math.Max(zero, 1e-12):F2}";
        if (local != null) note += $"; {local.Refined} of {local.Columns * local.Rows} regions stack their events more sharply with a path of their own";
        if (stillIsBest) note += "; no path stacks them more sharply than no motion";
        return new ContrastMaximizationResult(offsets, all.Count, n, gain, note) { RigidMotion = rigid?.Motion, RollRad = rigid?.RollRad ?? 0, LocalPaths = local is { Refined: > 0 } ? local : null, StillIsBest = stillIsBest };
    }

    /// <summary>
    /// Frame-pixel offsets from the mid-exposure position, at <paramref name="samples"/> equally spaced exposure times, of
    /// the event point (<paramref name="ex"/>, <paramref name="ey"/>) moved by the cubic path <paramref name="c"/> (event px).
    /// </summary>
    internal static (double X, double Y)[] PathOffsets(double[] c, double ex, double ey, Homography eventsToFrame, int samples)
    {
        var midFrame = eventsToFrame.Apply(ex, ey);
        var offsets = new (double X, double Y)[samples];
        for (int k = 0; k < samples; k++)
        {
            double t = (k + 0.5) / samples - 0.5, t2 = t * t, t3 = t2 * t;
            var q = eventsToFrame.Apply(ex + c[0] * t + c[1] * t2 + c[2] * t3, ey + c[3] * t + c[4] * t2 + c[5] * t3);
            offsets[k] = (q.X - midFrame.X, q.Y - midFrame.Y);
        }
        return offsets;
    }

    /// <summary>
    /// Per region of the <see cref="ContrastMaximizationOptions.LocalRegions"/> grid, the cubic path that stacks that
    /// region's events most sharply, refined from the frame's path <paramref name="global"/> (Nelder–Mead at half
    /// resolution, polished at full); a region keeps the frame's path unless its own stacks its events more sharply by
    /// <see cref="ContrastMaximizationOptions.LocalMinGain"/>, or when it has fewer than <see cref="ContrastMaximizationOptions.MinEvents"/> events.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private LocalPathField LocalPaths(EventSlice ev, List<int> all, int stride, int n, TimeRangeUs exposure, int ew, int eh, double[] global)
    {
        var (cols, rows) = _o.LocalRegions;
        var members = new List<int>[cols * rows];
        for (int k = 0; k < members.Length; k++) members[k] = [];
        for (int j = 0; j < n; j++)
        {
            int i = all[j * stride];
            int cx = Math.Clamp(ev.X[i] * cols / ew, 0, cols - 1), cy = Math.Clamp(ev.Y[i] * rows / eh, 0, rows - 1);
            members[cy * cols + cx].Add(i);
        }
        var coefficients = new double[cols * rows][];
        int refined = 0;
        for (int k = 0; k < members.Length; k++)
        {
            coefficients[k] = global;
            if (members[k].Count < _o.MinEvents) continue;
            var warp = new Warp(ev, members[k], 1, members[k].Count, exposure, ew, eh);
            var c = NelderMead(p => warp.Contrast(1, p[0], p[1], p[2], p[3], p[4], p[5]), global, [0.5, 1, 2, 0.5, 1, 2], 120);
            c = NelderMead(p => warp.Contrast(0, p[0], p[1], p[2], p[3], p[4], p[5]), c, [0.25, 0.5, 1, 0.25, 0.5, 1], 40);
            double own = warp.Contrast(0, c[0], c[1], c[2], c[3], c[4], c[5]), shared = warp.Contrast(0, global[0], global[1], global[2], global[3], global[4], global[5]);
            if (own > shared * (1 + _o.LocalMinGain)) { coefficients[k] = c; refined++; }
        }
        return new LocalPathField(cols, rows, (ew, eh), coefficients, refined);
    }

    /// <summary>
    /// The roll (rotation about the sensor centre, linear and quadratic in time) + cubic translation path that stacks
    /// the events most sharply, starting from the translation path <paramref name="c"/>: roll rates on a grid at half
    /// resolution (up to the rate that moves the sensor's corners by the search radius), then Nelder–Mead over all
    /// eight coefficients at half resolution and a polish at full resolution. Returned as a frame-pixel rigid motion
    /// (each sample the affine map of the event-space motion through the homography, fitted around the sensor centre's
    /// frame position) with its full-resolution contrast and the total roll over the exposure (radians).
    /// </summary>
    private static (CameraMotion Motion, double Contrast, double RollRad)? RigidPath(Warp warp, double[] c, double translationContrast, double range, int ew, int eh, Homography eventsToFrame, int samples)
    {
        double cxe = ew / 2.0, cye = eh / 2.0;
        double wmax = range / Math.Sqrt(cxe * cxe + cye * cye);
        double bestW = 0, bestC = double.NegativeInfinity;
        for (int i = -8; i <= 8; i++)
        {
            double w = wmax * i / 8;
            double v = warp.Contrast(1, c[0], c[1], c[2], c[3], c[4], c[5], w, 0);
            if (v > bestC) { bestC = v; bestW = w; }
        }
        double[] p = [c[0], c[1], c[2], c[3], c[4], c[5], bestW, 0];
        double ws = wmax / 8;
        p = NelderMead(q => warp.Contrast(1, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]), p, [1.0, 2, 4, 1, 2, 4, ws, 2 * ws], 300);
        p = NelderMead(q => warp.Contrast(0, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]), p, [0.25, 0.5, 1, 0.25, 0.5, 1, ws / 4, ws / 2], 80);
        double best = warp.Contrast(0, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
        if (!(best > translationContrast)) return null;

        // Event-space motion at time τ: p(τ) = centre + R(θ(τ))·(p_mid − centre) + d(τ); in frame pixels through the homography.
        var frameToEvents = eventsToFrame.Inverse();
        var p0 = eventsToFrame.Apply(cxe, cye);
        double arm = Math.Max(1, Math.Abs(eventsToFrame.Apply(cxe + 1, cye).X - p0.X) * Math.Min(ew, eh) / 4);
        var maps = new AffineSample[samples];
        for (int k = 0; k < samples; k++)
        {
            double t = (k + 0.5) / samples - 0.5, t2 = t * t, t3 = t2 * t;
            double th = p[6] * t + p[7] * t2, cos = Math.Cos(th), sin = Math.Sin(th);
            double dx = p[0] * t + p[1] * t2 + p[2] * t3, dy = p[3] * t + p[4] * t2 + p[5] * t3;
            (double X, double Y) F(double fx, double fy)
            {
                var (ex, ey) = frameToEvents.Apply(fx, fy);
                double rx = ex - cxe, ry = ey - cye;
                return eventsToFrame.Apply(cxe + cos * rx - sin * ry + dx, cye + sin * rx + cos * ry + dy);
            }
            var f0 = F(p0.X, p0.Y);
            var fxp = F(p0.X + arm, p0.Y);
            var fyp = F(p0.X, p0.Y + arm);
            double a = (fxp.X - f0.X) / arm, b = (fyp.X - f0.X) / arm, cc = (fxp.Y - f0.Y) / arm, d = (fyp.Y - f0.Y) / arm;
            maps[k] = new AffineSample(a, b, cc, d, f0.X - a * p0.X - b * p0.Y, f0.Y - cc * p0.X - d * p0.Y);
        }
        return (new CameraMotion(MotionKind.Rigid, maps), best, p[6]);
    }

    /// <summary>Around each seed, constant velocities within ±<paramref name="half"/> in steps of <paramref name="step"/> at pyramid level <paramref name="level"/>; best first.</summary>
    private static List<(double Vx, double Vy, double C)> Refine(Warp[] warps, List<(double Vx, double Vy, double C)> seeds, int level, double half, double step, double range)
    {
        var candidates = new List<(int Seed, double Vx, double Vy)>();
        for (int k = 0; k < seeds.Count; k++)
        {
            var s = seeds[k];
            for (double vx = s.Vx - half; vx <= s.Vx + half + 1e-9; vx += step)
                for (double vy = s.Vy - half; vy <= s.Vy + half + 1e-9; vy += step)
                    if (vx * vx + vy * vy <= range * range) candidates.Add((k, vx, vy));
        }
        var contrast = Contrasts(warps, level, candidates.Select(c => (c.Vx, c.Vy)).ToList());
        var found = new List<(double Vx, double Vy, double C)>();
        for (int k = 0; k < seeds.Count; k++)
        {
            // The first of the seed's candidates with the largest contrast, in the grid's order.
            var b = (seeds[k].Vx, seeds[k].Vy, C: double.NegativeInfinity);
            for (int j = 0; j < candidates.Count; j++)
                if (candidates[j].Seed == k && contrast[j] > b.C) b = (candidates[j].Vx, candidates[j].Vy, contrast[j]);
            if (!double.IsNegativeInfinity(b.C)) found.Add(b);
        }
        return found.OrderByDescending(f => f.C).ToList();
    }

    /// <summary>
    /// The contrast of each constant velocity of <paramref name="velocities"/> at pyramid level <paramref name="level"/>,
    /// in order, the list split in contiguous parts over <paramref name="warps"/> (one thread each; each warp is computed
    /// as on one thread, so the values do not depend on the number of threads).
    /// </summary>
    private static double[] Contrasts(Warp[] warps, int level, List<(double Vx, double Vy)> velocities)
    {
        var result = new double[velocities.Count];
        int parts = Math.Min(warps.Length, Math.Max(1, velocities.Count));
        void Part(int p)
        {
            int from = velocities.Count * p / parts, to = velocities.Count * (p + 1) / parts;
            for (int j = from; j < to; j++) result[j] = warps[p].Contrast(level, velocities[j].Vx, 0, 0, velocities[j].Vy, 0, 0);
        }
        if (parts == 1) Part(0);
        else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, Part);
        return result;
    }

    /// <summary>
    /// Maximises <paramref name="f"/> from <paramref name="start"/> with an initial simplex of <paramref name="steps"/>
    /// (reflection 1, expansion 2, contraction ½, shrink ½) in at most <paramref name="maxEvaluations"/> evaluations.
    /// </summary>
    private static double[] NelderMead(Func<double[], double> f, double[] start, double[] steps, int maxEvaluations)
    {
        int d = start.Length;
        var pts = new double[d + 1][];
        var val = new double[d + 1];
        for (int i = 0; i <= d; i++)
        {
            pts[i] = (double[])start.Clone();
            if (i > 0) pts[i][i - 1] += steps[i - 1];
            val[i] = -f(pts[i]);
        }
        int evals = d + 1;
        var centroid = new double[d];
        var xr = new double[d];
        var xe = new double[d];
        var xc = new double[d];
        var order = new int[d + 1];
        while (evals < maxEvaluations)
        {
            for (int i = 0; i <= d; i++) order[i] = i;
            Array.Sort(order, (a, b) => val[a].CompareTo(val[b]));
            int bestI = order[0], worst = order[d], second = order[d - 1];
            if (Math.Abs(val[worst] - val[bestI]) <= 1e-7 * (Math.Abs(val[bestI]) + 1e-30)) break;
            Array.Clear(centroid);
            for (int i = 0; i <= d; i++)
                if (i != worst)
                    for (int j = 0; j < d; j++) centroid[j] += pts[i][j] / d;
            for (int j = 0; j < d; j++) xr[j] = centroid[j] + (centroid[j] - pts[worst][j]);
            double fr = -f(xr); evals++;
            if (fr < val[bestI])
            {
                for (int j = 0; j < d; j++) xe[j] = centroid[j] + 2 * (centroid[j] - pts[worst][j]);
                double fe = -f(xe); evals++;
                if (fe < fr) { Array.Copy(xe, pts[worst], d); val[worst] = fe; }
                else { Array.Copy(xr, pts[worst], d); val[worst] = fr; }
                continue;
            }
            if (fr < val[second]) { Array.Copy(xr, pts[worst], d); val[worst] = fr; continue; }
            bool outside = fr < val[worst];
            for (int j = 0; j < d; j++) xc[j] = outside ? centroid[j] + 0.5 * (xr[j] - centroid[j]) : centroid[j] + 0.5 * (pts[worst][j] - centroid[j]);
            double fc = -f(xc); evals++;
            if (fc < (outside ? fr : val[worst])) { Array.Copy(xc, pts[worst], d); val[worst] = fc; continue; }
            for (int i = 0; i <= d; i++)
            {
                if (i == bestI) continue;
                for (int j = 0; j < d; j++) pts[i][j] = pts[bestI][j] + 0.5 * (pts[i][j] - pts[bestI][j]);
                val[i] = -f(pts[i]); evals++;
            }
        }
        int arg = 0;
        for (int i = 1; i <= d; i++) if (val[i] < val[arg]) arg = i;
        return pts[arg];
    }

    /// <summary>
    /// The events of one frame ready to warp at three pyramid levels (full, ½ and ¼ resolution: coordinates and
    /// image scaled, level ℓ using every 2^ℓ-th event), with their buffers.
    /// </summary>
    private sealed class Warp
    {
        private readonly float[][] _x = new float[3][], _y = new float[3][], _t1 = new float[3][], _t2 = new float[3][], _t3 = new float[3][];
        private readonly int[] _w = new int[3], _h = new int[3];
        private readonly float[] _cx = new float[3], _cy = new float[3];
        private readonly float[][] _image = new float[3][];
        private readonly float[] _wx, _wy;

        /// <summary>A warp of the same events with buffers of its own, for another thread.</summary>
        public Warp Fork() => new(this);

        private Warp(Warp of)
        {
            _x = of._x; _y = of._y; _t1 = of._t1; _t2 = of._t2; _t3 = of._t3;
            _w = of._w; _h = of._h; _cx = of._cx; _cy = of._cy;
            for (int l = 0; l < 3; l++) _image[l] = new float[of._image[l].Length];
            _wx = new float[of._wx.Length];
            _wy = new float[of._wy.Length];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Warp(EventSlice ev, List<int> filtered, int stride, int n, TimeRangeUs exposure, int width, int height)
        {
            for (int l = 0; l < 3; l++)
            {
                int s = 1 << l, m = (n + s - 1) / s;
                float scale = 1f / s;
                _x[l] = new float[m]; _y[l] = new float[m]; _t1[l] = new float[m]; _t2[l] = new float[m]; _t3[l] = new float[m];
                for (int j = 0; j < m; j++)
                {
                    int i = filtered[j * s * stride];
                    double tau = (ev.T[i] - exposure.StartUs) / (double)exposure.DurationUs - 0.5;
                    // Pixel centres of the coarse image sit at the centres of its s×s blocks.
                    _x[l][j] = (float)((ev.X[i] + 0.5) * scale - 0.5);
                    _y[l][j] = (float)((ev.Y[i] + 0.5) * scale - 0.5);
                    _t1[l][j] = (float)(tau * scale);
                    _t2[l][j] = (float)(tau * tau * scale);
                    _t3[l][j] = (float)(tau * tau * tau * scale);
                }
                _cx[l] = (float)((width / 2.0 + 0.5) * scale - 0.5);
                _cy[l] = (float)((height / 2.0 + 0.5) * scale - 0.5);
                _w[l] = (width + s - 1) / s;
                _h[l] = (height + s - 1) / s;
                _image[l] = new float[_w[l] * _h[l]];
            }
            _wx = new float[_x[0].Length];
            _wy = new float[_x[0].Length];
        }

        /// <summary>
        /// Variance of the image of events warped to mid-exposure by the cubic path c (event px) and, when
        /// <paramref name="r1"/> or <paramref name="r2"/> is not zero, a roll of r1·τ + r2·τ² radians about the sensor
        /// centre (first order in the angle), at pyramid level <paramref name="level"/>.
        /// </summary>
        public double Contrast(int level, double c0, double c1, double c2, double c3, double c4, double c5, double r1 = 0, double r2 = 0)
        {
            float[] x = _x[level], y = _y[level], t1 = _t1[level], t2 = _t2[level], t3 = _t3[level], img = _image[level];
            int m = x.Length, w = _w[level], h = _h[level];
            var wx = _wx.AsSpan(0, m);
            var wy = _wy.AsSpan(0, m);
            if (r1 != 0 || r2 != 0)
            {
                WarpRolled(level, c0, c1, c2, c3, c4, c5, r1, r2, wx, wy);
                return Splat(wx, wy, img, w, h);
            }
            // Vectorised warp: x − (c0·τ + c1·τ² + c2·τ³), likewise y.
            var a0 = new Vector<float>((float)c0); var a1 = new Vector<float>((float)c1); var a2 = new Vector<float>((float)c2);
            var b0 = new Vector<float>((float)c3); var b1 = new Vector<float>((float)c4); var b2 = new Vector<float>((float)c5);
            int vl = Vector<float>.Count, j = 0;
            for (; j <= m - vl; j += vl)
            {
                var vt1 = new Vector<float>(t1, j); var vt2 = new Vector<float>(t2, j); var vt3 = new Vector<float>(t3, j);
                (new Vector<float>(x, j) - (a0 * vt1 + a1 * vt2 + a2 * vt3)).CopyTo(wx.Slice(j));
                (new Vector<float>(y, j) - (b0 * vt1 + b1 * vt2 + b2 * vt3)).CopyTo(wy.Slice(j));
            }
            for (; j < m; j++)
            {
                wx[j] = x[j] - ((float)c0 * t1[j] + (float)c1 * t2[j] + (float)c2 * t3[j]);
                wy[j] = y[j] - ((float)c3 * t1[j] + (float)c4 * t2[j] + (float)c5 * t3[j]);
            }
            return Splat(wx, wy, img, w, h);
        }

        /// <summary>The warp with a roll: x − d_x(τ) + θ(τ)·(y − c_y), y − d_y(τ) − θ(τ)·(x − c_x), θ = r1·τ + r2·τ² (level coordinates).</summary>
        private void WarpRolled(int level, double c0, double c1, double c2, double c3, double c4, double c5, double r1, double r2, Span<float> wx, Span<float> wy)
        {
            float[] x = _x[level], y = _y[level], t1 = _t1[level], t2 = _t2[level], t3 = _t3[level];
            int m = x.Length;
            float inv = 1 << level;
            // t1 and t2 carry the level's scale; the angle does not.
            float q1 = (float)r1 * inv, q2 = (float)r2 * inv, cx = _cx[level], cy = _cy[level];
            float f0 = (float)c0, f1 = (float)c1, f2 = (float)c2, f3 = (float)c3, f4 = (float)c4, f5 = (float)c5;
            // Vectorised, with the scalar loop's operations in the same order (the same floats).
            var vq1 = new Vector<float>(q1); var vq2 = new Vector<float>(q2); var vcx = new Vector<float>(cx); var vcy = new Vector<float>(cy);
            var a0 = new Vector<float>(f0); var a1 = new Vector<float>(f1); var a2 = new Vector<float>(f2);
            var b0 = new Vector<float>(f3); var b1 = new Vector<float>(f4); var b2 = new Vector<float>(f5);
            int vl = Vector<float>.Count, j = 0;
            for (; j <= m - vl; j += vl)
            {
                var vt1 = new Vector<float>(t1, j); var vt2 = new Vector<float>(t2, j); var vt3 = new Vector<float>(t3, j);
                var vx = new Vector<float>(x, j); var vy = new Vector<float>(y, j);
                var th = vq1 * vt1 + vq2 * vt2;
                var dx = a0 * vt1 + a1 * vt2 + a2 * vt3;
                var dy = b0 * vt1 + b1 * vt2 + b2 * vt3;
                (vx - dx + th * (vy - vcy)).CopyTo(wx.Slice(j));
                (vy - dy - th * (vx - vcx)).CopyTo(wy.Slice(j));
            }
            for (; j < m; j++)
            {
                float th = q1 * t1[j] + q2 * t2[j];
                float dx = f0 * t1[j] + f1 * t2[j] + f2 * t3[j];
                float dy = f3 * t1[j] + f4 * t2[j] + f5 * t3[j];
                wx[j] = x[j] - dx + th * (y[j] - cy);
                wy[j] = y[j] - dy - th * (x[j] - cx);
            }
        }

        /// <summary>Variance of the bilinear image of the warped events (<paramref name="wx"/>, <paramref name="wy"/>) on a <paramref name="w"/>×<paramref name="h"/> image.</summary>
        private static double Splat(Span<float> wx, Span<float> wy, float[] img, int w, int h)
        {
            int m = wx.Length, j;
            Array.Clear(img);
            float xmax = w - 1, ymax = h - 1;
            // The bounds test below keeps every write inside img: no bounds checks in the loop.
            ref float px = ref MemoryMarshal.GetReference(wx), py = ref MemoryMarshal.GetReference(wy);
            ref float im = ref MemoryMarshal.GetArrayDataReference(img);
            for (j = 0; j < m; j++)
            {
                float fx = Unsafe.Add(ref px, j), fy = Unsafe.Add(ref py, j);
                if (!(fx >= 0 && fy >= 0 && fx < xmax && fy < ymax)) continue;
                int x0 = (int)fx, y0 = (int)fy;
                float ax = fx - x0, ay = fy - y0;
                float bx = 1 - ax, by = 1 - ay;
                ref float p = ref Unsafe.Add(ref im, y0 * w + x0);
                p += bx * by; Unsafe.Add(ref p, 1) += ax * by;
                ref float q = ref Unsafe.Add(ref p, w);
                q += bx * ay; Unsafe.Add(ref q, 1) += ax * ay;
            }
            var (sum, sum2) = Moments(img);
            double mean = sum / img.Length;
            return sum2 / img.Length - mean * mean;
        }

        /// <summary>Sum and sum of squares, vectorised in float over blocks of 4096 and added up in double.</summary>
        private static (double Sum, double Sum2) Moments(float[] v)
        {
            double s = 0, s2 = 0;
            int vl = Vector<float>.Count;
            for (int b = 0; b < v.Length; b += 4096)
            {
                int end = Math.Min(v.Length, b + 4096), j = b;
                var acc = Vector<float>.Zero; var acc2 = Vector<float>.Zero;
                for (; j <= end - vl; j += vl) { var x = new Vector<float>(v, j); acc += x; acc2 += x * x; }
                float bs = Vector.Sum(acc), bs2 = Vector.Sum(acc2);
                for (; j < end; j++) { bs += v[j]; bs2 += v[j] * v[j]; }
                s += bs; s2 += bs2;
            }
            return (s, s2);
        }
    }
}
