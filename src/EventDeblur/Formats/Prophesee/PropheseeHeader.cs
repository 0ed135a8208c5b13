using System.Globalization;
using EventDeblur.Formats.Aedat;

namespace EventDeblur.Formats.Prophesee;

/// <summary>
/// The <c>% key value</c> ASCII header of Prophesee RAW and DAT files (PROPHESEE.md §1), read
/// with bounded memory. The header ends after a <c>% end</c> line or before the first line that
/// does not start with <c>%</c>; a <c>%</c> line holding bytes that are not printable text is taken
/// as binary payload (the "payload starts with 0x25" trap of headers without <c>% end</c>).
/// </summary>
public sealed record PropheseeHeader
{
    /// <summary>Longest header line accepted, bytes.</summary>
    public const int MaxLineBytes = 4096;

    /// <summary>Largest header accepted, bytes.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>Largest sensor side accepted from a header, pixels (DAT addresses have 14 bits).</summary>
    public const int MaxSidePixels = 1 << 14;

    /// <summary>The header lines' keys and values in file order (key = first word after <c>%</c>, value = the rest, single-spaced).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Entries { get; init; }

    /// <summary>Header length in bytes = byte offset of the first payload byte.</summary>
    public required long Length { get; init; }

    /// <summary>Whether a <c>% end</c> line closed the header.</summary>
    public bool HasEndMarker { get; init; }

    /// <summary>Whether the file ended inside a header line (no newline after the last line).</summary>
    public bool EndsInsideHeader { get; init; }

    /// <summary>Whether a <c>%</c> line with non-text bytes was taken as the start of the payload.</summary>
    public bool StoppedAtBinaryLine { get; init; }

    /// <summary>Byte offset of each entry's line (the <c>%</c>), parallel to <see cref="Entries"/>.</summary>
    public IReadOnlyList<long> EntryOffsets { get; init; } = [];

    /// <summary>Byte offset of the line of the first entry named <paramref name="key"/>, or 0 when absent.</summary>
    public long OffsetOf(string key)
    {
        for (int i = 0; i < Entries.Count && i < EntryOffsets.Count; i++)
            if (Entries[i].Key == key) return EntryOffsets[i];
        return 0;
    }

    /// <summary>The value of the first entry named <paramref name="key"/> (ordinal, case-sensitive), or null.</summary>
    public string? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    /// <summary>Recording date as written (<c>date</c> or legacy <c>Date</c>), or empty.</summary>
    public string Date => this["date"] ?? this["Date"] ?? "";

    /// <summary>Camera serial number (<c>serial_number</c>), or empty.</summary>
    public string Serial => this["serial_number"] ?? "";

    /// <summary>
    /// Reads the header from the start of <paramref name="stream"/>, leaving the stream at the first payload byte.
    /// </summary>
    /// <exception cref="AedatFormatException">A line or the whole header exceeds the limits.</exception>
    internal static PropheseeHeader Read(Stream stream, ProblemLog log)
    {
        var entries = new List<KeyValuePair<string, string>>();
        var offsets = new List<long>();
        var line = new byte[MaxLineBytes];
        long pos = 0;
        bool end = false, inside = false, binary = false;
        while (!end)
        {
            int first = stream.ReadByte();
            if (first < 0) break;
            if (first != '%') { stream.Seek(-1, SeekOrigin.Current); break; }
            long lineStart = pos;
            int n = 0;
            bool complete = false;
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0) break;
                if (b == '\n') { complete = true; break; }
                if (n == line.Length)
                {
                    if (HasBinary(line)) break;
                    throw log.Fatal(lineStart, $"header line longer than {MaxLineBytes} bytes; expected '% key value' text lines ending in LF");
                }
                line[n++] = (byte)b;
            }
            int len = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            if (HasBinary(line.AsSpan(0, len)))
            {
                // Not text: this '%' starts the binary payload.
                stream.Seek(lineStart, SeekOrigin.Begin);
                binary = true;
                break;
            }
            pos = lineStart + 1 + n + (complete ? 1 : 0);
            if (pos > MaxHeaderBytes)
                throw log.Fatal(lineStart, $"ASCII header exceeds {MaxHeaderBytes} bytes; expected the payload to start sooner");
            if (!complete) inside = true;
            string text = System.Text.Encoding.UTF8.GetString(line, 0, len).Trim();
            string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            if (words.Length == 1 && words[0] == "end") { end = true; break; }
            entries.Add(new(words[0], string.Join(' ', words.Skip(1))));
            offsets.Add(lineStart);
            if (!complete) break;
        }
        return new PropheseeHeader { Entries = entries, EntryOffsets = offsets, Length = pos, HasEndMarker = end, EndsInsideHeader = inside, StoppedAtBinaryLine = binary };
    }

    /// <summary>
    /// Whether a line is not header text: it holds a control byte (other than tab) or DEL, or bytes above 0x7E that are
    /// not valid UTF-8 (a header may name a place or a person in UTF-8, e.g. "Zürich"; random payload bytes are almost
    /// never valid UTF-8).
    /// </summary>
    private static bool HasBinary(ReadOnlySpan<byte> text)
    {
        bool high = false;
        foreach (byte b in text)
        {
            if (b is (< 0x20 and not (byte)'\t') or 0x7F) return true;
            high |= b > 0x7F;
        }
        return high && !System.Text.Unicode.Utf8.IsValid(text);
    }

    /// <summary>
    /// The payload encoding named by the header: <c>% format NAME;…</c>, else the legacy <c>% evt 2.0|3.0</c>,
    /// else DAT when the header carries DAT keys (<c>Data file containing …</c>, <c>Version</c>), else the
    /// encoding of the <c>system_ID</c> (<see cref="SystemIdTable"/>); null when none of these says.
    /// </summary>
    /// <param name="unsupported">Set to the named encoding when the header names one this project does not read (e.g. EVT21).</param>
    public AedatVersion? Encoding(out string? unsupported)
    {
        unsupported = null;
        if (this["format"] is { } f)
        {
            string name = f.Split(';')[0].Trim();
            if (name.Equals("EVT2", StringComparison.OrdinalIgnoreCase)) return AedatVersion.Evt2;
            if (name.Equals("EVT3", StringComparison.OrdinalIgnoreCase)) return AedatVersion.Evt3;
            unsupported = name;
            return null;
        }
        if (this["evt"] is { } evt)
        {
            if (evt == "2.0") return AedatVersion.Evt2;
            if (evt == "3.0") return AedatVersion.Evt3;
            unsupported = "evt " + evt;
            return null;
        }
        if (this["Data"] != null || this["Version"] != null) return AedatVersion.Dat;
        if (SystemId is long id && SystemIdTable.TryGetValue(id, out var sys)) return sys.Encoding;
        return null;
    }

    /// <summary>The decimal <c>system_ID</c>, or null when absent or not a number.</summary>
    public long? SystemId =>
        long.TryParse(this["system_ID"], NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;

    /// <summary>
    /// Sensor geometry in pixels from <c>% format …;width=W;height=H</c>, <c>% geometry WxH</c>, the DAT keys
    /// <c>Width</c>/<c>Height</c> or, for legacy headers, the <c>system_ID</c> table; (0, 0) when unknown.
    /// Values outside 1..<see cref="MaxSidePixels"/> or contradicting each other are reported to <paramref name="log"/>.
    /// </summary>
    internal (int Width, int Height, string Source) Geometry(ProblemLog log)
    {
        var found = new List<(int W, int H, string Source)>();
        if (this["format"] is { } f)
        {
            int? w = null, h = null;
            foreach (string part in f.Split(';').Skip(1))
            {
                int eq = part.IndexOf('=');
                if (eq < 0) continue;
                string k = part[..eq].Trim(), v = part[(eq + 1)..].Trim();
                if (k == "width") w = ParseSide(v);
                if (k == "height") h = ParseSide(v);
            }
            if (w != null || h != null) found.Add((w ?? -1, h ?? -1, "format"));
        }
        if (this["geometry"] is { } g)
        {
            string[] p = g.Split('x');
            found.Add(p.Length == 2 ? (ParseSide(p[0]), ParseSide(p[1]), "geometry") : (-1, -1, "geometry"));
        }
        if (this["Width"] is { } dw || this["Height"] != null)
            found.Add((ParseSide(this["Width"] ?? ""), ParseSide(this["Height"] ?? ""), "Width/Height"));

        foreach (var (w, h, source) in found)
        {
            if (w is >= 1 and <= MaxSidePixels && h is >= 1 and <= MaxSidePixels)
            {
                foreach (var other in found)
                    if (other.Source != source && (other.W, other.H) != (w, h))
                        log.Error("header", OffsetOf(KeyOf(other.Source)), $"the header's {source} says {w}×{h} pixels but its {other.Source} says {Side(other.W)}×{Side(other.H)}; using {w}×{h}");
                return (w, h, source);
            }
            log.Error("header", OffsetOf(KeyOf(source)), $"header {source} gives a sensor of {Side(w)}×{Side(h)} pixels; expected 1..{MaxSidePixels} per side. Events are decoded without a geometry check");
            return (0, 0, "");
        }
        if (SystemId is long id && SystemIdTable.TryGetValue(id, out var sys))
            return (sys.Width, sys.Height, $"system_ID {id} ({sys.Sensor})");
        return (0, 0, "");

        static string Side(int v) => v < 0 ? "?" : v.ToString(CultureInfo.InvariantCulture);
        static string KeyOf(string source) => source == "Width/Height" ? "Width" : source;
    }

    private static int ParseSide(string s) =>
        int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : (long.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _) ? int.MaxValue : -1);

    /// <summary>A legacy system ID's sensor, geometry (pixels) and default encoding.</summary>
    /// <param name="Sensor">Sensor generation.</param>
    /// <param name="Width">Width, pixels.</param>
    /// <param name="Height">Height, pixels.</param>
    /// <param name="Encoding">Default payload encoding.</param>
    public readonly record struct SystemInfo(string Sensor, int Width, int Height, AedatVersion Encoding);

    /// <summary>
    /// Legacy <c>system_ID</c> values (decimal in headers) → sensor, geometry and encoding, as OpenEB's
    /// <c>device_system_id.h</c> and <c>psee_raw_file_header.cpp</c> define them.
    /// </summary>
    public static IReadOnlyDictionary<long, SystemInfo> SystemIdTable { get; } = new Dictionary<long, SystemInfo>
    {
        [0x15] = new("Gen3.0 VGA (CCAM3_GEN3)", 640, 480, AedatVersion.Evt2),
        [0x17] = new("Gen3.0 VGA (CCAM4_GEN3)", 640, 480, AedatVersion.Evt2),
        [0x97] = new("Gen3.0 VGA (CCAM4_GEN3_EVK)", 640, 480, AedatVersion.Evt2),
        [0x19] = new("Gen3.0 VGA (CCAM4_GEN3_REV_B)", 640, 480, AedatVersion.Evt2),
        [0x99] = new("Gen3.0 VGA (CCAM4_GEN3_REV_B_EVK)", 640, 480, AedatVersion.Evt2),
        [0x1D] = new("Gen3.0 VGA (CCAM4_GEN3_REV_B_EVK_BRIDGE)", 640, 480, AedatVersion.Evt2),
        [0x21] = new("Gen3.0 VGA (VISIONCAM_GEN3)", 640, 480, AedatVersion.Evt2),
        [0xA1] = new("Gen3.0 VGA (VISIONCAM_GEN3_EVK)", 640, 480, AedatVersion.Evt2),
        [0x1C] = new("Gen3.1 VGA (CCAM3_GEN31)", 640, 480, AedatVersion.Evt2),
        [0x23] = new("Gen3.1 VGA (CCAM5_GEN31)", 640, 480, AedatVersion.Evt2),
        [0x22] = new("Gen3.1 VGA (VISIONCAM_GEN31)", 640, 480, AedatVersion.Evt2),
        [0xA2] = new("Gen3.1 VGA (VISIONCAM_GEN31_EVK)", 640, 480, AedatVersion.Evt2),
        [0x29] = new("Gen3.1 VGA (EVK2_GEN31)", 640, 480, AedatVersion.Evt2),
        [0x28] = new("Gen3.1 VGA (EVK3_GEN31_EVT3)", 640, 480, AedatVersion.Evt3),
        [0x1A] = new("Gen4.0 HD (CCAM3_GEN4)", 1280, 720, AedatVersion.Evt2),
        [0x1F] = new("Gen4.0 HD (EVK2_GEN4)", 1280, 720, AedatVersion.Evt2),
        [0x1E] = new("Gen4.0 HD (CCAM5_GEN4)", 1280, 720, AedatVersion.Evt3),
        [0x2E] = new("Gen4.0 HD (CCAM5_GEN4_FIXED_FRAME)", 1280, 720, AedatVersion.Evt3),
        [0x27] = new("Gen4.1 HD (EVK2_GEN41)", 1280, 720, AedatVersion.Evt2),
        [0x30] = new("Gen4.1 HD (EVK3_GEN41)", 1280, 720, AedatVersion.Evt3),
        [0x31] = new("IMX636 HD (EVK3_IMX636)", 1280, 720, AedatVersion.Evt3),
        [0x32] = new("IMX636 HD (EVK2_IMX636)", 1280, 720, AedatVersion.Evt3),
    };
}
