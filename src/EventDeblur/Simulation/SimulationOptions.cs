namespace EventDeblur.Simulation;

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

    /// <summary>A calibration recording of a blinking checkerboard screen (<see cref="BlinkingBoardModel"/>) instead of a night scene; null otherwise. Domain A's sensors; no camera shake.</summary>
    public BlinkingBoardModel? Board { get; init; }

    /// <summary>Event simulation margin before and after each exposure, µs.</summary>
    public long MarginUs { get; init; } = 10_000;

    /// <summary>
    /// Frequency at which the point lights flicker, Hz (1 .. 1000), or null (the default) for steady lights. A lamp on
    /// the mains flickers at twice the grid's frequency (100 Hz on 50-Hz grids, 120 Hz on 60-Hz ones: the power of the
    /// alternating current), a half-wave-rectified LED at the grid's own (50 or 60 Hz). Each point light's radiance is
    /// multiplied by 1 + <see cref="FlickerDepth"/>·cos(2π·f·t + φ), t the time since <see cref="StartUs"/> in s, φ one of the grid's
    /// three phases (0, 2π/3, 4π/3: light k takes phase k mod 3); the sharp ground truth shows each light at its mean
    /// brightness over the exposure (the steady one over whole periods). Domain A only (night kinds and the DAVIS-alone
    /// <c>aps</c>); extended lights and lit windows stay steady.
    /// </summary>
    public double? FlickerHz { get; init; }

    /// <summary>Depth of the point lights' flicker, 0 .. 1 (default 1: dark once per period); used with <see cref="FlickerHz"/>.</summary>
    public double FlickerDepth { get; init; } = 1;

    /// <summary>Event simulation time step, µs (≤ 100).</summary>
    public long StepUs { get; init; } = 100;

    /// <summary>Event-clock time of the first exposure start, µs.</summary>
    public long StartUs { get; init; } = 1_700_000_000_000_000;

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (Frames < 1 || Frames > 10_000) throw new ArgumentException($"frames must be 1..10000, got {Frames}");
        if (RgbWidth < 32 || RgbHeight < 32 || RgbWidth > 8192 || RgbHeight > 8192) throw new ArgumentException($"RGB size {RgbWidth}×{RgbHeight} must be within 32..8192");
        if (ExposureUs.Min < 1000 || ExposureUs.Max < ExposureUs.Min || ExposureUs.Max > 10_000_000)
            throw new ArgumentException($"exposure range must be ordered and within 1 ms .. 10 s, got {ExposureUs.Min}:{ExposureUs.Max} µs");
        if (MarginUs < 0 || MarginUs > 1_000_000) throw new ArgumentException($"event margin must be 0 .. 1 s, got {MarginUs} µs");
        if (FramePeriodUs > 60_000_000) throw new ArgumentException($"frame period must be at most 60 s, got {FramePeriodUs} µs");
        if (FramePeriodUs < ExposureUs.Max + 2 * MarginUs)
            throw new ArgumentException($"frame period must be at least the longest exposure plus both event margins ({ExposureUs.Max} + 2 × {MarginUs} = {ExposureUs.Max + 2 * MarginUs} µs), got {FramePeriodUs} µs; shorten the exposures (--exposure-us MIN:MAX) or lengthen the period");
        if (StepUs < 1 || StepUs > 100) throw new ArgumentException("event time step must be 1..100 µs");
        if (KernelLengthPx.Min < 0 || KernelLengthPx.Max < KernelLengthPx.Min) throw new ArgumentException("kernel length range must be ordered and ≥ 0");
        if (SyncSource is not ("table" or "triggers")) throw new ArgumentException("sync source must be table or triggers");
        if (FlickerHz is double hz)
        {
            if (!(hz >= 1 && hz <= 1000)) throw new ArgumentException($"flicker frequency must be 1 .. 1000 Hz, got {hz}");
            if (DomainB != null || Board != null) throw new ArgumentException("flicker is rendered for domain A's point lights only (not domain B, not a blinking board)");
        }
        if (!(FlickerDepth >= 0 && FlickerDepth <= 1)) throw new ArgumentException($"flicker depth must be 0 .. 1, got {FlickerDepth}");
        if (Board is { } board)
        {
            board.Validate();
            if (ApsOnly || DomainB != null) throw new ArgumentException("a blinking-board recording needs an RGB camera in domain A (not APS-only, not domain B)");
            if (board.BlinkPeriodUs < 2 * StepUs) throw new ArgumentException($"board: blink period {board.BlinkPeriodUs} µs must be at least two event time steps ({2 * StepUs} µs)");
        }
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
