namespace EventDeblur.Formats.Aedat;

/// <summary>Raised by <see cref="FlatBufferView"/> when an offset points outside the buffer.</summary>
internal sealed class FlatBufferException(string message) : Exception(message);
