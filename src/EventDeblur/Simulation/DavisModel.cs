namespace EventDeblur.Simulation;

/// <summary>
/// DAVIS pixel model (log-intensity change detector), in the spirit of v2e: photocurrent =
/// sensitivity × irradiance + dark current; a first-order photoreceptor low-pass whose cutoff falls
/// in the dark; per-pixel ON/OFF thresholds (log units) with spread; refractory period; leak events;
/// intensity-dependent shot-noise events; a few hot pixels.
/// </summary>
/// <param name="ThresholdOn">Mean ON contrast threshold, log units.</param>
/// <param name="ThresholdOff">Mean OFF contrast threshold, log units.</param>
/// <param name="ThresholdSigma">Per-pixel threshold standard deviation, log units.</param>
/// <param name="RefractoryUs">Refractory period, µs.</param>
/// <param name="CutoffMaxHz">Photoreceptor cutoff in bright light, Hz.</param>
/// <param name="CutoffHalfIntensity">Photocurrent (e⁻/s per RGB-pixel area) at which the cutoff is half its maximum.</param>
/// <param name="DarkCurrent">Dark current in the same units.</param>
/// <param name="LeakHz">Leak event rate per pixel, Hz.</param>
/// <param name="ShotNoiseMaxHz">Shot-noise event rate per pixel in the dark, Hz; it falls as light rises.</param>
/// <param name="HotPixelFraction">Fraction of pixels that are hot.</param>
/// <param name="HotPixelHz">Event rate of a hot pixel, Hz.</param>
public sealed record DavisModel(
    double ThresholdOn = 0.25, double ThresholdOff = 0.25, double ThresholdSigma = 0.03, long RefractoryUs = 200,
    double CutoffMaxHz = 2000, double CutoffHalfIntensity = 100_000, double DarkCurrent = 30,
    double LeakHz = 0.1, double ShotNoiseMaxHz = 2, double HotPixelFraction = 1e-4, double HotPixelHz = 200);
