namespace EventDeblur.IO;

/// <summary>Opens a file for one front-to-back pass, the way every event-file reader does.</summary>
public static class SequentialFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading (a 64 KiB buffer unless told otherwise, shared read), wrapped by
    /// <paramref name="hash"/> when one is given, and hands it to <paramref name="create"/>; the stream is disposed
    /// when <paramref name="create"/> throws (the reader owns it otherwise).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="hash">Hashes what is read, or <c>null</c>.</param>
    /// <param name="create">Makes the reader of the stream.</param>
    /// <param name="bufferBytes">The stream's buffer, bytes; smaller for a reader that reads large packets into its own buffers.</param>
    public static T Open<T>(string path, FileHash? hash, Func<Stream, T> create, int bufferBytes = 1 << 16)
    {
        // A FIFO or a device reads as 0 bytes and opening one can block for ever (an event file that is a FIFO hung
        // inspect past SIGTERM): such a file is not opened; the reader sees an empty stream (not hashed), which it reports as empty.
        if (ReadsAsEmpty(path))
        {
            Stream empty = new MemoryStream([], writable: false);
            try { return create(empty); }
            catch { empty.Dispose(); throw; }
        }
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferBytes, FileOptions.SequentialScan);
        Stream stream = fs;
        try
        {
            stream = hash?.Wrap(fs) ?? fs;
            return create(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a file that reads as 0 bytes — an empty file, or a FIFO or device, whose length
    /// is 0 too and which are never opened here (opening a FIFO waits for a writer).
    /// </summary>
    public static bool ReadsAsEmpty(string path) => new FileInfo(path) is { Exists: true, Length: 0 };
}
