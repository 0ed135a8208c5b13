using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// Domain B's night scene (see <see cref="DomainBModel"/>): a lognormal fractal (1/f) background with its
/// own colour field, rotated blocks, wires, dashed markings and lettering; lamps of 1–20 px in clusters
/// (rows in perspective, groups, lattices), each with a glare halo; the whole rendering through a disc ⊛
/// Gaussian lens PSF, clipped at the clip level, and then — the published HDR recipe — every saturated
/// pixel scaled by its lamp's factor drawn from U(1.25, 2.5). Radiance in e⁻/s per frame pixel, RGB order.
/// </summary>
public static class DomainBScene
{
    /// <summary>The clip level of the rendering before the HDR scaling, e⁻/s: the full well over the reference exposure.</summary>
    public static double ClipRadiance(SimulationOptions options) =>
        options.Rgb.FullWellE / ((options.DomainB ?? throw new ArgumentException("not a domain-B options record")).ClipReferenceExposureUs * 1e-6);

    /// <summary>Generates the scene for <paramref name="options"/> (which must carry a <see cref="DomainBModel"/>).</summary>
    /// <param name="options">Sizes, light levels, the domain-B model.</param>
    /// <param name="rng">Seeded random source (deterministic output).</param>
    /// <param name="margin">Border in pixels.</param>
    public static NightScene Generate(SimulationOptions options, Random rng, int margin)
    {
        var b = options.DomainB ?? throw new ArgumentException("not a domain-B options record");
        int w = options.RgbWidth, h = options.RgbHeight, W = w + 2 * margin, H = h + 2 * margin;
        double bg = options.BackgroundRadiance, clip = ClipRadiance(options);

        // Background: lognormal 1/f texture, tinted by a slow colour field.
        using var tex = Fractal(rng, W, H, 6, 1.6);
        using var hueR = Fractal(rng, W, H, 2, 1.0);
        using var hueB = Fractal(rng, W, H, 2, 1.0);
        var img = new Mat(H, W, MatType.CV_32FC3);
        {
            var t = tex.AsSpan<float>();
            var hr = hueR.AsSpan<float>();
            var hb = hueB.AsSpan<float>();
            var o = img.AsSpan<float>();
            double s = b.TextureLogSigma;
            for (int i = 0; i < t.Length; i++)
            {
                double v = bg * Math.Exp(s * t[i] - s * s / 2);
                o[3 * i] = (float)(v * Math.Exp(0.25 * hr[i]));
                o[3 * i + 1] = (float)v;
                o[3 * i + 2] = (float)(v * Math.Exp(0.25 * hb[i]));
            }
        }

        Scalar Paint(double level)
        {
            double r = Math.Exp(0.3 * SensorNoise.Gaussian(rng)), bl = Math.Exp(0.3 * SensorNoise.Gaussian(rng));
            return new Scalar(level * r, level, level * bl);
        }
        double Level() => bg * Math.Exp(b.TextureLogSigma * SensorNoise.Gaussian(rng));

        // Rotated blocks (buildings, vehicles, signs), wires, dashed road markings, lettering.
        int blocks = Math.Max(3, W * H / 30_000);
        for (int i = 0; i < blocks; i++)
        {
            double cx = rng.NextDouble() * W, cy = rng.NextDouble() * H, bw = 10 + rng.NextDouble() * 120, bh = 10 + rng.NextDouble() * 120;
            double a = (rng.NextDouble() - 0.5) * 0.6, c = Math.Cos(a), sn = Math.Sin(a);
            var pts = new[] { (-1, -1), (1, -1), (1, 1), (-1, 1) }
                .Select(p => new Point((int)Math.Round(cx + c * p.Item1 * bw / 2 - sn * p.Item2 * bh / 2), (int)Math.Round(cy + sn * p.Item1 * bw / 2 + c * p.Item2 * bh / 2))).ToArray();
            Cv2.FillConvexPoly(img, pts, Paint(Level()), LineTypes.AntiAlias);
        }
        int wires = Math.Max(2, W * H / 60_000);
        for (int i = 0; i < wires; i++)
        {
            var p = new Point(rng.Next(W), rng.Next(H));
            double a = rng.NextDouble() * Math.PI, len = 80 + rng.NextDouble() * 400;
            var q = new Point(p.X + (int)(Math.Cos(a) * len), p.Y + (int)(Math.Sin(a) * len));
            if (rng.Next(2) == 0)
                Cv2.Line(img, p, q, Paint(Level() * 0.4), 1, LineTypes.AntiAlias);
            else
                for (double u = 0; u < 1; u += 0.1)
                    Cv2.Line(img, Lerp(p, q, u), Lerp(p, q, u + 0.05), Paint(Level() * 2.5), 2 + rng.Next(3), LineTypes.AntiAlias);
        }
        const string glyphs = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        int signs = Math.Max(2, W * H / 50_000);
        for (int i = 0; i < signs; i++)
        {
            var text = new string(Enumerable.Range(0, 3 + rng.Next(7)).Select(_ => glyphs[rng.Next(glyphs.Length)]).ToArray());
            Cv2.PutText(img, text, new Point(rng.Next(W), rng.Next(H)), HersheyFonts.HersheySimplex, 0.4 + rng.NextDouble() * 0.9,
                Paint(bg * (2 + 6 * rng.NextDouble())), 1 + rng.Next(2), LineTypes.AntiAlias);
        }

        // Lamps in clusters: cores (max-composited), glare halos (added), and the HDR factor under each.
        var lamps = new List<SceneLamp>();
        using var cores = new Mat(H, W, MatType.CV_32FC3, Scalar.All(0));
        using var halos = new Mat(H, W, MatType.CV_32FC3, Scalar.All(0));
        using var factor = new Mat(H, W, MatType.CV_32FC1, Scalar.All(0));
        int n = b.Lamps.Max == 0 ? 0 : rng.Next(b.Lamps.Min, b.Lamps.Max + 1);
        int clusters = n == 0 ? 0 : Math.Min(n, rng.Next(b.LampClusters.Min, b.LampClusters.Max + 1));
        var share = Enumerable.Range(0, clusters).Select(_ => 0.3 + rng.NextDouble()).ToArray();
        double shareSum = share.Sum();
        int assigned = 0;
        for (int c = 0; c < clusters; c++)
        {
            int count = c == clusters - 1 ? n - assigned : Math.Max(1, Math.Min(n - assigned - (clusters - 1 - c), (int)Math.Round(n * share[c] / shareSum)));
            assigned += count;
            // Cluster centres may sit near or past the frame edge: lamps partly outside the frame.
            double cx = margin + (rng.NextDouble() * 1.2 - 0.1) * w, cy = margin + (rng.NextDouble() * 1.2 - 0.1) * h;
            int kind = rng.Next(3);
            double dirA = rng.NextDouble() * Math.PI, rowLen = 100 + rng.NextDouble() * 300, spread = 15 + rng.NextDouble() * 60;
            double pitch = 6 + rng.NextDouble() * 16;
            int latticeCols = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(count)));
            var tint = Tint(rng);
            for (int j = 0; j < count; j++)
            {
                double x, y, sizeScale = 1;
                if (kind == 0)
                {
                    // A row of street lamps receding in perspective: smaller and denser towards the far end.
                    double u = count == 1 ? 0 : j / (double)(count - 1);
                    double along = rowLen * (1 - Math.Pow(1 - u, 0.6));
                    x = cx + Math.Cos(dirA) * along + SensorNoise.Gaussian(rng);
                    y = cy + Math.Sin(dirA) * along + SensorNoise.Gaussian(rng);
                    sizeScale = 1 - 0.8 * u;
                }
                else if (kind == 1)
                {
                    x = cx + spread * SensorNoise.Gaussian(rng);
                    y = cy + spread * SensorNoise.Gaussian(rng);
                }
                else
                {
                    x = cx + (j % latticeCols) * pitch + 0.5 * SensorNoise.Gaussian(rng);
                    y = cy + (j / latticeCols) * pitch * 1.3 + 0.5 * SensorNoise.Gaussian(rng);
                    sizeScale = 0.4;
                }
                double d = Math.Exp(Math.Log(b.LampDiameterPx.Min) + rng.NextDouble() * (Math.Log(b.LampDiameterPx.Max) - Math.Log(b.LampDiameterPx.Min)));
                d = Math.Clamp(d * sizeScale, b.LampDiameterPx.Min, b.LampDiameterPx.Max);
                bool clipped = rng.NextDouble() >= b.UnclippedLampFraction;
                // Clipped lamps are over-driven so that the PSF still leaves a saturated core; the others peak below it.
                double level = clipped ? 1.6 + rng.NextDouble() : 0.3 + 0.65 * rng.NextDouble();
                double hdr = clipped ? b.HdrScale.Min + rng.NextDouble() * (b.HdrScale.Max - b.HdrScale.Min) : 1;
                double haloSigma = d / 2 * (1.5 + 2.5 * rng.NextDouble()) + 1.5;
                double haloAmp = (b.HaloAmplitude.Min + rng.NextDouble() * (b.HaloAmplitude.Max - b.HaloAmplitude.Min)) * clip;
                var lampTint = rng.NextDouble() < 0.7 ? tint : Tint(rng);
                DrawLamp(cores, halos, factor, x, y, d, level * clip, haloAmp, haloSigma, lampTint, hdr);
                lamps.Add(new SceneLamp(x - margin, y - margin, d, c, hdr, haloSigma));
            }
        }

        // Composite, then the lens PSF over everything, then the clip and the HDR scaling of saturated pixels.
        Cv2.Add(img, halos, img);
        Cv2.Max(img, cores, img);
        using (var psf = LensPsf(b.PsfDiscRadiusPx, b.PsfGaussianSigmaPx))
            Cv2.Filter2D(img, img, MatType.CV_32F, psf, new Point(-1, -1), 0, BorderTypes.Reflect101);
        {
            var o = img.AsSpan<float>();
            var f = factor.AsSpan<float>();
            float c = (float)clip;
            for (int i = 0; i < f.Length; i++)
            {
                float r = Math.Min(o[3 * i], c), g = Math.Min(o[3 * i + 1], c), bl = Math.Min(o[3 * i + 2], c);
                float k = Math.Max(r, Math.Max(g, bl)) >= c ? (f[i] > 0 ? f[i] : (float)b.HdrScale.Min) : 1f;
                o[3 * i] = r * k;
                o[3 * i + 1] = g * k;
                o[3 * i + 2] = bl * k;
            }
        }
        return new NightScene(img, w, h, margin, [], lamps);
    }

    private static Point Lerp(Point p, Point q, double u) => new((int)Math.Round(p.X + (q.X - p.X) * u), (int)Math.Round(p.Y + (q.Y - p.Y) * u));

    private static (double R, double G, double B) Tint(Random rng) => rng.Next(6) switch
    {
        0 => (1.0, 0.62, 0.28),   // high-pressure sodium
        1 => (0.82, 0.92, 1.0),   // cold LED
        2 => (1.0, 0.88, 0.7),    // warm white
        3 => (0.35, 1.0, 0.55),   // green signal
        4 => (1.0, 0.3, 0.22),    // red tail / signal
        _ => (1.0, 1.0, 1.0),
    };

    private static void DrawLamp(Mat cores, Mat halos, Mat factor, double x, double y, double d, double peak, double haloAmp, double haloSigma,
        (double R, double G, double B) tint, double hdr)
    {
        int H = cores.Rows, W = cores.Cols;
        double r = d / 2;
        int reach = (int)Math.Ceiling(Math.Max(r + 1, 3.5 * haloSigma));
        int x0 = Math.Max(0, (int)Math.Floor(x) - reach), x1 = Math.Min(W - 1, (int)Math.Ceiling(x) + reach);
        int y0 = Math.Max(0, (int)Math.Floor(y) - reach), y1 = Math.Min(H - 1, (int)Math.Ceiling(y) + reach);
        var core = cores.AsSpan<float>();
        var halo = halos.AsSpan<float>();
        var fac = factor.AsSpan<float>();
        double fr = r + 2 * haloSigma;
        for (int yy = y0; yy <= y1; yy++)
            for (int xx = x0; xx <= x1; xx++)
            {
                double dist = Math.Sqrt((xx - x) * (xx - x) + (yy - y) * (yy - y));
                int i = yy * W + xx;
                double cov = Math.Clamp(r + 0.5 - dist, 0, 1);
                if (cov > 0)
                {
                    core[3 * i] = Math.Max(core[3 * i], (float)(cov * peak * tint.R));
                    core[3 * i + 1] = Math.Max(core[3 * i + 1], (float)(cov * peak * tint.G));
                    core[3 * i + 2] = Math.Max(core[3 * i + 2], (float)(cov * peak * tint.B));
                }
                double g = haloAmp * Math.Exp(-dist * dist / (2 * haloSigma * haloSigma));
                halo[3 * i] += (float)(g * tint.R);
                halo[3 * i + 1] += (float)(g * tint.G);
                halo[3 * i + 2] += (float)(g * tint.B);
                if (dist <= fr) fac[i] = Math.Max(fac[i], (float)hdr);
            }
    }

    /// <summary>Disc of radius <paramref name="discRadius"/> convolved with a Gaussian, normalised (CV_32FC1).</summary>
    private static Mat LensPsf(double discRadius, double sigma)
    {
        int half = (int)Math.Ceiling(discRadius + 3 * sigma);
        int size = 2 * half + 1;
        var k = new Mat(size, size, MatType.CV_32FC1, Scalar.All(0));
        var v = k.AsSpan<float>();
        double sum = 0;
        // Supersampled disc, then the Gaussian by direct evaluation of their convolution on a fine grid.
        const int ss = 8;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double acc = 0;
                for (int sy = 0; sy < ss; sy++)
                    for (int sx = 0; sx < ss; sx++)
                    {
                        double px = x - half + (sx + 0.5) / ss - 0.5, py = y - half + (sy + 0.5) / ss - 0.5;
                        // Gaussian-blurred disc profile: the disc's edge softened by the Gaussian (error function).
                        double dist = Math.Sqrt(px * px + py * py);
                        acc += 0.5 * Erfc((dist - discRadius) / (Math.Sqrt(2) * sigma));
                    }
                v[y * size + x] = (float)acc;
                sum += acc;
            }
        for (int i = 0; i < v.Length; i++) v[i] = (float)(v[i] / sum);
        return k;
    }

    // Abramowitz–Stegun 7.1.26, |error| < 1.5e-7: ample for a PSF profile.
    private static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-z * z);
        return x >= 0 ? 1 - erf : 1 + erf;
    }

    /// <summary>Zero-mean, unit-variance fractal noise: octaves of cubic-upsampled white noise with amplitude ∝ cell^(β/2).</summary>
    private static Mat Fractal(Random rng, int w, int h, int octaves, double beta)
    {
        var acc = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        using var up = new Mat();
        for (int o = 0; o < octaves; o++)
        {
            int cell = 256 >> o;
            int gw = w / cell + 3, gh = h / cell + 3;
            using var grid = new Mat(gh, gw, MatType.CV_32FC1);
            var g = grid.AsSpan<float>();
            for (int i = 0; i < g.Length; i++) g[i] = (float)SensorNoise.Gaussian(rng);
            Cv2.Resize(grid, up, new Size(gw * cell, gh * cell), 0, 0, InterpolationFlags.Cubic);
            using var crop = new Mat(up, new Rect(cell, cell, w, h));
            Cv2.ScaleAdd(crop, Math.Pow(cell, beta / 2), acc, acc);
        }
        Cv2.MeanStdDev(acc, out var mean, out var std);
        acc.ConvertTo(acc, MatType.CV_32FC1, 1 / Math.Max(1e-9, std.Val0), -mean.Val0 / Math.Max(1e-9, std.Val0));
        return acc;
    }
}
