namespace EventDeblur.IO;

/// <summary>Opens a file for one front-to-back pass, the way every event-file reader does.</summary>
public static class SequentialFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading (64 KiB buffer, shared read), wrapped by
    /// <paramref name="hash"/> when one is given, and hands it to <paramref name="create"/>; the stream is disposed
    /// when <paramref name="create"/> throws (the reader owns it otherwise).
    /// </summary>
    public static T Open<T>(string path, FileHash? hash, Func<Stream, T> create)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
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
