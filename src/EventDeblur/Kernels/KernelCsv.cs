using System.Globalization;
using System.Text;
using EventDeblur.IO;

namespace EventDeblur.Kernels;

/// <summary>
/// Reads and writes the per-frame kernel CSV of RECORDING_FORMAT.md:
/// <c>tile_x0,tile_y0,tile_x1,tile_y1,size,k0,k1,...</c>, one tile per line, tiles covering the frame.
/// </summary>
public static class KernelCsv
{
    /// <summary>Formats tiles as CSV text (weights with 9 significant digits).</summary>
    public static string Format(IEnumerable<KernelTile> tiles)
    {
        var sb = new StringBuilder();
        foreach (var t in tiles)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{t.X0},{t.Y0},{t.X1},{t.Y1},{t.Kernel.Size}");
            foreach (float w in t.Kernel.Weights) sb.Append(',').Append(w.ToString("G9", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes tiles to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<KernelTile> tiles) => AtomicFile.WriteAllText(path, Format(tiles));

    /// <summary>How far a kernel's weights may sum from 1: rounding in a file written with few digits, or a tail cropped by another tool (every shipped, foreign and simulated kernel is within 3e-7).</summary>
    public const double SumTolerance = 0.02;

    private static readonly string[] HeadNames = ["tile_x0", "tile_y0", "tile_x1", "tile_y1", "size"];

    /// <summary>
    /// Reads tiles; throws <see cref="FormatException"/> on malformed input, naming the file, the line, the field (1-based,
    /// as a spreadsheet counts columns) and what was expected: integer tile bounds with x0 &lt; x1 and y0 &lt; y1, an odd
    /// size ≥ 1, exactly size² weights, each a finite number ≥ 0 (a kernel is a distribution of exposure time: NaN, ±Infinity
    /// or a negative weight is refused), summing to 1 within <see cref="SumTolerance"/>.
    /// </summary>
    public static IReadOnlyList<KernelTile> Read(string path)
    {
        var tiles = new List<KernelTile>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            var f = line.Split(',');
            try
            {
                if (f.Length < 6)
                    throw new FormatException($"{f.Length} value(s); expected tile_x0,tile_y0,tile_x1,tile_y1,size,k0,k1,… (5 integers, then size² weights)");
                var head = new int[5];
                for (int i = 0; i < 5; i++)
                    if (!int.TryParse(f[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out head[i]))
                        throw new FormatException($"field {i + 1} ({HeadNames[i]}) is '{f[i].Trim()}'; expected an integer");
                int size = head[4];
                if (size < 1 || size % 2 == 0) throw new FormatException($"field 5 (size) is {size}; expected an odd kernel size ≥ 1");
                long expected = 5 + (long)size * size;
                if (f.Length != expected) throw new FormatException($"{f.Length} values; expected {expected} for a {size}×{size} kernel (5 + {size}²)");
                if (head[2] <= head[0] || head[3] <= head[1])
                    throw new FormatException($"the tile [{head[0]}, {head[2]}) × [{head[1]}, {head[3]}) is empty; expected tile_x0 < tile_x1 and tile_y0 < tile_y1");
                var w = new float[size * size];
                for (int j = 0; j < w.Length; j++)
                {
                    string text = f[5 + j].Trim();
                    // A kernel is a distribution of exposure time: finite, non-negative, with positive mass.
                    if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out w[j]) || !float.IsFinite(w[j]) || w[j] < 0)
                        throw new FormatException($"field {6 + j} (weight {j}: row {j / size}, column {j % size} of the {size}×{size} kernel) is '{text}'; " +
                                                  "expected a finite number ≥ 0: a kernel is a distribution of exposure time");
                }
                double sum = w.Sum(v => (double)v);
                if (!(sum > 0)) throw new FormatException("the weights sum to 0; expected a positive sum");
                // RECORDING_FORMAT.md: a kernel sums to 1 (it spreads the frame's exposure; another sum scales the image).
                if (Math.Abs(sum - 1) > SumTolerance)
                    throw new FormatException($"the {size}×{size} kernel's weights sum to {sum.ToString("G6", CultureInfo.InvariantCulture)}; expected 1 (± {SumTolerance.ToString(CultureInfo.InvariantCulture)}): a kernel that does not sum to 1 scales the frame's brightness");
                tiles.Add(new KernelTile(head[0], head[1], head[2], head[3], new BlurKernel(size, w)));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}: line {lineNo}: {e.Message}");
            }
        }
        return tiles;
    }

    /// <summary>
    /// Reads the kernel file of each frame in <paramref name="indices"/> (<c>DIR/NNNNNN.csv</c>, e.g. a bundle's
    /// <c>gt/kernels</c>) that exists and returns one problem per malformed or unreadable file: the file, line and field,
    /// and what was expected (see <see cref="Read"/>). Given the <paramref name="frame"/> size (pixels), a missing file is
    /// a problem too, and the tiles must cover the frame exactly: each inside it and non-empty, no two overlapping, their
    /// areas adding up to the frame's (a tile over half the frame leaves the other half without a kernel).
    /// </summary>
    /// <param name="dir">The kernel folder.</param>
    /// <param name="indices">Frame indices (frames.csv <c>index</c>, or APS frame numbers).</param>
    /// <param name="what">What the files are, for the message (e.g. <c>ground-truth kernel</c>).</param>
    /// <param name="frame">The frame size the tiles are in (RGB pixels; APS: event pixels), or null to check the files alone.</param>
    public static IReadOnlyList<Problem> CheckFiles(string dir, IEnumerable<long> indices, string what, (int Width, int Height)? frame = null)
    {
        var problems = new List<Problem>();
        foreach (long index in indices)
        {
            string file = Path.Combine(dir, $"{index:D6}.csv");
            if (!File.Exists(file))
            {
                if (frame != null) problems.Add(Problem.Error(file, $"missing (frame {index}'s {what}; --kernels gt fails that frame and its kernel similarity cannot be scored)"));
                continue;
            }
            try
            {
                var tiles = Read(file);
                if (frame is { } f && CoverageProblem(tiles, f.Width, f.Height) is { } wrong) problems.Add(Problem.Error(file, $"{wrong} (frame {index}'s {what})"));
            }
            catch (FormatException e) { problems.Add(Problem.FromMessage(file, $"{e.Message} (frame {index}'s {what})")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add(Problem.Error(file, $"cannot be read: {e.Message} (frame {index}'s {what})")); }
        }
        return problems;
    }

    /// <summary>Why <paramref name="tiles"/> do not cover a <paramref name="width"/> × <paramref name="height"/> frame exactly once, or null.</summary>
    public static string? CoverageProblem(IReadOnlyList<KernelTile> tiles, int width, int height)
    {
        for (int i = 0; i < tiles.Count; i++)
        {
            var t = tiles[i];
            if (t.X0 < 0 || t.Y0 < 0 || t.X1 > width || t.Y1 > height || t.X0 >= t.X1 || t.Y0 >= t.Y1)
                return $"tile {i + 1} spans x {t.X0}..{t.X1}, y {t.Y0}..{t.Y1}: expected a non-empty rectangle inside the {width}×{height} frame";
            for (int j = 0; j < i; j++)
            {
                var u = tiles[j];
                if (t.X0 < u.X1 && u.X0 < t.X1 && t.Y0 < u.Y1 && u.Y0 < t.Y1)
                    return $"tiles {j + 1} and {i + 1} overlap (x {u.X0}..{u.X1}, y {u.Y0}..{u.Y1} and x {t.X0}..{t.X1}, y {t.Y0}..{t.Y1}): each pixel needs one kernel";
            }
        }
        long covered = tiles.Sum(t => t.Area), area = (long)width * height;
        return covered == area ? null : $"the tiles cover {covered:N0} of the frame's {area:N0} pixels ({width}×{height}): every pixel needs a kernel";
    }
}
