namespace EventDeblur.Simulation;

/// <summary>A domain-B lamp: a soft disc with a glare halo, one of a cluster.</summary>
/// <param name="X">Centre column, frame pixels.</param>
/// <param name="Y">Centre row, frame pixels.</param>
/// <param name="DiameterPx">Core diameter, pixels.</param>
/// <param name="Cluster">Index of its cluster.</param>
/// <param name="HdrScale">Factor its saturated pixels were scaled by (1 when it stayed below the clip level).</param>
/// <param name="HaloSigmaPx">Glare halo standard deviation, pixels.</param>
public sealed record SceneLamp(double X, double Y, double DiameterPx, int Cluster, double HdrScale, double HaloSigmaPx);
