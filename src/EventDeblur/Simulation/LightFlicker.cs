using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// The point lights' flicker (<see cref="SimulationOptions.FlickerHz"/>): each light's radiance is multiplied by
/// 1 + depth·cos(2π·f·t + φ) with t in seconds from the first exposure's start and φ one of the grid's three phases. It
/// changes the luminance the event sensor sees, step by step, and adds the swing to the RGB (or APS) exposure, each of
/// its samples taking the modulation's exact mean over the sample's share of the exposure (a sample per instant would
/// alias: at 800 Hz over 80 ms a light kept 0.3 % of its energy, review54 H1). The sharp ground truth shows each light at
/// its mean brightness over the exposure, which is the steady one over whole periods.
/// </summary>
internal sealed class LightFlicker : IDisposable
{
    /// <summary>The grid's phases the lights are spread over (light k takes phase k mod 3).</summary>
    public const int Phases = 3;

    private readonly double _hz, _depth;
    private readonly long _originUs;
    private readonly List<Light> _lights = [];
    private readonly Mat?[] _layers = new Mat?[Phases];

    /// <summary>One light's luminance patch (blurred as the scene's luminance is) and where it lies in that image.</summary>
    private sealed record Light(Rect Roi, Mat Patch, Mat Steady, int Phase);

    private LightFlicker(double hz, double depth, long originUs)
    {
        _hz = hz;
        _depth = depth;
        _originUs = originUs;
    }

    /// <summary>
    /// The flicker of <paramref name="scene"/>'s point lights under <paramref name="options"/>, or null when the options
    /// ask for none (or the scene has no point light). <paramref name="lum"/> is the scene's luminance as the event
    /// sensor's source (margin included), blurred by <paramref name="lumBlurSigma"/> px; its steady values under each
    /// light are kept to be restored.
    /// </summary>
    public static LightFlicker? Create(SimulationOptions options, NightScene scene, Mat lum, double lumBlurSigma)
    {
        if (options.FlickerHz is not double hz || options.FlickerDepth == 0 || scene.Lights.Count == 0) return null;
        var f = new LightFlicker(hz, options.FlickerDepth, options.StartUs);
        var bounds = new Rect(0, 0, lum.Cols, lum.Rows);
        for (int k = 0; k < scene.Lights.Count; k++)
        {
            var l = scene.Lights[k];
            int phase = k % Phases;
            // RGB radiance of the light alone, drawn as the scene draws it, on its phase's layer.
            var layer = f._layers[phase] ??= new Mat(scene.Radiance.Rows, scene.Radiance.Cols, MatType.CV_32FC3, Scalar.All(0));
            var drawn = NightScene.DrawPointLight(layer, l, scene.Margin);
            int r = (int)Math.Ceiling(4 * l.Sigma) + 1;
            int cx = (int)Math.Round(l.X) + scene.Margin, cy = (int)Math.Round(l.Y) + scene.Margin;
            // The luminance patch: the light's pixels plus room for the luminance blur.
            int pad = r + (int)Math.Ceiling(4 * lumBlurSigma) + 1;
            var roi = new Rect(cx - pad, cy - pad, 2 * pad + 1, 2 * pad + 1) & bounds;
            if (roi.Width <= 0 || roi.Height <= 0) continue;
            var patch = new Mat(roi.Height, roi.Width, MatType.CV_32FC1, Scalar.All(0));
            foreach (var (x, y, g) in drawn)
                if (roi.Contains(x, y))
                    patch.At<float>(y - roi.Y, x - roi.X) += (float)(g * (0.2126 * l.R + 0.7152 * l.G + 0.0722 * l.B));
            if (lumBlurSigma > 0) Cv2.GaussianBlur(patch, patch, new Size(0, 0), lumBlurSigma, lumBlurSigma, BorderTypes.Constant);
            f._lights.Add(new Light(roi, patch, new Mat(lum, roi).Clone(), phase));
        }
        return f;
    }

    /// <summary>
    /// The radiance factor of the lights of <paramref name="phase"/> at <paramref name="tUs"/> (event clock, µs), 1 ± depth;
    /// with <paramref name="windowUs"/> &gt; 0 its exact mean over the window of that length centred there (the cosine times
    /// sin(π·f·w) / (π·f·w)).
    /// </summary>
    public double Modulation(int phase, double tUs, double windowUs = 0)
    {
        double x = Math.PI * _hz * windowUs / 1e6;
        double sinc = x == 0 ? 1 : Math.Sin(x) / x;
        return 1 + _depth * sinc * Math.Cos(2 * Math.PI * (_hz * ((tUs - _originUs) / 1e6) + (double)phase / Phases));
    }

    /// <summary>
    /// Sets <paramref name="lum"/> (the luminance given to <see cref="Create"/>) to the scene at <paramref name="tUs"/>:
    /// every light's steady pixels restored, then its patch added times its modulation minus one; with
    /// <paramref name="windowUs"/> &gt; 0 the modulation's mean over that window centred at <paramref name="tUs"/>.
    /// </summary>
    public void Apply(Mat lum, double tUs, double windowUs = 0)
    {
        foreach (var l in _lights)
        {
            using var sub = new Mat(lum, l.Roi);
            l.Steady.CopyTo(sub);
        }
        foreach (var l in _lights)
        {
            using var sub = new Mat(lum, l.Roi);
            Cv2.ScaleAdd(l.Patch, Modulation(l.Phase, tUs, windowUs) - 1, sub, sub);
        }
    }

    /// <summary>
    /// Adds to <paramref name="exposure"/> (the steady scene's mean radiance over the exposure, frame size, CV_32FC3) the
    /// lights' swing: at each of <paramref name="samples"/> equally spaced times of the exposure
    /// [<paramref name="startUs"/>, <paramref name="startUs"/> + <paramref name="exposureUs"/>) each phase's layer, moved
    /// by the camera as <see cref="RgbSensor.IntegrateExposure"/> moves the scene, times its modulation's mean over that
    /// sample's share of the exposure minus one (so the light's energy is exact whatever the frequency).
    /// </summary>
    public void AddToExposure(Mat exposure, NightScene scene, MotionPath path, long startUs, long exposureUs, int samples)
    {
        using var tmp = new Mat();
        double share = (double)exposureUs / samples;
        for (int i = 0; i < samples; i++)
        {
            double tau = (i + 0.5) / samples;
            double t = startUs + tau * exposureUs;
            var a = path.InverseAffine(tau);
            using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new[] { a[0], a[1], a[2] + scene.Margin, a[3], a[4], a[5] + scene.Margin });
            for (int p = 0; p < Phases; p++)
            {
                if (_layers[p] is not { } layer) continue;
                Cv2.WarpAffine(layer, tmp, m, new Size(scene.Width, scene.Height), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Constant);
                Cv2.ScaleAdd(tmp, (Modulation(p, t, share) - 1) / samples, exposure, exposure);
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="sharp"/> (the steady scene at mid-exposure, frame size, CV_32FC3: the ground truth) each
    /// phase's lights times their modulation's mean over the exposure minus one: the lights at the brightness the
    /// exposure gave them on average (the steady one over whole periods; off it by up to depth/(π·f·T) otherwise).
    /// </summary>
    public void AddMeanToSharp(Mat sharp, NightScene scene, long startUs, long exposureUs)
    {
        for (int p = 0; p < Phases; p++)
        {
            if (_layers[p] is not { } layer) continue;
            using var crop = new Mat(layer, new Rect(scene.Margin, scene.Margin, scene.Width, scene.Height));
            Cv2.ScaleAdd(crop, Modulation(p, startUs + exposureUs / 2.0, exposureUs) - 1, sharp, sharp);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in _lights) { l.Patch.Dispose(); l.Steady.Dispose(); }
        foreach (var m in _layers) m?.Dispose();
    }
}
