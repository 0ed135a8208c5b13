namespace EventDeblur.Kernels;

/// <summary>
/// Kernels from a camera motion: one kernel for a translation; for a motion that varies across the frame, tiles
/// small enough that neighbouring kernels differ by at most <see cref="MotionTilingOptions.MaxTileChangePx"/>, each
/// tile's kernel the motion at its centre, centred on its mid-exposure position — but no smaller than the largest
/// kernel (or the frame), which bounds the deconvolution's work per frame (each tile is deconvolved over a region
/// reaching a kernel's size beyond it).
/// </summary>
public sealed class MotionTiler
{
    private readonly MotionTilingOptions _o;

    /// <summary>Makes a tiler; <paramref name="options"/> are validated here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it and the range).</exception>
    public MotionTiler(MotionTilingOptions? options = null)
    {
        _o = options ?? new MotionTilingOptions();
        _o.Validate();
    }

    /// <summary>
    /// Tiles covering a <paramref name="width"/>×<paramref name="height"/> frame (pixels) for <paramref name="motion"/>;
    /// a note on the tiling is added to <paramref name="diagnostics"/> when the motion varies across the frame.
    /// </summary>
    public List<KernelTile> Tiles(CameraMotion motion, int width, int height, List<string> diagnostics)
    {
        int w = width, hgt = height;
        if (!motion.VariesAcrossFrame) return [new KernelTile(0, 0, w, hgt, KernelRaster.FromOffsets(motion.Shift))];
        // Tiles small enough that the kernel changes by at most about a pixel and a half from one to the next.
        double gradient = motion.MaxOffsetGradient();
        int tile = (int)Math.Clamp(_o.MaxTileChangePx / Math.Max(gradient, 1e-9), _o.MinTileSizePx, _o.TileSizePx);
        // Each tile is deconvolved over a region reaching a kernel's size beyond it (TiledDeblurrer): tiles smaller than the
        // kernels made the work grow with the square of the kernel (stop 45's trial: 80 tiles of 64 px with 240-px kernels
        // took 80 s and 3.3 GB for one 640×480 frame). No tile is smaller than the largest kernel (or the frame), so the
        // regions cover the frame at most about nine times over.
        int largest = LargestKernelPx(motion, w, hgt);
        string widened = "";
        if (largest > tile)
        {
            widened = $" (widened from {tile} px to the largest kernel, {largest} px, which bounds the deconvolution's work)";
            tile = Math.Min(largest, Math.Max(w, hgt));
        }
        diagnostics.Add($"{motion.Kind.ToString().ToLowerInvariant()} motion modelled: paths differ by up to {motion.MaxCornerDeviationPx(w, hgt):F1} px between the centre and the corners; {tile}-px tiles{widened}");
        var tiles = new List<KernelTile>();
        for (int y0 = 0; y0 < hgt; y0 += tile)
            for (int x0 = 0; x0 < w; x0 += tile)
            {
                int x1 = Math.Min(w, x0 + tile), y1 = Math.Min(hgt, y0 + tile);
                tiles.Add(new KernelTile(x0, y0, x1, y1, Recentre(motion.OffsetsAt((x0 + x1 - 1) / 2.0, (y0 + y1 - 1) / 2.0))));
            }
        return tiles;
    }

    /// <summary>The largest side of the kernels the motion gives at the frame's corners and centre, pixels.</summary>
    private static int LargestKernelPx(CameraMotion motion, int width, int height)
    {
        (double X, double Y)[] at = [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1), ((width - 1) / 2.0, (height - 1) / 2.0)];
        return at.Max(p => Recentre(motion.OffsetsAt(p.X, p.Y)).Size);
    }

    /// <summary>Offsets relative to the path's mid-exposure sample, so the kernel centre is the mid-exposure position.</summary>
    private static BlurKernel Recentre((double X, double Y)[] offs)
    {
        var m = offs[offs.Length / 2];
        return KernelRaster.FromOffsets(offs.Select(o => (o.X - m.X, o.Y - m.Y)).ToArray());
    }
}
