using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Formats;
using EventDeblur.IO;

namespace EventDeblur.Recording;

/// <summary>
/// <c>events-source.json</c> in a bundle whose events.aedat4 was converted (by <c>bundle</c>) from a Prophesee RAW / DAT
/// or HDF5 file: the source file and the errors its reader found (the events it could not read, those the conversion
/// left out). The converted file is valid AEDAT 4.0, so without this record a bundle made from a damaged recording
/// would inspect as clean. Read by <see cref="RecordingBundle.Load"/>, which lists each error as a note of the bundle.
/// A file RECORDING_FORMAT.md does not define: other tools ignore it.
/// </summary>
public static class ConversionRecord
{
    /// <summary>The record's file name in the bundle folder.</summary>
    public const string FileName = "events-source.json";

    /// <summary>Most errors kept in the record (the rest are counted).</summary>
    public const int MaxListed = 100;

    /// <summary>Writes the record of <paramref name="eventsFile"/>, converted from <paramref name="sourcePath"/>, into <paramref name="root"/> atomically.</summary>
    public static void Write(string root, string eventsFile, string sourcePath, IReadOnlyList<Problem> errors)
    {
        var list = new JsonArray();
        foreach (var p in errors.Take(MaxListed))
            list.Add(new JsonObject { ["location"] = p.Location.Kind == ProblemLocationKind.None ? null : p.Location.ToString(), ["message"] = p.Message });
        var json = new JsonObject
        {
            ["events_file"] = eventsFile,
            ["converted_from"] = Path.GetFullPath(sourcePath),
            ["errors"] = list,
            ["errors_not_listed"] = Math.Max(0, errors.Count - MaxListed),
        };
        AtomicFile.WriteAllText(Path.Combine(root, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// The record in <paramref name="root"/> as notes of the bundle (none when there is no record); an unreadable record is
    /// one note saying so.
    /// </summary>
    public static IEnumerable<Problem> Notes(string root)
    {
        string path = Path.Combine(root, FileName);
        if (!File.Exists(path)) yield break;
        JsonObject? json = null;
        string? why = null;
        try { json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException) { why = e.Message; }
        if (json == null)
        {
            yield return Problem.Note(path, ProblemLocation.None, $"not readable as the record of the event file's conversion ({why ?? "not a JSON object"}); ignored");
            yield break;
        }
        string events = json["events_file"]?.GetValue<string>() ?? "the event file";
        string source = json["converted_from"]?.GetValue<string>() ?? "another file";
        var errors = json["errors"] as JsonArray ?? [];
        long more = json["errors_not_listed"]?.GetValue<long>() ?? 0;
        if (errors.Count == 0 && more == 0) yield break;
        yield return Problem.Note(path, ProblemLocation.None, $"{events} was converted from {source}, whose reader found {errors.Count + more} error(s); the events it could not read or that the conversion left out are not in {events}:");
        foreach (var e in errors)
        {
            if (e is not JsonObject o) continue;
            string? where = o["location"]?.GetValue<string>();
            yield return Problem.Note(path, ProblemLocation.None, $"  {source}: {(where != null ? where + ": " : "")}{o["message"]?.GetValue<string>()}");
        }
        if (more > 0) yield return Problem.Note(path, ProblemLocation.None, $"  and {more} more error(s) of {source} not listed");
    }
}
