using EventDeblur.Events;
using EventDeblur.Imaging;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Event-based double integral (Pan et al., CVPR 2019): the event-only baseline for DAVIS frames.
/// With E(t) the signed event count of a pixel between mid-exposure and t, the sharp image at
/// mid-exposure is <c>L = B · T / ∫ exp(c·E(t)) dt</c> over the exposure, c the contrast threshold
/// (log units). Needs frames on the event pixel grid (APS frames).
/// </summary>
public static class EdiReconstructor
{
    /// <summary>Default contrast threshold, log units (typical DAVIS setting).</summary>
    public const double DefaultThreshold = 0.25;

    /// <summary>Reconstructs the mid-exposure frame from <paramref name="blurry"/> and the events of its exposure.</summary>
    /// <exception cref="ArgumentException">The frame is not on the event grid.</exception>
    public static LinearImage Reconstruct(LinearImage blurry, EventSlice events, TimeRangeUs exposure, (int Width, int Height) sensor, double threshold = DefaultThreshold)
    {
        if (blurry.Width != sensor.Width || blurry.Height != sensor.Height)
            throw new ArgumentException($"EDI needs frames on the event pixel grid ({sensor.Width}×{sensor.Height}); this frame is {blurry.Width}×{blurry.Height} (use an APS bundle)");
        int w = blurry.Width, n = w * blurry.Height;
        double T = exposure.DurationUs, mid = exposure.StartUs + T / 2;
        var level = new int[n];       // signed events since exposure start
        var lastT = new double[n];    // start of the current constant piece
        var integral = new double[n]; // ∫ exp(c·E_start(t)) dt so far
        var atMid = new int[n];
        var midSet = new bool[n];
        Array.Fill(lastT, exposure.StartUs);
        for (int i = 0; i < events.Count; i++)
        {
            long t = events.T[i];
            if (t < exposure.StartUs) continue;
            if (t >= exposure.EndUs) break;
            int x = events.X[i], y = events.Y[i];
            if ((uint)x >= (uint)w || (uint)y >= (uint)blurry.Height) continue;
            int k = y * w + x;
            if (!midSet[k] && t >= mid) { atMid[k] = level[k]; midSet[k] = true; }
            integral[k] += Math.Exp(threshold * level[k]) * (t - lastT[k]);
            lastT[k] = t;
            level[k] += events.P[i] ? 1 : -1;
        }
        var planes = new float[blurry.Channels][];
        for (int c = 0; c < blurry.Channels; c++) planes[c] = new float[n];
        for (int k = 0; k < n; k++)
        {
            if (!midSet[k]) atMid[k] = level[k];
            double total = integral[k] + Math.Exp(threshold * level[k]) * (exposure.EndUs - lastT[k]);
            // L = B·T / (exp(−c·E_start(mid)) · ∫ exp(c·E_start(t)) dt)
            double gain = T * Math.Exp(threshold * atMid[k]) / total;
            for (int c = 0; c < blurry.Channels; c++) planes[c][k] = (float)(blurry.Planes[c][k] * gain);
        }
        return new LinearImage(w, blurry.Height, planes, blurry.Saturated.Select(s => (bool[])s.Clone()).ToArray());
    }
}
