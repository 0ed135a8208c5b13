using EventDeblur.Methods;
using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Pipeline.Output;
using EventDeblur.Simulation;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Deconvolution;

/// <summary>
/// The do-no-harm guard through a whole replay of a simulated bundle with the default deconvolver (<c>robust</c>):
/// what it decided lands in frames.parquet (<c>guard_tiles</c>, <c>guard_fallback_tiles</c>, <c>guard_input_tiles</c>).
/// </summary>
public class GuardReplayTests(ITestOutputHelper output)
{
    private static string Bundle(int seed)
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 2, RgbWidth = 320, RgbHeight = 240 }, seed, dir);
        return dir;
    }

    private async Task<List<FrameResult>> Replay(string bundle, IKernelEstimator kernels)
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "robust" }, kernels);
        var rows = await FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet"));
        foreach (var r in rows)
            output.WriteLine($"frame {r.Index}: {r.Status} {r.Error} PSNR {r.Psnr:F2} (blurry {r.PsnrBlurry:F2}); guard {r.GuardFallbackTiles}/{r.GuardTiles} fell back, {r.GuardInputTiles} to the input");
        return rows;
    }

    [Fact]
    public async Task ABadlyWrongKernelFallsBackNearTheInputAndFramesParquetCountsIt()
    {
        var rows = await Replay(Bundle(23), new WrongKernels());
        Assert.Equal(2, rows.Count);
        foreach (var r in rows)
        {
            Assert.Equal("ok", r.Status);
            Assert.Equal("balanced", r.Quality); // the run's rung (the default), in its frames.parquet column
            Assert.NotNull(r.GuardTiles);
            // 320×240 less the 48-px margin: 2×1 tiles of ≈ 128 px per channel, 3 channels, one blur region.
            Assert.Equal(6, r.GuardTiles);
            Assert.True(r.GuardFallbackTiles >= r.GuardTiles * 3 / 4, $"frame {r.Index}: only {r.GuardFallbackTiles}/{r.GuardTiles} tiles fell back");
            Assert.InRange(r.GuardInputTiles!.Value, 0, r.GuardFallbackTiles!.Value);
            // Stated bound: not worse than the blurry input by more than 0.1 dB.
            Assert.True(r.Psnr >= r.PsnrBlurry - 0.1, $"frame {r.Index}: {r.Psnr:F2} dB is worse than the blurry input's {r.PsnrBlurry:F2} dB");
        }
    }

    [Fact]
    public async Task TheTrueKernelIsKeptAndGains()
    {
        var rows = await Replay(Bundle(29), new GroundTruthKernelEstimator());
        Assert.Equal(2, rows.Count);
        foreach (var r in rows)
        {
            Assert.Equal("ok", r.Status);
            Assert.Equal(6, r.GuardTiles);
            // The true kernel explains the frame down to its noise (consistency ≈ 0.5–1.5): no tile may fall back.
            Assert.Equal(0, r.GuardFallbackTiles);
            Assert.Equal(0, r.GuardInputTiles);
            Assert.True(r.Psnr > r.PsnrBlurry + 5, $"frame {r.Index}: {r.Psnr:F2} dB gains less than 5 dB over the blurry input's {r.PsnrBlurry:F2} dB");
        }
    }

    [Fact]
    public async Task ADeconvolverWithoutAGuardLeavesTheColumnsEmpty()
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        await ReplayPipeline.RunAsync(Bundle(31), outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator());
        foreach (var r in await FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet")))
            Assert.Equal((int?[])[null, null, null], [r.GuardTiles, r.GuardFallbackTiles, r.GuardInputTiles]);
    }

    /// <summary>
    /// The bundle's true kernels turned a quarter turn and stretched to twice their length: a blur across the true one,
    /// which no deconvolver can undo (a stand-in for an event kernel gone badly wrong).
    /// </summary>
    private sealed class WrongKernels : IKernelEstimator
    {
        private readonly GroundTruthKernelEstimator _truth = new();

        public string Name => "wrong";

        public KernelEstimate Estimate(KernelRequest request)
        {
            var t = _truth.Estimate(request);
            return t with { Source = Name, Tiles = t.Tiles.Select(k => k with { Kernel = TurnedAndStretched(k.Kernel) }).ToList() };
        }

        private static BlurKernel TurnedAndStretched(BlurKernel k)
        {
            int s = k.Size, c = k.Center, s2 = 2 * s - 1, c2 = s2 / 2;
            var w = new float[s2 * s2];
            for (int i = 0; i < s2; i++)
                for (int j = 0; j < s2; j++)
                {
                    // Row i, column j of the result samples the kernel at half the offset, turned by 90°: (di, dj) → (dj, −di).
                    int di = (i - c2) / 2, dj = (j - c2) / 2;
                    int si = c + dj, sj = c - di;
                    if (si >= 0 && si < s && sj >= 0 && sj < s) w[i * s2 + j] = k[si, sj];
                }
            return new BlurKernel(s2, w).Normalized();
        }
    }
}
