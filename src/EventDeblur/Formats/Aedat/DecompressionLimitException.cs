namespace EventDeblur.Formats.Aedat;

/// <summary>A packet would decompress to more than the allowed number of bytes (a decompression bomb, or a limit set too low).</summary>
internal sealed class DecompressionLimitException(string message) : IOException(message);
