using EventDeblur.Imaging;

namespace EventDeblur.Metrics;

/// <summary>Bridges the imaging floor to the metrics: a <see cref="LinearImage"/> as a <see cref="MetricImage"/>.</summary>
public static class LinearImageMetrics
{
    /// <summary>The image as a metric image (normalised linear radiance as stored, channels interleaved).</summary>
    public static MetricImage ToMetricImage(this LinearImage image)
    {
        int n = image.Width * image.Height, channels = image.Channels;
        var d = new double[n * channels];
        for (int ch = 0; ch < channels; ch++)
            for (int i = 0; i < n; i++) d[i * channels + ch] = image.Planes[ch][i];
        return new MetricImage(image.Width, image.Height, channels, d);
    }
}
