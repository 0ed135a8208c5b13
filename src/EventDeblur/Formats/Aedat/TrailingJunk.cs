namespace EventDeblur.Formats.Aedat;

/// <summary>
/// Finds junk after a recording (bytes appended to the file, or left by an interrupted copy) from where a decoder of the
/// file's last <see cref="TailProbeBytes"/> met errors: a run of at least <see cref="MinErrors"/> errors, none more than
/// <see cref="GapWords"/> words from the next and one in <see cref="MinErrorShare"/> words or more, that reaches the end of
/// the file after a stretch of clean data. Errors that reach back to the probe's start (a wrong geometry, damage
/// everywhere) are not junk, and neither is scattered damage (one word in 50: reported word by word, its good events kept).
/// Shared by the Prophesee readers (stop 45) and the AEDAT 2.0 reader (stop 46).
/// </summary>
internal static class TrailingJunk
{
    /// <summary>How much of a file's end is decoded on its own to look for junk, bytes.</summary>
    public const int TailProbeBytes = 4 << 20;

    /// <summary>Errors no more than this many words apart belong to one run of damaged data.</summary>
    public const int GapWords = 64;

    /// <summary>Fewest errors in a run that reaches the end of the file for it to be junk after the recording.</summary>
    public const int MinErrors = 16;

    /// <summary>Junk has at least one error in this many words (random bytes: one in two or more in every format checked).</summary>
    public const int MinErrorShare = 4;

    /// <summary>
    /// Decodes the tail of the file at <paramref name="path"/> (<paramref name="length"/> bytes, its data from
    /// <paramref name="dataStart"/>, in <paramref name="wordBytes"/>-byte words) with a probe reader that
    /// <paramref name="probe"/> makes over a stream positioned at the probe's start (its errors into the log it is given),
    /// and returns where junk starts and how many errors it holds; null when there is none, the data is too short, or the
    /// file changed size meanwhile.
    /// </summary>
    public static (long Start, int Errors)? Locate(string path, long dataStart, long length, int wordBytes, Func<Stream, ProblemLog, long, IAedatReader> probe)
    {
        if (!File.Exists(path) || ProbeStart(dataStart, length, wordBytes) is not long from) return null;
        var errors = new List<long>();
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16))
        {
            if (fs.Length != length) return null;
            fs.Position = from;
            using var reader = probe(fs, new ProblemLog(path, 1) { ErrorObserver = errors.Add }, from);
            while (reader.TryRead(out var p))
                if (p is EventsPacket e) e.Events.Dispose();
        }
        return Find(errors, length, from, wordBytes, out int count) is long start ? (start, count) : null;
    }

    /// <summary>Where the probe should start decoding: the last <see cref="TailProbeBytes"/> of the data, on a word boundary from <paramref name="dataStart"/>; null when the data is too short to hold junk.</summary>
    public static long? ProbeStart(long dataStart, long length, int wordBytes)
    {
        if (length - dataStart < (long)MinErrors * wordBytes) return null;
        long from = Math.Max(dataStart, length - TailProbeBytes);
        return from - (from - dataStart) % wordBytes;
    }

    /// <summary>
    /// The offset where junk starts (its first error), given the byte offsets of the errors a probe from
    /// <paramref name="probeFrom"/> met in a file of <paramref name="length"/> bytes of <paramref name="wordBytes"/>-byte
    /// words; null when the errors are not junk. <paramref name="count"/> is the number of errors in the run.
    /// </summary>
    public static long? Find(List<long> errors, long length, long probeFrom, int wordBytes, out int count)
    {
        count = 0;
        if (errors.Count < MinErrors) return null;
        errors.Sort();
        long gap = (long)GapWords * wordBytes;
        int last = errors.Count - 1;
        if (length - errors[last] > gap) return null;
        int first = last;
        while (first > 0 && errors[first] - errors[first - 1] <= gap) first--;
        long words = (length - errors[first]) / wordBytes;
        count = last - first + 1;
        if (count < MinErrors || errors[first] - probeFrom <= gap || (long)count * MinErrorShare < words) return null;
        return errors[first];
    }

    /// <summary>The problem's text for junk of <paramref name="bytes"/> bytes with <paramref name="count"/> errors, in words called <paramref name="wordName"/>.</summary>
    public static string Describe(long bytes, int count, string wordName) =>
        $"the last {bytes} bytes, from here to the end of the file, do not decode as {wordName}s: {count} errors in them, " +
        $"none more than {GapWords} {wordName}s from the next, after clean data: " +
        "junk after the recording, most likely (bytes appended to it, or left by an interrupted copy); not decoded (the data is taken to end at " +
        "the junk's first error: the few words before it may be junk that decoded as data)";
}
