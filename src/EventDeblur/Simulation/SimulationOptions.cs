namespace EventDeblur.Simulation;

/// <summary>
/// The RGB camera's sensor: photo-electrons are Poisson (shot noise), read noise is Gaussian,
/// the full well clips, then a gain, black level and 16-bit quantisation give raw values.
/// </summary>
/// <param name="FullWellE">Full-well capacity, electrons (≥ 100).</param>
/// <param name="ReadNoiseE">Read noise standard deviation, electrons.</param>
/// <param name="BlackLevel">Raw value of zero signal.</param>
/// <param name="WhiteLevel">Raw full scale (the manifest's white level).</param>
/// <param name="SaturationLevel">Raw value the full well maps to; values at or above it are clipped.</param>
public sealed record RgbSensorModel(double FullWellE = 6000, double ReadNoiseE = 3, double BlackLevel = 1024, double WhiteLevel = 65535, double SaturationLevel = 65000)
{
    /// <summary>Raw DN per electron.</summary>
    public double GainDnPerE => (SaturationLevel - BlackLevel) / FullWellE;
}

/// <summary>
/// DAVIS pixel model (log-intensity change detector), in the spirit of v2e: photocurrent =
/// sensitivity × irradiance + dark current; a first-order photoreceptor low-pass whose cutoff falls
/// in the dark; per-pixel ON/OFF thresholds (log units) with spread; refractory period; leak events;
/// intensity-dependent shot-noise events; a few hot pixels.
/// </summary>
/// <param name="ThresholdOn">Mean ON contrast threshold, log units.</param>
/// <param name="ThresholdOff">Mean OFF contrast threshold, log units.</param>
/// <param name="ThresholdSigma">Per-pixel threshold standard deviation, log units.</param>
/// <param name="RefractoryUs">Refractory period, µs.</param>
/// <param name="CutoffMaxHz">Photoreceptor cutoff in bright light, Hz.</param>
/// <param name="CutoffHalfIntensity">Photocurrent (e⁻/s per RGB-pixel area) at which the cutoff is half its maximum.</param>
/// <param name="DarkCurrent">Dark current in the same units.</param>
/// <param name="LeakHz">Leak event rate per pixel, Hz.</param>
/// <param name="ShotNoiseMaxHz">Shot-noise event rate per pixel in the dark, Hz; it falls as light rises.</param>
/// <param name="HotPixelFraction">Fraction of pixels that are hot.</param>
/// <param name="HotPixelHz">Event rate of a hot pixel, Hz.</param>
public sealed record DavisModel(
    double ThresholdOn = 0.25, double ThresholdOff = 0.25, double ThresholdSigma = 0.03, long RefractoryUs = 200,
    double CutoffMaxHz = 2000, double CutoffHalfIntensity = 100_000, double DarkCurrent = 30,
    double LeakHz = 0.1, double ShotNoiseMaxHz = 2, double HotPixelFraction = 1e-4, double HotPixelHz = 200);

/// <summary>
/// Everything that defines a simulated recording. Radiance is in photo-electrons per second per RGB
/// pixel (e⁻/s); times in µs; lengths in RGB pixels unless named otherwise.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>Preset name written into the bundle's README.</summary>
    public string Preset { get; init; } = "custom";

    /// <summary>RGB frame width, pixels (ignored for APS-only recordings).</summary>
    public int RgbWidth { get; init; } = 640;

    /// <summary>RGB frame height, pixels.</summary>
    public int RgbHeight { get; init; } = 480;

    /// <summary>Number of frames.</summary>
    public int Frames { get; init; } = 3;

    /// <summary>Time between exposure starts, µs.</summary>
    public long FramePeriodUs { get; init; } = 250_000;

    /// <summary>Exposure time range, µs (drawn per frame).</summary>
    public (long Min, long Max) ExposureUs { get; init; } = (30_000, 120_000);

    /// <summary>Blur path length range over the exposure, RGB pixels (drawn per frame).</summary>
    public (double Min, double Max) KernelLengthPx { get; init; } = (8, 30);

    /// <summary>Largest in-plane rotation over one exposure, degrees (0 = translation only).</summary>
    public double RotationDeg { get; init; }

    /// <summary>Mean background radiance, e⁻/s.</summary>
    public double BackgroundRadiance { get; init; } = 2500;

    /// <summary>Number of small point lights.</summary>
    public int PointLights { get; init; } = 8;

    /// <summary>How far a point light's sharp peak exceeds the full well over a 60 ms exposure.</summary>
    public (double Min, double Max) LightSaturationFactor { get; init; } = (5, 100);

    /// <summary>Number of extended lights (lamp globes, lit windows).</summary>
    public int ExtendedLights { get; init; } = 3;

    /// <summary>RGB sensor.</summary>
    public RgbSensorModel Rgb { get; init; } = new();

    /// <summary>Event sensor pixel model.</summary>
    public DavisModel Davis { get; init; } = new();

    /// <summary>Event sensor width, pixels (DAVIS346: 346).</summary>
    public int EventWidth { get; init; } = 346;

    /// <summary>Event sensor height, pixels (DAVIS346: 260).</summary>
    public int EventHeight { get; init; } = 260;

    /// <summary>RGB → event homography scale range.</summary>
    public (double Min, double Max) HomographyScale { get; init; } = (0.45, 0.52);

    /// <summary>Largest homography rotation, degrees.</summary>
    public double HomographyRotationDeg { get; init; } = 2;

    /// <summary><c>table</c> or <c>triggers</c>.</summary>
    public string SyncSource { get; init; } = "table";

    /// <summary>A DAVIS alone: grayscale APS frames in the event file, no RGB camera.</summary>
    public bool ApsOnly { get; init; }

    /// <summary>Domain B's model (scene, optics, patch-wise motion, sensor); null for domain A (the presets without <c>b-</c>).</summary>
    public DomainBModel? DomainB { get; init; }

    /// <summary>Event simulation margin before and after each exposure, µs.</summary>
    public long MarginUs { get; init; } = 10_000;

    /// <summary>Event simulation time step, µs (≤ 100).</summary>
    public long StepUs { get; init; } = 100;

    /// <summary>Event-clock time of the first exposure start, µs.</summary>
    public long StartUs { get; init; } = 1_700_000_000_000_000;

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (Frames < 1 || Frames > 10_000) throw new ArgumentException($"frames must be 1..10000, got {Frames}");
        if (RgbWidth < 32 || RgbHeight < 32 || RgbWidth > 8192 || RgbHeight > 8192) throw new ArgumentException($"RGB size {RgbWidth}×{RgbHeight} must be within 32..8192");
        if (ExposureUs.Min < 1000 || ExposureUs.Max < ExposureUs.Min) throw new ArgumentException("exposure range must be ≥ 1 ms and ordered");
        if (FramePeriodUs < ExposureUs.Max + 2 * MarginUs) throw new ArgumentException("frame period must exceed the longest exposure plus both margins");
        if (StepUs < 1 || StepUs > 100) throw new ArgumentException("event time step must be 1..100 µs");
        if (KernelLengthPx.Min < 0 || KernelLengthPx.Max < KernelLengthPx.Min) throw new ArgumentException("kernel length range must be ordered and ≥ 0");
        if (SyncSource is not ("table" or "triggers")) throw new ArgumentException("sync source must be table or triggers");
        if (DomainB is { } b)
        {
            if (b.Lamps.Min < 0 || b.Lamps.Max < b.Lamps.Min) throw new ArgumentException("domain B: lamp count range must be ordered and ≥ 0");
            if (b.Lamps.Max > 0 && (b.LampClusters.Min < 1 || b.LampClusters.Max < b.LampClusters.Min)) throw new ArgumentException("domain B: lamp cluster range must be ordered and ≥ 1");
            if (b.LampDiameterPx.Min <= 0 || b.LampDiameterPx.Max < b.LampDiameterPx.Min) throw new ArgumentException("domain B: lamp diameter range must be ordered and > 0");
            if (b.HdrScale.Min < 1 || b.HdrScale.Max < b.HdrScale.Min) throw new ArgumentException("domain B: HDR scale range must be ordered and ≥ 1");
            if (b.PatchGrid.Columns < 1 || b.PatchGrid.Rows < 1) throw new ArgumentException("domain B: patch grid must be at least 1×1");
            if (b.KernelTilePx < 16) throw new ArgumentException("domain B: kernel tiles must be ≥ 16 px");
            if (b.EventResolutionRatio is <= 0.05 or > 1) throw new ArgumentException("domain B: event resolution ratio must be in (0.05, 1]");
        }
    }
}

/// <summary>The named presets of <c>eventdeblur simulate</c>.</summary>
public static class SimulationPresets
{
    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["night", "night-hard", "night-rotation", "no-streaks", "aps", "b-night", "b-night-hard", "b-rotation", "b-no-streaks", "b-aps"];

    /// <summary>The options of preset <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static SimulationOptions Get(string name) => name switch
    {
        // Translation only, moderate light and kernels; frames.csv times on the event clock plus an offset.
        "night" => new SimulationOptions { Preset = name, KernelLengthPx = (8, 30), SyncSource = "table" },
        // Long kernels, darker scene (stronger relative noise), brighter lights (heavier saturation).
        "night-hard" => new SimulationOptions
        {
            Preset = name, KernelLengthPx = (25, 45), ExposureUs = (60_000, 120_000), BackgroundRadiance = 800,
            LightSaturationFactor = (20, 100), PointLights = 10, Rgb = new RgbSensorModel(ReadNoiseE: 6), SyncSource = "triggers",
        },
        // In-plane rotation on top of shake: spatially varying blur, per-tile ground truth.
        "night-rotation" => new SimulationOptions { Preset = name, KernelLengthPx = (8, 25), RotationDeg = 3, PointLights = 12, SyncSource = "table" },
        // Textured scene without point lights: kernels must come from texture events.
        "no-streaks" => new SimulationOptions { Preset = name, PointLights = 0, ExtendedLights = 0, BackgroundRadiance = 6000, KernelLengthPx = (8, 30), SyncSource = "triggers" },
        // A DAVIS alone (Blur-DVS shape): gray APS frames with exposure times inside the AEDAT 4.0 file.
        "aps" => new SimulationOptions { Preset = name, ApsOnly = true, KernelLengthPx = (8, 30), BackgroundRadiance = 6000, PointLights = 4, ExposureUs = (20_000, 60_000) },
        // Domain B (DomainBModel): the same five kinds of recording, built on independent published choices.
        "b-night" => DomainB(name),
        "b-night-hard" => DomainB(name) with
        {
            KernelLengthPx = (30, 60), ExposureUs = (80_000, 200_000), BackgroundRadiance = 600, SyncSource = "triggers",
            DomainB = new DomainBModel { Lamps = (100, 200), ReadNoiseE = (12, 9, 15) },
        },
        "b-rotation" => DomainB(name) with { KernelLengthPx = (8, 40), RotationDeg = 4, DomainB = new DomainBModel { PatchGrid = (4, 3) } },
        "b-no-streaks" => DomainB(name) with { BackgroundRadiance = 12_000, SyncSource = "triggers", DomainB = new DomainBModel { Lamps = (0, 0) } },
        "b-aps" => DomainB(name) with { ApsOnly = true, BackgroundRadiance = 6000, DomainB = new DomainBModel { Lamps = (50, 120) } },
        _ => throw new ArgumentException($"unknown preset '{name}'; expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// Domain B's base: blur 8–60 px, exposures 20–200 ms, a smaller and noisier RGB pixel, and the event pixel of
    /// Zhou et al. (IJCV 2023) as simulated with v2e: thresholds 0.3 ± 0.03, 30 Hz photoreceptor cut-off (slower in
    /// the dark), 0.1 Hz leak, shot-noise events, on a sensor a third of the RGB resolution.
    /// </summary>
    private static SimulationOptions DomainB(string name) => new()
    {
        Preset = name, DomainB = new DomainBModel(), KernelLengthPx = (8, 60), ExposureUs = (20_000, 200_000), FramePeriodUs = 250_000,
        BackgroundRadiance = 1500, PointLights = 0, ExtendedLights = 0, SyncSource = "table",
        Rgb = new RgbSensorModel(FullWellE: 4000, ReadNoiseE: 6),
        Davis = new DavisModel(ThresholdOn: 0.3, ThresholdOff: 0.3, ThresholdSigma: 0.03, RefractoryUs: 100, CutoffMaxHz: 30, CutoffHalfIntensity: 20_000,
            DarkCurrent: 50, LeakHz: 0.1, ShotNoiseMaxHz: 3, HotPixelFraction: 2e-4, HotPixelHz: 100),
        HomographyScale = (0.325, 0.345), HomographyRotationDeg = 3,
    };
}
