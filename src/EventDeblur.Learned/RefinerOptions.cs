using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EventDeblur.Learned;

/// <summary>Options of <see cref="OnnxRefiner"/>.</summary>
/// <param name="ModelPath">The ONNX model: input <c>[N, 4, H, W]</c> float32, output <c>[N, 1, H, W]</c>; H and W multiples of 4.</param>
/// <param name="Device">Where to run it.</param>
/// <param name="TilePx">Largest tile side, pixels (multiple of 4; default 768, so frames up to 768×768 run whole: tiling costs the
/// overlaps, 1.6× the network time of a 640×480 plane with 512-px tiles); memory stays bounded by one tile per concurrent call.</param>
/// <param name="OverlapPx">Margin of each tile on sides with a neighbour, pixels (neighbours overlap by twice this): the outer half is
/// discarded and the inner half blended linearly, so the outer half must exceed the network's reach (≈ 20 px for the shipped model).</param>
/// <param name="IntraOpThreads">Threads ONNX Runtime uses inside one call (0 = its default).</param>
public sealed record RefinerOptions(string ModelPath, InferenceDevice Device = InferenceDevice.Auto, int TilePx = 768, int OverlapPx = 48, int IntraOpThreads = 1)
{
    /// <summary>
    /// The model to run when the network runs on the CPU, when it is not <see cref="ModelPath"/>: the int8 version of the
    /// same network (<see cref="LearnedDeconvolver.DefaultCpuModelFile"/>), whose integer convolutions ONNX Runtime runs
    /// faster on the CPU, while CUDA runs the float model. Null: <see cref="ModelPath"/> everywhere.
    /// </summary>
    public string? CpuModelPath { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        if (TilePx < 32 || TilePx % 4 != 0) throw new ArgumentException($"TilePx must be a multiple of 4 and ≥ 32 (is {TilePx})");
        if (OverlapPx < 0 || 4 * OverlapPx >= TilePx) throw new ArgumentException($"OverlapPx must be in [0, TilePx/4) (is {OverlapPx})");
        if (IntraOpThreads < 0) throw new ArgumentException("IntraOpThreads must be ≥ 0");
    }
}
