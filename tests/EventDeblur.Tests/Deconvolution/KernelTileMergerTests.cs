using EventDeblur.Deconvolution;
using EventDeblur.Kernels;

namespace EventDeblur.Tests.Deconvolution;

public class KernelTileMergerTests
{
    /// <summary>A horizontal line kernel of odd <paramref name="size"/>, <paramref name="length"/> px, shifted by <paramref name="dx"/>, <paramref name="dy"/>.</summary>
    private static BlurKernel Line(int size, int length, int dx = 0, int dy = 0)
    {
        var w = new float[size * size];
        int c = size / 2;
        for (int i = 0; i < length; i++) w[(c + dy) * size + c - length / 2 + i + dx] = 1f / length;
        return new BlurKernel(size, w);
    }

    private static List<KernelTile> Grid(Func<int, int, BlurKernel> kernel, int columns = 4, int rows = 3, int px = 160)
    {
        var tiles = new List<KernelTile>();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                tiles.Add(new KernelTile(c * px, r * px, (c + 1) * px, (r + 1) * px, kernel(c, r)));
        return tiles;
    }

    /// <summary>Every pixel of the frame in exactly one tile.</summary>
    private static void AssertCovers(IReadOnlyList<KernelTile> tiles, int w, int h)
    {
        var count = new int[w * h];
        foreach (var t in tiles)
            for (int y = t.Y0; y < t.Y1; y++)
                for (int x = t.X0; x < t.X1; x++) count[y * w + x]++;
        Assert.All(count, n => Assert.Equal(1, n));
    }

    [Fact]
    public void TilesOfOneBlurBecomeOneTileWithThatKernel()
    {
        // Equal kernels of different sizes (15 and 21 px boxes around the same 9-px line) are the same blur.
        var tiles = Grid((c, r) => (c + r) % 2 == 0 ? Line(15, 9) : Line(21, 9));
        var merged = KernelTileMerger.Merge(tiles);
        var one = Assert.Single(merged);
        Assert.Equal((0, 0, 640, 480), (one.X0, one.Y0, one.X1, one.Y1));
        Assert.Equal(21, one.Kernel.Size);
        Assert.Equal(1.0, KernelTileMerger.Correlation(one.Kernel, Line(21, 9)), 6);
        Assert.Equal(1.0, one.Kernel.Weights.Sum(), 5);
    }

    [Fact]
    public void ADifferentTileStaysApartAndTheRestAreJoinedIntoRectangles()
    {
        // Tile (1, 1) has a longer blur: it stays alone; the others join into rectangles that cover the frame once.
        var tiles = Grid((c, r) => c == 1 && r == 1 ? Line(21, 15) : Line(21, 9));
        var merged = KernelTileMerger.Merge(tiles);
        AssertCovers(merged, 640, 480);
        Assert.Contains(merged, t => (t.X0, t.Y0, t.X1, t.Y1) == (160, 160, 320, 320) && KernelTileMerger.Correlation(t.Kernel, Line(21, 15)) > 0.999);
        Assert.True(merged.Count < tiles.Count);
        Assert.All(merged.Where(t => t.X0 != 160 || t.Y0 != 160), t => Assert.True(KernelTileMerger.Correlation(t.Kernel, Line(21, 9)) > 0.999));
        // The top row is one tile, and so is the bottom one (row runs with the same span are joined down the frame only
        // when adjacent rectangles match: the middle row is split by the different tile).
        Assert.Contains(merged, t => (t.X0, t.Y0, t.X1, t.Y1) == (0, 0, 640, 160));
        Assert.Contains(merged, t => (t.X0, t.Y0, t.X1, t.Y1) == (0, 320, 640, 480));
    }

    [Fact]
    public void AShiftIsADifferentBlurAndAChainDoesNotDrift()
    {
        // A 1-px shift moves the image: not the same blur.
        Assert.True(KernelTileMerger.Correlation(Line(21, 9), Line(21, 9, dy: 1)) < KernelTileMerger.SameKernelCorrelation);
        var shifted = Grid((c, r) => c == 2 ? Line(21, 9, dy: 1) : Line(21, 9), rows: 1);
        Assert.Equal(3, KernelTileMerger.Merge(shifted).Count);

        // Each neighbour is the same blur as the next, but the ends are not: the run stops where a member differs.
        var a = Line(41, 20);
        var b = Line(41, 21);
        var c = Line(41, 22, dx: 1);
        var d = Line(41, 23, dx: 1);
        Assert.True(KernelTileMerger.Correlation(a, b) >= 0.97 && KernelTileMerger.Correlation(a, d) < KernelTileMerger.Correlation(a, b));
        var chain = Grid((col, _) => new[] { a, b, c, d }[col], rows: 1);
        var merged = KernelTileMerger.Merge(chain, threshold: KernelTileMerger.Correlation(a, b) - 1e-9);
        Assert.All(merged, t =>
        {
            var members = chain.Where(x => x.X0 >= t.X0 && x.X1 <= t.X1).ToList();
            foreach (var m in members)
                foreach (var n in members)
                    Assert.True(KernelTileMerger.Correlation(m.Kernel, n.Kernel) >= KernelTileMerger.Correlation(a, b) - 1e-9);
        });
        AssertCovers(merged, 640, 160);
    }

    [Fact]
    public void TilesThatAreNoGridAreLeftAsTheyAre()
    {
        var k = Line(15, 9);
        KernelTile[] staggered = [new(0, 0, 100, 50, k), new(100, 0, 200, 60, k), new(0, 50, 100, 100, k), new(100, 60, 200, 100, k)];
        Assert.Same(staggered, KernelTileMerger.Merge(staggered));
        // A gap between two tiles of a row.
        KernelTile[] gap = [new(0, 0, 100, 100, k), new(101, 0, 200, 100, k)];
        Assert.Same(gap, KernelTileMerger.Merge(gap));
    }
}
