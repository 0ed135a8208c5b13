using System.CommandLine;
using EventDeblur.Formats;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Cli;

/// <summary><c>eventdeblur convert IN OUT [--compression lz4|zstd|none]</c>.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("IN") { Description = "An AEDAT 2.0/3.1/4.0 file, a Prophesee RAW (EVT 2.0/3.0) or DAT file, or an HDF5 event file (DSEC or h5_tools layout)" };
        var output = new Argument<string>("OUT") { Description = "Output: .aedat4 (AEDAT 4.0) or .parquet (event columns t, x, y, p, plus sibling tables)" };
        var compression = new Option<string>("--compression") { Description = "AEDAT 4.0 packet compression: lz4, lz4-high, zstd, zstd-high or none", DefaultValueFactory = _ => "lz4" };
        compression.AcceptOnly("lz4", "lz4-high", "zstd", "zstd-high", "none");
        var width = new Option<int?>("--width") { Description = "Sensor width in pixels, when the input does not state it" };
        var height = new Option<int?>("--height") { Description = "Sensor height in pixels, when the input does not state it" };
        var force = new Option<bool>("--force") { Description = "Replace OUT when it exists (never the input itself)" };
        var eventStream = new Option<int?>("--event-stream") { Description = "AEDAT 4.0 inputs with several event streams: the id of the one to convert (default: the first whose packets hold events; the others are named in notes)" };
        var cmd = new Command("convert", "Convert a recording to AEDAT 4.0 or Parquet, streaming (bounded memory)") { input, output, compression, width, height, force, eventStream };
        cmd.SetAction((r, ct) => RunAsync(r.GetValue(input)!, r.GetValue(output)!, r.GetValue(compression)!, r.GetValue(width), r.GetValue(height), r.GetValue(force), r.GetValue(eventStream), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(string input, string output, string compression, int? width, int? height, bool force, int? eventStream, CancellationToken ct)
    {
        if (Directory.Exists(input))
            throw new UserInputException($"{input}: is a folder; convert takes one event file (for a recording bundle, its events file, e.g. {Path.Combine(input, "events.aedat4")})");
        if (!File.Exists(input)) throw new UserInputException($"{input}: no such file");
        if (Directory.Exists(output))
        {
            // Not the input's own name (stop 43: converting a.aedat4 into its own folder suggested a.aedat4 itself).
            string suggested = Path.Combine(output, Path.GetFileNameWithoutExtension(input) + ".aedat4");
            if (string.Equals(Path.GetFullPath(suggested), Path.GetFullPath(input), StringComparison.Ordinal))
                suggested = Path.Combine(output, Path.GetFileNameWithoutExtension(input) + "-converted.aedat4");
            throw new UserInputException($"{output}: is a folder; give the output file's name, e.g. {suggested}");
        }
        if (FileIdentity.Same(input, output))
            throw new UserInputException($"{output}: is the input itself{(string.Equals(Path.GetFullPath(input), Path.GetFullPath(output), StringComparison.Ordinal) ? "" : " (a link to it, or one it links to)")}; converting into it would replace the recording being read; give another name");
        if (File.Exists(output) && !force)
            throw new UserInputException($"{output}: exists; give a new name, or --force to replace it (written beside it first, so a failed conversion leaves it whole)");
        if (!output.EndsWith(".aedat4", StringComparison.OrdinalIgnoreCase) && !output.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            throw new UserInputException($"{output}: unknown output type; expected a name ending in .aedat4 or .parquet");
        // Parquet output may also write NAME.frames / .triggers / .imu.parquet beside NAME.parquet: those are replaced only with --force too.
        if (output.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !force
            && new[] { ".frames.parquet", ".triggers.parquet", ".imu.parquet" }.Select(x => output[..^8] + x).FirstOrDefault(File.Exists) is { } sibling)
            throw new UserInputException($"{sibling}: exists, and converting to {output} writes the recording's frames, triggers or IMU samples there; give a new name, or --force to replace it");
        if ((width == null) != (height == null))
            throw new UserInputException("--width and --height go together: give both (the sensor size in pixels) or neither");
        // Event coordinates are 16-bit: a sensor is 1..32767 pixels a side.
        if (width is int gw && height is int gh && (gw is < 1 or > short.MaxValue || gh is < 1 or > short.MaxValue))
            throw new UserInputException($"--width {gw} --height {gh}: a sensor size is 1..{short.MaxValue} pixels a side");
        if (compression != "lz4" && output.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            Console.Error.WriteLine($"note: --compression {compression} applies to AEDAT 4.0 output; {output} is Parquet, written with its own compression");
        // A size given is also how an AEDAT 2.0 file of an unknown AEChip is decoded (its y flipped by that height, as for
        // every DAVIS camera; stop 44's trial: it was written upside down, exit 0).
        using var reader = EventFile.Open(input, new AedatReaderOptions { EventStreamId = eventStream, SizeIfUnstated = width is int sw && height is int sh ? (sw, sh) : null });
        if (eventStream != null && reader is not Aedat4Reader)
            Console.Error.WriteLine($"note: --event-stream applies to AEDAT 4.0 files; {input} has one event stream, which is read");
        OutputFolder.PrepareParentOf(output, "output");
        // What a conversion killed with SIGKILL left beside OUT (its hidden .partial files) goes now.
        int stale = new[] { output }.Concat(output.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
                ? new[] { ".frames.parquet", ".triggers.parquet", ".imu.parquet" }.Select(x => output[..^8] + x) : [])
            .Sum(AtomicFile.RemoveStalePartials);
        if (stale > 0) Console.Error.WriteLine($"note: removed {stale} .partial file(s) beside {output} left by a conversion that was killed");
        // Each stated dimension must agree (a file may state one only: the other was unreadable).
        if (width != null && ((reader.Info.Width > 0 && reader.Info.Width != width) || (reader.Info.Height > 0 && reader.Info.Height != height)))
            throw new UserInputException($"{input}: the file states its sensor size, {(reader.Info.Width > 0 ? reader.Info.Width : "?")}×{(reader.Info.Height > 0 ? reader.Info.Height : "?")}; --width/--height ({width}×{height}) only supply a size to files that do not state one");
        // A file that states no size and none given, for AEDAT 4.0 (whose header needs one; Parquet states none then): refused
        // before anything is written, with the least size its events need, as inspect gives it (trial 48a: convert said only
        // "pass --width and --height").
        if (width == null && (reader.Info.Width <= 0 || reader.Info.Height <= 0) && output.EndsWith(".aedat4", StringComparison.OrdinalIgnoreCase))
            throw new UserInputException($"{input}: the sensor size is not stated in the file; pass --width and --height" +
                                         (EventFile.Extent(input) is { } x ? $" (its events reach x = {x.MaxX}, y = {x.MaxY}: at least {x.MaxX + 1}×{x.MaxY + 1}; e.g. 304×240 for an ATIS / Gen1, 640×480 for a Gen3 VGA, 1280×720 for a Gen4 HD)" : ""));
        ConversionResult result;
        if (output.EndsWith(".aedat4", StringComparison.OrdinalIgnoreCase))
        {
            var c = compression switch
            {
                "none" => Aedat4Compression.None,
                "lz4-high" => Aedat4Compression.Lz4High,
                "zstd" => Aedat4Compression.Zstd,
                "zstd-high" => Aedat4Compression.ZstdHigh,
                _ => Aedat4Compression.Lz4,
            };
            result = AedatConverter.ToAedat4(reader, output, c, width, height, ct);
        }
        else if (output.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            result = await AedatConverter.ToParquetAsync(reader, output, ct: ct, width: width, height: height);
        else
            throw new UserInputException($"{output}: unknown output type; expected a name ending in .aedat4 or .parquet");
        Console.WriteLine($"wrote {result.Events:N0} events, {result.Frames:N0} frames, {result.Triggers:N0} triggers, {result.Imu:N0} IMU samples");
        bool dropped = result.DroppedBackward + result.DroppedOutOfRange + result.DroppedJumpedForward > 0;
        if (dropped)
            Console.WriteLine($"dropped {result.DroppedBackward:N0} events going back in time" +
                              (result.DroppedJumpedForward > 0 ? $", {result.DroppedJumpedForward:N0} after a damaged timestamp that threw time forward (the stream then went on from the earlier time)," : "") +
                              $" and {result.DroppedOutOfRange:N0} outside the sensor ({(width != null ? "the size given" : "the size the file states")}) so that the output is valid; " +
                              (result.Problems.Any(p => p.Severity == ProblemSeverity.Error) ? "the reader's errors below say where" : "they are data lost (exit 1)"));
        foreach (var o in result.Outputs) Console.WriteLine($"  {o}");
        foreach (var p in result.Problems)
        {
            // A size given with --width/--height is the one events are checked against: the reader's "not checked" note is not true then.
            if (width != null && p.Severity == ProblemSeverity.Note && p.Message.EndsWith("events are not checked against one", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"note: {p.Source}: the file states no sensor size; the size given, {width}×{height}, is written and events outside it are dropped");
                continue;
            }
            Console.Error.WriteLine($"{(p.Severity == ProblemSeverity.Error ? "error" : "note")}: {p.Plain}");
        }
        return dropped || result.Problems.Any(p => p.Severity == ProblemSeverity.Error) ? ExitCodes.DataProblems : ExitCodes.Success;
    }
}
