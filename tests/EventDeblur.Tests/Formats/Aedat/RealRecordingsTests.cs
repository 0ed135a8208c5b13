using System.Text.Json;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>Every real recording decodes exactly as the independent decoder's expected.json says.</summary>
public class RealRecordingsTests
{
    public static TheoryData<string> Files() =>
    [
        "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4",
        "aedat2/EDGECASE_tonic_header_only_davis346red.aedat",
        "aedat2/pyaedattools_IMU_translBoxes_davis240c.aedat",
        "aedat2/sensorfusion_dvs_s1-bbaf3s_davis240c.aedat",
        "aedat2/sensorfusion_dvs_s16-bbad8s_davis240c.aedat",
        "aedat2/sensorfusion_s9-bbae5s_davis240c.aedat",
        "aedat3.1/SYNTHETIC_ugurcancakal_aedat1_for_testing.aedat",
    ];

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void EventsMatchExpectedJson(string relative)
    {
        var expected = TestPaths.ExpectedJson().GetProperty(relative);
        var summary = AedatSummary.Compute(Path.Combine(TestPaths.RealRecordingsDir, relative));

        Assert.Equal(expected.GetProperty("format").GetString(), summary.Info.Version.DisplayName());
        var ev = expected.TryGetProperty("events", out var e) ? e : expected.GetProperty("streams").GetProperty("0");
        Assert.Equal(ev.GetProperty("event_count").GetInt64(), summary.EventCount);
        Assert.Equal(ev.GetProperty("positive_count").GetInt64(), summary.PositiveCount);
        Assert.Equal(ev.GetProperty("negative_count").GetInt64(), summary.NegativeCount);
        Assert.Equal(ev.GetProperty("events_sha256").GetString(), summary.EventsSha256);
        Assert.Equal(NullableLong(ev.GetProperty("first_t_us")), summary.FirstTimestampUs);
        Assert.Equal(NullableLong(ev.GetProperty("last_t_us")), summary.LastTimestampUs);
        Assert.False(summary.HasErrors, string.Join("\n", summary.Problems));
    }

    [SkippableFact]
    public void Aedat2SensorSizesAndImuSamples()
    {
        var files = TestPaths.ExpectedJson();
        foreach (var rel in new[] { "aedat2/pyaedattools_IMU_translBoxes_davis240c.aedat", "aedat2/EDGECASE_tonic_header_only_davis346red.aedat" })
        {
            var exp = files.GetProperty(rel);
            var summary = AedatSummary.Compute(Path.Combine(TestPaths.RealRecordingsDir, rel));
            var size = exp.GetProperty("sensor_size");
            Assert.Equal(size[0].GetInt32(), summary.Info.Width);
            Assert.Equal(size[1].GetInt32(), summary.Info.Height);
        }
        // 33 837 IMU words = 4 833 full 7-word samples + 6 stray words (README of the recordings).
        var imu = AedatSummary.Compute(Path.Combine(TestPaths.RealRecordingsDir, "aedat2/pyaedattools_IMU_translBoxes_davis240c.aedat"));
        Assert.Equal(4833, imu.ImuCount);
        Assert.Contains(imu.Problems, p => p.Severity == ProblemSeverity.Note && p.Message.StartsWith("6 IMU words", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void HeaderOnlyFileGivesZeroEventsAndOnlyANote()
    {
        TestPaths.RequireShared();
        var s = AedatSummary.Compute(Path.Combine(TestPaths.RealRecordingsDir, "aedat2/EDGECASE_tonic_header_only_davis346red.aedat"));
        Assert.Equal(0, s.EventCount);
        Assert.All(s.Problems, p => Assert.Equal(ProblemSeverity.Note, p.Severity));
        Assert.NotEmpty(s.Problems);
    }

    [SkippableFact]
    public void Aedat31ValidBitIsHonoured()
    {
        TestPaths.RequireShared();
        var s = AedatSummary.Compute(Path.Combine(TestPaths.RealRecordingsDir, "aedat3.1/SYNTHETIC_ugurcancakal_aedat1_for_testing.aedat"));
        Assert.Equal(0, s.EventCount);
        Assert.Equal(3, s.Problems.Count(p => p.Message.Contains("valid mark")));
        // The three packets are walked even though none yields an event: the count is the independent decoder's.
        var exp = TestPaths.ExpectedJson().GetProperty("aedat3.1/SYNTHETIC_ugurcancakal_aedat1_for_testing.aedat");
        Assert.Equal(exp.GetProperty("packet_count").GetInt64(), s.PacketCount);
    }

    [SkippableFact]
    public void Aedat4PacketCountMatchesExpectedJson()
    {
        TestPaths.RequireShared();
        const string file = "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4";
        var s = AedatSummary.Compute(Path.Combine(TestPaths.RealRecordingsDir, file));
        Assert.Equal(TestPaths.ExpectedJson().GetProperty(file).GetProperty("packet_count").GetInt64(), s.PacketCount);
    }

    [SkippableFact]
    public void Aedat4FramesTriggersImuMatchExpectedJson()
    {
        var exp = TestPaths.ExpectedJson().GetProperty("aedat4/aestream_davis346_evts_frames_imu_trig.aedat4");
        var streams = exp.GetProperty("streams");
        using var reader = Aedat4Reader.Open(Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4"));
        var frames = new List<EventDeblur.Events.ApsFrame>();
        var triggers = new List<EventDeblur.Events.TriggerEvent>();
        var imu = new List<EventDeblur.Events.ImuSample>();
        while (reader.TryRead(out var p))
        {
            switch (p)
            {
                case FramePacket f: frames.Add(f.Frame); break;
                case TriggersPacket t: triggers.AddRange(t.Triggers); break;
                case ImuPacket i: imu.AddRange(i.Samples); break;
                case EventsPacket e: e.Events.Dispose(); break;
            }
        }
        var expFrames = streams.GetProperty("1").GetProperty("frames").EnumerateArray().ToList();
        Assert.Equal(expFrames.Count, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            var x = expFrames[i];
            Assert.Equal(x.GetProperty("t").GetInt64(), f.TimestampUs);
            Assert.Equal(x.GetProperty("sof").GetInt64(), f.StartOfFrameUs);
            Assert.Equal(x.GetProperty("eof").GetInt64(), f.EndOfFrameUs);
            Assert.Equal(x.GetProperty("soe").GetInt64(), f.StartOfExposureUs);
            Assert.Equal(x.GetProperty("eoe").GetInt64(), f.EndOfExposureUs);
            Assert.Equal(x.GetProperty("w").GetInt32(), f.Width);
            Assert.Equal(x.GetProperty("h").GetInt32(), f.Height);
            Assert.Equal(x.GetProperty("format").GetString(), f.Format.ToString());
            Assert.Equal(x.GetProperty("pixel_min").GetInt32(), f.Pixels.Min());
            Assert.Equal(x.GetProperty("pixel_max").GetInt32(), f.Pixels.Max());
            Assert.Equal(x.GetProperty("pixel_mean").GetDouble(), f.Pixels.Average(b => (double)b), 3);
            string sha16 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f.Pixels))[..16];
            Assert.Equal(x.GetProperty("pixels_sha256_16").GetString(), sha16);
        }

        var trig = streams.GetProperty("3");
        Assert.Equal(trig.GetProperty("elements").GetInt32(), triggers.Count);
        var counts = trig.GetProperty("trigger_counts");
        Assert.Equal(counts.GetProperty("APS_EXPOSURE_START").GetInt32(), triggers.Count(t => t.Type == EventDeblur.Events.TriggerType.ApsExposureStart));
        Assert.Equal(counts.GetProperty("APS_FRAME_START").GetInt32(), triggers.Count(t => t.Type == EventDeblur.Events.TriggerType.ApsFrameStart));
        Assert.Equal(trig.GetProperty("trigger_first_last_t")[0].GetInt64(), triggers[0].TimestampUs);
        Assert.Equal(trig.GetProperty("trigger_first_last_t")[1].GetInt64(), triggers[^1].TimestampUs);

        var imuExp = streams.GetProperty("2");
        Assert.Equal(imuExp.GetProperty("elements").GetInt32(), imu.Count);
        var first = imuExp.GetProperty("imu_first_sample");
        Assert.Equal(first.GetProperty("t").GetInt64(), imu[0].TimestampUs);
        Assert.Equal(first.GetProperty("temperature").GetSingle(), imu[0].TemperatureC);
        Assert.Equal(first.GetProperty("acc")[1].GetSingle(), imu[0].AccelY);
        Assert.Equal(first.GetProperty("gyro")[0].GetSingle(), imu[0].GyroX);
    }

    [SkippableFact]
    public void Aedat4DataTableMatchesSequentialWalkAndSeeks()
    {
        TestPaths.RequireShared();
        string path = Path.Combine(TestPaths.RealRecordingsDir, "aedat4/aestream_davis346_evts_frames_imu_trig.aedat4");
        using var reader = Aedat4Reader.Open(path);
        var table = reader.ReadDataTable();
        Assert.NotNull(table);
        Assert.Equal(40, table!.Count);
        var offsets = new List<long>();
        while (reader.TryRead(out var p))
        {
            offsets.Add(p!.ByteOffset + 8);
            if (p is EventsPacket e) e.Events.Dispose();
        }
        Assert.Equal(table.Select(r => r.ByteOffset), offsets);

        // Seeking to the middle of the recording: every delivered element is at or after the target,
        // and the events delivered equal the tail of the full decoding.
        long target = 1633953691040000;
        using var all = Aedat4Reader.Open(path);
        long expectedTail = 0;
        while (all.TryRead(out var p)) if (p is EventsPacket e) using (e.Events) foreach (long t in e.Events.Timestamps) if (t >= target) expectedTail++;
        using var seeker = Aedat4Reader.Open(path);
        Assert.True(seeker.SeekToTime(target));
        long got = 0;
        while (seeker.TryRead(out var p))
        {
            if (p is EventsPacket e) using (e.Events) { Assert.True(e.Events.Timestamps[0] >= target); got += e.Events.Count; }
            if (p is TriggersPacket tp) Assert.All(tp.Triggers, t => Assert.True(t.TimestampUs >= target));
        }
        Assert.Equal(expectedTail, got);
    }

    private static long? NullableLong(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt64();
}
