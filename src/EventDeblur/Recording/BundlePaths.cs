namespace EventDeblur.Recording;

/// <summary>Resolves bundle-relative paths and refuses any that escape the bundle folder.</summary>
public static class BundlePaths
{
    /// <summary>Resolves <paramref name="relative"/> against <paramref name="baseDir"/>; it must stay inside <paramref name="root"/>.</summary>
    /// <exception cref="BundleException">Absolute, or escapes the bundle.</exception>
    public static string Resolve(string root, string baseDir, string relative, string where)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\\'))
            throw new BundleException($"{where}: path '{relative}' must be relative to the bundle (no absolute paths)");
        if (relative.Split('/').Any(part => part == ".."))
            throw new BundleException($"{where}: path '{relative}' escapes the bundle ('..' is not allowed)");
        string full = Path.GetFullPath(Path.Combine(baseDir, relative));
        string rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootFull, StringComparison.Ordinal))
            throw new BundleException($"{where}: path '{relative}' escapes the bundle");
        return full;
    }
}
