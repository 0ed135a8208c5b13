using System.Globalization;

namespace EventDeblur.Recording;

/// <summary>One row of a frames.csv.</summary>
/// <param name="Index">Frame index (non-negative, strictly increasing down the file).</param>
/// <param name="File">Absolute path of the image file.</param>
/// <param name="ExposureStartUs">Exposure start in µs (of the RGB clock in table mode, shifted by the clock offset later).</param>
/// <param name="ExposureEndUs">Exposure end in µs; &gt; start.</param>
public sealed record FrameRow(long Index, string File, long ExposureStartUs, long ExposureEndUs);

/// <summary>Reads frames.csv files (<c>index,file,exposure_start_us,exposure_end_us</c>).</summary>
public static class FrameTable
{
    /// <summary>The required header row.</summary>
    public const string Header = "index,file,exposure_start_us,exposure_end_us";

    /// <summary>
    /// Reads <paramref name="csvPath"/>; file names are resolved against its folder and must stay
    /// inside <paramref name="bundleRoot"/>. Rows that break the rules are reported in
    /// <paramref name="problems"/> (with line numbers) and left out; missing image files are reported and kept.
    /// </summary>
    /// <exception cref="BundleException">The file is missing or its header is wrong.</exception>
    public static IReadOnlyList<FrameRow> Read(string csvPath, string bundleRoot, List<string> problems)
    {
        if (!System.IO.File.Exists(csvPath)) throw new BundleException($"{csvPath}: frames table not found");
        var rows = new List<FrameRow>();
        string dir = Path.GetDirectoryName(csvPath)!;
        using var reader = new StreamReader(csvPath);
        string? header = reader.ReadLine();
        if (header?.Trim().TrimStart('\uFEFF') != Header)
            throw new BundleException($"{csvPath}: line 1: expected header '{Header}', found '{header}'");
        int lineNo = 1;
        long lastIndex = -1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split(',');
            if (f.Length != 4
                || !long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long index)
                || !long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long end))
            {
                problems.Add($"{csvPath}: line {lineNo}: expected 'index,file,start_us,end_us' with integer times, found '{line}'; row skipped");
                continue;
            }
            if (index < 0 || index <= lastIndex)
            {
                problems.Add($"{csvPath}: line {lineNo}: index {index} must be non-negative and greater than the previous {lastIndex}; row skipped");
                continue;
            }
            if (end <= start)
            {
                problems.Add($"{csvPath}: line {lineNo}: exposure_end_us {end} must exceed exposure_start_us {start}; row skipped");
                continue;
            }
            string file;
            try { file = BundlePaths.Resolve(bundleRoot, dir, f[1].Trim(), csvPath); }
            catch (BundleException e) { problems.Add($"{e.Message} (line {lineNo}); row skipped"); continue; }
            if (!System.IO.File.Exists(file)) problems.Add($"{csvPath}: line {lineNo}: frame file '{f[1].Trim()}' is missing");
            lastIndex = index;
            rows.Add(new FrameRow(index, file, start, end));
        }
        return rows;
    }
}

/// <summary>
/// Resolves bundle-relative paths and refuses any that escape the bundle folder, by name
/// (<c>..</c>, absolute paths) or through a symbolic link anywhere on the way (a linked file, a
/// linked <c>rgb/</c> folder): the real path of the target must lie inside the bundle's real path.
/// </summary>
public static partial class BundlePaths
{
    /// <summary>Resolves <paramref name="relative"/> against <paramref name="baseDir"/>; it must stay inside <paramref name="root"/>.</summary>
    /// <exception cref="BundleException">Absolute, or escapes the bundle.</exception>
    public static string Resolve(string root, string baseDir, string relative, string where)
    {
        if (relative.Any(char.IsControl))
            throw new BundleException($"{where}: path '{Printable(relative)}' holds a control character (shown as '?'); expected a plain relative file name");
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\\'))
            throw new BundleException($"{where}: path '{relative}' must be relative to the bundle (no absolute paths)");
        if (relative.Split('/').Any(part => part == ".."))
            throw new BundleException($"{where}: path '{relative}' escapes the bundle ('..' is not allowed)");
        string full = Path.GetFullPath(Path.Combine(baseDir, relative));
        string rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootFull, StringComparison.Ordinal))
            throw new BundleException($"{where}: path '{relative}' escapes the bundle");
        string realRoot = (RealPath(rootFull) ?? rootFull).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string real = RealPath(full)
            ?? throw new BundleException($"{where}: path '{relative}' is a symbolic link that cannot be resolved (a loop, or too many levels); refused");
        if (!real.StartsWith(realRoot, StringComparison.Ordinal))
            throw new BundleException($"{where}: path '{relative}' leads out of the bundle through a symbolic link (expected a target inside {realRoot.TrimEnd(Path.DirectorySeparatorChar)}); refused");
        return full;
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>
    /// The canonical path with every symbolic link resolved (libc <c>realpath</c>). For a path that
    /// does not exist yet, its deepest existing ancestor is resolved and the rest appended, so a
    /// missing file is still placed where its real folder is. <c>null</c> when an existing entry
    /// cannot be resolved (a symbolic link loop).
    /// </summary>
    internal static string? RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string suffix = "";
        string probe = full;
        while (true)
        {
            string? resolved = CallRealPath(probe);
            if (resolved != null) return suffix.Length == 0 ? resolved : Path.Combine(resolved, suffix);
            var entry = new FileInfo(probe.TrimEnd(Path.DirectorySeparatorChar));
            if (entry.Exists || entry.LinkTarget != null || Directory.Exists(probe)) return null;
            string? parent = Path.GetDirectoryName(probe.TrimEnd(Path.DirectorySeparatorChar));
            if (parent == null) return full;
            string name = Path.GetFileName(probe.TrimEnd(Path.DirectorySeparatorChar));
            suffix = suffix.Length == 0 ? name : Path.Combine(name, suffix);
            probe = parent;
        }
    }

    private static unsafe string? CallRealPath(string path)
    {
        nint p = realpath(path, 0);
        if (p == 0) return null;
        try { return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(p); }
        finally { free(p); }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial void free(nint p);
}
