namespace EventDeblur.Recording;

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
