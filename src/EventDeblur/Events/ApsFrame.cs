namespace EventDeblur.Events;

/// <summary>
/// One APS (intensity) frame from a DAVIS sensor. All timestamps are in µs of the event clock.
/// Pixels are row-major from the top-left, channels interleaved in OpenCV order (BGR), multi-byte
/// samples little-endian.
/// </summary>
public sealed record ApsFrame
{
    /// <summary>Nominal frame time in µs (the exposure midpoint for DV recordings).</summary>
    public required long TimestampUs { get; init; }

    /// <summary>Readout start (µs).</summary>
    public required long StartOfFrameUs { get; init; }

    /// <summary>Readout end (µs).</summary>
    public required long EndOfFrameUs { get; init; }

    /// <summary>Exposure start (µs).</summary>
    public required long StartOfExposureUs { get; init; }

    /// <summary>Exposure end (µs).</summary>
    public required long EndOfExposureUs { get; init; }

    /// <summary>Frame width in event-sensor pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Frame height in event-sensor pixels.</summary>
    public required int Height { get; init; }

    /// <summary>ROI offset: column of the frame's left edge on the sensor, pixels.</summary>
    public int PositionX { get; init; }

    /// <summary>ROI offset: row of the frame's top edge on the sensor, pixels.</summary>
    public int PositionY { get; init; }

    /// <summary>Pixel layout.</summary>
    public required FramePixelFormat Format { get; init; }

    /// <summary>
    /// The colour filter over the sensor's pixels (<see cref="ColorFilter.Mono"/> unless the file states one): with one
    /// channel and a Bayer filter the frame is a raw mosaic, which the pipeline demosaics before deblurring. The layout is
    /// that of the sensor's (0, 0); a frame whose ROI starts at an odd <see cref="PositionX"/> or <see cref="PositionY"/>
    /// sees it shifted.
    /// </summary>
    public ColorFilter ColorFilter { get; init; }

    /// <summary>
    /// True when the reader knows the samples span the format's full range (the AEDAT 2.0 reader spreads the ADC's 10 bits
    /// over 16): no guess at a 10-bit ADC's scale is made from the samples (a dark frame's would go wrong).
    /// </summary>
    public bool FullScaleKnown { get; init; }

    /// <summary>Raw pixel bytes; length = Width × Height × <see cref="FramePixelFormat.BytesPerPixel"/>.</summary>
    public required byte[] Pixels { get; init; }

    /// <summary>The exposure window <c>[StartOfExposureUs, EndOfExposureUs)</c>.</summary>
    public TimeRangeUs Exposure => new(StartOfExposureUs, EndOfExposureUs);
}
