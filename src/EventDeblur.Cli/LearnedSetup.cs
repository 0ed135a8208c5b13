using System.CommandLine;
using EventDeblur.IO;
using EventDeblur.Learned;
using Microsoft.ML.OnnxRuntime;

namespace EventDeblur.Cli;

/// <summary>
/// The <c>--model</c> / <c>--device</c> options that configure the <c>learned</c> deconvolver, and its network for the
/// method catalogue (<see cref="LearnedMethods.AddLearned"/> with <see cref="Refiner"/>). The network is loaded once, on
/// first use, and shared by every run of the process (eval runs many).
/// </summary>
internal sealed class LearnedSetup
{
    private readonly object _gate = new();
    private OnnxRefiner? _refiner;

    public Option<string?> Model { get; } = new("--model")
    {
        Description = $"ONNX model of the learned deconvolver (default: models/{LearnedDeconvolver.DefaultModelFile})",
    };

    public Option<string> Device { get; } = CreateDeviceOption();

    private static Option<string> CreateDeviceOption()
    {
        var o = new Option<string>("--device")
        {
            Description = "Where the learned deconvolver runs: auto (CUDA when it starts, else CPU), cpu, cuda",
            DefaultValueFactory = _ => "auto",
        };
        o.AcceptOnly("auto", "cpu", "cuda");
        return o;
    }

    private string? _modelPath;
    private InferenceDevice _device;

    /// <summary>
    /// Adds <c>--model</c> and <c>--device</c> to <paramref name="root"/> (given before the verb) and to the verbs that can
    /// run the learned deconvolver (given after it), so that the help of the other verbs does not offer them.
    /// </summary>
    public void AddOptions(Command root, params Command[] verbs)
    {
        foreach (var c in verbs.Prepend(root))
        {
            c.Options.Add(Model);
            c.Options.Add(Device);
        }
    }

    /// <summary>
    /// Takes the option values of this invocation. When <c>--model</c> or <c>--device cuda</c> is given, the network is
    /// loaded now, so that a file that is not an ONNX model or a CUDA that cannot start is a usage error up front rather
    /// than a failure of every frame.
    /// </summary>
    /// <exception cref="UserInputException">The model cannot be loaded on the requested device.</exception>
    public void Configure(ParseResult parse)
    {
        _modelPath = parse.GetValue(Model);
        _device = parse.GetValue(Device) switch
        {
            "cpu" => InferenceDevice.Cpu,
            "cuda" => InferenceDevice.Cuda,
            _ => InferenceDevice.Auto,
        };
        bool modelGiven = parse.GetResult(Model) is { Implicit: false };
        if (modelGiven || _device == InferenceDevice.Cuda) Refiner();
    }

    /// <summary>
    /// Says on standard error when <c>--model</c> or <c>--device</c> was given for a run none of whose
    /// <paramref name="deconvolvers"/> is <c>learned</c> (stop 43's README audit: <c>--deconvolver robust --model M</c> ran
    /// without a word, as <c>--quality</c> with a deconvolver without rungs is noted).
    /// </summary>
    /// <returns>Whether a note was written.</returns>
    public bool NoteIfIgnored(ParseResult r, IEnumerable<string> deconvolvers)
    {
        var names = deconvolvers.Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0 || names.Contains(LearnedMethods.Name)) return false;
        var given = new[] { (Option)Model, Device }.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        if (given.Count == 0) return false;
        Console.Error.WriteLine($"note: {string.Join(" and ", given)} change{(given.Count == 1 ? "s" : "")} nothing for {string.Join(", ", names)}: only {LearnedMethods.Name} runs a network");
        return true;
    }

    /// <summary>The network of this invocation's <c>--model</c> and <c>--device</c>, loaded on the first call.</summary>
    /// <exception cref="UserInputException">The model is missing or cannot be loaded on the requested device.</exception>
    public OnnxRefiner Refiner() => Load(ref _refiner, fast: false);

    /// <summary>
    /// The network of the <c>fast</c> rung: with the shipped model, its int8 version when the network runs on the CPU
    /// (<see cref="LearnedDeconvolver.DefaultCpuModelFile"/>); a model given with <c>--model</c> runs as given on every rung.
    /// </summary>
    /// <exception cref="UserInputException">The model is missing or cannot be loaded on the requested device.</exception>
    public OnnxRefiner FastRefiner() => _modelPath != null ? Refiner() : Load(ref _fastRefiner, fast: true);

    private OnnxRefiner? _fastRefiner;

    private OnnxRefiner Load(ref OnnxRefiner? slot, bool fast)
    {
        lock (_gate)
        {
            if (slot == null)
            {
                string path = _modelPath ?? LearnedDeconvolver.FindDefaultModel()
                    ?? throw new UserInputException($"models/{LearnedDeconvolver.DefaultModelFile} not found beside the program or in the repository; pass --model PATH");
                var cpuModel = fast && _modelPath == null ? LearnedDeconvolver.FindDefaultCpuModel(path) : null;
                try
                {
                    slot = OnnxRefiner.Load(new RefinerOptions(path, _device) { CpuModelPath = cpuModel });
                }
                catch (OnnxRuntimeException e)
                {
                    string why = e.Message.Split('\n', 2)[0].TrimEnd();
                    throw new UserInputException(_device == InferenceDevice.Cuda
                        ? $"--device cuda: the learned deconvolver cannot start on CUDA with {path} ({why}); use --device auto or cpu"
                        : $"--model {path}: not a loadable ONNX model ({why})", UserInputKind.Unusable, e);
                }
                // One line in all: which network runs where, with the reason when --device auto fell back to the CPU.
                string because = slot.CudaUnavailableReason is { } reason ? $" (CUDA cannot start here: {reason}; expected on a machine without an NVIDIA GPU, else check the CUDA libraries)" : "";
                Console.Error.WriteLine($"learned: {Path.GetFileName(slot.ModelPath)} on {slot.Provider}{(fast ? " (fast rung)" : "")}{because}");
            }
            return slot;
        }
    }
}
