namespace EventDeblur.IO;

/// <summary>
/// Writes a file atomically: data goes to a hidden temporary file beside the target, which is
/// renamed over the target only when complete. A killed run leaves at most a <c>.partial</c> file,
/// never a half-written file under the final name.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>A temporary path in the same folder as <paramref name="finalPath"/> (same file system, so rename is atomic).</summary>
    public static string TempPathFor(string finalPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        return Path.Combine(dir, $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.h{HostToken}.{Guid.NewGuid():N}.partial");
    }

    /// <summary>
    /// How long a <c>.partial</c> of a writer on another machine or in another PID namespace (a container sharing the
    /// folder, an NFS client) is kept after its last write: its process number means nothing here, so only a file left
    /// unwritten that long is taken as left by a killed writer.
    /// </summary>
    public static readonly TimeSpan ForeignPartialAge = TimeSpan.FromHours(1);

    /// <summary>
    /// Eight hex digits naming this machine's boot and this process's PID namespace (from <c>/proc/sys/kernel/random/boot_id</c>
    /// and <c>/proc/self/ns/pid</c>; the machine name where those are missing), written into every temporary name beside
    /// the process number, so that a process number is checked only where it names a process of this process table.
    /// </summary>
    public static string HostToken { get; } = ComputeHostToken();

    private static string ComputeHostToken()
    {
        string boot = "", ns = "";
        try { boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        try { ns = new FileInfo("/proc/self/ns/pid").LinkTarget ?? ""; } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (boot.Length == 0) boot = Environment.MachineName;
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(boot + "\n" + ns));
        return Convert.ToHexStringLower(hash, 0, 4);
    }

    /// <summary>
    /// Whether <paramref name="file"/>, a temporary file or folder named by <see cref="TempPathFor"/> (or by a release
    /// before stop 39, without the host token), was left by a writer that is gone: its process no longer runs here, or,
    /// for a writer of another machine or PID namespace, it has not been written for <see cref="ForeignPartialAge"/>.
    /// A name of another shape is not judged (false).
    /// </summary>
    /// <param name="file">The temporary file's path.</param>
    /// <param name="finalName">The final file name it must belong to; null accepts any.</param>
    public static bool IsAbandonedPartial(string file, string? finalName = null)
    {
        var m = PartialName().Match(Path.GetFileName(file));
        if (!m.Success || (finalName != null && m.Groups["name"].Value != finalName)) return false;
        if (!int.TryParse(m.Groups["pid"].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) return false;
        if (m.Groups["host"].Success && m.Groups["host"].Value != HostToken)
        {
            DateTime written = Directory.Exists(file) ? Directory.GetLastWriteTimeUtc(file) : File.GetLastWriteTimeUtc(file);
            return DateTime.UtcNow - written > ForeignPartialAge;
        }
        return !IsRunning(pid);
    }

    /// <summary>Whether <paramref name="fileName"/> has the shape of <see cref="TempPathFor"/>'s names (with or without the host token).</summary>
    public static bool IsPartialName(string fileName) => PartialName().IsMatch(fileName);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\.(?<name>.+)\.(?<pid>[0-9]+)(?:\.h(?<host>[0-9a-f]{8}))?\.[0-9a-f]{32}\.partial$")]
    private static partial System.Text.RegularExpressions.Regex PartialName();

    /// <summary>Flushes and renames <paramref name="tempPath"/> to <paramref name="finalPath"/>, replacing it.</summary>
    /// <exception cref="IOException">The rename failed; the message names <paramref name="finalPath"/>, never the temporary name.</exception>
    public static void Commit(string tempPath, string finalPath)
    {
        try { File.Move(tempPath, finalPath, overwrite: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Named(e, tempPath, finalPath); }
    }

    /// <summary>The same kind of exception, its message about <paramref name="finalPath"/>: temporary names are ours, not the user's.</summary>
    private static Exception Named(Exception e, string tempPath, string finalPath)
    {
        string message = $"{finalPath}: cannot be written ({e.Message.Replace(tempPath, finalPath).Replace(Path.GetFileName(tempPath), Path.GetFileName(finalPath))})";
        return e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string tmp = TempPathFor(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            Commit(tmp, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            if (e.Message.Contains(tmp, StringComparison.Ordinal) || e.Message.Contains(Path.GetFileName(tmp), StringComparison.Ordinal)) throw Named(e, tmp, path);
            throw;
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> atomically through <paramref name="write"/>, which fills a new temporary file
    /// beside it (e.g. a Parquet serializer); errors name <paramref name="path"/>, never the temporary file.
    /// </summary>
    public static async Task WriteAsync(string path, Func<FileStream, Task> write)
    {
        string tmp = TempPathFor(path);
        try
        {
            await using (var fs = new FileStream(tmp, FileMode.CreateNew))
                await write(fs);
            Commit(tmp, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            if (e.Message.Contains(Path.GetFileName(tmp), StringComparison.Ordinal)) throw Named(e, tmp, path);
            throw;
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Deletes a file, ignoring failures (used to clean up temporary files).</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Removes the <c>.partial</c> files that writers of <paramref name="finalPath"/> left when they were killed
    /// (<see cref="IsAbandonedPartial"/>); files of a writer still running are kept. Returns how many went.
    /// </summary>
    public static int RemoveStalePartials(string finalPath)
    {
        string full = Path.GetFullPath(finalPath), dir = Path.GetDirectoryName(full)!, name = Path.GetFileName(full);
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(dir, $".{name}.*.partial"))
        {
            if (!IsAbandonedPartial(file, name)) continue;
            TryDelete(file);
            if (!File.Exists(file)) removed++;
        }
        return removed;
    }

    /// <summary>Whether a process with id <paramref name="pid"/> runs in this PID namespace.</summary>
    internal static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
