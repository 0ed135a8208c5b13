using EventDeblur.Imaging;

namespace EventDeblur.Recording;

/// <summary>The RGB frames of a hybrid rig.</summary>
/// <param name="Frames">frames.csv path relative to the bundle.</param>
/// <param name="Width">Frame width, RGB pixels.</param>
/// <param name="Height">Frame height, RGB pixels.</param>
/// <param name="Encoding">Transfer curve of stored values.</param>
/// <param name="BlackLevel">Raw value of zero radiance.</param>
/// <param name="WhiteLevel">Raw value of full scale.</param>
/// <param name="SaturationLevel">Raw values at or above it are clipped (unknown, not data).</param>
public sealed record RgbSpec(string Frames, int Width, int Height, PixelEncoding Encoding, double BlackLevel, double WhiteLevel, double SaturationLevel);
