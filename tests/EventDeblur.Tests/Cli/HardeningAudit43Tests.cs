namespace EventDeblur.Tests.Cli;

/// <summary>
/// Findings of stop 43's README audit (a new user running every command the README shows), fixed at stop 43.
/// </summary>
public partial class HardeningAuditTests
{
    /// <summary>
    /// A bundle simulated again in place with fewer frames kept the earlier simulation's later frames, ground-truth frames
    /// and kernels, and a cancelled simulation's hidden event file stayed for good. Both are removed now, and said.
    /// </summary>
    [Fact]
    public void SimulateInPlaceRemovesWhatAnEarlierSimulationLeft()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "sim");
        string[] args = ["simulate", "--preset", "night", "--seed", "1", "--rgb-size", "64x48", "--out", dir];
        Expect(0, Run([.. args, "--frames", "3"]));
        Assert.True(File.Exists(Path.Combine(dir, "rgb", "000002.png")));
        // What a killed writer leaves (a process number that runs no process, the name of a release before stop 39).
        string partial = Path.Combine(dir, ".events.aedat4.999999999.0123456789abcdef0123456789abcdef.partial");
        File.WriteAllBytes(partial, new byte[100]);
        // A file of the user's beside the frames, not named like a frame, is kept.
        File.WriteAllText(Path.Combine(dir, "rgb", "notes.png"), "mine");

        var r = Run([.. args, "--frames", "1"]);
        Expect(0, r);
        Assert.Contains("removed 6 frame, ground-truth or kernel file(s) numbered past this bundle's 1 frame(s) and 1 .partial file(s) of a killed writer, left by an earlier simulation there", r.Out);
        Assert.Equal(["000000.png", "notes.png"], Directory.GetFiles(Path.Combine(dir, "rgb"), "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["000000.csv"], Directory.GetFiles(Path.Combine(dir, "gt", "kernels")).Select(Path.GetFileName));
        Assert.False(File.Exists(partial));

        // Written into a folder of the user's with --force (its review): numbered files of theirs are kept.
        string mine = Path.Combine(TestPaths.NewTempDir(), "mine");
        Directory.CreateDirectory(Path.Combine(mine, "rgb"));
        File.WriteAllText(Path.Combine(mine, "rgb", "000005.png"), "theirs");
        File.WriteAllText(Path.Combine(mine, "notes.txt"), "theirs");
        Expect(0, Run(["simulate", "--preset", "night", "--seed", "1", "--rgb-size", "64x48", "--frames", "1", "--out", mine, "--force"]));
        Assert.Equal("theirs", File.ReadAllText(Path.Combine(mine, "rgb", "000005.png")));
    }
    /// <summary>
    /// live with a malformed stream address was refused after OUT was made (an empty, half-made folder left), and two
    /// streams on one address were accepted, to wait 20 s and end as "never connected". Both are refused before OUT.
    /// </summary>
    [Fact]
    public void LiveRefusesABadOrSharedStreamAddressBeforeMakingOut()
    {
        string rgb = Path.Combine(Sample, "rgb", "%06d.png"), rig = Path.Combine(Sample, "recording.json");
        foreach (var (events, triggers, says) in new[]
                 {
                     ("127.0.0.1:1", "tcp://127.0.0.1:2", "--events '127.0.0.1:1' is not a tcp://HOST:PORT address"),
                     ("tcp://127.0.0.1:1", "tcp://127.0.0.1", "--triggers 'tcp://127.0.0.1' is not a tcp://HOST:PORT address"),
                     ("tcp://127.0.0.1:7", "tcp://127.0.0.1:7", "--events and --triggers are both tcp://127.0.0.1:7: the events and the triggers come on two streams, two ports"),
                 })
        {
            string output = Path.Combine(TestPaths.NewTempDir(), "out");
            var r = Run("live", "--events", events, "--triggers", triggers, "--rgb", rgb, "--rig", rig, "--out", output, "--duration-s", "1");
            Expect(2, r);
            Assert.Contains(says, r.Err);
            Assert.False(Directory.Exists(output), $"{events} {triggers}: OUT was made");
        }
    }

    /// <summary>An option of the root and of the verb (<c>--device</c>) printed its refusal twice; once now.</summary>
    [Fact]
    public void AnOptionOfTheRootAndTheVerbIsRefusedOnce()
    {
        var r = Run("replay", Sample, "--out", NewOut(), "--device", "gpu");
        Expect(2, r);
        Assert.Single(r.Err.Split('\n'), l => l == "error: --device 'gpu' is not one of: auto, cpu, cuda");
    }
    /// <summary>
    /// convert into a folder suggested an output name; where that was the input itself (the input's own folder), following
    /// the advice met the next refusal. The suggestion is another name then.
    /// </summary>
    [Fact]
    public void ConvertIntoTheInputsOwnFolderSuggestsAnotherName()
    {
        string dir = TestPaths.NewTempDir();
        string input = Path.Combine(dir, "a.aedat4");
        File.Copy(Path.Combine(Sample, "events.aedat4"), input);
        var r = Run("convert", input, dir);
        Expect(2, r);
        Assert.Contains($"{dir}: is a folder; give the output file's name, e.g. {Path.Combine(dir, "a-converted.aedat4")}", r.Err);
        var elsewhere = Run("convert", input, Sample);
        Assert.Contains($"e.g. {Path.Combine(Sample, "a.aedat4")}", elsewhere.Err);
    }

    /// <summary>--model given to a run without the learned deconvolver was ignored in silence; it is noted now.</summary>
    [Fact]
    public void ModelGivenToAnotherDeconvolverIsNoted()
    {
        string model = Path.Combine(TestPaths.RepoRoot, "models", "robust-refiner-v5.onnx");
        var r = Run("replay", Sample, "--out", NewOut(), "--deconvolver", "wiener", "--model", model);
        Expect(0, r);
        Assert.Contains("note: --model changes nothing for wiener: only learned runs a network", r.Err);
    }
    /// <summary>
    /// Inputs that are not there or not what the verb takes: a Blur-DVS-style dataset given to inspect or replay (said "not a
    /// recording bundle", with no hint that eval reads it), a missing eval input (called "not a bundle"), a missing
    /// simulate --set file (.NET's "Could not find file").
    /// </summary>
    [Fact]
    public void MissingOrOtherInputsSayWhatToDo()
    {
        string blurDvs = Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "blurdvs-tiny");
        foreach (string verb in new[] { "inspect", "replay" })
        {
            var r = verb == "inspect" ? Run(verb, blurDvs) : Run(verb, blurDvs, "--out", NewOut());
            Expect(2, r);
            Assert.Contains("but a Blur-DVS-style dataset (blurdvs.json): '", r.Err);
            Assert.Contains($" eval {EventDeblur.IO.ToolCommand.Word(blurDvs)} --out OUT' converts", r.Err);
            Assert.Contains($"converts it into bundles (OUT/converted/) and evaluates them; {verb} one of those", r.Err);
        }
        string missing = Path.Combine(TestPaths.NewTempDir(), "nope");
        var e = Run("eval", missing, "--out", NewOut());
        Assert.Contains($"{missing}: no such file or folder", e.Err);
        var s = Run("simulate", "--set", missing + ".csv", "--out", NewOut());
        Expect(2, s);
        Assert.Contains($"--set {missing}.csv: no such file (expected a CSV", s.Err);
    }
    /// <summary>
    /// Stop 43's HDF5 trial: a cycle of soft links ended inspect, convert and bundle with a stack overflow (exit 134, a
    /// 20 000-line trace; PureHDF follows links without a limit, and no catch stops an overflow). The file is opened once
    /// in a child process first, and refused (exit 2) when that ends it; a sound file is read as before.
    /// </summary>
    [Fact]
    public void AnHdf5FileWithASoftLinkCycleIsRefusedNotACrash()
    {
        string dir = TestPaths.NewTempDir();
        string cycle = Path.Combine(dir, "cycle.h5");
        EventDeblur.Tests.Formats.Hdf5.Hdf5EventReaderTests.Python("write-softlink-cycle", cycle, "100");
        var r = CliTests.RunWithin(TimeSpan.FromMinutes(3), ["inspect", cycle]);
        Assert.Equal(2, r.Code);
        Assert.Contains($"{cycle}: its HDF5 structure cannot be resolved: opening it ended the reading process", r.Err);
        Assert.DoesNotContain("Stack overflow", r.Err + r.Out);
        string sound = Path.Combine(dir, "sound.h5");
        EventDeblur.Tests.Formats.Hdf5.Hdf5EventReaderTests.Python("write-dsec-plain", sound, "1000");
        var ok = Run("inspect", sound);
        Assert.Equal(0, ok.Code);
        Assert.Contains("events:    1,000 ", ok.Out);
    }
}
