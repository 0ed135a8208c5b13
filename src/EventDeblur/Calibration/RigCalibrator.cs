using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;

namespace EventDeblur.Calibration;

/// <summary>
/// Estimates a hybrid rig's RGB → event homography from the recording alone (the manifest's calibration is ignored).
/// Per frame, the events inside the exposure make an event image and the blurry frame's log-gradient magnitude is
/// the other view; motion blur is in both, as both integrate the same exposure. A coarse search over scale
/// (log-spaced, <see cref="CalibrationOptions.Scale"/>) and every rotation scores translations by FFT
/// cross-correlation summed over frames (<see cref="CoarseAligner"/>), a finer search around the best candidates
/// follows, then each frame is refined sub-pixel by ECC (OpenCV <c>findTransformECC</c>, affine then full
/// homography, coarse then fine blur); the frames that agree are fitted jointly by least squares over a grid.
/// When no scale and rotation stands out, the same searches run with the RGB frame mirrored (a beam-splitter rig), and a
/// clear mirrored alignment that scores above the unmirrored one is taken. Assumption: the RGB frame's centre falls
/// within the event sensor's half-size of its centre.
/// </summary>
public static class RigCalibrator
{
    private const int CoarseFrames = 4;

    /// <summary>Estimates the homography of <paramref name="bundle"/>.</summary>
    /// <param name="bundle">An RGB + events bundle (not an APS bundle: its frames share the event grid).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="log">Receives one line per step (frames read, coarse candidate, per-frame refinements); may be null.</param>
    /// <exception cref="UserInputException">An APS bundle or bad options (unusable).</exception>
    /// <param name="ct">Checked between steps (after reading the events, per frame, before the searches): Ctrl+C stops the estimate.</param>
    /// <exception cref="CalibrationRefusedException">The data cannot support a homography; the message says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static CalibrationResult Estimate(RecordingBundle bundle, CalibrationOptions? options = null, Action<string>? log = null, CancellationToken ct = default)
    {
        var o = options ?? new CalibrationOptions();
        o.Validate();
        if (bundle.Manifest.Rgb is not { } rgb)
            throw new UserInputException($"{bundle.Root}: its frames are the event camera's own APS frames, which share the event pixel grid (identity calibration); there is nothing to calibrate");
        var (ew, eh) = bundle.EventSensorSize;
        var windows = bundle.ResolveExposures().Windows.Where(w => w.Exposure != null && w.Row != null).ToList();
        if (windows.Count < o.MinFrames)
            throw new CalibrationRefusedException($"{bundle.Root}: {windows.Count} frame(s) with an exposure window on the event clock; at least {o.MinFrames} are needed to calibrate");
        var chosen = Spread(windows, o.MaxFrames);
        var shifted = chosen.Select(c => new TimeRangeUs(c.Exposure!.Value.StartUs + o.EventLatencyUs, c.Exposure.Value.EndUs + o.EventLatencyUs)).ToList();
        var images = CountEvents(bundle.EventsPath, shifted, ew, eh);
        ct.ThrowIfCancellationRequested();
        long[] totals = images.Select(a => a.Events).ToArray();
        log?.Invoke($"read {totals.Sum():N0} events in the exposures of {chosen.Count} frames");

        var report = new SortedDictionary<long, FrameCalibration>();
        var frames = new List<CalibrationFrame>();
        try
        {
            for (int k = 0; k < chosen.Count; k++)
            {
                ct.ThrowIfCancellationRequested();
                long index = chosen[k].Index;
                if (totals[k] < o.MinEventsPerFrame)
                {
                    report[index] = new(index, totals[k], double.NaN, double.NaN, false, $"too few events in the exposure ({totals[k]} < {o.MinEventsPerFrame})");
                    continue;
                }
                var image = LinearImage.Read(chosen[k].Row!.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
                var gradient = CalibrationFrame.GradientFrom(image.Planes, image.Width, image.Height);
                Cv2.MeanStdDev(gradient, out _, out var gStd);
                if (!(gStd.Val0 > 1e-4))
                {
                    gradient.Dispose();
                    report[index] = new(index, totals[k], double.NaN, double.NaN, false, $"flat frame (log-gradient standard deviation {gStd.Val0:G3})");
                    continue;
                }
                frames.Add(new CalibrationFrame(index, totals[k], CalibrationFrame.EventImageFrom(images[k].Counts, ew, eh), gradient));
            }
            if (frames.Count < o.MinFrames)
                throw new CalibrationRefusedException($"{bundle.Root}: {frames.Count} usable frame(s) of {chosen.Count}, at least {o.MinFrames} needed: " +
                    string.Join("; ", report.Values.Select(f => $"frame {f.Index}: {f.Rejection}")));
            int rgbW = frames[0].Gradient.Width, rgbH = frames[0].Gradient.Height;

            // Coarse: every rotation (5°) and scale (6 %) on a ≈ 96 px event grid, the busiest frames voting together.
            var voters = frames.OrderByDescending(f => f.Events).Take(CoarseFrames).ToList();
            var scales = new List<double>();
            for (double s = o.Scale.Min; s <= o.Scale.Max * 1.0001; s *= 1.06) scales.Add(s);
            var angles = Enumerable.Range(0, 72).Select(i => (i * 5 - 180) * Math.PI / 180).ToList();
            bool Distinct(CoarseAligner.Candidate c, CoarseAligner.Candidate d) =>
                Math.Abs(Math.Log(c.Scale / d.Scale)) > 0.15 || AngleDistance(c.RotationRad, d.RotationRad) > 20 * Math.PI / 180;
            (CoarseAligner.Candidate Start, CoarseAligner.Candidate Rival, double Ambiguity) Align(bool mirrored)
            {
                string how = mirrored ? "mirrored: " : "";
                List<CoarseAligner.Candidate> level1;
                using (var aligner = new CoarseAligner(voters, ew, eh, rgbW, rgbH, 96, 1.0))
                    level1 = Search(aligner, scales.SelectMany(s => angles.Select(a => (s, a))).ToList(), mirrored);
                var best = level1[0];
                var rival = level1.FirstOrDefault(c => Distinct(c, best));
                log?.Invoke($"{how}coarse: scale {best.Scale:F3}, rotation {best.RotationRad * 180 / Math.PI:F1}°, score {best.Score:F1}; best clearly different: scale {rival.Scale:F3}, {rival.RotationRad * 180 / Math.PI:F1}°, score {rival.Score:F1}");

                // Finer: ±8 % scale (2 % steps), ±6° (1.5° steps) on a ≈ 192 px grid around the best candidate, the best
                // clearly different one and the next distinct one; the ambiguity is judged here, where the true alignment
                // stands out more sharply: the best fine score of a clearly different candidate over the winner's.
                var seeds = new List<CoarseAligner.Candidate> { best };
                if (rival.RgbToEvents != null) seeds.Add(rival);
                foreach (var c in level1)
                {
                    if (seeds.Count == 3) break;
                    if (seeds.All(s => Math.Abs(Math.Log(c.Scale / s.Scale)) > 0.1 || AngleDistance(c.RotationRad, s.RotationRad) > 8 * Math.PI / 180)) seeds.Add(c);
                }
                var fine = new List<(double, double)>();
                foreach (var s in seeds)
                    for (int i = -4; i <= 4; i++)
                        for (int j = -4; j <= 4; j++)
                            fine.Add((s.Scale * Math.Exp(0.02 * i), s.RotationRad + j * 1.5 * Math.PI / 180));
                List<CoarseAligner.Candidate> level2;
                ct.ThrowIfCancellationRequested();
                using (var aligner = new CoarseAligner(voters, ew, eh, rgbW, rgbH, 192, 1.0))
                    level2 = Search(aligner, fine, mirrored);
                var start = level2[0];
                var fineRival = level2.FirstOrDefault(c => Distinct(c, start));
                double ambiguity = fineRival.RgbToEvents != null && start.Score > 0 ? Math.Clamp(fineRival.Score / start.Score, 0, 1) : 0;
                log?.Invoke($"{how}fine: scale {start.Scale:F4}, rotation {start.RotationRad * 180 / Math.PI:F2}°, score {start.Score:F1}; clearly different: {fineRival.Score:F1} (ambiguity {ambiguity:F2})");
                return (start, fineRival, ambiguity);
            }
            var (start, fineRival, ambiguity) = Align(false);
            if (ambiguity > o.MaxAmbiguity)
            {
                // No clear alignment: the cameras may see the scene mirrored one to the other (a beam-splitter rig; stop 44's
                // trial: such a rig was refused as "ambiguous", the search holding rotations only). Searched only then, so
                // a rig without a mirror costs no more and is never taken for a mirrored one; adopted only when it is clear
                // and scores above the best unmirrored alignment.
                ct.ThrowIfCancellationRequested();
                var mirrored = Align(true);
                if (mirrored.Ambiguity <= o.MaxAmbiguity && mirrored.Start.Score > start.Score)
                    (start, fineRival, ambiguity) = mirrored;
                else
                    throw new CalibrationRefusedException($"{bundle.Root}: ambiguous alignment of events and frames: the best scale/rotation (scale {start.Scale:F3}, {start.RotationRad * 180 / Math.PI:F1}°) scores {start.Score:F1}, a clearly different one (scale {fineRival.Scale:F3}, {fineRival.RotationRad * 180 / Math.PI:F1}°) {fineRival.Score:F1} (ratio {ambiguity:F2} > {o.MaxAmbiguity}); " +
                                                          $"with the RGB frame mirrored, the best scores {mirrored.Start.Score:F1} (ratio {mirrored.Ambiguity:F2})");
            }

            // Sub-pixel, per frame.
            var refined = new List<(CalibrationFrame Frame, double[] H, double Rho)>();
            foreach (var f in frames)
            {
                ct.ThrowIfCancellationRequested();
                var (h, rho, why) = Refine(f, start.RgbToEvents, start.Scale);
                log?.Invoke($"frame {f.Index}: {f.Events:N0} events, ECC correlation {(double.IsNaN(rho) ? "—" : rho.ToString("F3"))}{(why != null ? $" ({why})" : "")}");
                if (h == null || rho < o.MinCorrelation)
                    report[f.Index] = new(f.Index, f.Events, rho, double.NaN, false, why ?? $"events and frame disagree (ECC correlation {rho:F3} < {o.MinCorrelation})");
                else refined.Add((f, h, rho));
            }
            if (refined.Count < o.MinFrames)
                throw new CalibrationRefusedException($"{bundle.Root}: only {refined.Count} frame(s) aligned their events with the frame (at least {o.MinFrames} needed): " +
                    string.Join("; ", report.Values.Where(f => !f.Used).Select(f => $"frame {f.Index}: {f.Rejection}")));

            // Joint: frames whose estimate agrees with the others' median, fitted together over a grid.
            var grid = HomographyGrid.PointsOnSensor(Homography.FromRowMajor(start.RgbToEvents), rgbW, rgbH, ew, eh, 16, 12);
            if (grid.Count < 8)
                throw new CalibrationRefusedException($"{bundle.Root}: the RGB frame barely overlaps the event sensor ({grid.Count} of 192 grid points)");
            var mapped = refined.Select(r => grid.Select(p => Homography.FromRowMajor(r.H).Apply(p.X, p.Y)).ToArray()).ToList();
            var median = grid.Select((_, i) => (Median(mapped.Select(m => m[i].X)), Median(mapped.Select(m => m[i].Y)))).ToArray();
            var spread = mapped.Select(m => Rms(m, median)).ToList();
            double gate = Math.Max(1.0, 3 * Median(spread));
            var keep = Enumerable.Range(0, refined.Count).Where(i => spread[i] <= gate).ToList();
            foreach (int i in Enumerable.Range(0, refined.Count).Except(keep))
                report[refined[i].Frame.Index] = new(refined[i].Frame.Index, refined[i].Frame.Events, refined[i].Rho, spread[i], false, $"disagrees with the other frames ({spread[i]:F2} event px RMS from their median > {gate:F2})");
            if (keep.Count < o.MinFrames)
                throw new CalibrationRefusedException($"{bundle.Root}: only {keep.Count} frame(s) agree on a homography (at least {o.MinFrames} needed)");
            var src = keep.SelectMany(_ => grid.Select(p => new Point2d(p.X, p.Y))).ToArray();
            var dst = keep.SelectMany(i => mapped[i].Select(q => new Point2d(q.X, q.Y))).ToArray();
            double[] joint;
            using (var hm = Cv2.FindHomography(src, dst, HomographyMethods.None))
            {
                if (hm.Empty()) throw new CalibrationRefusedException($"{bundle.Root}: the frames' estimates admit no joint homography");
                hm.GetArray(out double[] raw);
                joint = raw.Select(v => v / raw[8]).ToArray();
            }
            var jointH = Homography.FromRowMajor(joint);
            var jointPts = grid.Select(p => jointH.Apply(p.X, p.Y)).ToArray();
            double sq = 0;
            foreach (int i in keep)
            {
                double d = Rms(mapped[i], jointPts);
                sq += d * d;
                report[refined[i].Frame.Index] = new(refined[i].Frame.Index, refined[i].Frame.Events, refined[i].Rho, d, true, null);
            }
            double residual = Math.Sqrt(sq / keep.Count);
            log?.Invoke($"joint: {keep.Count} frames, residual {residual:F3} event px");
            if (residual > o.MaxResidualEventPx)
                throw new CalibrationRefusedException($"{bundle.Root}: the frames' estimates disagree by {residual:F2} event px RMS (> {o.MaxResidualEventPx})");
            double confidence = (1 - ambiguity) * keep.Count / (double)chosen.Count / (1 + residual);
            return new CalibrationResult(jointH, residual, residual / Math.Sqrt(keep.Count), keep.Count, chosen.Count, confidence, ambiguity,
                start.Scale, start.RotationRad * 180 / Math.PI, report.Values.ToList(), start.Mirrored);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    private static List<CoarseAligner.Candidate> Search(CoarseAligner aligner, List<(double Scale, double Angle)> candidates, bool mirrored)
    {
        var scored = new CoarseAligner.Candidate[candidates.Count];
        Parallel.For(0, candidates.Count, i => scored[i] = aligner.Score(candidates[i].Scale, candidates[i].Angle, mirrored));
        return scored.OrderByDescending(c => c.Score).ToList();
    }

    /// <summary>
    /// ECC of the event image (template) against the gradient image reduced to about the event scale: affine at a
    /// σ = 2.5 px blur, then the full homography at σ = 1 px. Returns the RGB → event homography, the final
    /// correlation coefficient and, on failure, why.
    /// </summary>
    private static (double[]? H, double Rho, string? Why) Refine(CalibrationFrame f, double[] start, double scale)
    {
        int w = Math.Max(16, (int)Math.Round(f.Gradient.Width * scale)), h = Math.Max(16, (int)Math.Round(f.Gradient.Height * scale));
        double fx = w / (double)f.Gradient.Width, fy = h / (double)f.Gradient.Height;
        double[] rgbToSmall = [fx, 0, 0.5 * fx - 0.5, 0, fy, 0.5 * fy - 0.5, 0, 0, 1];
        using var small = new Mat();
        Cv2.Resize(f.Gradient, small, new Size(w, h), 0, 0, InterpolationFlags.Area);
        var inv = Homography.FromRowMajor(start).Inverse();
        // The mask is over the input (OpenCV warps it into the template): the gradient image less a 3 px border, so
        // event pixels that see beyond the RGB frame do not count.
        using var mask = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
        using (var inner = mask[new Rect(3, 3, w - 6, h - 6)]) inner.SetTo(Scalar.All(1));
        var warp = CoarseAligner.Mul(rgbToSmall, inv.ToRowMajor());
        warp = warp.Select(v => v / warp[8]).ToArray();
        double rho = double.NaN;
        try
        {
            foreach (var (sigma, motion, iterations) in new[] { (2.5, MotionTypes.Affine, 60), (1.0, MotionTypes.Homography, 100) })
            {
                using var t = new Mat();
                using var i = new Mat();
                Cv2.GaussianBlur(f.EventImage, t, new Size(0, 0), sigma);
                Cv2.GaussianBlur(small, i, new Size(0, 0), sigma);
                int rows = motion == MotionTypes.Affine ? 2 : 3;
                using var m = new Mat(rows, 3, MatType.CV_32FC1);
                m.SetArray(warp.Take(rows * 3).Select(v => (float)v).ToArray());
                rho = Cv2.FindTransformECC(t, i, m, motion, new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, iterations, 1e-6), mask, 1);
                m.GetArray(out float[] got);
                warp = rows == 2 ? [got[0], got[1], got[2], got[3], got[4], got[5], 0, 0, 1] : got.Select(v => (double)v).ToArray();
            }
        }
        catch (OpenCVException e)
        {
            return (null, rho, $"ECC did not converge: {e.Message.Split('\n')[0]}");
        }
        if (warp.Any(v => !double.IsFinite(v))) return (null, rho, "ECC diverged");
        // warp: event px → small px, so RGB → event = warp⁻¹ · rgbToSmall
        var h2 = CoarseAligner.Mul(Homography.FromRowMajor(warp).Inverse().ToRowMajor(), rgbToSmall);
        return (h2.Select(v => v / h2[8]).ToArray(), rho, null);
    }

    /// <summary>
    /// Per window, the events inside it per event pixel, walking the file once. Each event is weighted by the inverse
    /// of the window's event rate at its time (<see cref="RateBins"/> bins, rates floored at a fifth of the mean):
    /// events count path length while the frame integrates time, so a camera that slows down would otherwise pull the
    /// two images apart along its path (measured on a simulated night bundle: 0.46 → 0.23 event px). Returns the
    /// weighted counts and the number of events of each window.
    /// </summary>
    private static (float[] Counts, long Events)[] CountEvents(string path, List<TimeRangeUs> windows, int width, int height)
    {
        var collected = ExposureEvents.Collect(path, windows, width, height);
        var times = collected.Select(c => c.Times).ToArray();
        var pixels = collected.Select(c => c.Pixels).ToArray();
        var result = new (float[], long)[windows.Count];
        for (int k = 0; k < windows.Count; k++)
        {
            var counts = new float[width * height];
            result[k] = (counts, times[k].Count);
            if (times[k].Count == 0) continue;
            double binUs = Math.Max(1, windows[k].DurationUs / (double)RateBins);
            int Bin(long t) => Math.Clamp((int)((t - windows[k].StartUs) / binUs), 0, RateBins - 1);
            var perBin = new double[RateBins];
            foreach (long t in times[k]) perBin[Bin(t)]++;
            double mean = perBin.Average();
            var weight = perBin.Select(c => (float)(mean / Math.Max(c, 0.2 * mean))).ToArray();
            for (int i = 0; i < times[k].Count; i++) counts[pixels[k][i]] += weight[Bin(times[k][i])];
        }
        return result;
    }

    private const int RateBins = 16;

    internal static List<FrameWindow> Spread(List<FrameWindow> windows, int count)
    {
        if (windows.Count <= count) return windows;
        return Enumerable.Range(0, count).Select(i => windows[(int)Math.Round(i * (windows.Count - 1) / (double)(count - 1))]).Distinct().ToList();
    }

    private static double AngleDistance(double a, double b)
    {
        double d = Math.Abs(a - b) % (2 * Math.PI);
        return d > Math.PI ? 2 * Math.PI - d : d;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }

    private static double Rms((double X, double Y)[] a, (double X, double Y)[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i].X - b[i].X) * (a[i].X - b[i].X) + (a[i].Y - b[i].Y) * (a[i].Y - b[i].Y);
        return Math.Sqrt(s / a.Length);
    }
}
