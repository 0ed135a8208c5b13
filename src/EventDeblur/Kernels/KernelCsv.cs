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

    /// <summary>Reads tiles; throws <see cref="FormatException"/> naming the file and line on malformed input.</summary>
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
                int[] head = f.Take(5).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                int size = head[4];
                if (f.Length != 5 + size * size) throw new FormatException($"expected {5 + size * size} values for a {size}×{size} kernel, found {f.Length}");
                var w = f.Skip(5).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                if (head[2] <= head[0] || head[3] <= head[1]) throw new FormatException("empty tile");
                // A kernel is a distribution of exposure time: finite, non-negative, with positive mass.
                int bad = Array.FindIndex(w, v => !float.IsFinite(v) || v < 0);
                if (bad >= 0) throw new FormatException($"weight {bad} is {w[bad].ToString(CultureInfo.InvariantCulture)}; expected a finite value ≥ 0");
                if (!(w.Sum(v => (double)v) > 0)) throw new FormatException("the weights sum to 0; expected a positive sum");
                tiles.Add(new KernelTile(head[0], head[1], head[2], head[3], new BlurKernel(size, w)));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
            {
                throw new FormatException($"{path}: line {lineNo}: {e.Message}");
            }
        }
        return tiles;
    }
}
