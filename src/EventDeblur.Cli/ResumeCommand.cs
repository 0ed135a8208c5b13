using EventDeblur.IO;
using System.Text.Json.Nodes;
using EventDeblur.Learned;

namespace EventDeblur.Cli;

/// <summary>
/// The exact command that finishes an unfinished replay run: <c>replay BUNDLE --out OUT --resume</c> plus the options
/// its run.json records that differ from replay's defaults (deconvolver, kernels, quality, event latency, blur and window checks, and for
/// <c>learned</c> a model other than the shipped one and a device other than auto), since <c>--resume</c> refuses a run
/// made with other options.
/// </summary>
internal static class ResumeCommand
{
    /// <summary>The command for the run in <paramref name="outDir"/> of <paramref name="bundle"/>, from its recorded <paramref name="options"/>.</summary>
    public static string For(string bundle, string outDir, JsonObject? options)
    {
        var parts = new List<string> { ToolCommand.Name, "replay", ToolCommand.Word(bundle), "--out", ToolCommand.Word(outDir), "--resume" };
        string? Text(string key) => options?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        string deconvolver = Text("deconvolver") ?? LearnedMethods.Name;
        if (deconvolver != LearnedMethods.Name) parts.AddRange(["--deconvolver", deconvolver]);
        // "identity" is what edi records (it takes no --kernels).
        if (Text("kernels") is { } k && k is not ("events" or EventDeblur.Methods.MethodCatalogue.IdentityKernels)) parts.AddRange(["--kernels", k]);
        if (Text("quality") is { } q && q != "balanced") parts.AddRange(["--quality", q]);
        // A latency found by --event-latency-us auto is asked for as auto again (resume compares event_latency_auto too).
        if (options?["event_latency_auto"] is JsonValue a && a.TryGetValue<bool>(out bool auto) && auto)
            parts.AddRange(["--event-latency-us", LatencyOption.Auto]);
        else if (options?["event_latency_us"] is JsonValue l && l.TryGetValue<long>(out long latency) && latency != 0)
            parts.AddRange(["--event-latency-us", latency.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (options?["blur_check"] is JsonValue b && b.TryGetValue<bool>(out bool check) && !check) parts.AddRange(["--blur-check", KernelCheckOptions.Off]);
        if (options?["window_check"] is JsonValue w && w.TryGetValue<bool>(out bool window) && !window) parts.AddRange(["--window-check", KernelCheckOptions.Off]);
        if (deconvolver == LearnedMethods.Name)
        {
            if (Text("model") is { } m && Path.GetFileName(m) is not (LearnedDeconvolver.DefaultModelFile or LearnedDeconvolver.DefaultCpuModelFile))
                parts.AddRange(["--model", ToolCommand.Word(m)]);
            if (Text("device") is { } d && d != "auto") parts.AddRange(["--device", d]);
        }
        return string.Join(' ', parts);
    }

    /// <summary>The command for the run in <paramref name="outDir"/>, read from its run.json (the bare command when it cannot be read).</summary>
    public static string For(string bundle, string outDir)
    {
        JsonObject? options = null;
        try { options = EventDeblur.Pipeline.Output.RunManifest.Read(outDir).Options; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException or FormatException) { }
        return For(bundle, outDir, options);
    }
}
