using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.IO;

namespace EventDeblur.Pipeline.Output;

/// <summary>
/// <c>run.json</c> of a run folder (RECORDING_FORMAT.md, "What a run writes"): what ran, on what, with
/// which options, and how it ended. Written by replay and live, read by <c>report</c> and <c>eval</c>.
/// </summary>
public sealed record RunManifest
{
    /// <summary>Format tag of run.json.</summary>
    public const string FormatTag = "eventdeblur-output/1";

    /// <summary>Tool version written to run.json: the assembly's informational version (the build's one version, also shown by <c>--version</c>).</summary>
    public static string ToolVersion { get; } =
        typeof(RunManifest).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";

    /// <summary><c>live</c> for live runs; null for replays (the key is then absent).</summary>
    public string? Mode { get; init; }

    /// <summary><c>running</c>, <c>completed</c>, <c>cancelled</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The replayed bundle's folder; null for live runs (the key is then absent).</summary>
    public string? InputBundle { get; init; }

    /// <summary>Fingerprint of the replayed bundle's manifest and frame tables (64 hex digits); null for live runs (the key is then absent).</summary>
    public string? InputFingerprint { get; init; }

    /// <summary>
    /// Fingerprint of the replayed bundle's ground-truth kernel tables (64 hex digits; <c>Pipeline.BundleFingerprint.OfGroundTruthKernels</c>);
    /// null for bundles without them (a replay writes the key as null then), live runs and runs written before stop 56 (the key is then absent).
    /// </summary>
    public string? GroundTruthKernelsFingerprint { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>When it finished (UTC); null while running.</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>The run's options (<c>kernels</c> and <c>deconvolver</c> name its method).</summary>
    public required JsonObject Options { get; init; }

    /// <summary>Replays: frame counts and problems once finished (<c>ok</c>, <c>failed</c>, <c>problems</c>); null otherwise.</summary>
    public JsonObject? Frames { get; init; }

    /// <summary>Further top-level entries, written after the others in this order (live: events received, drops, gaps, problems).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Extra { get; init; } = [];

    /// <summary>
    /// The method of the run as <c>eval --methods</c> names it, from <see cref="Options"/>: <c>KERNELS+DECONVOLVER</c>,
    /// or <c>blurry</c> / <c>edi</c> for the runs of those eval methods (identity kernels, which users never type).
    /// </summary>
    public string Method
    {
        get
        {
            string? kernels = Options["kernels"]?.GetValue<string>(), deconvolver = Options["deconvolver"]?.GetValue<string>();
            if (kernels == Methods.MethodCatalogue.IdentityKernels)
            {
                if (deconvolver == Methods.MethodCatalogue.NoDeconvolution) return Methods.MethodCatalogue.Blurry;
                if (deconvolver == Methods.MethodCatalogue.Edi) return Methods.MethodCatalogue.Edi;
            }
            return $"{kernels}+{deconvolver}";
        }
    }

    /// <summary>Whether the run used one delta kernel per frame (the <c>blurry</c> and <c>edi</c> methods): its kernel similarity means nothing.</summary>
    public bool IdentityKernels => Options["kernels"]?.GetValue<string>() == Methods.MethodCatalogue.IdentityKernels;

    /// <summary>
    /// The two checks of kernels from events the run made (<c>blur_check</c>, <c>window_check</c>), with a key a run left
    /// out read as on, as <c>--resume</c> reads it (runs made before the key was recorded ran the check by default); null
    /// for runs whose kernels are not from events, which neither check judges.
    /// </summary>
    public (bool Blur, bool Window)? KernelChecks
    {
        get
        {
            if (Options["kernels"] is not JsonValue k || !k.TryGetValue(out string? kernels) || kernels != Kernels.EventKernelEstimator.SourceName) return null;
            bool On(string key) => Options[key] is not JsonValue v || !v.TryGetValue(out bool b) || b;
            return (On("blur_check"), On("window_check"));
        }
    }

    /// <summary>Writes run.json into <paramref name="runDir"/> atomically.</summary>
    public void Write(string runDir)
    {
        var run = new JsonObject
        {
            ["format"] = FormatTag,
            ["tool"] = "eventdeblur",
            ["version"] = ToolVersion,
        };
        if (Mode != null) run["mode"] = Mode;
        run["status"] = Status;
        if (InputBundle != null) run["input_bundle"] = InputBundle;
        if (InputFingerprint != null) run["input_fingerprint"] = InputFingerprint;
        // Replays write it always, null for a bundle without ground-truth kernels, so that --resume sees them added later.
        if (Mode == null && InputBundle != null) run["ground_truth_kernels_fingerprint"] = GroundTruthKernelsFingerprint;
        run["started"] = Started.ToString("O");
        run["finished"] = Finished?.ToString("O");
        run["options"] = Options.DeepClone();
        if (Mode == null) run["frames"] = Frames?.DeepClone();
        foreach (var (key, value) in Extra) run[key] = value?.DeepClone();
        AtomicFile.WriteAllText(Path.Combine(runDir, "run.json"), run.ToJsonString(EventDeblur.IO.JsonText.Readable));
    }

    /// <summary>Reads run.json of <paramref name="runDir"/>.</summary>
    /// <exception cref="IOException">run.json is missing or not the expected JSON (the message says which file and what is wrong).</exception>
    public static RunManifest Read(string runDir)
    {
        string path = Path.Combine(runDir, "run.json");
        if (!File.Exists(path)) throw new IOException($"{path}: missing (not a run folder)");
        JsonObject run;
        try { run = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new IOException($"{path}: not a JSON object"); }
        catch (JsonException e) { throw new IOException($"{path}: not valid JSON: {IO.JsonSyntax.Describe(e)}", e); }
        string? Text(string key) => run[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        var known = new HashSet<string> { "format", "tool", "version", "mode", "status", "input_bundle", "input_fingerprint", "ground_truth_kernels_fingerprint", "started", "finished", "options", "frames" };
        return new RunManifest
        {
            Mode = Text("mode"),
            Status = Text("status") ?? throw new IOException($"{path}: no 'status'"),
            InputBundle = Text("input_bundle"),
            InputFingerprint = Text("input_fingerprint"),
            GroundTruthKernelsFingerprint = Text("ground_truth_kernels_fingerprint"),
            Started = DateTimeOffset.TryParse(Text("started"), out var s) ? s : throw new IOException($"{path}: no valid 'started' time"),
            Finished = DateTimeOffset.TryParse(Text("finished"), out var f) ? f : null,
            Options = run["options"]?.DeepClone() as JsonObject ?? throw new IOException($"{path}: no 'options' object"),
            Frames = run["frames"]?.DeepClone() as JsonObject,
            Extra = run.Where(p => !known.Contains(p.Key)).Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())).ToList(),
        };
    }
}
