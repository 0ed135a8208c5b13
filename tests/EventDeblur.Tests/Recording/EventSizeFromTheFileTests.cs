using System.Text.Json.Nodes;
using EventDeblur.Kernels;
using EventDeblur.Methods;
using EventDeblur.Pipeline;
using EventDeblur.Recording;
using EventDeblur.Simulation;

namespace EventDeblur.Tests.Recording;

/// <summary>
/// A bundle whose recording.json leaves out events.width / height, replayed: frames.parquet's footer names the event
/// file's size (review of stop 48: it said "0" × "0", the manifest's absent values).
/// </summary>
public class EventSizeFromTheFileTests
{
    [SkippableFact]
    public async Task AReplayOfABundleWithoutEventsSizeNamesTheFilesSizeInFramesParquet()
    {
        DuckDb.Require();
        string bundle = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 1, RgbWidth = 200, RgbHeight = 150, PointLights = 2 }, 17, bundle);
        string path = Path.Combine(bundle, "recording.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var ev = json["events"]!.AsObject();
        var (w, h) = ((int)ev["width"]!, (int)ev["height"]!);
        ev.Remove("width");
        ev.Remove("height");
        File.WriteAllText(path, json.ToJsonString());
        string outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        await ReplayPipeline.RunAsync(bundle, outDir, new ReplayOptions { Methods = new MethodCatalogueBuilder().Build(), Deconvolver = "wiener" }, new GroundTruthKernelEstimator());
        var m = DuckDb.Metadata(Path.Combine(outDir, "frames.parquet"));
        Assert.Equal((w.ToString(), h.ToString()), (m["sensor_width"], m["sensor_height"]));
    }
}
