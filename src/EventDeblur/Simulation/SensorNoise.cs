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

    /// <summary>
    /// A seed for a sub-stream (frame, row, purpose), so parallel work stays deterministic. The seed is mixed
    /// (one multiply–xorshift round) before the first part is folded in: folding it in directly made
    /// (seed, frame) pairs with equal seed XOR frame share one stream, so bundles of neighbouring seeds
    /// repeated each other's camera motions, exposure times and sensor noise (seeds 8101–8103 × frames 0–2
    /// gave four distinct motions for nine frames).
    /// </summary>
    public static int SubSeed(int seed, params int[] parts)
    {
        unchecked
        {
            uint h = (2166136261u ^ (uint)seed) * 16777619u;
            h ^= h >> 15;
            foreach (int p in parts) { h ^= (uint)p; h *= 16777619u; h ^= h >> 15; }
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
