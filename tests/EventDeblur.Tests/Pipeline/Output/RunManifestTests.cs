using System.Text.Json.Nodes;
using EventDeblur.Pipeline.Output;

namespace EventDeblur.Tests.Pipeline.Output;

/// <summary>run.json is written and read with the same record.</summary>
public class RunManifestTests
{
    [Fact]
    public void AReplayManifestRoundTripsAndNamesItsMethod()
    {
        string dir = TestPaths.NewTempDir();
        var m = new RunManifest
        {
            Status = "completed",
            InputBundle = "/data/night-101",
            Started = new DateTimeOffset(2026, 12, 2, 4, 30, 0, TimeSpan.Zero),
            Finished = new DateTimeOffset(2026, 12, 2, 4, 31, 5, TimeSpan.Zero),
            Options = new JsonObject { ["deconvolver"] = "hl", ["kernels"] = "events", ["resume"] = false },
            Frames = new JsonObject { ["ok"] = 3, ["failed"] = 0, ["problems"] = new JsonArray() },
        };
        m.Write(dir);
        var back = RunManifest.Read(dir);
        Assert.Equal("events+hl", back.Method);
        Assert.Equal((m.Status, m.InputBundle, m.Started, m.Finished, m.Mode), (back.Status, back.InputBundle, back.Started, back.Finished, back.Mode));
        Assert.Equal(m.Options.ToJsonString(), back.Options.ToJsonString());
        Assert.Equal(m.Frames.ToJsonString(), back.Frames!.ToJsonString());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!.AsObject();
        // A replay states its ground-truth kernels' fingerprint always, null without them (so --resume sees them added later).
        Assert.Equal(["format", "tool", "version", "status", "input_bundle", "ground_truth_kernels_fingerprint", "started", "finished", "options", "frames"], json.Select(p => p.Key));
        Assert.Null(json["ground_truth_kernels_fingerprint"]);
        Assert.Null(back.GroundTruthKernelsFingerprint);
        Assert.Empty(back.Extra);
        (m with { GroundTruthKernelsFingerprint = new string('a', 64) }).Write(dir);
        Assert.Equal(new string('a', 64), RunManifest.Read(dir).GroundTruthKernelsFingerprint);
        Assert.Equal(RunManifest.FormatTag, json["format"]!.GetValue<string>());
    }

    [Fact]
    public void ALiveManifestKeepsItsExtraEntriesInOrder()
    {
        string dir = TestPaths.NewTempDir();
        new RunManifest
        {
            Mode = "live",
            Status = "cancelled",
            Started = DateTimeOffset.UnixEpoch,
            Finished = DateTimeOffset.UnixEpoch.AddSeconds(10),
            Options = new JsonObject { ["deconvolver"] = "wiener", ["kernels"] = "events" },
            Extra = [new("events_received", 1234), new("gaps", new JsonArray("events: 0.5 s lost"))],
        }.Write(dir);
        var back = RunManifest.Read(dir);
        Assert.Equal("live", back.Mode);
        Assert.Null(back.InputBundle);
        Assert.Equal(["events_received", "gaps"], back.Extra.Select(e => e.Key));
        Assert.Equal(1234, back.Extra[0].Value!.GetValue<long>());
    }

    [Fact]
    public void AFolderWithoutRunJsonSaysSo()
    {
        string dir = TestPaths.NewTempDir();
        var e = Assert.Throws<IOException>(() => RunManifest.Read(dir));
        Assert.Contains("run.json", e.Message);
    }
}
