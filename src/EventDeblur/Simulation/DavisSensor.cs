using EventDeblur.Events;
using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// Simulates a DAVIS event pixel array (<see cref="DavisModel"/>) over a time window, given the
/// irradiance on the array at any time. Events come out in time order, in batches.
/// </summary>
public sealed class DavisSensor
{
    private readonly DavisModel _m;
    private readonly int _w, _h;
    private readonly float[] _con, _coff;
    private readonly int[] _hot;
    private readonly float[] _l, _lref;
    private readonly long[] _last;

    /// <summary>Creates the array with per-pixel thresholds and hot pixels drawn from <paramref name="seed"/>.</summary>
    public DavisSensor(DavisModel model, int width, int height, int seed)
    {
        _m = model;
        _w = width;
        _h = height;
        int n = width * height;
        var rng = new Random(seed);
        _con = new float[n];
        _coff = new float[n];
        for (int i = 0; i < n; i++)
        {
            _con[i] = (float)Math.Max(0.05, model.ThresholdOn + model.ThresholdSigma * SensorNoise.Gaussian(rng));
            _coff[i] = (float)Math.Max(0.05, model.ThresholdOff + model.ThresholdSigma * SensorNoise.Gaussian(rng));
        }
        _hot = Enumerable.Range(0, (int)Math.Round(n * model.HotPixelFraction)).Select(_ => rng.Next(n)).Distinct().ToArray();
        _l = new float[n];
        _lref = new float[n];
        _last = new long[n];
    }

    /// <summary>Event array width, pixels.</summary>
    public int Width => _w;

    /// <summary>Event array height, pixels.</summary>
    public int Height => _h;

    /// <summary>The hot pixels (index y·Width + x).</summary>
    public IReadOnlyList<int> HotPixels => _hot;

    /// <summary>
    /// Simulates <c>[startUs, endUs)</c> in steps of <paramref name="stepUs"/>. <paramref name="irradiance"/>
    /// returns a CV_32FC1 Width×Height image (e⁻/s per RGB-pixel area) for a time in µs; the pixel
    /// state starts in equilibrium with the irradiance at <paramref name="startUs"/>. Events are passed
    /// to <paramref name="sink"/> in time order, in batches the sink owns.
    /// </summary>
    public EventStats Simulate(long startUs, long endUs, long stepUs, Func<long, Mat> irradiance, int seed, Action<EventBatch> sink)
    {
        int n = _w * _h;
        var rng = new Random(seed);
        float dark = (float)_m.DarkCurrent;
        using (var i0 = irradiance(startUs))
        {
            var e0 = i0.AsSpan<float>();
            for (int i = 0; i < n; i++)
            {
                _l[i] = MathF.Log(Math.Max(0, e0[i]) + dark);
                double u = rng.NextDouble();
                _lref[i] = _l[i] - (float)(-0.9 * _coff[i] + u * 0.9 * (_con[i] + _coff[i]));
                _last[i] = long.MinValue / 2;
            }
        }

        // Noise candidates, thinned later by the light level: shot noise at the dark-limit rate, hot pixels at theirs.
        var noise = new List<(long T, int Pixel, bool On, float U, bool Hot)>();
        double windowS = (endUs - startUs) * 1e-6;
        for (int i = 0; i < n; i++)
        {
            int k = (int)SensorNoise.Poisson(rng, _m.ShotNoiseMaxHz * windowS);
            for (int j = 0; j < k; j++)
                noise.Add((startUs + (long)(rng.NextDouble() * (endUs - startUs)), i, rng.Next(2) == 0, (float)rng.NextDouble(), false));
        }
        foreach (int hp in _hot)
        {
            int k = (int)SensorNoise.Poisson(rng, _m.HotPixelHz * windowS);
            for (int j = 0; j < k; j++)
                noise.Add((startUs + (long)(rng.NextDouble() * (endUs - startUs)), hp, rng.NextDouble() < 0.8, 0f, true));
        }
        noise.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Pixel.CompareTo(b.Pixel));

        long on = 0, off = 0, shot = 0, hotCount = 0, suppressed = 0;
        int bands = Math.Max(1, Environment.ProcessorCount);
        var bandEvents = new List<(long T, int Pixel, bool On)>[bands];
        for (int b = 0; b < bands; b++) bandEvents[b] = [];
        var bandSuppressed = new long[bands];
        var stepEvents = new List<(long T, int Pixel, bool On)>();
        var batch = EventBatch.Rent(1 << 16);
        int noiseAt = 0;
        double dt = stepUs * 1e-6;
        float leak = (float)(_m.LeakHz * dt);
        double twoPiDt = 2 * Math.PI * dt;
        long refractory = _m.RefractoryUs;

        for (long tPrev = startUs; tPrev < endUs; tPrev += stepUs)
        {
            long t = Math.Min(tPrev + stepUs, endUs);
            using var img = irradiance(t);
            var ptr = img.Data;
            Parallel.For(0, bands, b =>
            {
                var list = bandEvents[b];
                list.Clear();
                unsafe
                {
                    float* e = (float*)ptr;
                    int y0 = _h * b / bands, y1 = _h * (b + 1) / bands;
                    for (int i = y0 * _w; i < y1 * _w; i++)
                    {
                        float intensity = Math.Max(0, e[i]) + dark;
                        float logI = MathF.Log(intensity);
                        double fc = _m.CutoffMaxHz * intensity / (intensity + _m.CutoffHalfIntensity);
                        float alpha = (float)(1 - Math.Exp(-twoPiDt * fc));
                        float lOld = _l[i];
                        float lNew = lOld + alpha * (logI - lOld);
                        _l[i] = lNew;
                        _lref[i] -= leak * _con[i];
                        float diff = lNew - _lref[i];
                        bool fireOn = diff >= _con[i], fireOff = diff <= -_coff[i];
                        if (!fireOn && !fireOff) continue;
                        float level = fireOn ? _lref[i] + _con[i] : _lref[i] - _coff[i];
                        double frac = lNew != lOld ? Math.Clamp((level - lOld) / (lNew - lOld), 0, 1) : 1;
                        long te = Math.Max(tPrev + (long)Math.Ceiling(frac * (t - tPrev)), _last[i] + refractory);
                        if (te > t) { bandSuppressed[b]++; continue; }
                        te = Math.Max(te, tPrev + 1);
                        _lref[i] = level;
                        _last[i] = te;
                        list.Add((te, i, fireOn));
                    }
                }
            });
            stepEvents.Clear();
            foreach (var l in bandEvents) stepEvents.AddRange(l);
            foreach (var e in stepEvents) { if (e.On) on++; else off++; }

            var ep = img.AsSpan<float>();
            while (noiseAt < noise.Count && noise[noiseAt].T < t)
            {
                var c = noise[noiseAt++];
                if (c.T < tPrev) continue;
                if (!c.Hot)
                {
                    float intensity = Math.Max(0, ep[c.Pixel]) + dark;
                    double accept = _m.CutoffHalfIntensity / (intensity + _m.CutoffHalfIntensity);
                    if (c.U >= accept) continue;
                }
                long te = Math.Max(c.T, tPrev + 1);
                if (te < _last[c.Pixel] + refractory) continue;
                _last[c.Pixel] = te;
                stepEvents.Add((te, c.Pixel, c.On));
                if (c.Hot) hotCount++; else shot++;
            }
            stepEvents.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Pixel.CompareTo(b.Pixel));
            foreach (var ev in stepEvents)
            {
                batch.Add(ev.T, (short)(ev.Pixel % _w), (short)(ev.Pixel / _w), ev.On);
                if (batch.Count >= 1 << 16) { sink(batch); batch = EventBatch.Rent(1 << 16); }
            }
        }
        if (batch.Count > 0) sink(batch); else batch.Dispose();
        suppressed = bandSuppressed.Sum();
        return new EventStats(on, off, shot, hotCount, suppressed);
    }
}
