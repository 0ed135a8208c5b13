using System.Globalization;
using EventDeblur.Kernels;
using EventDeblur.Metrics;

namespace EventDeblur.Tests.Kernels;

/// <summary>
/// A window longer than the exposure (stop 51's trial: frames blurred over a quarter or half of the path their events
/// traced kept the whole path's kernels, −1 to −16 dB): the lights' events trace more path than their streaks show lit,
/// so the window is narrowed to the lit part (<see cref="EventKernelOptions.FitWindowToLitPaths"/>, <see cref="LitPathPart"/>).
/// </summary>
public class WindowNarrowingTests
{
    /// <summary>A copy of the sample whose frames.csv says each exposure went on for as long again after it ended (a frame table giving the frame period, say).</summary>
    private static string SampleWithLongWindows()
    {
        string bundle = TestPaths.CopyOfSample();
        string csv = Path.Combine(bundle, "rgb", "frames.csv");
        var lines = File.ReadAllLines(csv);
        var ci = CultureInfo.InvariantCulture;
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            long start = long.Parse(f[2], ci), end = long.Parse(f[3], ci);
            lines[i] = $"{f[0]},{f[1]},{start},{end + (end - start)}";
        }
        File.WriteAllLines(csv, lines);
        return bundle;
    }

    [Fact]
    public void AWindowTwiceTheExposureIsNarrowedToTheLitPartAndItsKernelsComeBackToTheTruth()
    {
        string bundle = SampleWithLongWindows();
        for (int i = 0; i < 3; i++)
        {
            var request = KernelEstimationTests.LoadFrame(bundle, i);
            var truth = KernelCsv.Read(request.GroundTruthKernelsPath!);
            var narrowed = new EventKernelEstimator().Estimate(request);
            var whole = new EventKernelEstimator(new EventKernelOptions { FitWindowToLitPaths = false }).Estimate(request);
            string note = Assert.Single(narrowed.Diagnostics, d => d.StartsWith(EventKernelEstimator.NarrowedNote, StringComparison.Ordinal));
            // The lit part starts with the window and ends about half-way (the true exposure is its first half).
            var m = System.Text.RegularExpressions.Regex.Match(note, @"narrowed to (\d+) %–(\d+) %");
            Assert.True(m.Success, note);
            Assert.InRange(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), 0, 5);
            Assert.InRange(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), 45, 65);
            double ksNarrowed = ImageMetrics.KernelSimilarity(narrowed.Tiles, truth), ksWhole = ImageMetrics.KernelSimilarity(whole.Tiles, truth);
            // Stated bounds: the narrowed window's kernels within 0.2 of the truth's similarity 1, and 0.1 better than the whole window's
            // (measured at stop 52: 0.98 / 0.94 / 0.82 against 0.74 / 0.69 / 0.59).
            Assert.True(ksNarrowed >= 0.8 && ksNarrowed >= ksWhole + 0.1, $"frame {i}: kernel similarity {ksNarrowed:F3} narrowed, {ksWhole:F3} over the whole window");
            Assert.DoesNotContain(whole.Diagnostics, d => d.StartsWith(EventKernelEstimator.NarrowedNote, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheShippedSampleWhoseFramesAreExposedOverTheirWindowsKeepsThem()
    {
        string bundle = TestPaths.CopyOfSample();
        for (int i = 0; i < 3; i++)
        {
            var estimate = new EventKernelEstimator().Estimate(KernelEstimationTests.LoadFrame(bundle, i));
            Assert.DoesNotContain(estimate.Diagnostics, d => d.StartsWith(EventKernelEstimator.NarrowedNote, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheOptionsAreCheckedForTheirRanges()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventKernelEstimator(new EventKernelOptions { LitShareBelow = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventKernelEstimator(new EventKernelOptions { LitShareBelow = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventKernelEstimator(new EventKernelOptions { MinLitLights = 0 }));
    }
}
