using System.Runtime.InteropServices;

namespace EventDeblur.Cli;

/// <summary>
/// Keeps OpenCV's and its FFmpeg back-end's own log lines (e.g. "[mov,mp4,…] moov atom not found", "[ WARN:0@…]")
/// off standard error: every failure they describe is reported by the command itself, with the file and what was
/// expected. Set through the process environment before the native library first reads it; a value the user set
/// (<c>OPENCV_LOG_LEVEL</c>, <c>OPENCV_FFMPEG_LOGLEVEL</c>) is kept, so their output can be had back for debugging.
/// </summary>
internal static partial class NativeLogging
{
    /// <summary>OpenCV's level: only fatal errors.</summary>
    public const string OpenCvLevel = "FATAL";

    /// <summary>FFmpeg's level through OpenCV: <c>AV_LOG_QUIET</c> (−8).</summary>
    public const string FfmpegLevel = "-8";

    /// <summary>Sets both levels unless already set; call before any OpenCV use. Does nothing where the C library cannot be reached.</summary>
    public static void Quiet()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try
        {
            SetDefault("OPENCV_LOG_LEVEL", OpenCvLevel);
            SetDefault("OPENCV_FFMPEG_LOGLEVEL", FfmpegLevel);
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    private static void SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) != null) return;
        // The native library reads the C environment, which Environment.SetEnvironmentVariable does not change on Unix.
        _ = setenv(name, value, 0);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
