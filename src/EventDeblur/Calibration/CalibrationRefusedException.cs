using EventDeblur.IO;

namespace EventDeblur.Calibration;

/// <summary>The recording was read, but its data cannot support a homography (too few events or frames, flat frames, an ambiguous or inconsistent fit); the message says which.</summary>
/// <param name="message">The reason, naming the bundle and the numbers that fell short.</param>
public sealed class CalibrationRefusedException(string message) : UserInputException(message, UserInputKind.DataProblem);
