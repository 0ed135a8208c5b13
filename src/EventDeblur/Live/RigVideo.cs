using System.Text.Json;
using System.Text.Json.Nodes;
using EventDeblur.Imaging;
using EventDeblur.IO;
using EventDeblur.Recording;
using OpenCvSharp;

namespace EventDeblur.Live;

/// <summary>
/// Writes a bundle's RGB frames as a lossless video (FFV1 in AVI, 8-bit, sRGB-encoded so the dark
/// end keeps its detail) and a rig manifest describing it, so <c>live --rgb</c> can stand in a file for
/// the camera.
/// </summary>
public static class RigVideo
{
    /// <summary>Writes <paramref name="videoPath"/> and <paramref name="rigPath"/>; returns the number of frames.</summary>
    public static int Write(RecordingBundle bundle, string videoPath, string rigPath, double fps = 10)
    {
        var rgb = bundle.Manifest.Rgb ?? throw new BundleException($"{bundle.Root}: an APS-only bundle has no RGB frames to serve as video");
        var enc = PixelEncoding.Parse("srgb");
        double satLinear = rgb.Encoding.ToLinear(Math.Clamp((rgb.SaturationLevel - rgb.BlackLevel) / (rgb.WhiteLevel - rgb.BlackLevel), 0, 1));
        int count = 0;
        string tmp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(videoPath))!, $".{Path.GetFileNameWithoutExtension(videoPath)}.{Guid.NewGuid():N}.partial.avi");
        using (var writer = new VideoWriter())
        {
            foreach (var f in bundle.Frames)
            {
                var img = LinearImage.Read(f.File, rgb.Encoding, rgb.BlackLevel, rgb.WhiteLevel, rgb.SaturationLevel);
                if (!writer.IsOpened() && !writer.Open(tmp, FourCC.FromString("FFV1"), fps, new Size(img.Width, img.Height), img.Channels == 3))
                    throw new IOException($"{videoPath}: OpenCV cannot open an FFV1 video writer");
                using var raw = img.ToRaw(new LinearImage.Encoding(enc, 0, 255, 255, 8));
                writer.Write(raw);
                count++;
            }
        }
        AtomicFile.Commit(tmp, videoPath);
        var rig = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle.Root, "recording.json")))!.AsObject();
        rig["rgb"]!["frames"] = "(video)";
        rig["rgb"]!["encoding"] = "srgb";
        rig["rgb"]!["black_level"] = 0.0;
        rig["rgb"]!["white_level"] = 255.0;
        rig["rgb"]!["saturation_level"] = Math.Floor(255 * enc.FromLinear(satLinear));
        rig["sync"] = new JsonObject { ["source"] = "triggers", ["clock_offset_us"] = 0 };
        rig.Remove("ground_truth");
        AtomicFile.WriteAllText(rigPath, rig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return count;
    }
}
