using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventDeblur.IO;

/// <summary>How the JSON people read is written: run.json, recording.json, rig manifests, <c>--json</c> output.</summary>
public static class JsonText
{
    /// <summary>
    /// Indented, with non-ASCII text (a path with "ü") and characters such as '+' written as they are instead of
    /// <c>\u00FC</c> / <c>\u002B</c>: these files are read by people and JSON parsers, never embedded in HTML, so the
    /// default encoder's HTML-safe escaping only obscured them.
    /// </summary>
    public static JsonSerializerOptions Readable { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
