using EventDeblur.Calibration;
using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Streaks;
using EventDeblur.Recording;
using EventDeblur.Sync;
using OpenCvSharp;

namespace EventDeblur.Kernels;

/// <summary>
/// How far the exposure windows sit from where the events best match the frames: per frame, the image of the events in
/// the window moved by each offset (1-ms steps over ±<see cref="SearchUs"/>) is compared with the blurry frame's
/// log-gradient magnitude warped onto the event sensor through the rig homography (both blurred by 1 event px; Pearson
/// correlation over the pixels the frame covers, less the boxes of lights that flicker with the mains, whose bursts
/// match at every offset), and the offsets' correlations are summed over the frames. Motion blur is
/// in both views over the same stretch of the camera's path, so a window that is early or late by a few ms matches worse
/// (stop 49's trial: frames.csv times 5 ms early cost 4.3 dB with no word; the camera's latency does the same).
/// </summary>
public static class WindowOffsetScan
{
    /// <summary>The offsets searched, ± this much, µs (50 ms).</summary>
    public const long SearchUs = 50_000;

    /// <summary>Step of the search, µs (1 ms).</summary>
    public const long StepUs = 1_000;

    /// <summary>
    /// The offset (µs, positive: the events that match a frame come later than its window) is worth a replay option
    /// (<see cref="WindowOffsetResult.Clear"/>) only when at least this large (3 ms: the scan reads our simulators'
    /// on-time windows 1–3 ms late, and replaying with that shift costs PSNR — a night bundle 31.71 dB on time, 30.28 moved
    /// by +2.3 ms; a trial saw single frames move by −0.8 to +0.6 dB), when at least three
    /// quarters of the frames' own best offsets lie on its side of zero by half of it, when they scatter (median absolute
    /// deviation) by at most half of it, and when it is not at the edge of the search.
    /// </summary>
    public const long MinSuggestedUs = 3_000;

    /// <summary>
    /// Scans the offset of up to <paramref name="maxFrames"/> frames of <paramref name="bundle"/> spread over the recording
    /// (as <see cref="RigCalibrator"/> picks them), their windows shifted by <paramref name="latencyUs"/> (µs, as
    /// <c>--event-latency-us</c>), under <paramref name="rgbToEvents"/>; null as the other overload.
    /// </summary>
    public static WindowOffsetResult? Scan(RecordingBundle bundle, Homography rgbToEvents, long latencyUs, int maxFrames, CancellationToken ct = default)
    {
        var windows = bundle.ResolveExposures().Windows.Where(w => w.Exposure != null && w.Row != null).ToList();
        var chosen = RigCalibrator.Spread(windows, maxFrames);
        return Scan(bundle, rgbToEvents, [.. chosen.Select(w => (w, new TimeRangeUs(w.Exposure!.Value.StartUs + latencyUs, w.Exposure.Value.EndUs + latencyUs)))], ct: ct);
    }

    /// <summary>Most scans after the first that <see cref="Suggest"/> makes from the latency it found (2).</summary>
    public const int MaxRefinements = 2;

    /// <summary>A refining scan whose offset is under this (µs; half a step) ends the refinement: the windows are where the events match.</summary>
    public const long RefineStopUs = 500;

    /// <summary>
    /// The latency (µs, as <c>--event-latency-us</c>) that puts the windows where the events match the frames, or null when
    /// <paramref name="first"/> (a scan made at <paramref name="latencyUs"/>) is not <see cref="WindowOffsetResult.Clear"/>.
    /// The first offset is added, then the windows are scanned again from there, up to <see cref="MaxRefinements"/> times, and
    /// each new offset is added while it is at least <see cref="RefineStopUs"/>, on the first one's side of zero and at most
    /// half of it. Under the rig's true homography one scan lands within a fraction of a millisecond (a bundle whose frames.csv
    /// times were moved 10 ms late: −7.7 ms, the scan from there −0.02 ms), so the refining scan is mostly a check; under a
    /// homography estimated from the misplaced windows, as <c>calibrate</c>'s, the offset comes out short (the same bundle:
    /// −6.1 ms, and −1.3 ms more once the homography is estimated again with that latency: stop 49's second trial's "late
    /// windows corrected only part of the way").
    /// </summary>
    public static WindowLatencySuggestion? Suggest(RecordingBundle bundle, Homography rgbToEvents, long latencyUs, WindowOffsetResult? first, int maxFrames, CancellationToken ct = default)
    {
        if (first is not { Clear: true }) return null;
        long latency = latencyUs + first.OffsetUs;
        var added = new List<long>();
        for (int pass = 0; pass < MaxRefinements; pass++)
        {
            ct.ThrowIfCancellationRequested();
            var again = Scan(bundle, rgbToEvents, latency, maxFrames, ct);
            if (again == null || Math.Abs(again.OffsetUs) < RefineStopUs) break;
            if (Math.Sign(again.OffsetUs) != Math.Sign(first.OffsetUs) || 2 * Math.Abs(again.OffsetUs) > Math.Abs(first.OffsetUs)) break;
            latency += again.OffsetUs;
            added.Add(again.OffsetUs);
        }
        return new WindowLatencySuggestion(latency, first, added);
    }

    /// <summary>
    /// Scans the offset of <paramref name="windows"/> (frames with an exposure on the event clock, already shifted by the
    /// latency in use) of <paramref name="bundle"/> under <paramref name="rgbToEvents"/>; null when fewer than two frames
    /// hold at least <paramref name="minEvents"/> events in their windows.
    /// </summary>
    public static WindowOffsetResult? Scan(RecordingBundle bundle, Homography rgbToEvents, IReadOnlyList<(FrameWindow Frame, TimeRangeUs Window)> windows,
        long minEvents = 2000, CancellationToken ct = default)
    {
        if (bundle.Manifest.Rgb is not { } rgb || windows.Count == 0) return null;
        var (ew, eh) = bundle.EventSensorSize;
        int steps = (int)(2 * SearchUs / StepUs) + 1;
        var expanded = windows.Select(w => new TimeRangeUs(w.Window.StartUs - SearchUs, w.Window.EndUs + SearchUs + StepUs)).ToList();
        var collected = ExposureEvents.Collect(bundle.EventsPath, expanded, ew, eh);
        ct.ThrowIfCancellationRequested();
        var total = new double[steps];
        var perFrame = new List<(long Index, long BestUs)>();
        using var hm = Mat.FromPixelData(3, 3, MatType.CV_64FC1, rgbToEvents.ToRowMajor());
        for (int k = 0; k < windows.Count; k++)
        {
            ct.ThrowIfCancellationRequested();
            var (frame, window) = windows[k];
            var (times, pixels, on) = collected[k];
            var curve = Curve(frame, window, times, pixels, on, rgb, rgbToEvents, hm, ew, eh, steps, minEvents);
            if (curve == null) continue;
            for (int j = 0; j < steps; j++) total[j] += curve[j];
            perFrame.Add((frame.Index, Best(curve)));
        }
        if (perFrame.Count < 2) return null;
        return new WindowOffsetResult(Best(total), perFrame);
    }

    /// <summary>
    /// The boxes on the event sensor (event px, inclusive, clipped to it) of the frame's lights that flicker with the mains
    /// over <paramref name="window"/> (<see cref="FlickerDetector"/> on the events, as the kernels do).
    /// </summary>
    private static List<(int X0, int Y0, int X1, int Y1)> FlickeringBoxes(LinearImage image, RgbSpec rgb, Homography h, TimeRangeUs window,
        List<long> times, List<int> pixels, List<bool> on, int ew, int eh)
    {
        var found = new List<(int, int, int, int)>();
        double sat = new LinearImage.Encoding(rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel, 16).SaturationLinear;
        var streaks = StreakDetector.Detect(image, sat).Streaks;
        if (streaks.Count == 0) return found;
        var tracer = new StreakTracer();
        var boxes = streaks.Take(new EventKernelOptions().MaxStreaks).Select(s => tracer.EventBox(s, h)).ToList();
        var inWindow = Enumerable.Range(0, times.Count).Where(i => times[i] >= window.StartUs && times[i] < window.EndUs).ToList();
        var slice = new EventSlice([.. inWindow.Select(i => times[i])], [.. inWindow.Select(i => (short)(pixels[i] % ew))],
            [.. inWindow.Select(i => (short)(pixels[i] / ew))], [.. inWindow.Select(i => on[i])]);
        var flicker = FlickerDetector.DetectAll(slice, (ew, eh), boxes, window);
        for (int k = 0; k < boxes.Count; k++)
        {
            if (flicker[k] == null) continue;
            var (x0, y0, x1, y1) = boxes[k];
            int bx0 = (int)Math.Clamp(Math.Ceiling(x0), 0, ew - 1), by0 = (int)Math.Clamp(Math.Ceiling(y0), 0, eh - 1);
            int bx1 = (int)Math.Clamp(Math.Floor(x1), 0, ew - 1), by1 = (int)Math.Clamp(Math.Floor(y1), 0, eh - 1);
            if (bx1 >= bx0 && by1 >= by0) found.Add((bx0, by0, bx1, by1));
        }
        return found;
    }

    /// <summary>The offset (µs) of the highest point of a curve over the search's steps, refined by a parabola through it and its neighbours.</summary>
    private static long Best(double[] curve)
    {
        int j = Array.IndexOf(curve, curve.Max());
        double frac = 0;
        if (j > 0 && j < curve.Length - 1)
        {
            double a = curve[j - 1], b = curve[j], c = curve[j + 1], den = a - 2 * b + c;
            if (den < 0) frac = Math.Clamp(0.5 * (a - c) / den, -0.5, 0.5);
        }
        return (long)Math.Round((j + frac) * StepUs - SearchUs);
    }

    /// <summary>The correlation at every offset of one frame's window, or null when its window holds too few events or its frame is flat.</summary>
    private static double[]? Curve(FrameWindow frame, TimeRangeUs window, List<long> times, List<int> pixels, List<bool> on, RgbSpec rgb,
        Homography h, Mat rgbToEvents, int ew, int eh, int steps, long minEvents)
    {
        if (frame.Row == null) return null;
        // Events inside the unshifted window.
        int inWindow = times.Count(t => t >= window.StartUs && t < window.EndUs);
        if (inWindow < minEvents) return null;
        var image = LinearImage.Read(frame.Row.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
        // Lights flickering with the mains fire bursts that match the frame's lights at every offset (a trial's lamps at
        // 100 Hz hid windows 8 ms early): their boxes are left out of both views.
        var flickering = FlickeringBoxes(image, rgb, h, window, times, pixels, on, ew, eh);
        using var gradient = CalibrationFrame.GradientFrom(image.Planes, image.Width, image.Height);
        using var warped = new Mat();
        using var covered = new Mat();
        Cv2.WarpPerspective(gradient, warped, rgbToEvents, new Size(ew, eh), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        using (var ones = new Mat(gradient.Rows, gradient.Cols, MatType.CV_32FC1, Scalar.All(1)))
            Cv2.WarpPerspective(ones, covered, rgbToEvents, new Size(ew, eh), InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        using var reference = new Mat();
        Cv2.GaussianBlur(warped, reference, new Size(0, 0), 1.0);
        var refPixels = new float[ew * eh];
        var mask = new float[ew * eh];
        reference.GetArray(out refPixels);
        covered.GetArray(out mask);
        foreach (var (x0, y0, x1, y1) in flickering)
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) mask[y * ew + x] = 0;
        int n = 0;
        double refMean = 0;
        for (int i = 0; i < refPixels.Length; i++) if (mask[i] > 0) { refMean += refPixels[i]; n++; }
        if (n < 64) return null;
        refMean /= n;
        double refVar = 0;
        for (int i = 0; i < refPixels.Length; i++) if (mask[i] > 0) refVar += (refPixels[i] - refMean) * (refPixels[i] - refMean);
        if (!(refVar > 0)) return null;

        // The event image of the window at the first offset, then moved 1 ms at a time: events leave at its start and
        // join at its end (the times are in file order, which is time order).
        var counts = new float[ew * eh];
        long start = window.StartUs - SearchUs, end = window.EndUs - SearchUs;
        int lo = 0, hi = 0;
        while (lo < times.Count && times[lo] < start) lo++;
        hi = lo;
        while (hi < times.Count && times[hi] < end) counts[pixels[hi++]]++;
        var curve = new double[steps];
        using var countsMat = new Mat(eh, ew, MatType.CV_32FC1);
        using var blurred = new Mat();
        var smooth = new float[ew * eh];
        for (int j = 0; j < steps; j++)
        {
            countsMat.SetArray(counts);
            Cv2.GaussianBlur(countsMat, blurred, new Size(0, 0), 1.0);
            blurred.GetArray(out smooth);
            double mean = 0;
            for (int i = 0; i < smooth.Length; i++) if (mask[i] > 0) mean += smooth[i];
            mean /= n;
            double cov = 0, var = 0;
            for (int i = 0; i < smooth.Length; i++)
            {
                if (!(mask[i] > 0)) continue;
                double d = smooth[i] - mean;
                cov += d * (refPixels[i] - refMean);
                var += d * d;
            }
            curve[j] = var > 0 ? cov / Math.Sqrt(var * refVar) : 0;
            start += StepUs;
            end += StepUs;
            while (lo < times.Count && times[lo] < start) { if (lo < hi) counts[pixels[lo]]--; lo++; }
            if (hi < lo) hi = lo;
            while (hi < times.Count && times[hi] < end) counts[pixels[hi++]]++;
        }
        return curve;
    }
}

/// <summary>What <see cref="WindowOffsetScan"/> found.</summary>
/// <param name="OffsetUs">The offset (µs; positive: the events that match the frames come later than their windows) at which the frames' summed correlation peaks, within ±<see cref="WindowOffsetScan.SearchUs"/>.</param>
/// <param name="Frames">Each scanned frame's index and its own best offset, µs.</param>
public sealed record WindowOffsetResult(long OffsetUs, IReadOnlyList<(long Index, long BestUs)> Frames)
{
    /// <summary>Whether the offset lies at the edge of the search (within one step of ±<see cref="WindowOffsetScan.SearchUs"/>): the windows may be off by more.</summary>
    public bool AtEdge => Math.Abs(OffsetUs) >= WindowOffsetScan.SearchUs - WindowOffsetScan.StepUs;

    /// <summary>The median absolute deviation of the frames' own best offsets, µs.</summary>
    public double ScatterUs
    {
        get
        {
            var b = Frames.Select(f => (double)f.BestUs).Order().ToArray();
            double median = b.Length % 2 == 1 ? b[b.Length / 2] : (b[b.Length / 2 - 1] + b[b.Length / 2]) / 2;
            var d = b.Select(v => Math.Abs(v - median)).Order().ToArray();
            return d.Length % 2 == 1 ? d[d.Length / 2] : (d[d.Length / 2 - 1] + d[d.Length / 2]) / 2;
        }
    }

    /// <summary>
    /// Whether the offset is worth a replay option: at least <see cref="WindowOffsetScan.MinSuggestedUs"/> from zero, not
    /// <see cref="AtEdge"/>, at least three quarters of the frames' own best offsets on its side of zero (by at least half
    /// of it), and their <see cref="ScatterUs"/> at most half of it.
    /// </summary>
    public bool Clear => Math.Abs(OffsetUs) >= WindowOffsetScan.MinSuggestedUs && !AtEdge
                         && Frames.Count(f => Math.Sign(f.BestUs) == Math.Sign(OffsetUs) && Math.Abs(f.BestUs) >= Math.Abs(OffsetUs) / 2) * 4 >= 3 * Frames.Count
                         && ScatterUs <= Math.Abs(OffsetUs) / 2.0;
}

/// <summary>The latency <see cref="WindowOffsetScan.Suggest"/> found.</summary>
/// <param name="LatencyUs">The latency to replay with, µs (as <c>--event-latency-us</c>, the latency of the first scan included).</param>
/// <param name="First">The first scan, whose offset was <see cref="WindowOffsetResult.Clear"/>.</param>
/// <param name="RefinementsUs">The offsets of the refining scans that were added after the first, µs (empty when the first scan's sufficed).</param>
public sealed record WindowLatencySuggestion(long LatencyUs, WindowOffsetResult First, IReadOnlyList<long> RefinementsUs);
