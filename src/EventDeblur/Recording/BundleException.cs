using EventDeblur.IO;

namespace EventDeblur.Recording;

/// <summary>A bundle that cannot be used at all: which file, where, what was expected.</summary>
public sealed class BundleException(string message) : UserInputException(message, UserInputKind.Unusable);
