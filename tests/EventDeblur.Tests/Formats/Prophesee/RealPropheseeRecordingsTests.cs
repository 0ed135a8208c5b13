using System.Text.Json;
using EventDeblur.Formats.Aedat;
using EventDeblur.Formats.Prophesee;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Prophesee;

/// <summary>Every real Prophesee file in ../shared decodes exactly as the independent decoder's expected.json says.</summary>
public class RealPropheseeRecordingsTests
{
    internal static string Dir => Path.Combine(TestPaths.RealRecordingsDir, "prophesee");

    internal static JsonElement Expected(string relative)
    {
        TestPaths.RequireShared();
        Skip.IfNot(Directory.Exists(Dir), $"../shared/recordings/real/prophesee is absent (looked in {Dir})");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
        return doc.RootElement.GetProperty("files").GetProperty(relative).Clone();
    }

    public static TheoryData<string> Files() =>
    [
        "evt3/expelliarmus_evt3_sample_gen41hd_vectors.raw",
        "evt3/expelliarmus_evt3_pedestrians_gen41hd_5000ev.raw",
        "evt2/expelliarmus_evt2_sample_gen3vga.raw",
        "evt2/faery_evt2_sparklers_gen3vga.raw",
        "dat/expelliarmus_ncars_obj_004397_event2d.dat",
    ];

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void EventsMatchExpectedJson(string relative)
    {
        var exp = Expected(relative);
        string path = Path.Combine(Dir, relative);
        using var reader = PropheseeReader.Open(path, new AedatReaderOptions { BatchEvents = 10_000 });
        var summary = AedatSummary.Compute(reader);

        // expected.json names DAT "DAT v2"; our format name is "DAT" (version 2 is the only one read).
        Assert.Equal(exp.GetProperty("format").GetString()!.Replace(" v2", ""), summary.Info.Version.DisplayName());
        Assert.Equal(exp.GetProperty("header_length_bytes").GetInt64(), reader.Header.Length);
        Assert.Equal(exp.GetProperty("size_bytes").GetInt64() - exp.GetProperty("payload_bytes").GetInt64(), reader.Header.Length);
        Assert.Equal(exp.GetProperty("header_end_marker").GetBoolean(), reader.Header.HasEndMarker);
        Assert.Equal(exp.GetProperty("header_lines").EnumerateArray().Select(l => l.GetString()),
            reader.Header.Entries.Select(e => $"% {e.Key} {e.Value}"));
        Assert.Equal(NullableInt(exp.GetProperty("width")) ?? 0, summary.Info.Width);
        Assert.Equal(NullableInt(exp.GetProperty("height")) ?? 0, summary.Info.Height);

        var ev = exp.GetProperty("events");
        Assert.Equal(ev.GetProperty("event_count").GetInt64(), summary.EventCount);
        Assert.Equal(ev.GetProperty("positive_count").GetInt64(), summary.PositiveCount);
        Assert.Equal(ev.GetProperty("negative_count").GetInt64(), summary.NegativeCount);
        Assert.Equal(ev.GetProperty("first_t_us").GetInt64(), summary.FirstTimestampUs);
        Assert.Equal(ev.GetProperty("last_t_us").GetInt64(), summary.LastTimestampUs);
        Assert.Equal(ev.GetProperty("events_sha256").GetString(), summary.EventsSha256);
        Assert.Equal(exp.GetProperty("triggers").GetProperty("count").GetInt64(), summary.TriggerCount);
        Assert.False(summary.HasErrors, string.Join("\n", summary.Problems));
        Assert.Equal(exp.GetProperty("errors").GetInt32(), summary.Problems.Count(p => p.Severity == ProblemSeverity.Error));
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void RangesAndFirstLastEventsMatchExpectedJson(string relative)
    {
        var exp = Expected(relative);
        var ev = exp.GetProperty("events");
        using var reader = PropheseeReader.Open(Path.Combine(Dir, relative), new AedatReaderOptions { BatchEvents = 777 });
        var all = Drain(reader);
        Assert.Equal(ev.GetProperty("min_t_us").GetInt64(), all.Min(e => e.T));
        Assert.Equal(ev.GetProperty("max_t_us").GetInt64(), all.Max(e => e.T));
        Assert.Equal(ev.GetProperty("min_x").GetInt32(), all.Min(e => e.X));
        Assert.Equal(ev.GetProperty("max_x").GetInt32(), all.Max(e => e.X));
        Assert.Equal(ev.GetProperty("min_y").GetInt32(), all.Min(e => e.Y));
        Assert.Equal(ev.GetProperty("max_y").GetInt32(), all.Max(e => e.Y));
        Assert.Equal(ev.GetProperty("distinct_timestamps").GetInt32(), all.Select(e => e.T).Distinct().Count());
        var first = ev.GetProperty("first_events_txyp").EnumerateArray().Select(Txyp).ToList();
        var last = ev.GetProperty("last_events_txyp").EnumerateArray().Select(Txyp).ToList();
        Assert.Equal(first, all.Take(first.Count));
        Assert.Equal(last, all.Skip(all.Count - last.Count));
    }

    [SkippableFact]
    public void VectorisedEvt3FileHasTheDocumentedWordCounts()
    {
        // 22 046 of the 219 596 events come from VECT_12/VECT_8 words (the rest from EVT_ADDR_X):
        // decoding with vectors ignored would give 197 550, a check that vector words are not skipped.
        var exp = Expected("evt3/expelliarmus_evt3_sample_gen41hd_vectors.raw");
        var stats = exp.GetProperty("decoder_stats");
        Assert.Equal(stats.GetProperty("addr_x_events").GetInt64() + stats.GetProperty("vector_events").GetInt64(),
            exp.GetProperty("events").GetProperty("event_count").GetInt64());
        using var reader = PropheseeReader.Open(Path.Combine(Dir, "evt3/expelliarmus_evt3_sample_gen41hd_vectors.raw"));
        Assert.IsType<Evt3Reader>(reader);
        Assert.Equal("system_ID 48 (Gen4.1 HD (EVK3_GEN41))", reader.GeometrySource);
        Assert.Equal("00000307", reader.Header.Serial);
        Assert.Equal("2020-09-25 07:48:29", reader.Header.Date);
        Assert.Equal(stats.GetProperty("addr_x_events").GetInt64() + stats.GetProperty("vector_events").GetInt64(), Drain(reader).Count);
        Assert.Equal(0, ((Evt3Reader)reader).Loops);
    }

    internal static List<(long T, int X, int Y, int P)> Drain(IAedatReader reader)
    {
        var all = new List<(long, int, int, int)>();
        while (reader.TryRead(out var p))
        {
            if (p is not EventsPacket e) continue;
            using var b = e.Events;
            for (int i = 0; i < b.Count; i++) all.Add((b.Timestamps[i], b.Xs[i], b.Ys[i], b.Polarities[i] ? 1 : 0));
        }
        return all;
    }

    private static (long T, int X, int Y, int P) Txyp(JsonElement a) => (a[0].GetInt64(), a[1].GetInt32(), a[2].GetInt32(), a[3].GetInt32());

    private static int? NullableInt(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
}
