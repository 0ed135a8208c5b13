using System.Diagnostics;
using EventDeblur.Learned;

namespace EventDeblur.Benchmarks;

/// <summary>
/// <c>refiner [--model M.onnx]... [--tile N]... [--device cpu|cuda]... [--threads N] [--reps N] [--width W --height H]</c>:
/// times the learned deconvolver's network alone on one plane of the benchmark frame's size (640×480 by default) for every
/// combination of model, tile size and device (CPU by default; <c>cuda</c> fails when CUDA cannot start), interleaved, and prints the median process CPU and wall time per megapixel, plus each output's
/// largest difference from the first configuration's (same input, so a tiling or model change shows what it alters).
/// </summary>
internal static class RefinerProfiling
{
    public static int Run(string[] args)
    {
        var models = new List<string>();
        var tiles = new List<int>();
        var devices = new List<InferenceDevice>();
        int threads = 1, reps = 5, width = 640, height = 480;
        for (int i = 0; i < args.Length; i++)
        {
            string v = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--model": models.Add(v); break;
                case "--tile": tiles.Add(int.Parse(v)); break;
                case "--device": devices.Add(v == "cuda" ? InferenceDevice.Cuda : v == "cpu" ? InferenceDevice.Cpu : throw new ArgumentException($"--device {v}: expected cpu or cuda")); break;
                case "--threads": threads = int.Parse(v); break;
                case "--reps": reps = int.Parse(v); break;
                case "--width": width = int.Parse(v); break;
                case "--height": height = int.Parse(v); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
            i++;
        }
        if (models.Count == 0) models.Add(LearnedDeconvolver.FindDefaultModel() ?? throw new FileNotFoundException("no default model"));
        if (tiles.Count == 0) tiles.Add(new RefinerOptions("x").TilePx);
        if (devices.Count == 0) devices.Add(InferenceDevice.Cpu);

        // A deterministic input with the planes' usual ranges: structure, a few clipped lights, mask, noise plane.
        var rng = new Random(7);
        var planes = new float[OnnxRefiner.InputPlanes][];
        for (int c = 0; c < planes.Length; c++) planes[c] = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                float s = 0.2f + 0.15f * MathF.Sin(x / 7f) * MathF.Cos(y / 11f) + 0.05f * (float)rng.NextDouble();
                bool light = (x % 97 - 48) * (x % 97 - 48) + (y % 83 - 41) * (y % 83 - 41) < 16;
                planes[0][i] = light ? 1.2f : s;
                planes[1][i] = light ? 1f : 0.9f * s + 0.02f;
                planes[2][i] = light ? 1f : 0f;
                planes[3][i] = 0.5f + 0.3f * s;
            }

        var configs = (from d in devices from m in models from t in tiles select (Model: m, Tile: t, Device: d)).ToArray();
        var refiners = configs.Select(c => OnnxRefiner.Load(new RefinerOptions(c.Model, c.Device, TilePx: c.Tile, IntraOpThreads: threads))).ToArray();
        var cpu = configs.Select(_ => new List<double>()).ToArray();
        var wall = configs.Select(_ => new List<double>()).ToArray();
        var outputs = new float[configs.Length][];
        using var self = Process.GetCurrentProcess();
        for (int rep = -1; rep < reps; rep++) // rep −1: warm-up
            for (int k = 0; k < configs.Length; k++)
            {
                self.Refresh();
                var c0 = self.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                outputs[k] = refiners[k].Run(planes, width, height);
                double w = sw.Elapsed.TotalSeconds;
                self.Refresh();
                if (rep < 0) continue;
                wall[k].Add(w);
                cpu[k].Add((self.TotalProcessorTime - c0).TotalSeconds);
            }
        double mp = width * height / 1e6;
        Console.WriteLine($"refiner on one {width}×{height} plane, {threads} intra-op thread(s), median of {reps} (interleaved)");
        for (int k = 0; k < configs.Length; k++)
        {
            double maxDiff = 0;
            for (int i = 0; i < outputs[k].Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(outputs[k][i] - outputs[0][i]));
            Console.WriteLine($"  {refiners[k].Provider,-4} {Path.GetFileName(configs[k].Model),-32} tile {configs[k].Tile,5}: CPU {Median(cpu[k]) / mp,6:F2} s/MP, wall {Median(wall[k]) / mp,6:F2} s/MP, max |Δ| vs first {maxDiff:E2}");
        }
        foreach (var r in refiners) r.Dispose();
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s[s.Length / 2];
    }
}
