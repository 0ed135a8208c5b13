namespace EventDeblur.Events;

/// <summary>Pixel layout of an <see cref="ApsFrame"/>, as an OpenCV type code (depth in the low 3 bits, channels − 1 above).</summary>
/// <param name="OpenCvType">OpenCV type code, e.g. 0 = 8U C1 (gray), 16 = 8U C3 (BGR), 2 = 16U C1.</param>
public readonly record struct FramePixelFormat(int OpenCvType)
{
    /// <summary>8-bit gray.</summary>
    public static FramePixelFormat Gray8 => new(0);

    /// <summary>16-bit gray (little-endian samples).</summary>
    public static FramePixelFormat Gray16 => new(2);

    /// <summary>8-bit BGR.</summary>
    public static FramePixelFormat Bgr8 => new(16);

    /// <summary>Number of interleaved channels (1–4).</summary>
    public int Channels => (OpenCvType >> 3) + 1;

    /// <summary>OpenCV depth code: 0 8U, 1 8S, 2 16U, 3 16S, 4 32S, 5 32F, 6 64F, 7 16F.</summary>
    public int Depth => OpenCvType & 7;

    /// <summary>Bytes per channel sample.</summary>
    public int BytesPerSample => Depth switch { 0 or 1 => 1, 2 or 3 or 7 => 2, 4 or 5 => 4, _ => 8 };

    /// <summary>Bytes per pixel.</summary>
    public int BytesPerPixel => BytesPerSample * Channels;

    /// <summary>Name in OpenCV style, e.g. <c>OPENCV_8U_C1</c>.</summary>
    public override string ToString()
    {
        string depth = Depth switch { 0 => "8U", 1 => "8S", 2 => "16U", 3 => "16S", 4 => "32S", 5 => "32F", 6 => "64F", _ => "16F" };
        return $"OPENCV_{depth}_C{Channels}";
    }
}
