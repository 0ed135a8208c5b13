using System.Globalization;

namespace EventDeblur.Simulation;

/// <summary>
/// Reads benchmark-set CSV files (<c>name,preset,seed,frames,rgb_size</c>; rgb_size WxH or empty), optionally with a sixth
/// column <c>flicker_hz</c> (since stop 54: the point lights' flicker frequency, Hz, or empty for steady lights;
/// <c>simulate --flicker-hz</c>).
/// </summary>
public static class BenchmarkSet
{
    /// <summary>The header of a set without flicker.</summary>
    public const string Header = "name,preset,seed,frames,rgb_size";

    /// <summary>The header of a set with a flicker column.</summary>
    public const string FlickerHeader = Header + ",flicker_hz";

    /// <summary>Reads <paramref name="path"/>; throws <see cref="FormatException"/> naming the file and line on bad rows.</summary>
    public static IReadOnlyList<BenchmarkEntry> Read(string path)
    {
        var list = new List<BenchmarkEntry>();
        var lines = File.ReadAllLines(path);
        string header = lines.Length == 0 ? "" : lines[0].Trim();
        if (header != Header && header != FlickerHeader)
            throw new FormatException($"{path}: line 1: expected header '{Header}' (or '{FlickerHeader}')");
        int columns = header.Split(',').Length;
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != columns || !int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed)
                || !int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out int frames) || !SimulationPresets.Names.Contains(f[1])
                || f[0].Length == 0 || f[0].IndexOfAny(['/', '\\']) >= 0 || f[0].StartsWith('.'))
                throw new FormatException($"{path}: line {i + 1}: expected 'name,preset,seed,frames,WxH{(columns == 6 ? ",HZ" : "")}' with a known preset, found '{lines[i]}'");
            int? w = null, h = null;
            if (f[4].Trim().Length > 0)
            {
                var wh = f[4].Trim().Split('x');
                if (wh.Length != 2 || !int.TryParse(wh[0], out int ww) || !int.TryParse(wh[1], out int hh))
                    throw new FormatException($"{path}: line {i + 1}: rgb_size '{f[4]}' is not WxH");
                (w, h) = (ww, hh);
            }
            double? flicker = null;
            if (columns == 6 && f[5].Trim().Length > 0)
            {
                if (!double.TryParse(f[5].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double hz) || !(hz >= 1 && hz <= 1000))
                    throw new FormatException($"{path}: line {i + 1}: flicker_hz '{f[5]}' is not a frequency of 1 .. 1000 Hz (or empty for steady lights)");
                flicker = hz;
            }
            if (list.FindIndex(e => e.Name == f[0]) is int first and >= 0)
                throw new FormatException($"{path}: line {i + 1}: name '{f[0]}' is already used on line {first + 2}: each bundle needs its own name (its folder under --out)");
            list.Add(new BenchmarkEntry(f[0], f[1], seed, frames, w, h) { FlickerHz = flicker });
        }
        return list;
    }
}
