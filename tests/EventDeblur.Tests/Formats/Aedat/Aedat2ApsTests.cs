using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using EventDeblur.Events;
using EventDeblur.Formats.Aedat;
using EventDeblur.IO;

namespace EventDeblur.Tests.Formats.Aedat;

/// <summary>AEDAT 2.0 APS frames (jAER DAVIS): assembly, exposure windows, CDS values and each broken-frame case.</summary>
public class Aedat2ApsTests
{
    private static ushort Pixel(ApsFrame f, int x, int y) => BinaryPrimitives.ReadUInt16LittleEndian(f.Pixels.AsSpan(2 * (y * f.Width + x)));

    private static Drained Read(Aedat2ApsFixture fx, bool decode = true)
    {
        using var r = AedatReader.Open(fx.Write(), new AedatReaderOptions { DecodeFrames = decode });
        return Drained.From(r);
    }

    [Fact]
    public void GlobalShutterFramesCarryCdsValuesOnTheDvsGridAndTheirExposure()
    {
        var fx = new Aedat2ApsFixture();
        var a = fx.Frame(0, 1_000, 5_000);
        var b = fx.Frame(1, 20_000, 8_000);
        fx.Dvs(10, 20, true, 3_000);
        fx.Dvs(239, 179, false, 21_000);
        var d = Read(fx);

        Assert.Equal(2, d.Frames.Count);
        Assert.DoesNotContain(d.Problems, p => p.Severity == ProblemSeverity.Error);
        var f0 = d.Frames[0];
        Assert.Equal((240, 180), (f0.Width, f0.Height));
        Assert.Equal(FramePixelFormat.Gray16, f0.Format);
        // Global shutter: exposure from the last reset read to the first signal read (jAER's SOE / EOE).
        Assert.Equal(a.LastReset, f0.StartOfExposureUs);
        Assert.Equal(a.FirstSignal, f0.EndOfExposureUs);
        Assert.Equal(5_000, f0.EndOfExposureUs - f0.StartOfExposureUs);
        Assert.Equal(a.FirstReset, f0.StartOfFrameUs);
        Assert.Equal(a.LastSignal, f0.EndOfFrameUs);
        Assert.Equal(b.LastReset, d.Frames[1].StartOfExposureUs);
        Assert.Equal(b.FirstSignal, d.Frames[1].EndOfExposureUs);
        foreach (var (x, y) in new[] { (0, 0), (239, 0), (0, 179), (239, 179), (110, 90), (57, 133) })
        {
            Assert.Equal(Aedat2ApsFixture.Expected16(Aedat2ApsFixture.Value(0, x, y)), Pixel(f0, x, y));
            Assert.Equal(Aedat2ApsFixture.Expected16(Aedat2ApsFixture.Value(1, x, y)), Pixel(d.Frames[1], x, y));
        }
        Assert.Equal(0, Pixel(f0, 0, 0)); // value 0 → black
        // DVS events keep their place on the same grid and the APS reads do not disturb them.
        Assert.Equal([10, 239], d.X.Select(v => (int)v));
        Assert.Equal([20, 179], d.Y.Select(v => (int)v));
    }

    [Fact]
    public void CdsBelowZeroIsBlackAndFullScaleIsWhite()
    {
        var fx = new Aedat2ApsFixture();
        // signal read above the reset read (negative CDS) at x < 10; full-scale 1023 at x ≥ 230.
        fx.Frame(0, 1_000, 2_000, value: (x, y) => x < 10 ? -50 : x >= 230 ? 1023 : 450);
        var f = Assert.Single(Read(fx).Frames);
        Assert.Equal(0, Pixel(f, 3, 50));
        Assert.Equal(Aedat2ApsFixture.Expected16(450), Pixel(f, 100, 50));
        Assert.Equal(28828, Pixel(f, 100, 50)); // 450 · 65535 / 1023 = 28828.2…
        Assert.Equal(Aedat2ApsFixture.Expected16(Aedat2ApsFixture.ResetLevel), Pixel(f, 235, 50)); // the signal read cannot go below 0
    }

    [Fact]
    public void RollingShutterExposureStartsAtTheFirstResetRead()
    {
        var fx = new Aedat2ApsFixture();
        var a = fx.Frame(0, 1_000, 1_000, global: false);
        var f = Assert.Single(Read(fx).Frames);
        Assert.Equal(a.FirstReset, f.StartOfExposureUs);
        Assert.Equal(a.FirstSignal, f.EndOfExposureUs);
        Assert.Equal(1_000, f.EndOfExposureUs - f.StartOfExposureUs);
        Assert.Equal(Aedat2ApsFixture.Expected16(Aedat2ApsFixture.Value(0, 200, 10)), Pixel(f, 200, 10));
    }

    [Fact]
    public void RollingShutterLongerThanTheReadOutGivesTheExposureEveryColumnShares()
    {
        var fx = new Aedat2ApsFixture();
        var a = fx.Frame(0, 1_000, 8_000, global: false); // columns reset over 4.8 ms, each exposed 8 ms
        var f = Assert.Single(Read(fx).Frames);
        Assert.Equal(a.LastReset, f.StartOfExposureUs);
        Assert.Equal(a.FirstSignal, f.EndOfExposureUs);
        Assert.Equal(8_000 - (a.LastReset - a.FirstReset), f.EndOfExposureUs - f.StartOfExposureUs);
    }

    [Fact]
    public void MissingEndOfFrameReadDropsThatFrameOnlyAndSaysWhere()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 3_000, skipLastSignal: true);
        var b = fx.Frame(1, 20_000, 3_000);
        var d = Read(fx);
        var f = Assert.Single(d.Frames);
        Assert.Equal(b.LastReset, f.StartOfExposureUs);
        var p = Assert.Single(d.Problems, p => p.Message.Contains("incomplete", StringComparison.Ordinal));
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.Contains("43199 of 43200 signal reads", p.Message, StringComparison.Ordinal);
        Assert.Contains("a new frame starts", p.Message, StringComparison.Ordinal);
        Assert.True(p.ByteOffset > 0);
    }

    [Fact]
    public void TruncatedFrameAtTheEndOfTheFileIsReportedAndEarlierFramesKept()
    {
        var fx = new Aedat2ApsFixture();
        var a = fx.Frame(0, 1_000, 3_000);
        fx.Frame(1, 20_000, 3_000, signals: 20_000);
        var d = Read(fx);
        var f = Assert.Single(d.Frames);
        Assert.Equal(a.LastReset, f.StartOfExposureUs);
        var p = Assert.Single(d.Problems, p => p.Message.Contains("incomplete", StringComparison.Ordinal));
        Assert.Contains("20000 of 43200 signal reads", p.Message, StringComparison.Ordinal);
        Assert.Contains("the file ends", p.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stop 40's DAVIS-alone trial: a recording that starts inside a frame's reset read-out (or loses a USB packet of a
    /// frame's first reset reads) lost every later frame too — the next frame's first resets were taken into the cut one
    /// until a pixel repeated, cutting that frame as well, and so on to the end. Only the cut frame is dropped now.
    /// </summary>
    [Theory]
    [InlineData(1_000)]
    [InlineData(43_199)]
    public void AFrameWhoseFirstResetReadsAreLostCostsOnlyThatFrame(int lost)
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 3_000);
        var b = fx.Frame(1, 20_000, 4_000);
        var c = fx.Frame(2, 40_000, 5_000);
        byte[] bytes = fx.ToBytes();
        int header = SyntheticRecording.Aedat2([]).Length;
        string path = Path.Combine(TestPaths.NewTempDir(), "cut.aedat");
        File.WriteAllBytes(path, [.. bytes.AsSpan(0, header), .. bytes.AsSpan(header + 8 * lost)]);
        Drained d;
        using (var r = AedatReader.Open(path)) d = Drained.From(r);
        Assert.Equal(2, d.Frames.Count);
        Assert.Equal(b.FirstSignal, d.Frames[0].EndOfExposureUs);
        Assert.Equal(c.FirstSignal, d.Frames[1].EndOfExposureUs);
        Assert.Equal(Aedat2ApsFixture.Expected16(Aedat2ApsFixture.Value(2, 7, 9)), Pixel(d.Frames[1], 7, 9));
        var p = Assert.Single(d.Problems, p => p.Message.Contains("incomplete", StringComparison.Ordinal));
        Assert.Contains("the open one began mid-readout", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResetOnlyFrameIsReportedAndTheNextFrameDecoded()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 3_000, signals: 0);
        var b = fx.Frame(1, 20_000, 4_000);
        var d = Read(fx);
        var f = Assert.Single(d.Frames);
        Assert.Equal(b.FirstSignal, f.EndOfExposureUs);
        Assert.Equal(Aedat2ApsFixture.Expected16(Aedat2ApsFixture.Value(1, 7, 9)), Pixel(f, 7, 9));
        var p = Assert.Single(d.Problems, p => p.Message.Contains("incomplete", StringComparison.Ordinal));
        Assert.Contains("reset reads only (43200 of 43200, no signal read)", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FrameWhoseReadsShareOneTimestampHasNoExposureAndIsDropped()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 0, sameTimestamp: true);
        var d = Read(fx);
        Assert.Empty(d.Frames);
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains("no exposure time", StringComparison.Ordinal));
    }

    [Fact]
    public void SignalReadWithoutResetIsIgnoredWithAnError()
    {
        var bytes = SyntheticRecording.Aedat2([(Aedat2ApsFixture.Aps(5, 5, 1, 100), 10), (Aedat2ApsFixture.Aps(6, 5, 0, 100), 11)]);
        string path = Path.Combine(TestPaths.NewTempDir(), "stray.aedat");
        File.WriteAllBytes(path, bytes);
        var d = Drained.FromFile(path);
        Assert.Empty(d.Frames);
        Assert.Contains(d.Problems, p => p.Message.Contains("without a reset read", StringComparison.Ordinal));
        Assert.Contains(d.Problems, p => p.Message.Contains("incomplete", StringComparison.Ordinal) && p.Message.Contains("reset reads only (1 of 43200", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutFrameDecodingReadsAreOnlyCounted()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 3_000);
        var d = Read(fx, decode: false);
        Assert.Empty(d.Frames);
        Assert.Contains(d.Problems, p => p.Severity == ProblemSeverity.Note && p.Message.Contains("86400 APS pixel reads present; frames not decoded", StringComparison.Ordinal));
    }

    /// <summary>
    /// An independent reader written apart in Python (tools/aedat2-aps-check: jAER's own rule, frame
    /// start/end from the first and last pixel addresses) agrees on every frame's times and pixels.
    /// </summary>
    [Fact]
    public void IndependentReaderAgreesOnAGeneratedFile()
    {
        var fx = new Aedat2ApsFixture();
        fx.Frame(0, 1_000, 5_000);
        fx.Frame(1, 20_000, 1_000, global: false);
        fx.Frame(2, 40_000, 3_000, skipLastSignal: true);
        fx.Frame(3, 60_000, 2_500);
        for (int i = 0; i < 500; i++) fx.Dvs(i * 7 % 240, i * 13 % 180, i % 3 == 0, 500 + i * 150);
        string path = fx.Write();
        var d = Drained.FromFile(path);

        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "tools", "aedat2-aps-check", "check_aedat2_aps.py"));
        psi.ArgumentList.Add(path);
        using var proc = Process.Start(psi)!;
        string stdout = proc.StandardOutput.ReadToEnd();
        string stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, $"independent reader failed (exit {proc.ExitCode}): {stderr}{stdout}");
        var py = JsonDocument.Parse(stdout).RootElement;

        Assert.Equal(500, py.GetProperty("dvs_events").GetInt32());
        Assert.Equal(d.T.Count, py.GetProperty("dvs_events").GetInt32());
        var frames = py.GetProperty("frames").EnumerateArray().ToList();
        Assert.Equal(3, frames.Count);
        Assert.Equal(3, d.Frames.Count);
        for (int i = 0; i < 3; i++)
        {
            var (c, p) = (d.Frames[i], frames[i]);
            Assert.Equal(p.GetProperty("start_of_frame_us").GetInt64(), c.StartOfFrameUs);
            Assert.Equal(p.GetProperty("end_of_frame_us").GetInt64(), c.EndOfFrameUs);
            Assert.Equal(p.GetProperty("start_of_exposure_us").GetInt64(), c.StartOfExposureUs);
            Assert.Equal(p.GetProperty("end_of_exposure_us").GetInt64(), c.EndOfExposureUs);
            Assert.Equal(p.GetProperty("pixels_sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(c.Pixels)));
        }
        Assert.Equal(1, py.GetProperty("frames_dropped").GetInt32());
    }
}
