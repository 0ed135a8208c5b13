namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>
/// Builds jAER AEDAT 2.0 DAVIS240C recordings with APS frames from the documented record layout
/// (AEDAT.md §2.3): APS word = bit 31 | raw y (bits 30–22) | raw x (21–12) | readout type (11–10:
/// 0 reset, 1 signal) | 10-bit ADC value; DVS word = raw y | raw x | polarity (bit 11). Pixel (x, y)
/// on the top-left grid of the decoded DVS events is APS address (W−1−x, H−1−y) and DVS address
/// (x, H−1−y). Reads follow jAER's default order: the first read is APS address (W−1, H−1), the last
/// (0, 0). Records are written sorted by time (stable), as a camera delivers them.
/// </summary>
internal sealed class Aedat2ApsFixture
{
    public const int W = 240, H = 180;
    public const int ResetLevel = 900;

    private readonly List<(uint Address, int Timestamp, int Order)> _records = [];
    private int _order;

    public static uint Aps(int x, int y, int cycle, int adc) =>
        0x80000000u | ((uint)(H - 1 - y) << 22) | ((uint)(W - 1 - x) << 12) | ((uint)cycle << 10) | (uint)adc;

    public void Dvs(int x, int y, bool on, int t) => Add(SyntheticRecording.DavisDvs(x, H - 1 - y, on), t);

    private void Add(uint address, int t) => _records.Add((address, t, _order++));

    /// <summary>CDS value (reset − signal, ADC counts 0..900) of pixel (x, y) in frame <paramref name="k"/>: a ramp plus a bright square.</summary>
    public static int Value(int k, int x, int y) => (x * 3 + y * 2 + 7 * k) % 800 + (x is >= 100 and < 120 && y is >= 80 and < 100 ? 100 : 0);

    /// <summary>The 16-bit value the reader must give for a CDS value (0..1023 → 0..65535, rounded).</summary>
    public static ushort Expected16(int cds) => (ushort)((Math.Clamp(cds, 0, 1023) * 65535 + 511) / 1023);

    /// <summary>Pixels in read-out order: (0, 0) first, (W−1, H−1) last on the top-left grid.</summary>
    private static IEnumerable<(int X, int Y)> ReadOrder()
    {
        for (int x = 0; x < W; x++)
            for (int y = 0; y < H; y++)
                yield return (x, y);
    }

    /// <summary>
    /// One frame. Global shutter: every reset read (one per 10 µs group of 64 pixels), then after
    /// <paramref name="exposureUs"/> every signal read. Rolling: column c is reset at t0 + c·colUs and
    /// signal-read <paramref name="exposureUs"/> later (reads interleave). <paramref name="signals"/>:
    /// how many signal reads to write (null: all); <paramref name="skipLastSignal"/> leaves out the
    /// last pixel's signal read (jAER's end-of-frame marker). Returns (first reset, last reset, first signal, last signal) times, µs.
    /// </summary>
    public (int FirstReset, int LastReset, int FirstSignal, int LastSignal) Frame(int k, int t0, int exposureUs, bool global = true,
        int? signals = null, bool skipLastSignal = false, bool sameTimestamp = false, Func<int, int, int>? value = null)
    {
        var order = ReadOrder().ToList();
        var resets = new List<(int T, uint A)>();
        var sigs = new List<(int T, uint A)>();
        for (int i = 0; i < order.Count; i++)
        {
            var (x, y) = order[i];
            int v = value?.Invoke(x, y) ?? Value(k, x, y);
            int tr = sameTimestamp ? t0 : global ? t0 + i / 64 : t0 + x * 20 + y / 64;
            resets.Add((tr, Aps(x, y, 0, ResetLevel)));
            int lastReset = t0 + (order.Count - 1) / 64;
            int ts = sameTimestamp ? t0 : global ? lastReset + exposureUs + i / 64 : tr + exposureUs;
            sigs.Add((ts, Aps(x, y, 1, Math.Clamp(ResetLevel - v, 0, 1023))));
        }
        int n = signals ?? sigs.Count;
        if (skipLastSignal) n = Math.Min(n, sigs.Count - 1);
        foreach (var r in resets) Add(r.A, r.T);
        foreach (var s in sigs.Take(n)) Add(s.A, s.T);
        return (resets[0].T, resets[^1].T, sigs[0].T, sigs[^1].T);
    }

    /// <summary>The file's bytes: header, then records sorted by time (ties keep insertion order).</summary>
    public byte[] ToBytes() => SyntheticRecording.Aedat2(_records.OrderBy(r => r.Timestamp).ThenBy(r => r.Order).Select(r => (r.Address, r.Timestamp)));

    public string Write(string? dir = null)
    {
        string path = Path.Combine(dir ?? TestPaths.NewTempDir(), "davis240c-aps.aedat");
        File.WriteAllBytes(path, ToBytes());
        return path;
    }
}
