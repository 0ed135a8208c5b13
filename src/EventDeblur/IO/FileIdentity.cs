using System.Runtime.InteropServices;

namespace EventDeblur.IO;

/// <summary>Whether two paths name the same file: the same path, or a symbolic or hard link to it (device and inode).</summary>
public static partial class FileIdentity
{
    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> are the same file: equal full paths, or, when both exist, the
    /// same device and inode on Linux (a symbolic link resolves to its target, a hard link shares its inode), or the same
    /// final target of their symbolic links elsewhere.
    /// </summary>
    public static bool Same(string a, string b)
    {
        if (string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal)) return true;
        if (!File.Exists(a) || !File.Exists(b)) return false;
        if (Id(a) is { } ia && Id(b) is { } ib) return ia == ib;
        static string Final(string p) => new FileInfo(p).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(p);
        return string.Equals(Final(a), Final(b), StringComparison.Ordinal);
    }

    /// <summary>(device, inode) of the file <paramref name="path"/> leads to (links followed), or null where unknown.</summary>
    private static unsafe (ulong Device, ulong Inode)? Id(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        // struct stat begins with st_dev and st_ino, 8 bytes each, on x86-64 and on the generic layout of arm64.
        byte* buf = stackalloc byte[512];
        try
        {
            if (Stat(path, buf) != 0) return null;
        }
        catch (EntryPointNotFoundException) { return null; } // glibc before 2.33 exports no 'stat'
        catch (DllNotFoundException) { return null; }
        return (*(ulong*)buf, *(ulong*)(buf + 8));
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buf);
}
