using EventDeblur.Imaging;
using EventDeblur.Recording;

namespace EventDeblur.Tests.Recording;

/// <summary>The bundle files are written by the same types that read them: what is written parses back to the same values.</summary>
public class ManifestRoundTripTests
{
    public static TheoryData<string> Cases() => ["rgb-table", "rgb-triggers-gamma", "aps", "aps-no-gt"];

    private static RecordingManifest Make(string kind) => kind switch
    {
        "rgb-table" => new()
        {
            Events = new EventsSpec("events.aedat4", 346, 260, "DAVIS346"),
            Rgb = new RgbSpec("rgb/frames.csv", 400, 300, PixelEncoding.Linear, 1024, 65535, 65000),
            Sync = new SyncSpec("table", long.MaxValue - 7),
            RgbToEventsHomography = [0.4766652831828399, -0.012357233558738178, 80.54019140395673, 0.012357233558738178, 0.4766652831828399, 52.1913657134744, 1e-7, 0, 1],
            GroundTruth = new GroundTruthSpec("gt/frames.csv", "gt/kernels"),
        },
        "rgb-triggers-gamma" => new()
        {
            Events = new EventsSpec("events.aedat", 240, 180, ""),
            Rgb = new RgbSpec("frames.csv", 640, 480, PixelEncoding.Parse("gamma:2.2"), 0, 255, 250),
            Sync = new SyncSpec("triggers", -3),
            RgbToEventsHomography = [2, 0, -1.5, 0, 2, 3.25, 0, 0, 1],
        },
        "aps" => new()
        {
            Events = new EventsSpec("events.aedat4", 240, 180, "DAVIS240C"),
            Sync = new SyncSpec("table", 0),
            RgbToEventsHomography = [1, 0, 0, 0, 1, 0, 0, 0, 1],
            GroundTruth = new GroundTruthSpec("gt/frames.csv", null),
            ApsFirstIndex = 17,
        },
        _ => new()
        {
            Events = new EventsSpec("e.aedat4", 346, 260, "DAVIS346"),
            Sync = new SyncSpec("table", 0),
            RgbToEventsHomography = [1, 0, 0, 0, 1, 0, 0, 0, 1],
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void WrittenManifestParsesBackToTheSameValues(string kind)
    {
        var m = Make(kind);
        string path = Path.Combine(TestPaths.NewTempDir(), "recording.json");
        m.Write(path);
        var back = RecordingManifest.Parse(File.ReadAllText(path), path);

        Assert.Equal(m.Events, back.Events);
        Assert.Equal(m.Rgb?.Frames, back.Rgb?.Frames);
        Assert.Equal(m.Rgb?.Encoding.ToString(), back.Rgb?.Encoding.ToString());
        Assert.Equal((m.Rgb?.Width, m.Rgb?.Height, m.Rgb?.BlackLevel, m.Rgb?.WhiteLevel, m.Rgb?.SaturationLevel),
                     (back.Rgb?.Width, back.Rgb?.Height, back.Rgb?.BlackLevel, back.Rgb?.WhiteLevel, back.Rgb?.SaturationLevel));
        if (m.Rgb != null)
        {
            Assert.Equal(m.Sync, back.Sync);
            Assert.Equal(m.RgbToEventsHomography, back.RgbToEventsHomography); // doubles survive exactly (round-trip formatting)
        }
        Assert.Equal(m.GroundTruth, back.GroundTruth);
        Assert.Equal(m.ApsFirstIndex, back.ApsFirstIndex);
        // Written twice, the same bytes.
        string again = Path.Combine(TestPaths.NewTempDir(), "recording.json");
        back.Write(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void FrameTableWrittenReadsBackRowForRow()
    {
        string dir = TestPaths.NewTempDir();
        var rows = new (long, string, long, long)[] { (0, "000000.png", 1_699_999_999_990_017, 1_700_000_000_020_017), (5, "b.png", -40, -10), (6, "c d.png", 0, 1) };
        foreach (var (_, f, _, _) in rows) File.WriteAllBytes(Path.Combine(dir, f), [0]);
        string csv = Path.Combine(dir, "frames.csv");
        FrameTable.Write(csv, rows);
        var problems = new List<EventDeblur.IO.Problem>();
        var back = FrameTable.Read(csv, dir, problems);
        // Every row reads back; the one whose time goes back (index 5, −40 µs after 1.7e15) gets only a note (stop 37).
        var note = Assert.Single(problems);
        Assert.Equal(EventDeblur.IO.ProblemSeverity.Note, note.Severity);
        Assert.Contains("exposure_start_us -40 is not after the previous row's (1699999999990017, index 0)", note.Message, StringComparison.Ordinal);
        Assert.Equal(rows.Select(r => (r.Item1, Path.Combine(dir, r.Item2), r.Item3, r.Item4)), back.Select(b => (b.Index, b.File, b.ExposureStartUs, b.ExposureEndUs)));
        Assert.Throws<ArgumentException>(() => FrameTable.Write(csv, [(0, "a,b.png", 0, 1)]));
    }
}
