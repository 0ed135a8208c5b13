using System.Diagnostics;

namespace EventDeblur.IO;

/// <summary>
/// CPU time of the calling thread: on Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> in nanoseconds, so other
/// processes' load does not count; elsewhere the elapsed wall time in <see cref="Stopwatch"/> ticks.
/// </summary>
public static class ThreadCpuClock
{
    private static readonly bool Linux = OperatingSystem.IsLinux();

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec ts);

    /// <summary>The clock's current reading, in its own ticks (see <see cref="ToSeconds"/>); 0 when Linux cannot read it.</summary>
    public static long Now()
    {
        if (Linux) return ClockGettime(3, out var ts) == 0 ? ts.Sec * 1_000_000_000 + ts.Nsec : 0;
        return Stopwatch.GetTimestamp();
    }

    /// <summary>A difference of two <see cref="Now"/> readings (or one reading) in seconds.</summary>
    public static double ToSeconds(long ticks) => Linux ? ticks * 1e-9 : ticks / (double)Stopwatch.Frequency;
}
