namespace EventDeblur.Formats.Aedat;

/// <summary>Reads the '#'-prefixed ASCII header lines of AEDAT 2.0 and 3.1 files with bounded memory.</summary>
internal static class AsciiHeader
{
    public const int MaxLineBytes = 1 << 20;
    public const long MaxHeaderBytes = 64L << 20;

    /// <summary>
    /// Reads one line (without its CR LF or LF). Returns null at end of data. <paramref name="complete"/>
    /// is false when the data ended before the line's newline.
    /// </summary>
    public static string? ReadLine(Stream s, ref long pos, out bool complete, ProblemLog log)
    {
        var bytes = new List<byte>(128);
        complete = false;
        while (true)
        {
            int b = s.ReadByte();
            if (b < 0) break;
            pos++;
            if (b == '\n') { complete = true; break; }
            if (bytes.Count >= MaxLineBytes)
                throw log.Fatal(pos, $"header line longer than {MaxLineBytes} bytes; expected '#'-prefixed text lines");
            bytes.Add((byte)b);
        }
        if (bytes.Count == 0 && !complete) return null;
        if (bytes.Count > 0 && bytes[^1] == '\r') bytes.RemoveAt(bytes.Count - 1);
        return System.Text.Encoding.Latin1.GetString(bytes.ToArray());
    }

    /// <summary>Maps a chip or camera name to its sensor size in pixels; (0, 0) when unknown.</summary>
    public static (int Width, int Height) SensorSize(string name)
    {
        string n = name.ToUpperInvariant();
        if (n.Contains("DAVIS346") || n.Contains("DAVIS 346")) return (346, 260);
        if (n.Contains("DAVIS240") || n.Contains("DAVIS 240") || n.Contains("DVS240")) return (240, 180);
        if (n.Contains("DAVIS640") || n.Contains("DAVIS 640")) return (640, 480);
        if (n.Contains("DAVIS128") || n.Contains("DVS128")) return (128, 128);
        if (n.Contains("DVXPLORER_LITE") || n.Contains("DVXPLORER LITE")) return (320, 240);
        if (n.Contains("DVXPLORER")) return (640, 480);
        return (0, 0);
    }
}
