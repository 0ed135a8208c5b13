using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EventDeblur.Learned;

/// <summary>Where the network runs.</summary>
public enum InferenceDevice
{
    /// <summary>CUDA when it can be initialised, otherwise the CPU (with one log line saying why).</summary>
    Auto,

    /// <summary>The CPU only.</summary>
    Cpu,

    /// <summary>CUDA only: failing to initialise it is an error.</summary>
    Cuda,
}
