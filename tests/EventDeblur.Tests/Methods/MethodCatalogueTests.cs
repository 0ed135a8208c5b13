using EventDeblur.Deconvolution;
using EventDeblur.Events;
using EventDeblur.Imaging;
using EventDeblur.Kernels;
using EventDeblur.Methods;

namespace EventDeblur.Tests.Methods;

/// <summary>The method catalogue: names users type, what each creates, eval-method parsing and its messages, isolation of instances.</summary>
public class MethodCatalogueTests
{
    private static MethodCatalogue BuiltIn() => new MethodCatalogueBuilder().Build();

    private sealed class Doubling : IDeconvolver
    {
        public string Name => "doubling";
        public float[] Deconvolve(float[] plane, int width, int height, BlurKernel kernel, ChannelContext context) => plane.Select(v => 2 * v).ToArray();
    }

    [Fact]
    public void TheBuiltInCatalogueNamesWhatUsersTypeInTheirOrder()
    {
        var c = BuiltIn();
        Assert.Equal(["events", "gt", "streak"], c.KernelSourceNames);
        Assert.Equal(["wiener", "rl", "hl", "none", "robust"], c.DeconvolverNames);
        Assert.Equal(["wiener", "rl", "hl", "none", "robust", "edi"], c.RestorationNames);
        Assert.DoesNotContain("learned", c.DeconvolverNames);
    }

    [Fact]
    public void EveryNameCreatesAFreshWorkerOfThatName()
    {
        var c = BuiltIn();
        foreach (var name in c.KernelSourceNames.Append(MethodCatalogue.IdentityKernels))
            Assert.Equal(name, c.CreateKernelSource(name).Name);
        // Event kernels are checked against the frame by default (FrameCheckedKernels), and come bare on request.
        Assert.IsType<FrameCheckedKernels>(c.CreateKernelSource("events"));
        Assert.IsType<EventKernelEstimator>(c.CreateKernelSource("events", new EventKernelOptions { CheckBlurInFrame = false }));
        Assert.IsType<GroundTruthKernelEstimator>(c.CreateKernelSource("gt"));
        Assert.IsType<StreakShapeKernelEstimator>(c.CreateKernelSource("streak"));
        Assert.IsType<IdentityKernelEstimator>(c.CreateKernelSource("identity"));
        foreach (var name in c.DeconvolverNames)
        {
            var a = c.CreateDeconvolver(name);
            Assert.Equal(name, a.Name);
            Assert.NotSame(a, c.CreateDeconvolver(name));
        }
        Assert.IsType<GuardedDeconvolver>(c.CreateDeconvolver("robust", DeconvolutionQuality.Fast));
        Assert.IsType<IdentityDeconvolver>(c.CreateDeconvolver("none"));
    }

    [Fact]
    public void TheEventKernelSourceGetsTheCallersOptions()
    {
        // Validated by the estimator's constructor: an out-of-range option shows that the options reached it.
        var bad = new EventKernelOptions { SkipTextureAboveGain = 0.5 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BuiltIn().CreateKernelSource("events", bad));
        Assert.Equal("SkipTextureAboveGain", e.ParamName);
        Assert.IsType<GroundTruthKernelEstimator>(BuiltIn().CreateKernelSource("gt", bad)); // the others ignore them
    }

    [Fact]
    public void UnknownNamesAreRefusedWithTheListOfKnownOnes()
    {
        var c = BuiltIn();
        Assert.Equal("unknown deconvolver 'sharpen'; expected one of wiener, rl, hl, none, robust", Assert.Throws<ArgumentException>(() => c.CreateDeconvolver("sharpen")).Message);
        // EDI is a restoration of its own kind, not a deconvolver.
        Assert.Equal("unknown deconvolver 'edi'; expected one of wiener, rl, hl, none, robust", Assert.Throws<ArgumentException>(() => c.CreateDeconvolver("edi")).Message);
        Assert.Equal("unknown deconvolver 'learned'; expected one of wiener, rl, hl, none, robust", Assert.Throws<ArgumentException>(() => c.CreateRestoration("learned")).Message);
        Assert.Equal("unknown deconvolver 'sharpen'; expected one of wiener, rl, hl, none, robust, edi", Assert.Throws<ArgumentException>(() => c.KindOf("sharpen")).Message);
        Assert.Equal("unknown kernel source 'optical-flow'; expected one of events, gt, streak, identity", Assert.Throws<ArgumentException>(() => c.CreateKernelSource("optical-flow")).Message);
    }

    [Fact]
    public void EdiIsItsOwnRestorationKind()
    {
        var c = BuiltIn();
        Assert.Equal(RestorationKind.EventIntegration, c.KindOf("edi"));
        foreach (var name in c.DeconvolverNames) Assert.Equal(RestorationKind.Deconvolution, c.KindOf(name));
        var edi = c.CreateRestoration("edi");
        Assert.IsType<EdiRestoration>(edi);
        Assert.Equal(("edi", RestorationKind.EventIntegration), (edi.Name, edi.Kind));
        var hl = Assert.IsType<DeconvolutionRestoration>(c.CreateRestoration("hl"));
        Assert.Equal(("hl", RestorationKind.Deconvolution, "hl"), (hl.Name, hl.Kind, hl.Deconvolver.Name));
        Assert.Equal(new EvalMethod("edi", "identity", "edi", RestorationKind.EventIntegration), c.ParseMethod("edi"));
    }

    [Fact]
    public void EvalMethodsParseAsBefore()
    {
        var c = BuiltIn();
        Assert.Equal(new EvalMethod("blurry", "identity", "none", RestorationKind.Deconvolution), c.ParseMethod("blurry"));
        Assert.Equal(new EvalMethod("events+robust", "events", "robust", RestorationKind.Deconvolution), c.ParseMethod("events+robust"));
        Assert.Equal(new EvalMethod("gt+rl", "gt", "rl", RestorationKind.Deconvolution), c.ParseMethod("gt+rl"));
        Assert.Equal(new EvalMethod("streak+none", "streak", "none", RestorationKind.Deconvolution), c.ParseMethod("streak+none"));
    }

    [Theory]
    [InlineData("events+learned")] // not in a catalogue without the ONNX project's registration
    [InlineData("events+edi")]     // EDI takes no kernels
    [InlineData("identity+hl")]    // identity kernels are the blurry method's, not for users
    [InlineData("gt")]
    [InlineData("gt+hl+rl")]
    [InlineData("Events+hl")]
    [InlineData("")]
    public void AnythingElseIsRefusedWithTheMessageUsersKnow(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => BuiltIn().ParseMethod(text));
        Assert.Equal($"method '{text}' is not KERNELS+DECONVOLVER (kernels: events, gt, streak; deconvolvers: wiener, rl, hl, none, robust) or 'blurry' or 'edi' (event-only baseline, APS bundles)", e.Message);
    }

    [Fact]
    public void AnAddedDeconvolverIsPresentOnlyInCataloguesBuiltWithIt()
    {
        int made = 0;
        var with = new MethodCatalogueBuilder().AddDeconvolver("doubling", _ => { made++; return new Doubling(); }).Build();
        var without = BuiltIn();
        Assert.Equal(0, made); // factories run when a run asks, not when registered
        Assert.Equal(["wiener", "rl", "hl", "none", "robust", "doubling"], with.DeconvolverNames);
        Assert.Equal(["wiener", "rl", "hl", "none", "robust", "doubling", "edi"], with.RestorationNames);
        Assert.Equal(new EvalMethod("gt+doubling", "gt", "doubling", RestorationKind.Deconvolution), with.ParseMethod("gt+doubling"));
        Assert.Equal(2f, with.CreateDeconvolver("doubling").Deconvolve([1f], 1, 1, BlurKernel.Delta, new ChannelContext([false], 1, 0))[0]);
        Assert.Equal(1, made);
        Assert.DoesNotContain("doubling", without.DeconvolverNames);
        Assert.Throws<ArgumentException>(() => without.CreateDeconvolver("doubling"));
        Assert.Throws<ArgumentException>(() => without.ParseMethod("gt+doubling"));
    }

    [Fact]
    public void TwoCataloguesDoNotShareState()
    {
        var builder = new MethodCatalogueBuilder();
        var first = builder.Build();
        builder.AddDeconvolver("doubling", _ => new Doubling());
        var second = builder.Build();
        var other = new MethodCatalogueBuilder().Build();
        // A catalogue is a snapshot: what its builder learns later, and other builders, do not reach it.
        Assert.Equal(["wiener", "rl", "hl", "none", "robust"], first.DeconvolverNames);
        Assert.Equal(["wiener", "rl", "hl", "none", "robust", "doubling"], second.DeconvolverNames);
        Assert.Equal(["wiener", "rl", "hl", "none", "robust"], other.DeconvolverNames);
        Assert.Throws<ArgumentException>(() => first.CreateDeconvolver("doubling"));
        // Workers are made per call, never shared between catalogues.
        Assert.NotSame(first.CreateDeconvolver("hl"), other.CreateDeconvolver("hl"));
        Assert.NotSame(first.CreateKernelSource("events"), other.CreateKernelSource("events"));
        // Its name lists cannot be changed through the interface it hands out.
        var names = Assert.IsAssignableFrom<IList<string>>(first.DeconvolverNames);
        Assert.True(names.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => names[0] = "doubling");
    }

    [Theory]
    [InlineData("hl", "a deconvolver called 'hl' is already in the catalogue")]
    [InlineData("edi", "deconvolver name 'edi' is a method of its own")]
    [InlineData("blurry", "deconvolver name 'blurry' is a method of its own")]
    [InlineData("a+b", "deconvolver name 'a+b': use letters, digits, '-' or '_' (it is written KERNELS+a+b in eval methods)")]
    [InlineData("a,b", "deconvolver name 'a,b': use letters, digits, '-' or '_' (it is written KERNELS+a,b in eval methods)")]
    public void TheBuilderRefusesNamesThatWouldBeAmbiguous(string name, string message)
    {
        var builder = new MethodCatalogueBuilder();
        var e = Assert.Throws<ArgumentException>(() => builder.AddDeconvolver(name, _ => new Doubling()));
        Assert.StartsWith(message, e.Message);
        Assert.Equal(["wiener", "rl", "hl", "none", "robust"], builder.Build().DeconvolverNames);
    }

    [Fact]
    public void ADeconvolutionRestorationDeblursAsTheTiledDeblurrerWithItsDeconvolver()
    {
        var rng = new Random(3);
        const int w = 48, h = 40;
        var planes = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, w * h).Select(_ => (float)rng.NextDouble() * 0.8f).ToArray()).ToArray();
        var blurry = new LinearImage(w, h, planes, planes.Select(_ => new bool[w * h]).ToArray());
        var kernel = new BlurKernel(3, [0, 0, 0, 0.5f, 0.5f, 0, 0, 0, 0]);
        IReadOnlyList<KernelTile> tiles = [new KernelTile(0, 0, w, h, kernel)];
        var c = BuiltIn();
        var viaCatalogue = c.CreateRestoration("wiener").Restore(new RestorationRequest(blurry, tiles, 1.0, EventSlice.Empty, null, (w, h)));
        var direct = TiledDeblurrer.Deblur(blurry, tiles, new WienerDeconvolver(), 1.0);
        for (int ch = 0; ch < 3; ch++) Assert.Equal(direct.Planes[ch], viaCatalogue.Planes[ch]);
        Assert.NotEqual(planes[0], viaCatalogue.Planes[0]); // it did deconvolve
        Assert.Throws<InvalidOperationException>(() => c.CreateRestoration("wiener").Restore(new RestorationRequest(blurry, null, 1.0, EventSlice.Empty, null, (w, h))));
    }

    [Fact]
    public void TheFastRungTilesWithANarrowerOverlapUnlessTheRequestSaysOtherwise()
    {
        Assert.Equal(DeblurOptions.FastOverlapPx, DeblurOptions.ForQuality(DeconvolutionQuality.Fast).OverlapPx);
        Assert.Equal(DeblurOptions.DefaultOverlapPx, DeblurOptions.ForQuality(DeconvolutionQuality.Balanced).OverlapPx);
        Assert.Equal(DeblurOptions.DefaultOverlapPx, DeblurOptions.ForQuality(DeconvolutionQuality.Best).OverlapPx);
        Assert.True(DeblurOptions.FastOverlapPx < DeblurOptions.DefaultOverlapPx);

        // Two tiles with different kernels, so the overlap decides which blurry pixels each region's deconvolution sees.
        var rng = new Random(4);
        const int w = 200, h = 120;
        var planes = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, w * h).Select(_ => (float)rng.NextDouble() * 0.8f).ToArray()).ToArray();
        var blurry = new LinearImage(w, h, planes, planes.Select(_ => new bool[w * h]).ToArray());
        var right = new BlurKernel(3, [0, 0, 0, 0.5f, 0.5f, 0, 0, 0, 0]);
        var down = new BlurKernel(3, [0, 0.5f, 0, 0, 0.5f, 0, 0, 0, 0]);
        IReadOnlyList<KernelTile> tiles = [new KernelTile(0, 0, 100, h, right), new KernelTile(100, 0, w, h, down)];
        var c = BuiltIn();
        var request = new RestorationRequest(blurry, tiles, 1.0, EventSlice.Empty, null, (w, h));
        var fast = c.CreateRestoration("robust", DeconvolutionQuality.Fast).Restore(request);
        var fastDirect = TiledDeblurrer.Deblur(blurry, tiles, c.CreateDeconvolver("robust", DeconvolutionQuality.Fast), 1.0, new DeblurOptions(OverlapPx: DeblurOptions.FastOverlapPx));
        var fastWide = TiledDeblurrer.Deblur(blurry, tiles, c.CreateDeconvolver("robust", DeconvolutionQuality.Fast), 1.0, new DeblurOptions());
        for (int ch = 0; ch < 3; ch++) Assert.Equal(fastDirect.Planes[ch], fast.Planes[ch]);
        Assert.NotEqual(fastWide.Planes[0], fast.Planes[0]);
        // A deconvolver without rungs ignores the rung, tiling included.
        var wienerFast = c.CreateRestoration("wiener", DeconvolutionQuality.Fast).Restore(request);
        var balancedDirect = TiledDeblurrer.Deblur(blurry, tiles, new WienerDeconvolver(), 1.0, new DeblurOptions());
        for (int ch = 0; ch < 3; ch++) Assert.Equal(balancedDirect.Planes[ch], wienerFast.Planes[ch]);
        Assert.NotEqual(TiledDeblurrer.Deblur(blurry, tiles, new WienerDeconvolver(), 1.0, new DeblurOptions(OverlapPx: DeblurOptions.FastOverlapPx)).Planes[0], wienerFast.Planes[0]);
        // A request that names its tiling keeps it, whatever the rung.
        var named = c.CreateRestoration("robust", DeconvolutionQuality.Fast).Restore(request with { Deblur = new DeblurOptions() });
        Assert.Equal(fastWide.Planes[0], named.Planes[0]);
    }
}
