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
}
