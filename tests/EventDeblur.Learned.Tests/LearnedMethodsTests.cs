using EventDeblur.Methods;

namespace EventDeblur.Learned.Tests;

/// <summary><c>learned</c> joins a method catalogue only through <see cref="LearnedMethods.AddLearned"/>, and loads its network only when a run asks.</summary>
public class LearnedMethodsTests
{
    [Fact]
    public void LearnedIsInTheCatalogueOnlyWhenAdded()
    {
        int loads = 0;
        using var refiner = OnnxRefiner.Load(new RefinerOptions(LearnedDeconvolver.FindDefaultModel()!, InferenceDevice.Cpu));
        var with = new MethodCatalogueBuilder().AddLearned(() => { loads++; return refiner; }).Build();
        var without = new MethodCatalogueBuilder().Build();

        Assert.Equal(["wiener", "rl", "hl", "none", "robust", "learned"], with.DeconvolverNames);
        Assert.Equal(new EvalMethod("events+learned", "events", "learned", RestorationKind.Deconvolution), with.ParseMethod("events+learned"));
        Assert.Equal(RestorationKind.Deconvolution, with.KindOf("learned"));
        Assert.Equal(0, loads); // building the catalogue does not touch the network

        // The learned deconvolver inside the do-no-harm guard, as robust is.
        var d = Assert.IsType<Deconvolution.GuardedDeconvolver>(with.CreateDeconvolver("learned", Deconvolution.DeconvolutionQuality.Best));
        Assert.Equal("learned", d.Name);
        Assert.Equal(1, loads);

        Assert.DoesNotContain("learned", without.DeconvolverNames);
        Assert.Throws<ArgumentException>(() => without.ParseMethod("events+learned"));
        Assert.Throws<ArgumentException>(() => new MethodCatalogueBuilder().AddLearned(() => refiner).AddLearned(() => refiner));
    }

    [Fact]
    public void TheFastRungRunsTheFastNetworkAndTheOthersTheMainOne()
    {
        // The CLI hands the shipped model's int8 version as the fast network (on the CPU); balanced and best keep the float one.
        string model = LearnedDeconvolver.FindDefaultModel()!;
        using var main = OnnxRefiner.Load(new RefinerOptions(model, InferenceDevice.Cpu));
        using var fast = OnnxRefiner.Load(new RefinerOptions(model, InferenceDevice.Cpu) { CpuModelPath = LearnedDeconvolver.FindDefaultCpuModel(model) });
        var asked = new List<string>();
        var catalogue = new MethodCatalogueBuilder().AddLearned(() => { asked.Add(Path.GetFileName(main.ModelPath)); return main; },
            () => { asked.Add(Path.GetFileName(fast.ModelPath)); return fast; }).Build();
        foreach (var q in new[] { Deconvolution.DeconvolutionQuality.Fast, Deconvolution.DeconvolutionQuality.Balanced, Deconvolution.DeconvolutionQuality.Best })
            catalogue.CreateDeconvolver("learned", q);
        Assert.Equal([LearnedDeconvolver.DefaultCpuModelFile, LearnedDeconvolver.DefaultModelFile, LearnedDeconvolver.DefaultModelFile], asked);
    }
}
