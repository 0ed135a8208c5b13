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
}
