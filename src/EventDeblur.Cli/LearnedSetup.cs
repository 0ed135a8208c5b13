using System.CommandLine;
using EventDeblur.Deconvolution;
using EventDeblur.Learned;

namespace EventDeblur.Cli;

/// <summary>
/// Registers the <c>learned</c> deconvolver and the <c>--model</c> / <c>--device</c> options that configure it. The
/// network is loaded once, on first use, and shared by every run of the process (eval runs many).
/// </summary>
internal sealed class LearnedSetup
{
    private readonly object _gate = new();
    private OnnxRefiner? _refiner;

    public Option<string?> Model { get; } = new("--model")
    {
        Description = $"ONNX model of the learned deconvolver (default: models/{LearnedDeconvolver.DefaultModelFile})", Recursive = true,
    };

    public Option<InferenceDevice> Device { get; } = new("--device")
    {
        Description = "Where the learned deconvolver runs: auto (CUDA when it starts, else CPU), cpu, cuda", Recursive = true,
        DefaultValueFactory = _ => InferenceDevice.Auto,
    };

    private string? _modelPath;
    private InferenceDevice _device;

    public void Register(RootCommand root)
    {
        root.Options.Add(Model);
        root.Options.Add(Device);
        DeconvolverRegistry.Register("learned", Create);
    }

    /// <summary>Takes the option values of this invocation.</summary>
    public void Configure(ParseResult parse)
    {
        _modelPath = parse.GetValue(Model);
        _device = parse.GetValue(Device);
    }

    private LearnedDeconvolver Create()
    {
        lock (_gate)
        {
            if (_refiner == null)
            {
                string path = _modelPath ?? LearnedDeconvolver.FindDefaultModel()
                    ?? throw new FileNotFoundException($"models/{LearnedDeconvolver.DefaultModelFile} not found beside the program or in the repository; pass --model PATH");
                _refiner = OnnxRefiner.Load(new RefinerOptions(path, _device), line => Console.Error.WriteLine(line));
                Console.Error.WriteLine($"learned: {Path.GetFileName(path)} on {_refiner.Provider}");
            }
            return new LearnedDeconvolver(_refiner);
        }
    }
}
