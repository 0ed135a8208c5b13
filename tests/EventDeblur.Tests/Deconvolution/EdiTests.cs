using EventDeblur.Kernels;
using EventDeblur.Pipeline;
using EventDeblur.Simulation;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Deconvolution;

public class EdiTests
{
    [Fact]
    public async Task EdiSharpensSimulatedApsFramesFromEventsAlone()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("aps") with { Frames = 2 }, 61, Path.Combine(dir, "aps"));
        var s = await ReplayPipeline.RunAsync(Path.Combine(dir, "aps"), Path.Combine(dir, "out"), new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "edi" }, new IdentityKernelEstimator());
        Assert.All(s.Results, r => Assert.Equal("ok", r.Status));
        foreach (var r in s.Results)
            Assert.True(r.Psnr > r.PsnrBlurry + 2, $"frame {r.Index}: EDI {r.Psnr:F2} dB vs blurry {r.PsnrBlurry:F2} dB");
    }

    [Fact]
    public async Task EdiRefusesFramesOffTheEventGrid()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 1, RgbWidth = 200, RgbHeight = 150, PointLights = 1 }, 62, Path.Combine(dir, "rgb"));
        var s = await ReplayPipeline.RunAsync(Path.Combine(dir, "rgb"), Path.Combine(dir, "out"), new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "edi" }, new IdentityKernelEstimator());
        var r = Assert.Single(s.Results);
        Assert.Equal("failed", r.Status);
        Assert.Contains("event pixel grid", r.Error);
    }
}
