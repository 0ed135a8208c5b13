using System.Text.Json.Nodes;

namespace EventDeblur.Pipeline.Output;

/// <summary>What a run is, as far as its output folder is concerned: compared with the folder's <c>run.json</c> by <see cref="RunFolder.Claim"/>.</summary>
/// <param name="Mode"><c>null</c> for a replay, <c>live</c> for a live run (RunManifest.Mode).</param>
/// <param name="InputBundle">Absolute path of the replayed bundle (null for live runs).</param>
/// <param name="InputFingerprint">Fingerprint of the bundle's manifest and frame tables (<c>Pipeline.BundleFingerprint</c>; null for live runs).</param>
/// <param name="MethodOptions">The options that shape the outputs (kernels, deconvolver, latency, …); run-control options (resume, workers) left out.</param>
/// <param name="GroundTruthKernelsFingerprint">Fingerprint of the bundle's ground-truth kernel tables (<c>Pipeline.BundleFingerprint.OfGroundTruthKernels</c>; null without them, and for live runs).</param>
public sealed record RunIdentity(string? Mode, string? InputBundle, string? InputFingerprint, JsonObject MethodOptions, string? GroundTruthKernelsFingerprint = null);
