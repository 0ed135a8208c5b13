using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>Renders what the RGB camera records: blur by integration over the exposure, then the sensor.</summary>
public static class RgbSensor
{
    /// <summary>
    /// Mean radiance (e⁻/s, CV_32FC3, RGB order, frame size) seen by each frame pixel over the exposure:
    /// the scene warped by the camera motion at <paramref name="samples"/> equally spaced times and averaged.
    /// </summary>
    public static Mat IntegrateExposure(NightScene scene, MotionPath path, int samples)
    {
        if (path.RotationRad == 0)
        {
            // Pure translation: the exposure integral is exactly the scene convolved with the kernel.
            var k = path.KernelAt(0, 0, samples);
            using var km = Mat.FromPixelData(k.Size, k.Size, MatType.CV_32FC1, k.Weights);
            using var flipped = new Mat();
            Cv2.Flip(km, flipped, FlipMode.XY);
            using var full = new Mat();
            Cv2.Filter2D(scene.Radiance, full, MatType.CV_32F, flipped, new Point(k.Center, k.Center), 0, BorderTypes.Reflect101);
            return new Mat(full, new Rect(scene.Margin, scene.Margin, scene.Width, scene.Height)).Clone();
        }
        var acc = new Mat(scene.Height, scene.Width, MatType.CV_32FC3, Scalar.All(0));
        using var tmp = new Mat();
        for (int i = 0; i < samples; i++)
        {
            var a = path.InverseAffine((i + 0.5) / samples);
            using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new[] { a[0], a[1], a[2] + scene.Margin, a[3], a[4], a[5] + scene.Margin });
            Cv2.WarpAffine(scene.Radiance, tmp, m, new Size(scene.Width, scene.Height), InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap, BorderTypes.Reflect101);
            Cv2.Add(acc, tmp, acc);
        }
        acc.ConvertTo(acc, MatType.CV_32FC3, 1.0 / samples);
        return acc;
    }

    /// <summary>The sharp frame's radiance (no motion): the scene without its margin.</summary>
    public static Mat SharpRadiance(NightScene scene) =>
        new Mat(scene.Radiance, new Rect(scene.Margin, scene.Margin, scene.Width, scene.Height)).Clone();

    /// <summary>
    /// Exposes <paramref name="radiance"/> (e⁻/s, RGB) for <paramref name="exposureS"/> seconds and returns
    /// raw 16-bit values (CV_16UC3, RGB order): shot noise and read noise when <paramref name="seed"/> is
    /// given, full-well clipping, gain, black level, rounding, clipping at the saturation level.
    /// </summary>
    public static Mat Expose(Mat radiance, double exposureS, RgbSensorModel model, int? seed)
    {
        if (!radiance.IsContinuous()) throw new ArgumentException("radiance must be a continuous Mat");
        var raw = new Mat(radiance.Rows, radiance.Cols, MatType.CV_16UC3);
        int rows = radiance.Rows, rowLen = radiance.Cols * 3;
        double gain = model.GainDnPerE;
        Parallel.For(0, rows, y =>
        {
            var rng = seed is int s ? new Random(SensorNoise.SubSeed(s, y)) : null;
            var src = radiance.AsSpan<float>().Slice(y * rowLen, rowLen);
            var dst = raw.AsSpan<ushort>().Slice(y * rowLen, rowLen);
            for (int i = 0; i < rowLen; i++)
            {
                double e = Math.Max(0, src[i]) * exposureS;
                if (rng != null) e = SensorNoise.Poisson(rng, e);
                if (e >= model.FullWellE)
                {
                    // A full well clips: the pixel reads the saturation level whatever the read noise.
                    dst[i] = (ushort)model.SaturationLevel;
                    continue;
                }
                if (rng != null) e += model.ReadNoiseE * SensorNoise.Gaussian(rng);
                double dn = Math.Round(model.BlackLevel + e * gain);
                dst[i] = (ushort)Math.Clamp(dn, 0, model.SaturationLevel);
            }
        });
        return raw;
    }

    /// <summary>
    /// Domain B's sensor: vignetting (cos⁴ fall-off to <see cref="DomainBModel.VignetteCorner"/> in the corners),
    /// per-channel quantum efficiency, Poisson shot noise, per-channel Gaussian read noise (so the noise is
    /// Poisson–Gaussian with different parameters per channel), full-well clipping, gain, black level, rounding.
    /// <paramref name="radiance"/> is e⁻/s (CV_32FC3, RGB); returns raw CV_16UC3. Noise-free when <paramref name="seed"/> is null.
    /// </summary>
    public static Mat ExposeDomainB(Mat radiance, double exposureS, RgbSensorModel model, DomainBModel b, int? seed)
    {
        if (!radiance.IsContinuous()) throw new ArgumentException("radiance must be a continuous Mat");
        var raw = new Mat(radiance.Rows, radiance.Cols, MatType.CV_16UC3);
        int rows = radiance.Rows, cols = radiance.Cols, rowLen = cols * 3;
        double gain = model.GainDnPerE;
        double[] qe = [b.ChannelQe.R, b.ChannelQe.G, b.ChannelQe.B], read = [b.ReadNoiseE.R, b.ReadNoiseE.G, b.ReadNoiseE.B];
        double cx = (cols - 1) / 2.0, cy = (rows - 1) / 2.0, rMax = Math.Sqrt(cx * cx + cy * cy);
        double focal = rMax / Math.Tan(Math.Acos(Math.Pow(Math.Clamp(b.VignetteCorner, 1e-3, 1), 0.25)));
        Parallel.For(0, rows, y =>
        {
            var rng = seed is int s ? new Random(SensorNoise.SubSeed(s, y)) : null;
            var src = radiance.AsSpan<float>().Slice(y * rowLen, rowLen);
            var dst = raw.AsSpan<ushort>().Slice(y * rowLen, rowLen);
            for (int x = 0; x < cols; x++)
            {
                double rr = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) / focal;
                double cos2 = 1 / (1 + rr * rr), vignette = cos2 * cos2;
                for (int c = 0; c < 3; c++)
                {
                    double e = Math.Max(0, src[3 * x + c]) * exposureS * vignette * qe[c];
                    if (rng != null) e = SensorNoise.Poisson(rng, e);
                    if (e >= model.FullWellE) { dst[3 * x + c] = (ushort)model.SaturationLevel; continue; }
                    if (rng != null) e += read[c] * SensorNoise.Gaussian(rng);
                    dst[3 * x + c] = (ushort)Math.Clamp(Math.Round(model.BlackLevel + e * gain), 0, model.SaturationLevel);
                }
            }
        });
        return raw;
    }
}
