namespace EventDeblur.Simulation;

/// <summary>A small light source: a Gaussian spot of radiance.</summary>
/// <param name="X">Centre column in frame pixels (sharp frame at mid-exposure).</param>
/// <param name="Y">Centre row in frame pixels.</param>
/// <param name="Sigma">Spot standard deviation, pixels.</param>
/// <param name="R">Peak red radiance, e⁻/s.</param>
/// <param name="G">Peak green radiance, e⁻/s.</param>
/// <param name="B">Peak blue radiance, e⁻/s.</param>
public sealed record PointLight(double X, double Y, double Sigma, double R, double G, double B);
