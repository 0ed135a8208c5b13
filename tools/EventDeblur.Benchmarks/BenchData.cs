using EventDeblur.Formats.Aedat;

namespace EventDeblur.Benchmarks;

/// <summary>Synthetic benchmark recordings (deterministic).</summary>
public static class BenchData
{
    /// <summary>Folder for generated benchmark inputs (ignored by git).</summary>
    public static string Dir
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "EventDeblur.sln"))) d = d.Parent;
            string dir = Path.Combine(d?.FullName ?? Path.GetTempPath(), "artifacts", "bench");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>
    /// Writes <paramref name="events"/> events shaped like a DAVIS346 recording (≈ 1 MEv/s, random
    /// pixels, both polarities) as AEDAT 4.0 with LZ4, in DV-sized packets.
    /// </summary>
    public static void Generate(string path, long events)
    {
        var rng = new Random(1234);
        const int chunk = 1 << 16;
        var t = new long[chunk];
        var x = new short[chunk];
        var y = new short[chunk];
        var p = new bool[chunk];
        long now = 1_633_953_690_000_000;
        using var w = Aedat4Writer.Create(path, new Aedat4WriterOptions { Width = 346, Height = 260, Compression = Aedat4Compression.Lz4, MaxEventsPerPacket = 10_000 });
        for (long done = 0; done < events; done += chunk)
        {
            int n = (int)Math.Min(chunk, events - done);
            for (int i = 0; i < n; i++)
            {
                now += rng.Next(0, 3);
                t[i] = now;
                x[i] = (short)rng.Next(346);
                y[i] = (short)rng.Next(260);
                p[i] = rng.Next(2) == 0;
            }
            w.WriteEvents(t.AsSpan(0, n), x.AsSpan(0, n), y.AsSpan(0, n), p.AsSpan(0, n));
        }
        w.Complete();
    }

    /// <summary>Returns the path of a generated file with <paramref name="events"/> events, creating it once.</summary>
    public static string Ensure(long events)
    {
        string path = Path.Combine(Dir, $"events-{events / 1_000_000}M.aedat4");
        if (!File.Exists(path)) Generate(path, events);
        return path;
    }
}
