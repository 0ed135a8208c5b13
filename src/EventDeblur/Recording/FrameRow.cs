namespace EventDeblur.Recording;

/// <summary>One row of a frames.csv.</summary>
/// <param name="Index">Frame index (non-negative, strictly increasing down the file).</param>
/// <param name="File">Absolute path of the image file.</param>
/// <param name="ExposureStartUs">Exposure start in µs (of the RGB clock in table mode, shifted by the clock offset later).</param>
/// <param name="ExposureEndUs">Exposure end in µs; &gt; start.</param>
public sealed record FrameRow(long Index, string File, long ExposureStartUs, long ExposureEndUs);
