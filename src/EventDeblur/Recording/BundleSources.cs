namespace EventDeblur.Recording;

/// <summary>What a lab has, to be made into a bundle by <see cref="BundleBuilder.Build"/>.</summary>
public sealed record BundleSources
{
    /// <summary>Event file: AEDAT 2.0 / 3.1 / 4.0 (copied), or Prophesee RAW / DAT or HDF5 (DSEC / h5_tools layout; converted to AEDAT 4.0).</summary>
    public required string EventsPath { get; init; }

    /// <summary>RGB frames: a folder of PNG / TIFF images (taken in name order) or a video file (each frame written as a PNG).</summary>
    public required string RgbPath { get; init; }

    /// <summary>
    /// CSV with a header and one row per RGB frame, in frame order: <c>exposure_start_us,exposure_end_us</c>
    /// (integers, µs, on the RGB camera's clock). Required with table sync; with trigger sync it gives the
    /// frames' spacing for matching (a video's own timestamps are used when it is absent).
    /// </summary>
    public string? ExposureCsvPath { get; init; }

    /// <summary><c>table</c> (CSV times + <see cref="ClockOffsetUs"/>) or <c>triggers</c> (external-input edges in the event file).</summary>
    public string Sync { get; init; } = "table";

    /// <summary>
    /// With trigger sync: the RGB camera's exposure output is active-low (a falling edge starts an exposure, the next rising
    /// edge ends it). The bundle's event file is then written as AEDAT 4.0 with the external input's two edges swapped, so
    /// that its exposures read as rising → falling edges, as RECORDING_FORMAT.md has them. False (the default): active-high.
    /// </summary>
    public bool TriggerActiveLow { get; init; }

    /// <summary>
    /// With trigger sync and a Prophesee event file: the EXT_TRIGGER channel (≥ 0) that carries the RGB camera's exposure
    /// signal; the others are left out of the bundle's event file. Null: the file's only channel (a file with triggers on
    /// several channels is refused, naming them, since their edges would be paired with one another).
    /// </summary>
    public int? TriggerChannel { get; init; }

    /// <summary>Added to the CSV times to put them on the event clock, µs (table sync).</summary>
    public long ClockOffsetUs { get; init; }

    /// <summary>With trigger sync and no CSV for a video: the exposure of each frame, µs (&gt; 0), used for the table's spacing only.</summary>
    public long NominalExposureUs { get; init; } = DefaultNominalExposureUs;

    /// <summary>The default of <see cref="NominalExposureUs"/>, µs: rows that all last exactly this long carry no measured duration.</summary>
    public const long DefaultNominalExposureUs = 10_000;

    /// <summary>RGB encoding: <c>linear</c>, <c>srgb</c> or <c>gamma:G</c>.</summary>
    public string Encoding { get; init; } = "srgb";

    /// <summary>Black level in raw DN (≥ 0); default 0.</summary>
    public double BlackLevel { get; init; }

    /// <summary>White level in raw DN; null: 255 for 8-bit frames, 65535 for 16-bit ones.</summary>
    public double? WhiteLevel { get; init; }

    /// <summary>Saturation level in raw DN; null: the white level.</summary>
    public double? SaturationLevel { get; init; }

    /// <summary>RGB pixel → event pixel homography, row-major 3×3; identity by default.</summary>
    public double[] Homography { get; init; } = [1, 0, 0, 0, 1, 0, 0, 0, 1];
}
