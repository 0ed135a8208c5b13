using System.Buffers.Binary;
using EventDeblur.Imaging;
using OpenCvSharp;

namespace EventDeblur.Tests.Cli;

/// <summary>
/// A PNG frame with a bit flipped inside its pixel data used to reach libpng, which printed its own
/// "libpng error: …" on standard error while the frame failed as "not an image OpenCV can decode", and
/// <c>inspect</c> called the bundle clean. The chunks are now checked (CRC-32) before decoding.
/// </summary>
public partial class HardeningAuditTests
{
    /// <summary>Byte offset of the first IDAT chunk of a PNG (its length field).</summary>
    private static int FirstIdat(byte[] png)
    {
        int pos = 8;
        while (pos + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            if (png.AsSpan(pos + 4, 4).SequenceEqual("IDAT"u8)) return pos;
            pos += 12 + length;
        }
        throw new InvalidOperationException("no IDAT chunk");
    }

    [Fact]
    public void PngStructureFindsTheCorruptChunkAndItsOffset()
    {
        using var img = new Mat(40, 60, MatType.CV_16UC3, new Scalar(1000, 20000, 65535));
        Cv2.Randu(img, new Scalar(0, 0, 0), new Scalar(65535, 65535, 65535));
        byte[] png = img.ImEncode(".png");
        Assert.True(PngStructure.IsPng(png));
        Assert.Null(PngStructure.FindFault(png));

        int idat = FirstIdat(png);
        byte[] flipped = (byte[])png.Clone();
        flipped[idat + 8 + 5] ^= 0x40;
        string fault = PngStructure.FindFault(flipped)!;
        Assert.StartsWith($"byte {idat}: chunk IDAT", fault);
        Assert.Contains("CRC-32", fault);

        string cut = PngStructure.FindFault(png.AsSpan(0, png.Length - 20))!;
        Assert.Contains("cut short", cut);
        Assert.Contains("byte 0", PngStructure.FindFault("GIF89a-not-a-png"u8)!);
        // Trailing bytes after IEND are tolerated.
        Assert.Null(PngStructure.FindFault([.. png, 0, 0, 0]));
    }

    [Fact]
    public void ACorruptPngFrameIsNamedByInspectAndReplayWithoutNativeNoise()
    {
        string bundle = CopyOfSample();
        string frame = Path.Combine(bundle, "rgb", "000001.png");
        byte[] png = File.ReadAllBytes(frame);
        int idat = FirstIdat(png);
        png[idat + 8 + 200] ^= 0xFF;
        File.WriteAllBytes(frame, png);

        var inspect = Run("inspect", bundle);
        Assert.Equal(1, inspect.Code);
        Assert.Contains($"000001.png: byte {idat}: chunk IDAT", inspect.Out);
        Assert.Contains("; frame 1 (listed in", inspect.Out);
        // As a record: the PNG, at the corrupt chunk's byte offset.
        var json = Run("inspect", bundle, "--json");
        var record = Assert.Single(System.Text.Json.JsonDocument.Parse(json.Out).RootElement.GetProperty("problems").EnumerateArray(),
            p => p.GetProperty("source").GetString() == frame);
        Assert.Equal("byte", record.GetProperty("location_kind").GetString());
        Assert.Equal(idat, record.GetProperty("location").GetInt64());

        string outDir = NewOut();
        var replay = Run("replay", bundle, "--out", outDir, "--deconvolver", "none");
        Assert.Equal(1, replay.Code);
        Assert.Contains($"index 1: failed ({frame}: byte {idat}: chunk IDAT", replay.Out + replay.Err);
        Assert.DoesNotContain("libpng", replay.Out + replay.Err);
        Assert.Contains("2 frames deblurred, 1 failed", replay.Out + replay.Err);
    }

    /// <summary>
    /// <c>--quality</c> was accepted and recorded in run.json for deconvolvers without rungs (none, wiener, rl, hl), so a
    /// user who asked for <c>best</c> got no sign that it changed nothing, and --resume refused a rerun that differed
    /// only in it. Such runs now say so on standard error and record no quality.
    /// </summary>
    [Fact]
    public async Task QualityGivenToADeconvolverWithoutRungsIsNotedAndNotRecorded()
    {
        string outDir = NewOut();
        var r = Run("replay", Sample, "--out", outDir, "--deconvolver", "none", "--kernels", "gt", "--quality", "best");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("note: --quality best changes nothing for none: only robust and learned have quality rungs", r.Err);
        using (var run = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run.json"))))
            Assert.Equal(System.Text.Json.JsonValueKind.Null, run.RootElement.GetProperty("options").GetProperty("quality").ValueKind);
        Assert.All(await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(outDir, "frames.parquet")), f => Assert.Null(f.Quality));
        // A rerun at another rung resumes (the rung is not part of such a run); its summary says the frames were kept, not redone.
        var resumed = Run("replay", Sample, "--out", outDir, "--deconvolver", "none", "--kernels", "gt", "--quality", "fast", "--resume");
        Assert.Equal(0, resumed.Code);
        Assert.Contains("completed: 3 frames deblurred, 0 failed (3 of them kept from the earlier run, 0 worked on now)", resumed.Out);

        string robust = NewOut();
        var b = Run("replay", Sample, "--out", robust, "--deconvolver", "robust", "--kernels", "gt", "--quality", "fast");
        Assert.True(b.Code == 0, b.Err);
        Assert.DoesNotContain("note: --quality", b.Err);
        using (var run = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(robust, "run.json"))))
            Assert.Equal("fast", run.RootElement.GetProperty("options").GetProperty("quality").GetString());
        Assert.All(await EventDeblur.Pipeline.Output.FramesParquet.ReadAsync(Path.Combine(robust, "frames.parquet")), f => Assert.Equal("fast", f.Quality));
    }

    /// <summary>
    /// OpenCV's FFmpeg back-end printed "[mov,mp4,m4a,…] moov atom not found" (on stderr, or on stdout when its level is
    /// set) beside the command's own error for a broken video. The CLI now keeps the native libraries quiet unless the user asks for their logs.
    /// </summary>
    [Fact]
    public void NativeLibrariesKeepTheirLogLinesOffStderrUnlessAskedFor()
    {
        string dir = TestPaths.NewTempDir();
        string video = Path.Combine(dir, "broken.mp4");
        File.WriteAllText(video, "not a video");
        string csv = Path.Combine(dir, "exposures.csv");
        File.WriteAllLines(csv, ["exposure_start_us,exposure_end_us", "1000,2000"]);
        string[] args = ["bundle", "--events", Path.Combine(Sample, "events.aedat4"), "--rgb", video, "--exposure-csv", csv, "--out", Path.Combine(dir, "b")];
        var env = new Dictionary<string, string?> { ["OPENCV_LOG_LEVEL"] = null, ["OPENCV_FFMPEG_LOGLEVEL"] = null };

        var quiet = CliTests.RunWithin(TimeSpan.FromSeconds(120), env, args);
        Assert.NotEqual(0, quiet.Code);
        Assert.Contains($"{video}: not an image folder or a video OpenCV can open", quiet.Err);
        Assert.Single(quiet.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("moov", quiet.Out + quiet.Err);

        // The user's own setting wins: FFmpeg's line is back (OpenCV prints it on standard output).
        env["OPENCV_FFMPEG_LOGLEVEL"] = "16";
        var loud = CliTests.RunWithin(TimeSpan.FromSeconds(120), env, args);
        Assert.Contains("moov atom not found", loud.Out + loud.Err);
    }

    /// <summary>
    /// A value that does not parse, given to an option with a range check (<c>--speed abc</c>, <c>--max-kept-events 1e6</c>),
    /// ended the process with an unhandled exception and a stack trace (exit 134): the check read the value that had not
    /// parsed. It is now the parser's usage error, exit 2.
    /// </summary>
    [Theory]
    [InlineData("replay", "--event-latency-us")]
    [InlineData("live", "--event-latency-us")]
    [InlineData("live", "--max-kept-events")]
    [InlineData("live", "--duration-s")]
    [InlineData("serve", "--events-port")]
    [InlineData("serve", "--speed")]
    public void AnOptionValueThatDoesNotParseIsAUsageErrorNotACrash(string verb, string option)
    {
        string[] args = verb switch
        {
            "replay" => ["replay", Sample, "--out", NewOut()],
            "live" => ["live", "--events", "tcp://127.0.0.1:1", "--triggers", "tcp://127.0.0.1:2", "--rgb", "x.mp4", "--rig", "rig.json", "--out", NewOut()],
            _ => option == "--events-port" ? ["serve", Sample, "--triggers-port", "0"] : ["serve", Sample, "--events-port", "0", "--triggers-port", "0"],
        };
        var r = Run([.. args, option, "1e6x"]);
        Assert.Equal(2, r.Code);
        Assert.Contains($"Cannot parse argument '1e6x' for option '{option}'", r.Err);
    }
}
