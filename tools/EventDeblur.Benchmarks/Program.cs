using System.Diagnostics;
using BenchmarkDotNet.Running;
using EventDeblur.Benchmarks;
using EventDeblur.Formats.Aedat;

// Usage:
//   dotnet run -c Release -- generate PATH EVENTS     write a synthetic AEDAT 4.0 (LZ4) file
//   dotnet run -c Release -- memory PATH              decode PATH once, print MEv/s and peak memory
//   dotnet run -c Release -- [BenchmarkDotNet args]   run the benchmarks (e.g. --filter '*Decode*')
if (args.Length >= 3 && args[0] == "generate")
{
    var sw = Stopwatch.StartNew();
    BenchData.Generate(args[1], long.Parse(args[2]));
    Console.WriteLine($"wrote {args[1]} ({new FileInfo(args[1]).Length / 1e6:F0} MB) in {sw.Elapsed.TotalSeconds:F1} s");
    return 0;
}
if (args.Length >= 2 && args[0] == "memory")
{
    var sw = Stopwatch.StartNew();
    long events = 0;
    using (var reader = Aedat4Reader.Open(args[1]))
    {
        while (reader.TryRead(out var p))
            if (p is EventsPacket e) using (e.Events) events += e.Events.Count;
    }
    sw.Stop();
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    Console.WriteLine($"file {new FileInfo(args[1]).Length / 1e9:F2} GB, {events:N0} events in {sw.Elapsed.TotalSeconds:F2} s = {events / sw.Elapsed.TotalSeconds / 1e6:F1} MEv/s; peak working set {self.PeakWorkingSet64 / 1048576.0:F0} MiB");
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
return 0;
