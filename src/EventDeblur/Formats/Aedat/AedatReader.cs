using EventDeblur.IO;
namespace EventDeblur.Formats.Aedat;

/// <summary>Opens any supported AEDAT file, choosing the reader from the file's first line (never its extension).</summary>
public static class AedatReader
{
    /// <summary>Detects the container version from the first bytes of <paramref name="path"/>.</summary>
    /// <exception cref="AedatFormatException">No supported version line (AEDAT 1.0, 3.0 or not AEDAT at all).</exception>
    public static AedatVersion Detect(string path)
    {
        Span<byte> head = stackalloc byte[16];
        int n;
        if (SequentialFile.ReadsAsEmpty(path)) n = 0;   // never opened: a FIFO would block
        else using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        string line = System.Text.Encoding.ASCII.GetString(head[..n]);
        if (line.StartsWith("#!AER-DAT2.0", StringComparison.Ordinal)) return AedatVersion.Aedat2;
        if (line.StartsWith("#!AER-DAT3.1", StringComparison.Ordinal)) return AedatVersion.Aedat31;
        if (line.StartsWith("#!AER-DAT4.0", StringComparison.Ordinal)) return AedatVersion.Aedat4;
        // Bytes outside printable ASCII are shown as \xNN (a '.' would make "#!AER-DAT3.1\x0e" look like a valid line).
        string found = n == 0 ? "an empty file (0 bytes; a FIFO or a device also reads as 0 bytes and is not opened)" : $"'{string.Concat(head[..n].ToArray().Select(b => b is >= 32 and < 127 ? ((char)b).ToString() : b == '\r' ? "\\r" : b == '\n' ? "\\n" : $"\\x{b:x2}"))}'";
        string ext = Path.GetExtension(path).ToLowerInvariant();
        // An HDF5 event file reached a path that takes AEDAT only (e.g. replay or preview given the file itself).
        if (n >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]))
            throw new AedatFormatException(new Problem(path, 0, ProblemSeverity.Error,
                $"is an HDF5 event file, not AEDAT: make a bundle of it ('{ToolCommand.Name} bundle --events {ToolCommand.Word(path)} --rgb …') or convert it ('{ToolCommand.Name} convert {ToolCommand.Word(path)} OUT.aedat4')"));
        // A Parquet table (as convert writes the events, or a run's frames.parquet): not an event input (stop 39's trial).
        if (n >= 4 && head[..4].SequenceEqual("PAR1"u8))
            throw new AedatFormatException(new Problem(path, 0, ProblemSeverity.Error,
                "is a Parquet file (e.g. the events table 'convert' writes, or a run's frames.parquet), not an event file this reads: give the event file it came from (its 'source_file' metadata names it), or read the table with DuckDB or pandas"));
        if (ext is ".h5" or ".hdf5" or ".hdf")
            throw new AedatFormatException(new Problem(path, 0, ProblemSeverity.Error,
                $"expected an HDF5 file (its 8-byte signature \\x89HDF\\r\\n\\x1a\\n at byte 0), found {found}: not HDF5, or damaged at its start"));
        // The file ends inside a known version line (stop 44's trial: a 4.0 file cut at 10 bytes was "not supported").
        var cutLines = new[] { "#!AER-DAT2.0", "#!AER-DAT3.1", "#!AER-DAT4.0" }.Where(v => n > 0 && n < v.Length && v.StartsWith(line, StringComparison.Ordinal) && line.StartsWith("#!AER-DAT", StringComparison.Ordinal)).ToList();
        string hint = n == 0 ? ""
            : cutLines.Count > 0
            ? $" (the file ends after {n} bytes, inside its version line: a truncated AEDAT {(cutLines.Count == 1 ? cutLines[0][9..] + " " : "")}file, most likely)"
            : line.StartsWith("#!AER-DAT", StringComparison.Ordinal)
            ? " (this AEDAT version is not supported: use 2.0, 3.1 or 4.0)"
            : n >= 12 && line.Substring(8, 4) == "IOHE"
                ? " (this looks like a DV network stream dump: open it with Aedat4Reader.OpenStream)"
                : " (AEDAT 1.0 has no version line and is not supported)";
        throw new AedatFormatException(new Problem(path, 0, ProblemSeverity.Error,
            $"expected a version line '#!AER-DAT2.0', '#!AER-DAT3.1' or '#!AER-DAT4.0', found {found}{hint}"));
    }

    /// <summary>Opens <paramref name="path"/> with the reader for its version.</summary>
    /// <exception cref="AedatFormatException">The file cannot be opened as AEDAT.</exception>
    public static IAedatReader Open(string path, AedatReaderOptions? options = null) => Detect(path) switch
    {
        AedatVersion.Aedat2 => Aedat2Reader.Open(path, options),
        AedatVersion.Aedat31 => Aedat31Reader.Open(path, options),
        _ => Aedat4Reader.Open(path, options),
    };
}
