using System.Runtime.CompilerServices;
using EventDeblur.Events;
using EventDeblur.Imaging;

namespace EventDeblur.Kernels;

/// <summary>
/// Scores camera-motion hypotheses by the events themselves: every hypothesis warps the same events of the exposure
/// (noise-filtered, evenly subsampled) back to their mid-exposure positions — through the rig homography into frame
/// pixels, minus the hypothesis' offset at the event's time and position, back into event pixels — and the variance of
/// the image of warped events (bilinear, full event resolution) is its score: the motion that explains the edges'
/// movement best stacks their events most sharply. Spatially varying models (rotation, affine) warp each event by the
/// motion at its own position, so they compete fairly with a translation.
/// </summary>
public sealed class EventWarpScorer
{
    private readonly ContrastMaximizationOptions _o;

    /// <summary>Makes a scorer that filters and subsamples events as <paramref name="options"/> say (validated here).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it and the range).</exception>
    public EventWarpScorer(ContrastMaximizationOptions? options = null)
    {
        _o = options ?? new ContrastMaximizationOptions();
        _o.Validate();
    }

    /// <summary>
    /// The warped-event image variance (events² per pixel², ≥ 0) of each of <paramref name="hypotheses"/> (frame-pixel
    /// motions sampled equally over <paramref name="exposure"/>, event clock µs), from <paramref name="events"/> on a
    /// sensor of <paramref name="sensorSize"/> event pixels; <paramref name="frameToEvents"/> maps frame to event pixels.
    /// All zeros when fewer than the options' minimum of events remain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] Score(EventSlice events, (int Width, int Height) sensorSize, Homography frameToEvents, TimeRangeUs exposure, IReadOnlyList<CameraMotion> hypotheses)
    {
        var ev = events;
        var scores = new double[hypotheses.Count];
        var (ew, eh) = sensorSize;
        var (all, stride, n) = ExposureEventSample.Of(ev, exposure, _o);
        if (n < _o.MinEvents || ew <= 0 || eh <= 0) return scores;

        var toFrame = frameToEvents.Inverse();
        var fx = new double[n];
        var fy = new double[n];
        var tau = new double[n];
        for (int j = 0; j < n; j++)
        {
            int i = all[j * stride];
            (fx[j], fy[j]) = toFrame.Apply(ev.X[i], ev.Y[i]);
            tau[j] = Math.Clamp((ev.T[i] - exposure.StartUs) / (double)exposure.DurationUs, 0, 1);
        }
        var img = new float[ew * eh];
        for (int hyp = 0; hyp < hypotheses.Count; hyp++)
        {
            var samples = hypotheses[hyp].Samples;
            int s = samples.Length;
            var mid = samples[s / 2];
            Array.Clear(img);
            for (int j = 0; j < n; j++)
            {
                int k = Math.Min(s - 1, (int)(tau[j] * s));
                double x = fx[j], y = fy[j];
                var at = samples[k].Apply(x, y);
                var m = mid.Apply(x, y);
                // Back to where the edge was at mid-exposure, then into event pixels.
                var (qx, qy) = frameToEvents.Apply(x - (at.X - m.X), y - (at.Y - m.Y));
                if (!(qx >= 0 && qy >= 0 && qx < ew - 1 && qy < eh - 1)) continue;
                int x0 = (int)qx, y0 = (int)qy;
                float ax = (float)(qx - x0), ay = (float)(qy - y0);
                int p = y0 * ew + x0;
                img[p] += (1 - ax) * (1 - ay); img[p + 1] += ax * (1 - ay); img[p + ew] += (1 - ax) * ay; img[p + ew + 1] += ax * ay;
            }
            double sum = 0, sum2 = 0;
            foreach (float v in img) { sum += v; sum2 += (double)v * v; }
            double mean = sum / img.Length;
            scores[hyp] = sum2 / img.Length - mean * mean;
        }
        return scores;
    }
}
