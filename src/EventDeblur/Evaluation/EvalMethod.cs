using EventDeblur.Kernels;

namespace EventDeblur.Evaluation;

/// <summary>A method of an evaluation: a kernel source and a deconvolver, e.g. <c>events+hl</c>, or <c>blurry</c>.</summary>
/// <param name="Name">As given on the command line.</param>
/// <param name="Kernels">Kernel source name (<c>events</c>, <c>gt</c>, <c>streak</c>, <c>identity</c>).</param>
/// <param name="Deconvolver">Deconvolver name.</param>
public sealed record EvalMethod(string Name, string Kernels, string Deconvolver)
{
    /// <summary>Parses <c>KERNELS+DECONVOLVER</c> or <c>blurry</c>.</summary>
    public static EvalMethod Parse(string text)
    {
        if (text == "blurry") return new EvalMethod(text, "identity", "none");
        if (text == "edi") return new EvalMethod(text, "identity", "edi");
        var parts = text.Split('+');
        if (parts.Length != 2 || parts[0] is not ("events" or "gt" or "streak") || !Deconvolution.DeconvolverRegistry.Names.Contains(parts[1]))
            throw new ArgumentException($"method '{text}' is not KERNELS+DECONVOLVER (kernels: events, gt, streak; deconvolvers: {string.Join(", ", Deconvolution.DeconvolverRegistry.Names)}) or 'blurry' or 'edi' (event-only baseline, APS bundles)");
        return new EvalMethod(text, parts[0], parts[1]);
    }

    /// <summary>The kernel source to use.</summary>
    public IKernelEstimator CreateKernelSource() => Kernels switch
    {
        "gt" => new GroundTruthKernelEstimator(),
        "streak" => new StreakShapeKernelEstimator(),
        "identity" => new IdentityKernelEstimator(),
        _ => new EventKernelEstimator(),
    };
}
