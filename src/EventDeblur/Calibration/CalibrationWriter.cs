using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Imaging;
using EventDeblur.IO;

namespace EventDeblur.Calibration;

/// <summary>Stores a homography into a bundle's recording.json, atomically, keeping every other field as it was.</summary>
public static class CalibrationWriter
{
    /// <summary>Sets <c>calibration.rgb_to_events_homography</c> of <paramref name="recordingJson"/> to <paramref name="rgbToEvents"/> (3 rows of 3, normalised so h22 = 1).</summary>
    /// <param name="recordingJson">Path of the bundle's recording.json.</param>
    /// <param name="rgbToEvents">RGB pixel → event pixel homography.</param>
    /// <exception cref="UserInputException">The file is not a JSON object (unusable).</exception>
    public static void Write(string recordingJson, Homography rgbToEvents)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(recordingJson)); }
        catch (JsonException e) { throw new UserInputException($"{recordingJson}: not valid JSON: {IO.JsonSyntax.Describe(e)}"); }
        if (root is not JsonObject obj) throw new UserInputException($"{recordingJson}: expected a JSON object at the top level");
        var h = rgbToEvents.ToRowMajor();
        var rows = new JsonArray();
        for (int r = 0; r < 3; r++) rows.Add(new JsonArray(h[r * 3] / h[8], h[r * 3 + 1] / h[8], h[r * 3 + 2] / h[8]));
        if (obj["calibration"] is not JsonObject cal)
        {
            cal = new JsonObject();
            obj["calibration"] = cal;
        }
        cal["rgb_to_events_homography"] = rows;
        AtomicFile.WriteAllText(recordingJson, obj.ToJsonString(EventDeblur.IO.JsonText.Readable) + "\n");
    }
}
