namespace EventDeblur.Simulation;

/// <summary>The named presets of <c>eventdeblur simulate</c>.</summary>
public static class SimulationPresets
{
    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["night", "night-hard", "night-rotation", "no-streaks", "aps", "b-night", "b-night-hard", "b-rotation", "b-no-streaks", "b-aps", "checkerboard"];

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
        // A calibration recording: a 9 × 6 checkerboard blinking on a screen (board / black, 40 ms period), a new board
        // pose per frame, a still camera; for `calibrate --checkerboard 9x6`.
        "checkerboard" => new SimulationOptions
        {
            Preset = name, Board = new BlinkingBoardModel(), Frames = 8, KernelLengthPx = (0, 0), ExposureUs = (20_000, 40_000),
            FramePeriodUs = 100_000, PointLights = 0, ExtendedLights = 0, SyncSource = "table",
        },
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
