namespace EventDeblur.IO;

/// <summary>
/// Writes a file atomically: data goes to a hidden temporary file beside the target, which is
/// renamed over the target only when complete. A killed run leaves at most a <c>.partial</c> file,
/// never a half-written file under the final name.
/// </summary>
public static class AtomicFile
{
    /// <summary>A temporary path in the same folder as <paramref name="finalPath"/> (same file system, so rename is atomic).</summary>
    public static string TempPathFor(string finalPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        return Path.Combine(dir, $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
    }

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
    /// Removes the <c>.partial</c> files that writers of <paramref name="finalPath"/> left when they were killed (their
    /// process, named in the file name, no longer runs); files of a writer still running are kept. Returns how many went.
    /// </summary>
    public static int RemoveStalePartials(string finalPath)
    {
        string full = Path.GetFullPath(finalPath), dir = Path.GetDirectoryName(full)!, name = Path.GetFileName(full);
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(dir, $".{name}.*.partial"))
        {
            string middle = Path.GetFileName(file);
            if (middle.Length <= name.Length + 2 + ".partial".Length) continue;
            middle = middle[(name.Length + 2)..^".partial".Length];
            int dot = middle.IndexOf('.');
            if (dot <= 0 || !int.TryParse(middle[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid) || IsRunning(pid)) continue;
            TryDelete(file);
            if (!File.Exists(file)) removed++;
        }
        return removed;
    }

    private static bool IsRunning(int pid)
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
