using OpenCvSharp;

namespace EventDeblur.Simulation;

/// <summary>
/// A sharp, linear HDR scene in photo-electrons per second per frame pixel (e⁻/s), RGB channel
/// order, stored with a margin of <see cref="Margin"/> pixels on every side so that moving the
/// camera never reveals an undefined border. Frame pixel (x, y) is <c>Radiance[y + Margin, x + Margin]</c>.
/// </summary>
public sealed class NightScene : IDisposable
{
    internal NightScene(Mat radiance, int width, int height, int margin, List<PointLight> lights, IReadOnlyList<SceneLamp>? lamps = null)
    {
        Lamps = lamps ?? [];
        Radiance = radiance;
        Width = width;
        Height = height;
        Margin = margin;
        Lights = lights;
    }

    /// <summary>CV_32FC3 radiance, RGB order, (Height + 2·Margin) × (Width + 2·Margin).</summary>
    public Mat Radiance { get; }

    /// <summary>Frame width, pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height, pixels.</summary>
    public int Height { get; }

    /// <summary>Border around the frame, pixels.</summary>
    public int Margin { get; }

    /// <summary>The point lights (frame coordinates).</summary>
    public IReadOnlyList<PointLight> Lights { get; }

    /// <summary>Domain-B lamps (frame coordinates); empty for domain A.</summary>
    public IReadOnlyList<SceneLamp> Lamps { get; }

    /// <summary>A uniform grey scene of <paramref name="radiance"/> e⁻/s (for tests and custom scenes).</summary>
    public static NightScene Uniform(int width, int height, int margin, double radiance) =>
        new(new Mat(height + 2 * margin, width + 2 * margin, MatType.CV_32FC3, new Scalar(radiance, radiance, radiance)), width, height, margin, []);

    /// <summary>Adds a point light (Gaussian spot, drawn additively).</summary>
    public void AddPointLight(PointLight light)
    {
        DrawPointLight(Radiance, light, Margin);
        ((List<PointLight>)Lights).Add(light);
    }

    /// <summary>
    /// Draws <paramref name="light"/> additively into <paramref name="radiance"/> (CV_32FC3, scene coordinates shifted
    /// by <paramref name="margin"/>) and returns its pixels (image coordinates) with their Gaussian weight g: each got
    /// g × the light's radiance. The one drawing of a point light (the scene's, and a flickering light's own layer).
    /// </summary>
    internal static List<(int X, int Y, double G)> DrawPointLight(Mat radiance, PointLight light, int margin)
    {
        var drawn = new List<(int, int, double)>();
        int r = (int)Math.Ceiling(4 * light.Sigma) + 1;
        int cx = (int)Math.Round(light.X) + margin, cy = (int)Math.Round(light.Y) + margin;
        for (int y = cy - r; y <= cy + r; y++)
            for (int x = cx - r; x <= cx + r; x++)
            {
                if (x < 0 || y < 0 || x >= radiance.Cols || y >= radiance.Rows) continue;
                double dx = x - margin - light.X, dy = y - margin - light.Y;
                double g = Math.Exp(-(dx * dx + dy * dy) / (2 * light.Sigma * light.Sigma));
                ref var v = ref radiance.At<Vec3f>(y, x);
                v = new Vec3f((float)(v.Item0 + g * light.R), (float)(v.Item1 + g * light.G), (float)(v.Item2 + g * light.B));
                drawn.Add((x, y, g));
            }
        return drawn;
    }

    /// <summary>
    /// Generates a night street scene: dim dead-leaves texture, facades with windows (a few lit),
    /// text-like strokes, extended lights and point lights that saturate the RGB sensor.
    /// </summary>
    /// <param name="options">Sizes, light levels, counts.</param>
    /// <param name="rng">Seeded random source (deterministic output).</param>
    /// <param name="margin">Border in pixels.</param>
    public static NightScene Generate(SimulationOptions options, Random rng, int margin)
    {
        int w = options.RgbWidth, h = options.RgbHeight;
        int W = w + 2 * margin, H = h + 2 * margin;
        double bg = options.BackgroundRadiance;
        var img = new Mat(H, W, MatType.CV_32FC3, new Scalar(0.3 * bg, 0.3 * bg, 0.35 * bg));

        Scalar Tint(double level)
        {
            // Night colours: sodium orange, cool LED, neutral grey.
            double k = rng.NextDouble();
            return k < 0.35 ? new Scalar(level * 1.3, level * 0.9, level * 0.5)
                : k < 0.6 ? new Scalar(level * 0.8, level * 0.95, level * 1.25)
                : new Scalar(level, level, level);
        }

        // Dead leaves: occluding disks with a power-law size distribution.
        int leaves = (int)(W * H / 900.0);
        for (int i = 0; i < leaves; i++)
        {
            double u = rng.NextDouble();
            int radius = (int)(3 * Math.Pow(1 - u * (1 - Math.Pow(3.0 / 60, 2)), -0.5));
            radius = Math.Min(radius, 60);
            Cv2.Circle(img, new Point(rng.Next(W), rng.Next(H)), radius, Tint(bg * (0.3 + 0.9 * rng.NextDouble())), -1, LineTypes.AntiAlias);
        }

        // Facades with window grids; a few windows lit (extended lights).
        int facades = 1 + rng.Next(2);
        for (int f = 0; f < facades; f++)
        {
            int fw = W / 8 + rng.Next(W / 8), fh = H / 4 + rng.Next(H / 4);
            int fx = rng.Next(W - fw), fy = rng.Next(H - fh);
            Cv2.Rectangle(img, new Rect(fx, fy, fw, fh), Tint(bg * (0.4 + 0.6 * rng.NextDouble())), -1);
            int cell = 14 + rng.Next(10);
            for (int yy = fy + 6; yy + cell / 2 < fy + fh; yy += cell)
                for (int xx = fx + 6; xx + cell / 2 < fx + fw; xx += cell)
                {
                    bool lit = rng.NextDouble() < 0.04;
                    double level = lit ? bg * (3 + 9 * rng.NextDouble()) : bg * (0.3 + 0.6 * rng.NextDouble());
                    Cv2.Rectangle(img, new Rect(xx, yy, cell / 2, cell * 2 / 3), Tint(level), -1);
                }
        }

        // Text-like strokes (signs, wires, kerbs).
        int strokes = W * H / 8000;
        for (int i = 0; i < strokes; i++)
        {
            var p = new Point(rng.Next(W), rng.Next(H));
            var q = new Point(p.X + rng.Next(-25, 26), p.Y + rng.Next(-12, 13));
            Cv2.Line(img, p, q, Tint(bg * (0.5 + 2.5 * rng.NextDouble())), 1 + rng.Next(2), LineTypes.AntiAlias);
        }
        Cv2.GaussianBlur(img, img, new Size(0, 0), 0.6);

        // Extended lights: lamp globes a few pixels wide, bright enough to saturate.
        double satRate = options.Rgb.FullWellE / 0.06;
        for (int i = 0; i < options.ExtendedLights; i++)
        {
            var c = new Point(margin + rng.Next(w), margin + rng.Next(h));
            Cv2.Circle(img, c, 3 + rng.Next(4), Tint(satRate * (1 + 4 * rng.NextDouble())), -1, LineTypes.AntiAlias);
        }

        var scene = new NightScene(img, w, h, margin, []);
        // Point lights, isolated from each other and from the frame border.
        var placed = new List<(double X, double Y)>();
        int guard = 0;
        while (placed.Count < options.PointLights && guard++ < 10_000)
        {
            double x = 50 + rng.NextDouble() * (w - 100), y = 50 + rng.NextDouble() * (h - 100);
            if (placed.Any(p => Math.Abs(p.X - x) < 70 && Math.Abs(p.Y - y) < 70)) continue;
            placed.Add((x, y));
            var (min, max) = options.LightSaturationFactor;
            double factor = min * Math.Pow(max / min, rng.NextDouble());
            double sigma = 0.6 + 0.5 * rng.NextDouble();
            double peak = factor * satRate;
            var tint = Tint(peak);
            scene.AddPointLight(new PointLight(x, y, sigma, tint.Val0, tint.Val1, tint.Val2));
        }
        return scene;
    }

    /// <summary>Luminance (0.2126 R + 0.7152 G + 0.0722 B), CV_32FC1, same size as <see cref="Radiance"/>.</summary>
    public Mat Luminance()
    {
        var lum = new Mat(Radiance.Rows, Radiance.Cols, MatType.CV_32FC1);
        var src = Radiance.AsSpan<float>();
        var dst = lum.AsSpan<float>();
        for (int i = 0; i < dst.Length; i++)
            dst[i] = 0.2126f * src[3 * i] + 0.7152f * src[3 * i + 1] + 0.0722f * src[3 * i + 2];
        return lum;
    }

    /// <inheritdoc />
    public void Dispose() => Radiance.Dispose();
}
