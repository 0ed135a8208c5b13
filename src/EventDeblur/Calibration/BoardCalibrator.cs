using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;

namespace EventDeblur.Calibration;

/// <summary>
/// Estimates a hybrid rig's RGB → event homography from a calibration recording of a checkerboard on a blinking
/// screen (the screen shows the board and black in turn, as DV's, e2calib's and Prophesee's blinking-pattern
/// calibrations do; the manifest's calibration is ignored). Per frame, the RGB frame shows the board; the events
/// inside its exposure, counted per pixel, show the squares that blinked — the white ones and the border — so the
/// event image is an image of the board too. The inner corners are found in both views (OpenCV
/// <c>findChessboardCorners</c>, else <c>findChessboardCornersSB</c>, then <c>cornerSubPix</c>), matched in order
/// (<see cref="ChessboardCorners.Match"/>: mirror, 180° and 90° ambiguities), and one homography is fitted to the
/// corners of all frames by RANSAC (<c>findHomography</c>, refined on the inliers); frames whose corners disagree
/// with the others are left out and the fit repeated. A printed board under steady light gives only edge events when
/// moved: use <see cref="RigCalibrator"/> for such recordings.
/// </summary>
public static class BoardCalibrator
{
    /// <summary>Estimates the homography of <paramref name="bundle"/> from its checkerboard.</summary>
    /// <param name="bundle">An RGB + events bundle whose scene is the blinking board (not an APS bundle).</param>
    /// <param name="options">The board and settings.</param>
    /// <param name="log">Receives one line per step (events read, per frame what was found); may be null.</param>
    /// <param name="ct">Checked between frames: Ctrl+C stops the estimate.</param>
    /// <exception cref="UserInputException">An APS bundle or bad options (unusable).</exception>
    /// <exception cref="CalibrationRefusedException">The board was not found in both views of enough frames, or the frames disagree; the message says which.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static BoardCalibrationResult Estimate(RecordingBundle bundle, BoardCalibrationOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        var o = options;
        try { o.Validate(); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
        if (bundle.Manifest.Rgb is not { } rgb)
            throw new UserInputException($"{bundle.Root}: its frames are the event camera's own APS frames, which share the event pixel grid (identity calibration); there is nothing to calibrate");
        var (ew, eh) = bundle.EventSensorSize;
        string board = $"{o.Columns}x{o.Rows}";
        var windows = bundle.ResolveExposures().Windows.Where(w => w.Exposure != null && w.Row != null).ToList();
        if (windows.Count < o.MinFrames)
            throw new CalibrationRefusedException($"{bundle.Root}: {windows.Count} frame(s) with an exposure window on the event clock; at least {o.MinFrames} are needed to calibrate");
        var chosen = RigCalibrator.Spread(windows, o.MaxFrames);
        var shifted = chosen.Select(c => new TimeRangeUs(c.Exposure!.Value.StartUs + o.EventLatencyUs, c.Exposure.Value.EndUs + o.EventLatencyUs)).ToList();
        var collected = ExposureEvents.Collect(bundle.EventsPath, shifted, ew, eh);
        ct.ThrowIfCancellationRequested();
        log?.Invoke($"read {collected.Sum(c => (long)c.Times.Count):N0} events in the exposures of {chosen.Count} frames");

        var report = new SortedDictionary<long, BoardFrameCalibration>();
        var matched = new List<(long Index, long Events, Point2d[] Rgb, Point2d[] Events2, string How)>();
        for (int k = 0; k < chosen.Count; k++)
        {
            ct.ThrowIfCancellationRequested();
            long index = chosen[k].Index, events = collected[k].Times.Count;
            var image = LinearImage.Read(chosen[k].Row!.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
            using var gray = Gray(image);
            var rgbCorners = ChessboardCorners.Find(gray, o.Columns, o.Rows);
            if (rgbCorners == null)
            {
                Reject(index, events, false, false, $"the {board} board was not found in the RGB frame");
                continue;
            }
            if (events < o.MinEventsPerFrame)
            {
                Reject(index, events, true, false, $"too few events in the exposure ({events} < {o.MinEventsPerFrame})");
                continue;
            }
            var counts = new float[ew * eh];
            foreach (int p in collected[k].Pixels) counts[p]++;
            using var eventImage = CalibrationFrame.EventImageFrom(counts, ew, eh);
            var eventCorners = ChessboardCorners.Find(eventImage, o.Columns, o.Rows);
            if (eventCorners == null)
            {
                Reject(index, events, true, false, $"the {board} board was not found in the event image ({events:N0} events; the screen must blink between the board and black during the exposure)");
                continue;
            }
            if (ChessboardCorners.Match(rgbCorners, gray, eventCorners, eventImage, o.Columns, o.Rows) is not { } m)
            {
                Reject(index, events, true, true, "the squares' colours in the two views cannot be matched (is the screen alternating with black, not white?)");
                continue;
            }
            log?.Invoke($"frame {index}: board found in both views ({events:N0} events), order by {m.How}");
            matched.Add((index, events, rgbCorners, m.Events, m.How));
        }
        if (matched.Count < o.MinFrames)
            throw new CalibrationRefusedException($"{bundle.Root}: the {board} board was found in both views of {matched.Count} frame(s) of {chosen.Count}, at least {o.MinFrames} needed: " +
                string.Join("; ", report.Values.Select(f => $"frame {f.Index}: {f.Rejection}")) +
                // The usual slip: the squares counted instead of the inner corners (a board of 10 × 7 squares is 9x6).
                (matched.Count == 0 && o.Columns > 3 && o.Rows > 3 ? $". --checkerboard counts inner corners, one fewer than the squares per row and column: a board of {o.Columns}×{o.Rows} squares is {o.Columns - 1}x{o.Rows - 1}" : ""));

        // Joint RANSAC fit; a frame most of whose corners disagree with it (a wrong order, a false detection) is left
        // out and the fit repeated on the others.
        var used = matched;
        var fit = Fit(used, o.RansacThresholdEventPx);
        var frameRms = used.Select(f => Rms(fit.H, f.Rgb, f.Events2)).ToList();
        double gate = Math.Max(2 * o.RansacThresholdEventPx, 3 * Median(frameRms));
        var keep = used.Where((_, i) => frameRms[i] <= gate).ToList();
        for (int i = 0; i < used.Count; i++)
            if (frameRms[i] > gate)
                Reject(used[i].Index, used[i].Events, true, true, $"disagrees with the other frames ({frameRms[i]:F2} event px RMS from their fit > {gate:F2})", used[i].How, frameRms[i]);
        if (keep.Count < o.MinFrames)
            throw new CalibrationRefusedException($"{bundle.Root}: only {keep.Count} frame(s) agree on a homography (at least {o.MinFrames} needed): " +
                string.Join("; ", report.Values.Select(f => $"frame {f.Index}: {f.Rejection}")));
        if (keep.Count < used.Count) fit = Fit(keep, o.RansacThresholdEventPx);
        used = keep;

        var h = Homography.FromRowMajor(fit.H);
        double sq = 0, max = 0;
        int inliers = 0, n = 0;
        foreach (var f in used)
        {
            for (int i = 0; i < f.Rgb.Length; i++, n++)
            {
                if (!fit.Inlier[n]) continue;
                double d = Distance(h, f.Rgb[i], f.Events2[i]);
                sq += d * d;
                max = Math.Max(max, d);
                inliers++;
            }
            report[f.Index] = new BoardFrameCalibration(f.Index, f.Events, true, true, f.How, Rms(fit.H, f.Rgb, f.Events2), true, null);
        }
        double residual = Math.Sqrt(sq / Math.Max(1, inliers));
        double coverage = Coverage(used.SelectMany(f => f.Rgb), rgb.Width, rgb.Height);
        log?.Invoke($"joint: {used.Count} frames, {inliers} of {n} corners, residual {residual:F3} event px RMS (max {max:F3}), the corners span {coverage:P0} of the RGB frame");
        if (residual > o.MaxResidualEventPx)
            throw new CalibrationRefusedException($"{bundle.Root}: the corners fit one homography only to {residual:F2} event px RMS (> {o.MaxResidualEventPx})");
        return new BoardCalibrationResult(h, residual, max, used.Count, chosen.Count, inliers, n, coverage, report.Values.ToList());

        void Reject(long index, long events, bool inRgb, bool inEvents, string why, string? how = null, double rms = double.NaN)
        {
            log?.Invoke($"frame {index}: {why}");
            report[index] = new BoardFrameCalibration(index, events, inRgb, inEvents, how, rms, false, why);
        }
    }

    private static (double[] H, bool[] Inlier) Fit(List<(long Index, long Events, Point2d[] Rgb, Point2d[] Events2, string How)> frames, double threshold)
    {
        var src = frames.SelectMany(f => f.Rgb).ToArray();
        var dst = frames.SelectMany(f => f.Events2).ToArray();
        using var mask = new Mat();
        using var hm = Cv2.FindHomography(InputArray.Create(src), InputArray.Create(dst), HomographyMethods.Ransac, threshold, mask, 5000, 0.999);
        if (hm.Empty()) throw new CalibrationRefusedException("the corners admit no homography");
        hm.GetArray(out double[] raw);
        mask.GetArray(out byte[] inlier);
        return (raw.Select(v => v / raw[8]).ToArray(), inlier.Select(b => b != 0).ToArray());
    }

    private static Mat Gray(LinearImage image)
    {
        int n = image.Width * image.Height;
        var gray = new float[n];
        foreach (var p in image.Planes)
            for (int i = 0; i < n; i++) gray[i] += p[i] / image.Planes.Length;
        var m = new Mat(image.Height, image.Width, MatType.CV_32FC1);
        m.SetArray(gray);
        return m;
    }

    private static double Distance(Homography h, Point2d rgb, Point2d events)
    {
        var (x, y) = h.Apply(rgb.X, rgb.Y);
        return Math.Sqrt((x - events.X) * (x - events.X) + (y - events.Y) * (y - events.Y));
    }

    private static double Rms(double[] h, Point2d[] rgb, Point2d[] events)
    {
        var hom = Homography.FromRowMajor(h);
        double s = 0;
        for (int i = 0; i < rgb.Length; i++) s += Math.Pow(Distance(hom, rgb[i], events[i]), 2);
        return Math.Sqrt(s / rgb.Length);
    }

    private static double Median(List<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }

    /// <summary>Fraction of a 32 × 24 grid over the RGB frame inside the convex hull of <paramref name="points"/>.</summary>
    private static double Coverage(IEnumerable<Point2d> points, int width, int height)
    {
        var hull = Cv2.ConvexHull(points.Select(p => new Point2f((float)p.X, (float)p.Y)));
        int inside = 0;
        for (int j = 0; j < 24; j++)
            for (int i = 0; i < 32; i++)
                if (Cv2.PointPolygonTest(hull, new Point2f(i * (width - 1f) / 31, j * (height - 1f) / 23), false) >= 0) inside++;
        return inside / (32.0 * 24);
    }
}
