using EventDeblur.Calibration;
using EventDeblur.Imaging;
using EventDeblur.Recording;
using EventDeblur.Simulation;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EventDeblur.Tests.Calibration;

/// <summary>
/// The homography fitted to a simulated blinking checkerboard (<c>simulate --preset checkerboard</c>), against the
/// true one the simulator wrote. Measures as <see cref="RigCalibratorTests"/>: the distance, in event pixels, between
/// the two maps' images of a 32 × 24 grid spanning the RGB frame (points the true map puts on the event sensor) — here
/// its largest value over the grid (<see cref="HomographyGrid.MaxDistanceEventPx"/>), not only its mean.
/// </summary>
public sealed class BoardCalibratorTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<string> _bundles = [];

    /// <summary>The simulated bundles are 10–40 MB each: removed after each test.</summary>
    public void Dispose()
    {
        foreach (var dir in _bundles) Directory.Delete(dir, recursive: true);
    }

    private (RecordingBundle Bundle, Homography Truth, SimulationResult Result) Simulate(int seed, int frames, Func<BlinkingBoardModel, BlinkingBoardModel>? board = null)
    {
        var simulated = Simulate(TestPaths.NewTempDir(), seed, frames, board);
        _bundles.Add(simulated.Bundle.Root);
        return simulated;
    }

    /// <summary>Simulates the <c>checkerboard</c> preset into <paramref name="dir"/>, with <paramref name="board"/> changing its board.</summary>
    internal static (RecordingBundle Bundle, Homography Truth, SimulationResult Result) Simulate(string dir, int seed, int frames, Func<BlinkingBoardModel, BlinkingBoardModel>? board = null)
    {
        var preset = SimulationPresets.Get("checkerboard");
        var options = preset with { Frames = frames, Board = board?.Invoke(preset.Board!) ?? preset.Board };
        var result = HybridRigSimulator.Simulate(options, seed, dir);
        return (RecordingBundle.Load(dir), Homography.FromRowMajor(result.Homography), result);
    }

    private (double Mean, double Max) Error(RecordingBundle bundle, BoardCalibrationResult result, Homography truth)
    {
        var rgb = bundle.Manifest.Rgb!;
        var (ew, eh) = bundle.EventSensorSize;
        double mean = HomographyGrid.MeanDistanceEventPx(result.RgbToEvents, truth, rgb.Width, rgb.Height, ew, eh);
        double max = HomographyGrid.MaxDistanceEventPx(result.RgbToEvents, truth, rgb.Width, rgb.Height, ew, eh);
        output.WriteLine($"mapping error mean {mean:F3} / max {max:F3} event px; residual {result.ResidualEventPx:F3} (max {result.MaxCornerErrorEventPx:F3}); " +
            $"{result.FramesUsed} of {result.FramesTried} frames, {result.CornersUsed} of {result.CornersMatched} corners, coverage {result.CoverageRgb:P0}; " +
            string.Join("; ", result.Frames.Select(f => $"frame {f.Index}: {f.Ordering ?? "-"} {f.RmsEventPx:F3} {f.Rejection}")));
        return (mean, max);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RecoversTheSimulatedRigWithinAThirdOfAnEventPixelEverywhere(int seed)
    {
        // Measured when written (8 frames, 9 × 6): seed 1 mean 0.026 / max 0.096 event px (residual 0.120), seed 2 mean
        // 0.014 / max 0.041 (residual 0.118); the corners span 35–37 % of the RGB frame, the rest is extrapolated.
        var (bundle, truth, _) = Simulate(seed, 8);
        var result = BoardCalibrator.Estimate(bundle, new BoardCalibrationOptions { Columns = 9, Rows = 6 });
        var (mean, max) = Error(bundle, result, truth);
        Assert.True(max <= 0.3, $"largest mapping error {max:F3} event px > 0.3 (mean {mean:F3}, residual {result.ResidualEventPx:F3})");
        Assert.Equal(8, result.FramesUsed);
        Assert.Equal(8 * 54, result.CornersMatched);
        Assert.InRange(result.ResidualEventPx, 0, 0.3);
        Assert.All(result.Frames, f => Assert.Equal("colour", f.Ordering));
    }

    [Fact]
    public void ABoardUpsideDownIsOrderedByItsSquaresColours()
    {
        // The board stands on its head in every frame (180° ± 15°): the detector's first corner is at the other end of
        // the board than for an upright one, in both views or only in one; 10 × 7 squares fix the orientation.
        var (bundle, truth, _) = Simulate(3, 5, b => b with { RotationDeg = 180 });
        var result = BoardCalibrator.Estimate(bundle, new BoardCalibrationOptions { Columns = 9, Rows = 6 });
        var (mean, max) = Error(bundle, result, truth);
        Assert.True(max <= 0.3, $"largest mapping error {max:F3} event px > 0.3 (mean {mean:F3})");
        Assert.Equal(5, result.FramesUsed);
    }

    [Fact]
    public void ASquareSymmetricBoardTurnedAnyWayIsOrderedByTheRotationPrior()
    {
        // 6 × 6 inner corners (7 × 7 squares) look the same after a quarter turn: nothing on the board says where its
        // first corner is, and the board is turned by up to ±45° around 180° from frame to frame.
        var (bundle, truth, _) = Simulate(4, 5, b => b with { InnerCorners = (6, 6), SquarePx = (40, 48), RotationDeg = 180, RotationJitterDeg = 45 });
        var result = BoardCalibrator.Estimate(bundle, new BoardCalibrationOptions { Columns = 6, Rows = 6 });
        var (mean, max) = Error(bundle, result, truth);
        Assert.True(max <= 0.3, $"largest mapping error {max:F3} event px > 0.3 (mean {mean:F3})");
        Assert.Equal(5, result.FramesUsed);
        Assert.All(result.Frames, f => Assert.Equal("rotation prior", f.Ordering));
    }

    [Fact]
    public void ARecordingWithoutABoardIsRefusedWithTheReason()
    {
        string dir = TestPaths.NewTempDir();
        HybridRigSimulator.Simulate(SimulationPresets.Get("night") with { Frames = 3, RgbWidth = 320, RgbHeight = 240 }, 8, dir);
        var e = Assert.Throws<CalibrationRefusedException>(() => BoardCalibrator.Estimate(RecordingBundle.Load(dir), new BoardCalibrationOptions { Columns = 9, Rows = 6 }));
        Assert.Contains(dir, e.Message);
        Assert.Contains("found in both views of 0 frame(s) of 3, at least 3 needed", e.Message);
        Assert.Contains("frame 0: the 9x6 board was not found in the RGB frame", e.Message);
    }

    [Fact]
    public void AWrongBoardSizeIsRefused()
    {
        // The 9 × 6 board's frames searched for an 8 × 5 board: OpenCV finds no whole 8 × 5 grid of it.
        var (bundle, _, _) = Simulate(5, 3);
        var e = Assert.Throws<CalibrationRefusedException>(() => BoardCalibrator.Estimate(bundle, new BoardCalibrationOptions { Columns = 8, Rows = 5 }));
        Assert.Contains("8x5 board was not found", e.Message);
        // The usual slip, squares for inner corners, is named with the size to try.
        Assert.Contains("--checkerboard counts inner corners, one fewer than the squares per row and column: a board of 8×5 squares is 7x4", e.Message);
    }

    /// <summary>
    /// Match on exact corners: the RGB view of a drawn board, the event view that image under a known homography,
    /// and the event corners handed over in every order a detector could give (four starting corners of a square
    /// board, rows either way): the match always gives back the true correspondence.
    /// </summary>
    [Theory]
    [InlineData(9, 6, 0.0)]
    [InlineData(9, 6, 180.0)] // an upside-down rig: only the squares' colours can tell
    [InlineData(8, 6, 0.0)]   // 9 × 7 squares: symmetric under 180°
    [InlineData(6, 6, 10.0)]  // 7 × 7 squares: symmetric under 90°
    [InlineData(5, 5, 30.0)]  // 6 × 6 squares: a quarter turn swaps the colours, a half turn does not
    public void MatchUndoesEveryAmbiguityOfTheDetectorsOrder(int columns, int rows, double rigRotationDeg)
    {
        var model = new BlinkingBoardModel { InnerCorners = (columns, rows), SquarePx = (40, 40), MaxTilt = 0.1 };
        var pose = BlinkingBoardScene.DrawPose(model, new Random(columns * 10 + rows), 640, 480);
        var (lit, dark) = BlinkingBoardScene.Render(model, pose, 640, 480, 0);
        using var rgbImage = lit.Luminance();
        lit.Dispose();
        dark.Dispose();
        double a = rigRotationDeg * Math.PI / 180, s = 0.48;
        double[] rig = [s * Math.Cos(a), -s * Math.Sin(a), 173 - s * (Math.Cos(a) * 319.5 - Math.Sin(a) * 239.5), s * Math.Sin(a), s * Math.Cos(a), 130 - s * (Math.Sin(a) * 319.5 + Math.Cos(a) * 239.5), 0, 0, 1];
        var h = Homography.FromRowMajor(rig);
        using var rigMat = Mat.FromPixelData(3, 3, MatType.CV_64FC1, rig);
        using var eventImage = new Mat();
        Cv2.WarpPerspective(rgbImage, eventImage, rigMat, new Size(346, 260));
        var rgb = BlinkingBoardScene.InnerCornersRgb(model, pose).Select(p => new Point2d(p.X, p.Y)).ToArray();
        var truth = rgb.Select(p => h.Apply(p.X, p.Y)).Select(q => new Point2d(q.X, q.Y)).ToArray();

        var orders = new List<Func<int, int, (int, int)>>
        {
            (i, j) => (i, j), (i, j) => (columns - 1 - i, rows - 1 - j), (i, j) => (columns - 1 - i, j), (i, j) => (i, rows - 1 - j),
        };
        if (columns == rows)
            orders.AddRange([(i, j) => (j, columns - 1 - i), (i, j) => (columns - 1 - j, i), (i, j) => (j, i), (i, j) => (columns - 1 - j, columns - 1 - i)]);
        foreach (var order in orders)
        {
            var given = ChessboardCorners.Permute(truth, columns, rows, order);
            var m = ChessboardCorners.Match(rgb, rgbImage, given, eventImage, columns, rows);
            Assert.NotNull(m);
            Assert.Equal(truth, m.Value.Events);
        }
    }
}
