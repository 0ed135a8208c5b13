using System.Diagnostics;
using BenchmarkDotNet.Running;
using EventDeblur.Benchmarks;
using EventDeblur.Formats.Aedat;

// Usage:
//   dotnet run -c Release -- generate PATH EVENTS     write a synthetic AEDAT 4.0 (LZ4) file
//   dotnet run -c Release -- memory PATH              decode PATH once, print MEv/s and peak memory
//   dotnet run -c Release -- prophesee [PATH [N]]     Prophesee decode vs peers, N interleaved repetitions (median, best)
//   dotnet run -c Release -- deconv [--quality Q] [--profile] BUNDLE...   robust on ground-truth kernels: PSNR, s/MP, per-step profile
//   dotnet run -c Release -- finish [--reps N] BUNDLE...   replay's last stage (scores, PNG, kernels, previews) step by step
//   dotnet run -c Release -- texture [--reps N] BUNDLE...   texture kernels: filter, contrast maximisation, estimator (wall, calling thread CPU)
//   dotnet run -c Release -- refiner [--model M]... [--tile N]... [--threads N]   the learned network alone: CPU s/MP per model and tile size
//   dotnet run -c Release -- colourtrial BUNDLE OUT.aedat [R G B]   a colour DAVIS trial input (AEDAT 3.1 RGBG mosaic) from a DAVIS-alone bundle
//   dotnet run -c Release -- [BenchmarkDotNet args]   run the benchmarks (e.g. --filter '*Decode*')
if (args.Length >= 3 && args[0] == "generate")
{
    var sw = Stopwatch.StartNew();
    BenchData.Generate(args[1], long.Parse(args[2]));
    Console.WriteLine($"wrote {args[1]} ({new FileInfo(args[1]).Length / 1e6:F0} MB) in {sw.Elapsed.TotalSeconds:F1} s");
    return 0;
}
if (args.Length >= 1 && args[0] == "refiner") return RefinerProfiling.Run(args[1..]);
if (args.Length >= 1 && args[0] == "deconv") return DeconvolutionProfiling.Run(args[1..]);
if (args.Length >= 1 && args[0] == "finish") return FinishProfiling.Run(args[1..]);
if (args.Length >= 1 && args[0] == "dftsize") return DftSizeProfiling.Run(args[1..]);
if (args.Length >= 1 && args[0] == "texture") return TextureProfiling.Run(args[1..]);
if (args.Length >= 1 && args[0] == "kscore") return KernelScoreProfiling.Run(args[1..]);
if (args.Length >= 1 && args[0] == "colourtrial") return ColourTrial.Run(args[1..]);
if (args.Length >= 1 && args[0] == "lightks") return LightFieldProbe.Run(args[1..]);
if (args.Length >= 1 && args[0] == "regprobe") return RegistrationProbe.Run(args[1..]);
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
if (args.Length >= 1 && args[0] == "prophesee")
{
    // Interleaved timing (each repetition runs the reader and both peers one after another, so load from
    // other processes hits all three alike); prints the median and best per method. Default file: the
    // largest real one (EVT 2.0); the bare loop is an EVT 2.0 loop, meaningful for EVT 2.0 files only.
    if (args.Length >= 2) Environment.SetEnvironmentVariable("EVENTDEBLUR_PROPHESEE_FILE", args[1]);
    int reps = args.Length >= 3 ? int.Parse(args[2]) : 200;
    var bench = new PropheseeDecodeBenchmarks();
    bench.Setup();
    var methods = new (string Name, Func<long> Run)[]
    {
        ("EventDeblur PropheseeReader", bench.EventDeblurPropheseeReader),
        ("peer: plain read, nothing decoded", bench.PlainReadNothingDecoded),
        ("peer: bare EVT 2.0 loop in memory", bench.BareEvt2LoopInMemory),
    };
    var times = methods.Select(_ => new List<double>()).ToArray();
    var cpu = methods.Select(_ => new List<double>()).ToArray();
    long events = 0;
    for (int rep = 0; rep < reps + 5; rep++)
    {
        for (int m = 0; m < methods.Length; m++)
        {
            double c0 = ThreadCpu.Seconds();
            var sw = Stopwatch.StartNew();
            long r = methods[m].Run();
            double s = sw.Elapsed.TotalSeconds;
            double c = ThreadCpu.Seconds() - c0;
            if (m == 0) events = r;
            if (rep >= 5) { times[m].Add(s); cpu[m].Add(c); } // the first 5 are warm-up
        }
    }
    Console.WriteLine($"{bench.FilePath}: {events:N0} events, {reps} interleaved repetitions");
    for (int m = 0; m < methods.Length; m++)
    {
        times[m].Sort();
        cpu[m].Sort();
        double med = times[m][reps / 2], best = times[m][0], cmed = cpu[m][reps / 2];
        Console.WriteLine($"  {methods[m].Name,-36} wall median {med * 1e3,7:F2} ms = {events / med / 1e6,6:F1} MEv/s, best {best * 1e3,7:F2} ms = {events / best / 1e6,6:F1} MEv/s; thread CPU median {cmed * 1e3,7:F2} ms = {events / cmed / 1e6,6:F1} MEv/s");
    }
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
return 0;

/// <summary>CPU seconds used by the calling thread so far (<see cref="EventDeblur.IO.ThreadCpuClock"/>), insensitive to other processes' load on Linux.</summary>
internal static class ThreadCpu
{
    public static double Seconds() => EventDeblur.IO.ThreadCpuClock.ToSeconds(EventDeblur.IO.ThreadCpuClock.Now());
}
