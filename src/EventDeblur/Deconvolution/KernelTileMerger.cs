using EventDeblur.Kernels;

namespace EventDeblur.Deconvolution;

/// <summary>
/// Joins neighbouring kernel tiles whose kernels are the same blur, so that <see cref="TiledDeblurrer"/> deconvolves one
/// region where it would deconvolve several overlapping ones (each tile's region reaches 48 px or a kernel size into its
/// neighbours, so a 640×480 frame of twelve 160-px tiles costs about three frames of work). Two kernels are the same when
/// their normalised correlation at zero shift, both centred in one size, is at least <see cref="SameKernelCorrelation"/>:
/// a shift counts as a difference, since it moves the image. Tiles are joined along rows first, then whole runs of equal
/// column span down the frame; every kernel of a joined rectangle must be the same as every other (no drift along a chain).
/// The joined tile's kernel is the area-weighted mean of its tiles' kernels. Tiles that do not form a grid of rows are
/// returned as they are.
/// </summary>
public static class KernelTileMerger
{
    /// <summary>Normalised correlation at zero shift from which two kernels count as the same blur (0.99).</summary>
    public const double SameKernelCorrelation = 0.99;

    /// <summary>The tiles with neighbours of the same blur joined (see the class); the same list when nothing joins.</summary>
    /// <param name="tiles">Tiles covering a frame, each with its kernel.</param>
    /// <param name="threshold">Correlation from which kernels count as the same, in (0, 1]; default <see cref="SameKernelCorrelation"/>.</param>
    public static IReadOnlyList<KernelTile> Merge(IReadOnlyList<KernelTile> tiles, double threshold = SameKernelCorrelation)
    {
        if (tiles.Count <= 1) return tiles;
        // Rows: tiles sharing [Y0, Y1), ordered by X0; the rows must not overlap, and the tiles of a row must not either.
        var rows = tiles.GroupBy(t => (t.Y0, t.Y1)).OrderBy(g => g.Key.Y0).Select(g => g.OrderBy(t => t.X0).ToList()).ToList();
        for (int r = 1; r < rows.Count; r++)
            if (rows[r][0].Y0 < rows[r - 1][0].Y1) return tiles;
        foreach (var row in rows)
            for (int i = 1; i < row.Count; i++)
                if (row[i].X0 != row[i - 1].X1) return tiles;

        var cache = new Dictionary<(KernelTile, KernelTile), bool>(ReferenceEqualityPair.Instance);
        bool Same(KernelTile a, KernelTile b)
        {
            if (ReferenceEquals(a.Kernel, b.Kernel)) return true;
            if (!cache.TryGetValue((a, b), out bool same)) cache[(a, b)] = cache[(b, a)] = same = Correlation(a.Kernel, b.Kernel) >= threshold;
            return same;
        }
        bool AllSame(List<KernelTile> a, List<KernelTile> b) => a.All(x => b.All(y => Same(x, y)));

        // Along each row: runs of tiles all the same.
        var runs = new List<List<List<KernelTile>>>();
        foreach (var row in rows)
        {
            var rowRuns = new List<List<KernelTile>>();
            foreach (var t in row)
            {
                if (rowRuns.Count > 0 && rowRuns[^1].All(x => Same(x, t))) rowRuns[^1].Add(t);
                else rowRuns.Add([t]);
            }
            runs.Add(rowRuns);
        }
        // Down the frame: a run joins the rectangle above it with the same column span when all their kernels are the same.
        var open = new List<List<KernelTile>>();
        var done = new List<List<KernelTile>>();
        for (int r = 0; r < runs.Count; r++)
        {
            var next = new List<List<KernelTile>>();
            foreach (var run in runs[r])
            {
                int x0 = run[0].X0, x1 = run[^1].X1;
                var above = r > 0 && rows[r][0].Y0 == rows[r - 1][0].Y1
                    ? open.FirstOrDefault(o => o.Min(t => t.X0) == x0 && o.Max(t => t.X1) == x1 && AllSame(o, run))
                    : null;
                if (above != null)
                {
                    open.Remove(above);
                    above.AddRange(run);
                    next.Add(above);
                }
                else next.Add(run);
            }
            done.AddRange(open);
            open = next;
        }
        done.AddRange(open);
        if (done.Count == tiles.Count) return tiles;
        return done.Select(Joined).OrderBy(t => t.Y0).ThenBy(t => t.X0).ToList();
    }

    /// <summary>Normalised correlation of two kernels at zero shift, both centred in the larger size; in [−1, 1].</summary>
    public static double Correlation(BlurKernel a, BlurKernel b)
    {
        int size = Math.Max(a.Size, b.Size);
        var pa = a.Size == size ? a : a.PadTo(size);
        var pb = b.Size == size ? b : b.PadTo(size);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < pa.Weights.Length; i++)
        {
            double x = pa.Weights[i], y = pb.Weights[i];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return aa > 0 && bb > 0 ? ab / Math.Sqrt(aa * bb) : 0;
    }

    private static KernelTile Joined(List<KernelTile> members)
    {
        if (members.Count == 1) return members[0];
        int size = members.Max(t => t.Kernel.Size);
        var w = new double[size * size];
        foreach (var t in members)
        {
            var k = t.Kernel.Size == size ? t.Kernel : t.Kernel.PadTo(size);
            for (int i = 0; i < w.Length; i++) w[i] += t.Area * (double)k.Weights[i];
        }
        double sum = w.Sum();
        var kernel = new BlurKernel(size, w.Select(v => (float)(v / sum)).ToArray());
        return new KernelTile(members.Min(t => t.X0), members.Min(t => t.Y0), members.Max(t => t.X1), members.Max(t => t.Y1), kernel);
    }

    private sealed class ReferenceEqualityPair : IEqualityComparer<(KernelTile, KernelTile)>
    {
        public static readonly ReferenceEqualityPair Instance = new();

        public bool Equals((KernelTile, KernelTile) x, (KernelTile, KernelTile) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((KernelTile, KernelTile) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
