using EventDeblur.Events;

namespace EventDeblur.Live;

/// <summary>
/// Decides which exposure from the trigger stream an RGB frame of a live rig belongs to. Frames and exposures arrive
/// apart (an OpenCV source and a DV stream), so nothing but order and time links them:
/// <list type="bullet">
/// <item>When the RGB source stamps its frames (OpenCV's <c>CAP_PROP_POS_MSEC</c>: a V4L2 camera's buffer time, a
/// network stream's or a video's presentation time) and the stamps advance as the exposures do (checked once the frames
/// paired in arrival order span four frame periods: within −20 %..+25 %; otherwise they are given up, with a problem
/// saying so — a video file's nominal rate that is not the rig's), each later
/// frame with the exposure whose time, predicted from the frame's stamp through the offset of the recent pairs, lies
/// within half a frame period of it. An RGB frame the source dropped leaves its exposure unpaired (reported, not
/// shifted onto the next frame); a frame with no exposure near its stamp (a missed trigger) is reported instead of
/// taking the next frame's exposure. The offset is followed over the last 16 pairs (clock drift), on the exposure
/// start or end, whichever the stamps track more steadily (cameras stamp either).</item>
/// <item>When they carry no usable stamps (an image sequence: all 0; stamps that do not increase), frames and exposures
/// are paired in arrival order: a dropped frame then shifts the pairing after it, which only the counts at the end
/// can reveal (<see cref="LiveSummary.UnpairedExposures"/>).</item>
/// </list>
/// Not thread-safe: one dispatch loop owns it.
/// </summary>
public sealed class FrameExposurePairer
{
    private const int Window = 16;
    private readonly List<(long FrameUs, TimeRangeUs Exposure)> _pairs = [];
    private long? _lastFrameUs;
    private (long FrameUs, TimeRangeUs Exposure)? _firstPair;
    private bool _validated;
    private int _framesSeen;

    /// <summary>Whether pairing follows the frames' stamps: they increase, and they advanced as the exposures did (checked once).</summary>
    public bool ByTimestamps => _stamped && _validated;

    private bool _stamped;

    /// <summary>Why the stamps stopped being used (a stamp that did not increase), or null.</summary>
    public string? TimestampsAbandoned { get; private set; }

    /// <summary>The outcome of <see cref="Decide"/>.</summary>
    /// <param name="Kind">What to do with the frame.</param>
    /// <param name="Exposure">With <see cref="PairingKind.Pair"/>: the index into the exposure list of the frame's exposure (≥ the <c>next</c> given); the exposures from <c>next</c> up to it got no frame.</param>
    /// <param name="Reason">With <see cref="PairingKind.NoExposure"/>, or with skipped exposures: why, in words.</param>
    public readonly record struct Decision(PairingKind Kind, int Exposure, string? Reason);

    /// <summary>
    /// Records the stamp of the next frame read, in order (call once per frame as it is read, before any
    /// <see cref="Decide"/> for it). A stamp ≤ the previous one switches timestamp pairing off for the rest of the run.
    /// </summary>
    /// <param name="frameUs">The frame's stamp on the RGB source's clock, µs; null when the source gives none.</param>
    public void Observe(long? frameUs)
    {
        _framesSeen++;
        if (TimestampsAbandoned != null) return;
        if (frameUs is not long t)
        {
            if (_framesSeen > 1) Abandon("the RGB source gave a frame without a timestamp");
            return;
        }
        if (_lastFrameUs is long last)
        {
            if (t <= last) { Abandon($"the RGB source's timestamps did not increase ({last / 1000.0:0.###} ms, then {t / 1000.0:0.###} ms)"); return; }
            if (_framesSeen == 2) _stamped = true;
        }
        _lastFrameUs = t;
    }

    private void Abandon(string why)
    {
        // Stamps of 0 throughout (an image sequence) never switched pairing on: nothing to say.
        TimestampsAbandoned = _stamped ? why + "; frames are paired with exposures in arrival order from here on" : "";
        _stamped = false;
    }

    /// <summary>
    /// Which exposure the frame stamped <paramref name="frameUs"/> belongs to, given the exposures received so far
    /// (event clock, in order) and the first one not yet paired.
    /// </summary>
    /// <param name="frameUs">The frame's stamp, µs (as given to <see cref="Observe"/>); ignored when pairing in arrival order.</param>
    /// <param name="exposures">Every exposure received so far, in order.</param>
    /// <param name="next">Index of the first exposure not yet paired or skipped.</param>
    /// <param name="streamEnded">The trigger stream will bring no more exposures: decide with what there is.</param>
    public Decision Decide(long? frameUs, IReadOnlyList<TimeRangeUs> exposures, int next, bool streamEnded)
    {
        long period = Period(exposures);
        // Stamps that do not advance with the exposures (a video file's nominal rate that is not the rig's) are not the
        // camera's clock: pairing by them would drop good frames, so they are given up for arrival order.
        // Checked once, over at least four periods of pairs made in arrival order: the stamps' advance against the exposures'.
        if (_stamped && !_validated && _firstPair is { } first && _pairs.Count > 0)
        {
            var last = _pairs[^1];
            double exposureSpan = last.Exposure.StartUs - first.Exposure.StartUs;
            if (exposureSpan >= 4.0 * period)
            {
                double ratio = (last.FrameUs - first.FrameUs) / exposureSpan;
                // Stamps steadier than the exposures they follow are a file's nominal frame rate (serve --video writes one),
                // not a camera's clock: a pause or a burst in the rig's timing would send them off its exposures.
                double stampJitter = StepSpread(_pairs.Select(p => p.FrameUs).ToList()), exposureJitter = StepSpread(_pairs.Select(p => p.Exposure.StartUs).ToList());
                if (ratio is < 0.8 or > 1.25)
                    Abandon($"the RGB source's timestamps advanced {(last.FrameUs - first.FrameUs) / 1000.0:0.###} ms while the exposures paired with those frames advanced {exposureSpan / 1000.0:0.###} ms, so they are not the camera's clock");
                else if (exposureJitter > 2_000 && stampJitter < 0.1 * exposureJitter)
                    Abandon($"the RGB source's timestamps step by {stampJitter / 1000.0:0.###} ms at most from their median where the exposures step by up to {exposureJitter / 1000.0:0.###} ms: a file's nominal frame rate, not the camera's clock");
                else _validated = true;
            }
        }
        if (!ByTimestamps || frameUs is not long t)
            return next < exposures.Count ? new(PairingKind.Pair, next, null) : streamEnded ? new(PairingKind.NoExposure, -1, null) : new(PairingKind.Wait, -1, null);

        bool useEnd = TracksEnd();
        long offset = Offset(useEnd);
        long predicted = t + offset, tolerance = period / 2;
        long Ref(TimeRangeUs e) => useEnd ? e.EndUs : e.StartUs;
        int j = next;
        while (j < exposures.Count && Ref(exposures[j]) < predicted - tolerance) j++;
        if (j == exposures.Count)
            return streamEnded
                ? new(PairingKind.NoExposure, -1, $"no exposure from the trigger stream near its timestamp ({t / 1000.0:0.###} ms on the RGB clock, {predicted} µs expected on the event clock)")
                : new(PairingKind.Wait, -1, null);
        if (Ref(exposures[j]) > predicted + tolerance)
        {
            // One frame without an exposure is a missed trigger; two in a row mean the stamps have left the exposures
            // (a pause in the rig that the stamps do not show): they are given up, and this frame paired in order.
            if (++_misses >= 2)
            {
                Abandon($"two frames in a row had no exposure near their timestamps (the last at {t / 1000.0:0.###} ms, {predicted} µs expected, the nearest exposure at {Ref(exposures[j])} µs): the stamps no longer follow the exposures");
                return new(PairingKind.Pair, next, null);
            }
            return new(PairingKind.NoExposure, -1, $"no exposure from the trigger stream near its timestamp ({t / 1000.0:0.###} ms on the RGB clock, {predicted} µs expected on the event clock, the nearest exposure at {Ref(exposures[j])} µs; a missed trigger?)");
        }
        // The nearest of the exposures within reach (ends of exposures of unequal length can lie closer than a period).
        for (int k = j + 1; k < exposures.Count && Ref(exposures[k]) <= predicted + tolerance; k++)
            if (Math.Abs(Ref(exposures[k]) - predicted) < Math.Abs(Ref(exposures[j]) - predicted)) j = k;
        _misses = 0;
        string? skipped = j > next
            ? $"the RGB source's timestamps skip {j - next} frame period(s) before this frame ({(_lastPairedFrameUs is long lp ? $"{lp / 1000.0:0.###} → " : "")}{t / 1000.0:0.###} ms): the source dropped the frame(s) of the exposure(s) in between"
            : null;
        return new(PairingKind.Pair, j, skipped);
    }

    private long? _lastPairedFrameUs;
    private int _misses;

    /// <summary>The largest distance of a step between consecutive values from the median step, µs (0 with fewer than 3 values).</summary>
    private static double StepSpread(List<long> values)
    {
        if (values.Count < 3) return 0;
        var steps = values.Zip(values.Skip(1), (a, b) => (double)(b - a)).ToList();
        var sorted = steps.Order().ToList();
        double median = sorted[sorted.Count / 2];
        return steps.Max(x => Math.Abs(x - median));
    }

    /// <summary>Records that the frame stamped <paramref name="frameUs"/> took <paramref name="exposure"/>.</summary>
    public void Paired(long? frameUs, TimeRangeUs exposure)
    {
        if (frameUs is not long t) return;
        _pairs.Add((t, exposure));
        _firstPair ??= (t, exposure);
        if (_pairs.Count > Window) _pairs.RemoveAt(0);
        _lastPairedFrameUs = t;
    }

    private long Offset(bool useEnd)
    {
        var d = _pairs.Select(p => (useEnd ? p.Exposure.EndUs : p.Exposure.StartUs) - p.FrameUs).Order().ToList();
        return d[d.Count / 2];
    }

    /// <summary>Whether the stamps follow the exposure ends more steadily than the starts (exposures of varying length).</summary>
    private bool TracksEnd()
    {
        if (_pairs.Count < 3) return false;
        double Spread(bool end)
        {
            var d = _pairs.Select(p => (double)((end ? p.Exposure.EndUs : p.Exposure.StartUs) - p.FrameUs)).Order().ToList();
            double m = d[d.Count / 2];
            var dev = d.Select(v => Math.Abs(v - m)).Order().ToList();
            return dev[dev.Count / 2];
        }
        return Spread(true) < Spread(false);
    }

    private long Period(IReadOnlyList<TimeRangeUs> exposures)
    {
        var steps = new List<long>();
        for (int j = Math.Max(1, exposures.Count - 32); j < exposures.Count; j++) steps.Add(exposures[j].StartUs - exposures[j - 1].StartUs);
        if (steps.Count == 0)
            for (int i = 1; i < _pairs.Count; i++) steps.Add(_pairs[i].FrameUs - _pairs[i - 1].FrameUs);
        if (steps.Count == 0) return 1_000_000;
        steps.Sort();
        return Math.Max(1, steps[steps.Count / 2]);
    }
}

/// <summary>What <see cref="FrameExposurePairer.Decide"/> says to do with a frame.</summary>
public enum PairingKind
{
    /// <summary>Not decidable yet: the exposure it belongs to may still arrive.</summary>
    Wait,

    /// <summary>Pair it with the exposure named.</summary>
    Pair,

    /// <summary>It has no exposure (a missed trigger, or the trigger stream ended): drop it with the reason given.</summary>
    NoExposure,
}
