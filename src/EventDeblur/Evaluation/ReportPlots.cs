using EventDeblur.Pipeline.Output;
using ScottPlot;

namespace EventDeblur.Evaluation;

/// <summary>Plots of evaluation results, drawn with ScottPlot and returned as PNG bytes.</summary>
public static class ReportPlots
{
    /// <summary>
    /// PSNR (dB, METRICS.md) of every frame per method: one column of points per method, coloured by group (preset),
    /// spread sideways so they do not hide each other, with the method's mean as a black bar. Null when no row has a PSNR.
    /// </summary>
    /// <param name="rows">Evaluation rows.</param>
    /// <param name="widthPx">Image width, pixels.</param>
    /// <param name="heightPx">Image height, pixels.</param>
    public static byte[]? PsnrByMethod(IReadOnlyList<EvalRow> rows, int widthPx = 900, int heightPx = 480)
    {
        var withPsnr = rows.Where(r => r.Psnr != null).ToList();
        if (withPsnr.Count == 0) return null;
        var methods = withPsnr.Select(r => r.Method).Distinct().Order(StringComparer.Ordinal).ToList();
        var groups = withPsnr.Select(r => r.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int g = 0; g < groups.Count; g++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int m = 0; m < methods.Count; m++)
            {
                var v = withPsnr.Where(r => r.Method == methods[m] && r.Group == groups[g]).Select(r => r.Psnr!.Value).ToList();
                for (int i = 0; i < v.Count; i++)
                {
                    // Each group gets its own lane inside the method's column; points spread deterministically within it.
                    double lane = (g + 0.5) / groups.Count - 0.5;
                    xs.Add(m + 0.7 * lane + 0.5 / groups.Count * ((i * 0.618) % 1 - 0.5));
                    ys.Add(v[i]);
                }
            }
            var sc = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), palette.GetColor(g));
            sc.MarkerSize = 5;
            sc.LegendText = groups[g];
        }
        for (int m = 0; m < methods.Count; m++)
        {
            double mean = withPsnr.Where(r => r.Method == methods[m]).Average(r => r.Psnr!.Value);
            var bar = plot.Add.Line(m - 0.4, mean, m + 0.4, mean);
            bar.Color = Colors.Black;
            bar.LineWidth = 2;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, methods.Count).Select(i => (double)i).ToArray(), methods.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(-0.6, methods.Count - 0.4);
        plot.YLabel("PSNR (dB, sRGB, 16-px crop)");
        plot.Title("PSNR per frame and method (bar: mean)");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(widthPx, heightPx, ImageFormat.Png);
    }

    /// <summary>
    /// A live run over time: per written frame its latency (s, exposure end → written; left axis) and the backlog
    /// (frames waiting; right axis), against the exposure's end in seconds since the first exposure (frame order
    /// when frames have no exposure). Null when no frame has a latency or backlog.
    /// </summary>
    /// <param name="frames">The run's frames.parquet rows.</param>
    /// <param name="widthPx">Image width, pixels.</param>
    /// <param name="heightPx">Image height, pixels.</param>
    public static byte[]? LiveTimeline(IReadOnlyList<FrameResult> frames, int widthPx = 900, int heightPx = 360)
    {
        var rows = frames.Where(f => f.LatencySeconds != null || f.BacklogFrames != null).OrderBy(f => f.ExposureEndUs ?? long.MaxValue).ThenBy(f => f.Index).ToList();
        if (rows.Count == 0) return null;
        long? t0 = rows.Select(f => f.ExposureEndUs).Min();
        double X(FrameResult f, int i) => t0 is long origin && f.ExposureEndUs is long t ? (t - origin) / 1e6 : i;
        var plot = new Plot();
        var withLatency = rows.Select((f, i) => (f, i)).Where(x => x.f.LatencySeconds != null).ToList();
        if (withLatency.Count > 0)
        {
            var lat = plot.Add.Scatter(withLatency.Select(x => X(x.f, x.i)).ToArray(), withLatency.Select(x => x.f.LatencySeconds!.Value).ToArray());
            lat.LegendText = "latency (s)";
            lat.Color = Colors.Blue;
        }
        var withBacklog = rows.Select((f, i) => (f, i)).Where(x => x.f.BacklogFrames != null).ToList();
        if (withBacklog.Count > 0)
        {
            var backlog = plot.Add.Scatter(withBacklog.Select(x => X(x.f, x.i)).ToArray(), withBacklog.Select(x => (double)x.f.BacklogFrames!.Value).ToArray());
            backlog.LegendText = "backlog (frames)";
            backlog.Color = Colors.OrangeRed;
            backlog.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "backlog (frames)";
        }
        plot.YLabel("latency (s)");
        plot.XLabel(t0 != null ? "exposure end (s since the first)" : "frame");
        plot.Title("Live run: latency and backlog per frame");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(widthPx, heightPx, ImageFormat.Png);
    }
}
