namespace EventDeblur.Simulation;

/// <summary>Random draws used by the sensor models.</summary>
internal static class SensorNoise
{
    /// <summary>Poisson(λ): exact (Knuth) for small λ, normal approximation above 30.</summary>
    public static double Poisson(Random rng, double lambda)
    {
        if (lambda <= 0) return 0;
        if (lambda < 30)
        {
            double l = Math.Exp(-lambda), p = 1;
            int k = 0;
            do { k++; p *= rng.NextDouble(); } while (p > l);
            return k - 1;
        }
        return Math.Max(0, Math.Round(lambda + Math.Sqrt(lambda) * Gaussian(rng)));
    }

    /// <summary>Standard normal (Box–Muller).</summary>
    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A seed for a sub-stream (frame, row, purpose), so parallel work stays deterministic.</summary>
    public static int SubSeed(int seed, params int[] parts)
    {
        unchecked
        {
            uint h = 2166136261u ^ (uint)seed;
            foreach (int p in parts) { h ^= (uint)p; h *= 16777619u; h ^= h >> 15; }
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
